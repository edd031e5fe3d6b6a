import Foundation

extension Tensor {
    public func relu() -> Tensor { map({ Swift.max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 }) }

    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        map({ $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }

    public func elu(alpha: Float = 1) -> Tensor {
        map({ $0 > 0 ? $0 : alpha * Foundation.expm1($0) }, derivative: { x, y in x > 0 ? 1 : y + alpha })
    }

    /// The exact GELU, x·Φ(x), with Φ the standard normal distribution function.
    public func gelu() -> Tensor {
        map({ 0.5 * $0 * (1 + Foundation.erf($0 * 0.707_106_781)) },
            derivative: { x, _ in
                0.5 * (1 + Foundation.erf(x * 0.707_106_781)) + x * 0.398_942_280 * Foundation.exp(-0.5 * x * x)
            })
    }

    public func sigmoid() -> Tensor {
        map({ 1 / (1 + Foundation.exp(-$0)) }, derivative: { _, y in y * (1 - y) })
    }

    public func tanh() -> Tensor { map({ Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }

    /// log(1 + eˣ), computed without overflow for large x.
    public func softplus() -> Tensor {
        map({ Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) },
            derivative: { x, _ in 1 / (1 + Foundation.exp(-x)) })
    }
}
