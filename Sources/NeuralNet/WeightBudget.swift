import HDF5

/// The values a model file's weights hold, which bound the weights that layers built from its
/// configuration may reserve: a damaged configuration can name sizes whose product no memory
/// holds, and a layer fills its weights before any is read from the file. Every weight matrix a
/// valid configuration reserves is one of the file's, so a valid file never runs out.
final class WeightBudget: @unchecked Sendable {  // used by one synchronous build at a time
    /// The largest dimension of any weight in the file.
    let largestDimension: Int
    private var remainingValues: Double

    init(shapes: [[Int]]) {
        largestDimension = shapes.map { $0.max() ?? 1 }.max() ?? 0
        remainingValues = Self.values(shapes)
    }

    func reserve(_ shapes: [[Int]], for layer: String) throws {
        let values = Self.values(shapes)
        guard values <= remainingValues else {
            throw ModelError.invalidConfig(String(
                format: "layer %@ asks for %.0f weight values, more than the %.0f left in the file's weights (the configuration does not match them)",
                layer, values, remainingValues))
        }
        remainingValues -= values
    }

    /// In floating point, as a damaged configuration's products can overflow an integer.
    static func values(_ shapes: [[Int]]) -> Double {
        shapes.reduce(0) { $0 + $1.reduce(1) { $0 * Double($1) } }
    }
}

extension LayerConfig {
    /// Set while a model file is loaded: its weights bound the sizes and weights of its layers.
    @TaskLocal static var weightBudget: WeightBudget?

    /// The largest size a layer may read: when a model file is loaded, the largest dimension of
    /// its weights, which every size of a layer that owns weights is one of.
    public static var sizeLimit: Int { weightBudget?.largestDimension ?? Int(Int32.max) }

    /// Refuses, while a model file is loaded, weight matrices of `shapes` that the file's weights
    /// cannot hold (with those of the layers built before); a layer built from a configuration
    /// calls this with its weight matrices before making them.
    public static func reserveWeights(_ shapes: [[Int]], for layer: String) throws {
        try weightBudget?.reserve(shapes, for: layer)
    }
}

/// Refuses to train `members` models whose weight matrices have `shapes` when the members' weights,
/// and the gradients and Adam's two moments of the one in training, would not fit in memory:
/// sizes each within bounds can still multiply past it.
public func requireTrainingMemory(_ shapes: [[Int]], members: Int, of model: String) throws {
    let bytes = WeightBudget.values(shapes) * Double(MemoryLayout<Float>.size * (members + 3))
    guard bytes <= MachineMemory.bytes else {
        throw ModelError.weights("training \(model) (its weights, gradients and Adam's moments) needs \(MachineMemory.exceeded(by: bytes)); choose smaller layers")
    }
}
