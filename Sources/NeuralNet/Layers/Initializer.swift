import TensorCore

/// How a weight matrix [fanIn, fanOut] is first filled.
public enum Initializer: String, Sendable, CaseIterable {
    /// Uniform in ±√(6 / (fanIn + fanOut)): keeps activations' variance for tanh and sigmoid.
    case glorotUniform = "glorot_uniform"
    /// Normal with standard deviation √(2 / fanIn): keeps activations' variance for ReLU.
    case heNormal = "he_normal"

    public func weights(_ shape: [Int], fanIn: Int, fanOut: Int, using generator: inout RandomGenerator) -> Tensor {
        switch self {
        case .glorotUniform:
            let limit = (6 / Float(fanIn + fanOut)).squareRoot()
            return .randomUniform(shape, -limit, limit, using: &generator)
        case .heNormal:
            return .randomNormal(shape, standardDeviation: (2 / Float(fanIn)).squareRoot(), using: &generator)
        }
    }
}
