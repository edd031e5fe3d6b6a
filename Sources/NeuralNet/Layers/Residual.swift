import TensorCore

/// body(x) + shortcut(x): the shortcut is the identity, or a layer (a 1×1 convolution) where
/// the body changes the shape.
public final class Residual: Layer {
    public static let className = "Residual"
    public let body: any Layer
    public let shortcut: (any Layer)?

    public init(_ body: any Layer, shortcut: (any Layer)? = nil) {
        self.body = body
        self.shortcut = shortcut
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        func layer(_ key: String) throws -> (any Layer)? {
            guard case .object(let object)? = config.values[key] else { return nil }
            guard case .string(let className)? = object["class_name"], case .object(let values)? = object["config"] else {
                throw ModelError.invalidConfig("layer Residual: '\(key)' needs a class_name and a config")
            }
            return try registry.build(LayerConfig(className, values))
        }
        guard let body = try layer("body") else { throw ModelError.invalidConfig("layer Residual: 'body' is missing") }
        self.init(body, shortcut: try layer("shortcut"))
    }

    public var config: LayerConfig {
        func saved(_ layer: any Layer) -> JSONValue {
            let config = layer.config
            return ["class_name": .string(config.className), "config": .object(config.values)]
        }
        return LayerConfig(Self.className, ["body": saved(body), "shortcut": shortcut.map(saved) ?? .null])
    }

    public var sublayers: [(name: String, layer: any Layer)] {
        [("body", body)] + (shortcut.map { [("shortcut", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        body(input) + (shortcut?(input) ?? input)
    }
}
