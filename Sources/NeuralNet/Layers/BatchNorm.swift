import TensorCore

/// Normalises each feature of [batch, features] inputs or [batch, steps, features] sequences, or
/// each channel of [N, C, H, W] images:
/// with the batch's statistics in training (and folds them into running averages), with the
/// running averages in evaluation.
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
        self.init(try config.size("features"), momentum: try config.float("momentum"), epsilon: try config.float("epsilon"))
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
        let features = gamma.value.count
        let axis = input.rank == 3 ? 2 : 1
        require((2...4).contains(input.rank) && input.shape[axis] == features,
                "BatchNorm: input of shape \(input.shape) is not [N, \(features)], [N, T, \(features)] or [N, \(features), H, W]")
        // Statistics over every axis but the features'; parameters broadcast as [F] or [F, 1, 1].
        let axes = [[0], [0, 1], [0, 2, 3]][input.rank - 2]
        let shape = input.rank == 4 ? [features, 1, 1] : [features]
        let (scale, shift) = (gamma.value.reshaped(shape), beta.value.reshaped(shape))
        guard TrainingMode.isEnabled else {
            let variance = runningVariance.value.reshaped(shape)
            return (input - runningMean.value.reshaped(shape)) / (variance + epsilon).sqrt() * scale + shift
        }
        let mean = input.mean(axes: axes, keepingDimensions: true)
        let centered = input - mean
        let variance = (centered * centered).mean(axes: axes, keepingDimensions: true)
        withoutGrad {
            let count = Float(input.count / features)
            let unbiased = variance.reshaped([features]) * (count / Swift.max(count - 1, 1))
            runningMean.value = runningMean.value * (1 - momentum) + mean.reshaped([features]) * momentum
            runningVariance.value = runningVariance.value * (1 - momentum) + unbiased * momentum
        }
        return centered / (variance + epsilon).sqrt() * scale + shift
    }
}
