import TensorCore

/// In training, zeroes each element with probability `rate` and scales the rest by 1/(1 - rate);
/// in evaluation, passes the input through.
public final class Dropout: StochasticLayer {
    public static let className = "Dropout"
    public let rate: Float
    public var generator = RandomGenerator(seed: 0)

    public init(rate: Float) {
        require((0..<1).contains(rate), "Dropout: rate \(rate) is not in [0, 1)")
        self.rate = rate
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        self.init(rate: try config.float("rate", in: 0...Float(1).nextDown))
    }

    public var config: LayerConfig { LayerConfig(Self.className, ["rate": .number(Double(rate))]) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard TrainingMode.isEnabled && rate > 0 else { return input }
        let keep = Tensor.randomBernoulli(input.shape, probability: 1 - rate, using: &generator)
        return input * (keep / (1 - rate))
    }
}
