import NeuralNet
import TensorCore

/// A dense layer for fingerprint inputs: when under a quarter of the inputs are non-zero, it
/// sums the weight rows of the on-bits (``TensorCore/Tensor/sparseMatmul(_:)``) instead of
/// multiplying by the whole matrix, forward and for the weight gradient. Denser inputs
/// (unpacked features, noisy dense descriptors) take the BLAS product. Both give the same result.
public final class SparseDense: Layer {
    public static let className = "SparseDense"
    public let dense: Dense
    /// The largest fraction of non-zero inputs for which the sparse path is taken.
    public static let densityThreshold: Float = 0.25

    public init(_ inputs: Int, _ outputs: Int, initializer: Initializer = .glorotUniform, generator: inout RandomGenerator) {
        dense = Dense(inputs, outputs, initializer: initializer, generator: &generator)
    }

    public init(config: LayerConfig, registry: LayerRegistry) throws {
        dense = try Dense(config: config, registry: registry)
    }

    public var config: LayerConfig { LayerConfig(Self.className, dense.config.values) }
    public var parameters: [(name: String, parameter: Parameter)] { dense.parameters }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        require(input.rank == 2 && input.shape[1] == dense.inputCount,
                "SparseDense: input of shape \(input.shape) does not match \(dense.inputCount) input bits")
        let nonZero = input.scalars.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
        guard Float(nonZero) <= Self.densityThreshold * Float(input.count) else { return dense(input) }
        let product = input.sparseMatmul(dense.kernel.value)
        return dense.bias.map { product + $0.value } ?? product
    }

    /// The same layer on fingerprints given by their on-bits, for inference: no float matrix of
    /// the fingerprints is made, and no graph is recorded. The weights are packed once, when this
    /// is made, for every block it is then given.
    public func binaryInference() -> @Sendable (BinaryRows) -> Tensor {
        let (inputs, weights, bias) = (dense.inputCount, ColumnTiles(dense.kernel.value), dense.bias?.value)
        return { fingerprints in
            require(fingerprints.width == inputs, "SparseDense: fingerprints of \(fingerprints.width) bits, not \(inputs)")
            return fingerprints.matmul(weights, adding: bias)
        }
    }
}
