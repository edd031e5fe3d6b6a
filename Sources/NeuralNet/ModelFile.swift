import Foundation
import HDF5
import TensorCore

/// Reads and writes whole models as one HDF5 file in the layout of Keras's `.h5` files, so that
/// h5py users find their way around:
///
/// - root attribute `model_config`: JSON `{"class_name": ..., "config": ...}` that rebuilds the
///   architecture without code; `backend` = "galen" and `galen_version`;
/// - group `/model_weights`, attribute `layer_names`; per layer a group whose `weight_names`
///   attribute lists float32 datasets, e.g. `/model_weights/encoder.dense1/encoder.dense1/kernel:0`;
/// - optional group `/optimizer_weights` with the optimizer's name, iteration count, learning rate
///   and per-parameter state, plus `completed_epochs`, for an exact resume.
///
/// Files are written under a temporary name and renamed into place when complete.
public enum ModelFile {
    public static let galenVersion = "0.1.0"

    /// What a model file holds besides the layers and the optimizer's state (``loadOptimizer(_:)``).
    public struct Contents {
        public var model: any Layer
        /// Root attributes the caller stored (task names, target statistics, training settings).
        public var attributes: [String: AttributeValue]
    }

    /// An optimizer's saved state.
    public struct OptimizerState {
        public var name: String
        public var iterations: Int
        public var learningRate: Float
        public var completedEpochs: Int
        public var slots: [(name: String, value: Tensor)]

        /// Loads this state into `optimizer`, which must be of the kind that saved it.
        public func restore(into optimizer: Optimizer) throws {
            guard type(of: optimizer).name == name else {
                throw ModelError.weights("the file holds \(name) state, not \(type(of: optimizer).name)")
            }
            optimizer.learningRate = learningRate
            try optimizer.restore(state: slots, iterations: iterations)
        }
    }

    /// Saves `model`, and the optimizer's state when given, with extra root `attributes`.
    public static func save(
        _ model: any Layer, to path: String, optimizer: Optimizer? = nil, completedEpochs: Int = 0,
        attributes: [String: AttributeValue] = [:]
    ) throws {
        for (layerName, layer) in weightLayers(model) {
            if let (name, _) = layer.parameters.first(where: { !$0.parameter.value.scalars.allSatisfy(\.isFinite) }) {
                throw ModelError.weights("\(path) not written: weight \(layerName)/\(name) is NaN or infinite (training diverged; try a lower learning rate)")
            }
        }
        try HDF5File.createAtomically(path) { file in
            let config = try JSONEncoder().encode(model.config)
            try file.attributes.set("model_config", .string(String(decoding: config, as: UTF8.self)))
            try file.attributes.set("backend", "galen")
            try file.attributes.set("galen_version", .string(galenVersion))
            for (name, value) in attributes { try file.attributes.set(name, value) }

            let weights = try file.createGroup("model_weights")
            let layers = weightLayers(model)
            try weights.attributes.set("layer_names", .strings(layers.map(\.name)))
            try weights.attributes.set("backend", "galen")
            for (layerName, layer) in layers {
                let group = try weights.createGroup(layerName)
                let names = layer.parameters.map { "\(layerName)/\($0.name):0" }
                try group.attributes.set("weight_names", .strings(names))
                for (name, (_, parameter)) in zip(names, layer.parameters) {
                    try write(parameter.value, at: name, in: group)
                }
            }

            guard let optimizer else { return }
            let group = try file.createGroup("optimizer_weights")
            let kind = type(of: optimizer).name
            try group.attributes.set("optimizer", .string(kind))
            try group.attributes.set("iterations", .int(optimizer.iterations))
            try group.attributes.set("learning_rate", .float(optimizer.learningRate))
            try group.attributes.set("completed_epochs", .int(completedEpochs))
            let state = optimizer.state
            let names = state.map { "\(kind)/\($0.name):0" }
            try group.attributes.set("weight_names", .strings(names))
            for (name, (_, value)) in zip(names, state) { try write(value, at: name, in: group) }
        }
    }

    /// Loads a model file, rebuilding the architecture from its configuration; with `kind`, only
    /// a file whose `galen_model` attribute says that kind (such as `sequences/1`).
    public static func load(_ path: String, registry: LayerRegistry = .standard, kind: String? = nil) throws -> Contents {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        guard try file.attributes.contains("model_config") else {
            throw ModelError.weights("\(path): not a model file (it has no model_config attribute)")
        }
        if let kind {
            let stored = try file.attributes.contains("galen_model") ? try file.attributes.get("galen_model") : nil
            guard case .string(kind)? = stored else {
                let found = if case .string(let other)? = stored { "a Galen '\(other)' model" } else { "a model without a galen_model attribute" }
                throw ModelError.weights("\(path): \(found); this command takes '\(kind)' models")
            }
        }
        guard try file.contains("model_weights") else { throw ModelError.weights("\(path): the model file has no /model_weights group") }
        guard case .string(let json) = try file.attributes.get("model_config"),
              let config = try? JSONDecoder().decode(LayerConfig.self, from: Data(json.utf8))
        else { throw ModelError.weights("\(path): the 'model_config' attribute is not a model configuration") }
        let budget = try weightBudget(file, path: path)
        let model: any Layer
        do {
            model = try LayerConfig.$weightBudget.withValue(budget) { try registry.build(config) }
        } catch {
            throw ModelError.weights("\(path): \(error)")
        }
        try loadWeights(into: model, from: file)
        var attributes: [String: AttributeValue] = [:]
        for name in try file.attributes.names() { attributes[name] = try file.attributes.get(name) }
        return Contents(model: model, attributes: attributes)
    }

