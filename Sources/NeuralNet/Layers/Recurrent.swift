import TensorCore

/// An LSTM or GRU over [B, T, F] sequences, giving every step's hidden state [B, T, H].
///
/// One fused TensorCore op runs the whole sequence: the input projections of all steps as one
/// matrix product, then the recurrence. Where a mask [B, T] is 0, the state is carried forward unchanged.
public final class Recurrent: Layer {
    public enum Cell: String, Sendable, Codable, CaseIterable {
        case lstm, gru

        /// Gate blocks side by side in the kernels: input, forget, cell, output; or reset, update, candidate.
        public var gates: Int { self == .lstm ? 4 : 3 }
    }

    public static let className = "Recurrent"
    public let cell: Cell
    public let kernel: Parameter
    public let recurrentKernel: Parameter
    public let bias: Parameter
    /// The GRU's bias inside the reset gate's product; none for an LSTM.
    public let recurrentBias: Parameter?

    public init(_ cell: Cell, inputs: Int, units: Int, generator: inout RandomGenerator) {
        let (gates, shapes) = (cell.gates, Self.weightShapes(cell, inputs: inputs, units: units))
        self.cell = cell
        kernel = Parameter(Initializer.glorotUniform.weights(shapes[0], fanIn: inputs, fanOut: gates * units, using: &generator))
        // Orthogonal-like scale for the recurrence; uniform ±1/√units as PyTorch does.
        let limit = 1 / Float(units).squareRoot()
        recurrentKernel = Parameter(.randomUniform(shapes[1], -limit, limit, using: &generator))
        // An LSTM starts with its forget gate open (bias 1), so early gradients flow through time.
        bias = Parameter(Tensor((0..<(gates * units)).map { cell == .lstm && $0 / units == 1 ? 1 : 0 }))
        recurrentBias = cell == .gru ? Parameter(.zeros([gates * units])) : nil
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        guard let cell = Cell(rawValue: try config.string("cell")) else {
            throw ModelError.invalidConfig("layer Recurrent: cell must be lstm or gru")
        }
        let (inputs, units) = (try config.size("input_dim"), try config.size("units"))
        try LayerConfig.reserveWeights(Self.weightShapes(cell, inputs: inputs, units: units), for: Self.className)
        var generator = RandomGenerator(seed: 0)
        self.init(cell, inputs: inputs, units: units, generator: &generator)
    }

    /// The shapes of the input and recurrent kernels.
    public static func weightShapes(_ cell: Cell, inputs: Int, units: Int) -> [[Int]] {
        [[inputs, cell.gates * units], [units, cell.gates * units]]
    }

    public var units: Int { recurrentKernel.value.shape[0] }

    public var config: LayerConfig {
        LayerConfig(Self.className, ["cell": .string(cell.rawValue), "input_dim": .number(Double(kernel.value.shape[0])),
                                     "units": .number(Double(units))])
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("kernel", kernel), ("recurrent_kernel", recurrentKernel), ("bias", bias)]
            + (recurrentBias.map { [("recurrent_bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { self(input, mask: nil) }

    public func callAsFunction(_ input: Tensor, mask: Tensor?) -> Tensor {
        require(input.rank == 3 && input.shape[2] == kernel.value.shape[0],
                "Recurrent: input \(input.shape) is not [batch, steps, \(kernel.value.shape[0])]")
        switch cell {
        case .lstm: return input.lstmSequence(inputKernel: kernel.value, recurrent: recurrentKernel.value, bias: bias.value, mask: mask)
        case .gru:
            return input.gruSequence(inputKernel: kernel.value, recurrent: recurrentKernel.value, bias: bias.value,
                                     recurrentBias: recurrentBias!.value, mask: mask)
        }
    }
}

/// A recurrent layer run forwards and another run backwards in time; their states concatenated,
/// [B, T, 2H], each step's backward state aligned with its own step.
public final class Bidirectional: Layer {
    public static let className = "Bidirectional"
    public let forward: Recurrent
    public let backward: Recurrent

    public init(forward: Recurrent, backward: Recurrent) {
        require(forward.units == backward.units, "Bidirectional: directions have \(forward.units) and \(backward.units) units")
        self.forward = forward
        self.backward = backward
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        self.init(forward: try Recurrent(config: config, registry: registry), backward: try Recurrent(config: config, registry: registry))
    }

    public var config: LayerConfig { LayerConfig(Self.className, forward.config.values) }
    public var sublayers: [(name: String, layer: any Layer)] { [("forward", forward), ("backward", backward)] }

    public func callAsFunction(_ input: Tensor) -> Tensor { self(input, mask: nil) }

    public func callAsFunction(_ input: Tensor, mask: Tensor?) -> Tensor {
        Tensor.concatenate([forward(input, mask: mask), backwardStates(input, mask: mask).reversedInTime()], axis: 2)
    }

    /// The forward direction's last state and the backward direction's state after the whole
    /// (reversed) sequence: [B, 2H].
    public func finalStates(_ input: Tensor, mask: Tensor?) -> Tensor {
        let steps = input.shape[1]
        return Tensor.concatenate([forward(input, mask: mask).slice(axis: 1, steps - 1..<steps),
                                   backwardStates(input, mask: mask).slice(axis: 1, steps - 1..<steps)], axis: 2)
            .reshaped([input.shape[0], -1])
    }

    private func backwardStates(_ input: Tensor, mask: Tensor?) -> Tensor {
        backward(input.reversedInTime(), mask: mask.map { $0.reshaped([$0.shape[0], $0.shape[1], 1]).reversedInTime().reshaped($0.shape) })
    }
}

extension Tensor {
    /// [B, T, ...] with the time axis reversed.
    func reversedInTime() -> Tensor {
        let steps = shape[1]
        return permuted([1, 0] + Array(2..<rank)).gather(Array((0..<steps).reversed())).permuted([1, 0] + Array(2..<rank))
    }
}

/// 1-D convolution over time of [B, T, F] sequences, giving [B, T', O].
public final class Conv1D: Layer {
    public static let className = "Conv1D"
    public let convolution: Conv2D

    public init(_ inputs: Int, _ outputs: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .same,
                dilation: Int = 1, generator: inout RandomGenerator) {
        convolution = Conv2D(inputs, outputs, kernelSize: (1, kernelSize), stride: (1, stride), padding: padding,
                             dilation: (1, dilation), generator: &generator)
    }

    public init(config: LayerConfig, registry: LayerRegistry) throws {
        convolution = try Conv2D(config: config, registry: registry)
    }

    public var config: LayerConfig { LayerConfig(Self.className, convolution.config.values) }
    public var parameters: [(name: String, parameter: Parameter)] { convolution.parameters }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 3, "Conv1D: input \(input.shape) is not [batch, steps, features]")
        let (batch, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
        let output = convolution(input.permuted([0, 2, 1]).reshaped([batch, features, 1, steps]))
        return output.reshaped([batch, output.shape[1], output.shape[3]]).permuted([0, 2, 1])
    }
}
