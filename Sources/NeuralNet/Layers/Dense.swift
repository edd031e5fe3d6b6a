import TensorCore

/// y = x·W + b for inputs [batch, inputs].
public final class Dense: Layer {
    public static let className = "Dense"
    public let kernel: Parameter
    public let bias: Parameter?
    public let initializer: Initializer

    public init(_ inputs: Int, _ outputs: Int, bias: Bool = true, initializer: Initializer = .glorotUniform,
                generator: inout RandomGenerator) {
        self.initializer = initializer
        kernel = Parameter(initializer.weights([inputs, outputs], fanIn: inputs, fanOut: outputs, using: &generator))
        self.bias = bias ? Parameter(.zeros([outputs])) : nil
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        guard let initializer = Initializer(rawValue: try config.string("initializer")) else {
            throw ModelError.invalidConfig("layer Dense: unknown initializer '\(try config.string("initializer"))'")
        }
        let (inputs, units) = (try config.size("inputs"), try config.size("units"))
        try LayerConfig.reserveWeights([[inputs, units]], for: Self.className)
        var generator = RandomGenerator(seed: 0)
        self.init(inputs, units, bias: try config.bool("use_bias"), initializer: initializer, generator: &generator)
    }

    public var inputCount: Int { kernel.value.shape[0] }
    public var outputCount: Int { kernel.value.shape[1] }

    public var config: LayerConfig {
        LayerConfig(Self.className, [
            "inputs": .number(Double(inputCount)), "units": .number(Double(outputCount)),
            "use_bias": .bool(bias != nil), "initializer": .string(initializer.rawValue),
        ])
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("kernel", kernel)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 2 && input.shape[1] == inputCount,
                "Dense: input of shape \(input.shape) does not match \(inputCount) input features")
        let product = input.matmul(kernel.value)
        return bias.map { product + $0.value } ?? product
    }
}
