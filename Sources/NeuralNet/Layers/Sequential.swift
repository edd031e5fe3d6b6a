import TensorCore

/// Layers applied one after another, each under its own name.
public final class Sequential: Layer {
    public static let className = "Sequential"
    public let layers: [(name: String, layer: any Layer)]

    /// Layers named by the caller; names become parts of parameter paths (`dense1.kernel`).
    public init(_ layers: [(String, any Layer)]) {
        let names = layers.map(\.0)
        require(Self.validNames(names), Self.nameRule(names))
        self.layers = layers.map { (name: $0.0, layer: $0.1) }
    }

    private static func validNames(_ names: [String]) -> Bool {
        Set(names).count == names.count && names.allSatisfy { !$0.isEmpty && !$0.contains(".") && !$0.contains("/") }
    }

    private static func nameRule(_ names: [String]) -> String {
        "layer Sequential: layer names \(names) must be unique, non-empty and free of '.' and '/'"
    }

    /// Layers named after their class and position, as Keras does: `dense_1`, `activation_2`.
    public convenience init(_ layers: [any Layer]) {
        self.init(layers.enumerated().map { index, layer in
            ("\(type(of: layer).className.lowercased())_\(index + 1)", layer)
        })
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        let entries = try config.array("layers").map { entry -> (name: String, layer: LayerConfig) in
            guard case .object(let object) = entry, case .string(let name)? = object["name"],
                  case .object(let layer)? = object["layer"], case .string(let className)? = layer["class_name"],
                  case .object(let values)? = layer["config"]
            else { throw ModelError.invalidConfig("layer Sequential: each entry needs a name and a layer") }
            return (name, LayerConfig(className, values))
        }
        // Names first: the layers' own initialiser would stop on them, after building every layer.
        guard Self.validNames(entries.map(\.name)) else { throw ModelError.invalidConfig(Self.nameRule(entries.map(\.name))) }
        self.init(try entries.map { ($0.name, try registry.build($0.layer)) })
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, ["layers": .array(layers.map { name, layer in
            let saved = layer.config
            return ["name": .string(name), "layer": ["class_name": .string(saved.className), "config": .object(saved.values)]]
        })])
    }

    public var sublayers: [(name: String, layer: any Layer)] { layers }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1.layer($0) }
    }
}
