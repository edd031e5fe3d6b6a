import TensorCore

/// Normalises each feature of [batch, features] inputs: with the batch's statistics in
/// training (and folds them into running averages), with the running averages in evaluation.
public final class BatchNorm: Layer {
    public static let className = "BatchNorm"
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    /// The weight of each new batch in the running averages.
    public let momentum: Float
    public let epsilon: Float

    public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        gamma = Parameter(.ones([features]))
        beta = Parameter(.zeros([features]))
        runningMean = Parameter(.zeros([features]), trainable: false)
        runningVariance = Parameter(.ones([features]), trainable: false)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        self.init(try config.int("features"), momentum: try config.float("momentum"), epsilon: try config.float("epsilon"))
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, [
            "features": .number(Double(gamma.value.count)), "momentum": .number(Double(momentum)),
            "epsilon": .number(Double(epsilon)),
        ])
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("gamma", gamma), ("beta", beta), ("moving_mean", runningMean), ("moving_variance", runningVariance)]
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 2 && input.shape[1] == gamma.value.count,
                "BatchNorm: input of shape \(input.shape) does not match \(gamma.value.count) features")
        guard TrainingMode.isEnabled else {
            return (input - runningMean.value) / (runningVariance.value + epsilon).sqrt() * gamma.value + beta.value
        }
        let mean = input.mean(axes: [0])
        let centered = input - mean
        let variance = (centered * centered).mean(axes: [0])
        withoutGrad {
            let count = Float(input.shape[0])
            let unbiased = variance * (count / Swift.max(count - 1, 1))
            runningMean.value = runningMean.value * (1 - momentum) + mean * momentum
            runningVariance.value = runningVariance.value * (1 - momentum) + unbiased * momentum
        }
        return centered / (variance + epsilon).sqrt() * gamma.value + beta.value
    }
}
