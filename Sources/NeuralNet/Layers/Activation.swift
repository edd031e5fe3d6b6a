import TensorCore

/// An elementwise nonlinearity as a layer.
public final class Activation: Layer {
    public enum Kind: String, Sendable, CaseIterable {
        case relu, leakyRelu = "leaky_relu", elu, gelu, sigmoid, tanh, softplus
    }

    public static let className = "Activation"
    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        let name = try config.string("activation")
        guard let kind = Kind(rawValue: name) else {
            throw ModelError.invalidConfig("layer Activation: unknown activation '\(name)'")
        }
        self.init(kind)
    }

    public var config: LayerConfig { LayerConfig(Self.className, ["activation": .string(kind.rawValue)]) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch kind {
        case .relu: input.relu()
        case .leakyRelu: input.leakyRelu()
        case .elu: input.elu()
        case .gelu: input.gelu()
        case .sigmoid: input.sigmoid()
        case .tanh: input.tanh()
        case .softplus: input.softplus()
        }
    }
}
