import TensorCore

/// In training, adds normal noise of the given standard deviation; in evaluation, nothing.
public final class GaussianNoise: StochasticLayer {
    public static let className = "GaussianNoise"
    public let standardDeviation: Float
    public var generator = RandomGenerator(seed: 0)

    public init(standardDeviation: Float) {
        require(standardDeviation >= 0, "GaussianNoise: standard deviation \(standardDeviation) is negative")
        self.standardDeviation = standardDeviation
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        self.init(standardDeviation: try config.float("stddev", in: 0 ... .greatestFiniteMagnitude))
    }

    public var config: LayerConfig { LayerConfig(Self.className, ["stddev": .number(Double(standardDeviation))]) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard TrainingMode.isEnabled && standardDeviation > 0 else { return input }
        return input + Tensor.randomNormal(input.shape, standardDeviation: standardDeviation, using: &generator)
    }
}