    /// The optimizer's state saved with a model, for resuming its training; nil when none was
    /// saved. Only resuming reads it: it is twice the weights for Adam, and scoring needs none of it.
    public static func loadOptimizer(_ path: String) throws -> OptimizerState? {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        guard try file.contains("optimizer_weights") else { return nil }
        let group = try file.group("optimizer_weights")
        guard case .string(let name) = try group.attributes.get("optimizer"),
              case .int(let iterations) = try group.attributes.get("iterations"),
              case .float(let learningRate) = try group.attributes.get("learning_rate"),
              case .int(let epochs) = try group.attributes.get("completed_epochs"),
              case .strings(let names) = try group.attributes.get("weight_names")
        else { throw ModelError.weights("\(path): /optimizer_weights lacks its attributes") }
        let prefix = "\(name)/"
        if let wrong = names.first(where: { !$0.hasPrefix(prefix) || !$0.hasSuffix(":0") }) {
            throw ModelError.weights("\(path): optimizer weight '\(wrong)' is not named \(prefix)...:0")
        }
        try requireMemory(for: try names.map { try group.dataset($0).shape }, "\(path): its optimizer state needs")
        let slots = try names.map { (name: String($0.dropFirst(prefix.count).dropLast(2)), value: try read($0, in: group)) }
        return OptimizerState(name: name, iterations: iterations, learningRate: learningRate, completedEpochs: epochs, slots: slots)
    }

    /// Loads the weights of a model file into a model built in code; every weight must match by
    /// name and shape, with none missing or left over.
    public static func loadWeights(into model: any Layer, from path: String) throws {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        try loadWeights(into: model, from: file)
    }

    private static func loadWeights(into model: any Layer, from file: HDF5File) throws {
        let path = file.path
        let weights = try file.group("model_weights")
        guard case .strings(let stored) = try weights.attributes.get("layer_names") else {
            throw ModelError.weights("\(path): /model_weights has no 'layer_names' list")
        }
        let layers = weightLayers(model)
        if let extra = stored.first(where: { name in !layers.contains { $0.name == name } }) {
            throw ModelError.weights("\(path): layer '\(extra)' in the file is not in the model")
        }
        for (layerName, layer) in layers {
            guard stored.contains(layerName), try weights.contains(layerName) else {
                throw ModelError.weights("\(path): the model's layer '\(layerName)' is missing from the file")
            }
            let group = try weights.group(layerName)
            guard case .strings(let names) = try group.attributes.get("weight_names") else {
                throw ModelError.weights("\(path): layer '\(layerName)' has no 'weight_names' list")
            }
            let expected = layer.parameters.map { "\(layerName)/\($0.name):0" }
            if let extra = names.first(where: { !expected.contains($0) }) {
                throw ModelError.weights("\(path): weight '\(extra)' in the file is not in the model")
            }
            for (name, (_, parameter)) in zip(expected, layer.parameters) {
                guard names.contains(name), try group.contains(name) else {
                    throw ModelError.weights("\(path): weight '\(name)' is missing from the file")
                }
                let value = try read(name, in: group)
                guard value.shape == parameter.value.shape else {
                    throw ModelError.weights("\(path): weight '\(name)' has shape \(value.shape), the model needs \(parameter.value.shape)")
                }
                guard value.scalars.allSatisfy(\.isFinite) else {
                    throw ModelError.weights("\(path): weight '\(name)' holds NaN or infinite values")
                }
                try parameter.assign(value)
            }
        }
    }

    /// What the weights `file` holds allow its layers to reserve, once they are known to fit in
    /// memory together: a damaged file can declare weights of any shape (with a configuration
    /// to match).
    private static func weightBudget(_ file: HDF5File, path: String) throws -> WeightBudget {
        let shapes = try file.datasetPaths(under: "model_weights").map { try file.dataset($0).shape }
        try requireMemory(for: shapes, "\(path): its weights need")
        return WeightBudget(shapes: shapes)
    }

    /// Refuses float32 datasets of `shapes` that would not fit in memory together (each read is
    /// checked on its own as well); `subject` begins the refusal ("m.h5: its weights need").
    private static func requireMemory(for shapes: [[Int]], _ subject: String) throws {
        let bytes = WeightBudget.values(shapes) * Double(MemoryLayout<Float>.size)
        guard bytes <= MachineMemory.bytes else { throw ModelError.weights("\(subject) \(MachineMemory.exceeded(by: bytes))") }
    }

    /// Layers that own parameters, by dotted path; the model itself is `model` if it owns any.
    private static func weightLayers(_ model: any Layer) -> [(name: String, layer: any Layer)] {
        (model.parameters.isEmpty ? [] : [("model", model)]) + model.namedLayers
    }

    private static func write(_ value: Tensor, at name: String, in group: Group) throws {
        try group.createDataset(name, elementType: .float32, shape: value.shape).write(value.scalars)
    }

    private static func read(_ name: String, in group: Group) throws -> Tensor {
        let dataset = try group.dataset(name)
        return Tensor(try dataset.read(as: Float.self), shape: try dataset.shape)
    }
}
