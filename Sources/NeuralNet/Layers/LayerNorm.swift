import TensorCore

/// Normalises each sample over its last axis, then scales and shifts per feature.
public final class LayerNorm: Layer {
    public static let className = "LayerNorm"
    public let gamma: Parameter
    public let beta: Parameter
    public let epsilon: Float

    public init(_ features: Int, epsilon: Float = 1e-5) {
        gamma = Parameter(.ones([features]))
        beta = Parameter(.zeros([features]))
        self.epsilon = epsilon
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        self.init(try config.size("features"), epsilon: try config.float("epsilon"))
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, ["features": .number(Double(gamma.value.count)), "epsilon": .number(Double(epsilon))])
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("gamma", gamma), ("beta", beta)] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.shape.last == gamma.value.count,
                "LayerNorm: input of shape \(input.shape) does not end in \(gamma.value.count) features")
        let centered = input - input.mean(axes: [-1], keepingDimensions: true)
        let variance = (centered * centered).mean(axes: [-1], keepingDimensions: true)
        return centered / (variance + epsilon).sqrt() * gamma.value + beta.value
    }
}
