import NeuralNet
import TensorCore

/// The corruption a denoising autoencoder learns to undo, drawn afresh for every batch in
/// training and absent in evaluation.
public final class FingerprintNoise: StochasticLayer {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Each bit flips with probability p.
        case flip
        /// Each on-bit is switched off with probability p.
        case mask
        /// Normal noise of standard deviation p is added (dense features).
        case gaussian
    }

    public static let className = "FingerprintNoise"
    public let kind: Kind
    public let level: Float
    public var generator = RandomGenerator(seed: 0)

    public init(_ kind: Kind, level: Float) {
        require(level >= 0 && (kind == .gaussian || level <= 1), "FingerprintNoise: level \(level) does not suit \(kind)")
        self.kind = kind
        self.level = level
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        let name = try config.string("kind")
        guard let kind = Kind(rawValue: name) else { throw ModelError.invalidConfig("layer FingerprintNoise: unknown kind '\(name)'") }
        self.init(kind, level: try config.float("level", in: 0...(kind == .gaussian ? .greatestFiniteMagnitude : 1)))
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, ["kind": .string(kind.rawValue), "level": .number(Double(level))])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard TrainingMode.isEnabled && level > 0 else { return input }
        switch kind {
        case .flip:
            let flips = Tensor.randomBernoulli(input.shape, probability: level, using: &generator)
            return (input - flips).abs()
        case .mask:
            return input * Tensor.randomBernoulli(input.shape, probability: 1 - level, using: &generator)
        case .gaussian:
            return input + Tensor.randomNormal(input.shape, standardDeviation: level, using: &generator)
        }
    }
}
