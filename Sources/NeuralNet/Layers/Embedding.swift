import TensorCore

/// Looks up a learned vector for each integer index: input of any shape holding indices,
/// output of that shape with a trailing axis of `dimensions`.
public final class Embedding: Layer {
    public static let className = "Embedding"
    public let table: Parameter

    public init(_ count: Int, _ dimensions: Int, generator: inout RandomGenerator) {
        table = Parameter(.randomUniform([count, dimensions], -0.05, 0.05, using: &generator))
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        let (count, dimensions) = (try config.size("input_dim"), try config.size("output_dim"))
        try LayerConfig.reserveWeights([[count, dimensions]], for: Self.className)
        var generator = RandomGenerator(seed: 0)
        self.init(count, dimensions, generator: &generator)
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, [
            "input_dim": .number(Double(table.value.shape[0])), "output_dim": .number(Double(table.value.shape[1])),
        ])
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("embeddings", table)] }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        let count = table.value.shape[0]
        let indices = input.scalars.map { value -> Int in
            require(value >= 0 && value < Float(count) && value == value.rounded(),
                    "Embedding: index \(value) is not an integer in 0..<\(count)")
            return Int(value)
        }
        return table.value.gather(indices).reshaped(input.shape + [table.value.shape[1]])
    }
}
