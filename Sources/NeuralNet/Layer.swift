import TensorCore

/// A building block of a model: a function of a tensor with named parameters, and possibly
/// named sublayers, whose settings can be saved and rebuilt without code.
public protocol Layer: AnyObject {
    /// The class name used in model files (Keras's `class_name`).
    static var className: String { get }
    /// Rebuilds a layer from its saved settings; its weights are loaded separately.
    init(config: LayerConfig, registry: LayerRegistry) throws
    /// The settings that rebuild this layer.
    var config: LayerConfig { get }
    /// This layer's own parameters, in a stable order.
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// The layers inside this one, in a stable order.
    var sublayers: [(name: String, layer: any Layer)] { get }

    func callAsFunction(_ input: Tensor) -> Tensor
}

extension Layer {
    public var parameters: [(name: String, parameter: Parameter)] { [] }
    public var sublayers: [(name: String, layer: any Layer)] { [] }

    /// Every parameter of this layer and the layers inside it, named by dotted paths such as
    /// `encoder.dense1.kernel`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = parameters
        for (prefix, layer) in sublayers {
            result += layer.namedParameters.map { ("\(prefix).\($0.name)", $0.parameter) }
        }
        return result
    }

    /// Layers that own parameters, by dotted path, in order: the groups of a model file.
    public var namedLayers: [(name: String, layer: any Layer)] {
        var result: [(name: String, layer: any Layer)] = []
        for (prefix, layer) in sublayers {
            if !layer.parameters.isEmpty { result.append((prefix, layer)) }
            result += layer.namedLayers.map { ("\(prefix).\($0.name)", $0.layer) }
        }
        return result
    }

    /// Every layer inside this one, depth first, this one included.
    public var allLayers: [any Layer] {
        [self] + sublayers.flatMap { $0.layer.allLayers }
    }

    /// The number of scalars in trainable parameters.
    public var trainableParameterCount: Int {
        namedParameters.filter { $0.parameter.isTrainable }.reduce(0) { $0 + $1.parameter.value.count }
    }

    /// The number of scalars in all parameters, trained or not.
    public var parameterCount: Int {
        namedParameters.reduce(0) { $0 + $1.parameter.value.count }
    }

    /// A table of layers, their parameter shapes and counts, like Keras's `model.summary()`.
    public func summary() -> String {
        var rows: [(String, String, String)] = []
        func visit(_ layer: any Layer, _ name: String, _ depth: Int) {
            let own = layer.parameters
            let shapes = own.map { "\($0.name) \($0.parameter.value.shape)" }.joined(separator: ", ")
            let count = own.reduce(0) { $0 + $1.parameter.value.count }
            rows.append((String(repeating: "  ", count: depth) + "\(name) (\(type(of: layer).className))",
                         shapes, count == 0 ? "" : "\(count)"))
            for (childName, child) in layer.sublayers { visit(child, childName, depth + 1) }
        }
        visit(self, "model", 0)
        let widths = (rows.map(\.0.count).max() ?? 0, rows.map(\.1.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: Swift.max(0, width - text.count)) }
        var lines = [pad("layer", widths.0) + "  " + pad("parameters", widths.1) + "  count"]
        lines += rows.map { pad($0.0, widths.0) + "  " + pad($0.1, widths.1) + "  " + $0.2 }
        lines.append("total parameters: \(parameterCount) (trainable: \(trainableParameterCount))")
        return lines.joined(separator: "\n")
    }
}

/// A layer whose output depends on random draws in training (dropout, noise). The training
/// loop reseeds it at every epoch from the run's seed, so that a resumed run repeats exactly.
public protocol StochasticLayer: Layer {
    var generator: RandomGenerator { get set }
}

/// Whether layers behave as in training (dropout and noise active, batch statistics updated)
/// or as in evaluation. Evaluation is the default; the training loop switches it on.
public enum TrainingMode {
    @TaskLocal public static var isEnabled = false
}

/// Runs `body` with layers in training mode.
public func withTrainingMode<R>(_ body: () throws -> R) rethrows -> R {
    try TrainingMode.$isEnabled.withValue(true, operation: body)
}
