import Foundation

struct ReLU: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}

struct LeakyReLU: UnaryFunction {
    let slope: Float
    func callAsFunction(_ x: Float) -> Float { x > 0 ? x : slope * x }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : slope }
}

struct ELU: UnaryFunction {
    let alpha: Float
    func callAsFunction(_ x: Float) -> Float { x > 0 ? x : alpha * Foundation.expm1(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : y + alpha }
}

/// The exact GELU, x·Φ(x), with Φ the standard normal distribution function.
struct GELU: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { 0.5 * x * (1 + Foundation.erf(x * 0.707_106_781)) }
    func derivative(_ x: Float, _ y: Float) -> Float {
        0.5 * (1 + Foundation.erf(x * 0.707_106_781)) + x * 0.398_942_280 * Foundation.exp(-0.5 * x * x)
    }
}

struct Sigmoid: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
    func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}

struct Tanh: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}

/// log(1 + eˣ), computed without overflow for large x.
struct Softplus: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}

extension Tensor {
    public func relu() -> Tensor { map(ReLU()) }
    public func leakyRelu(slope: Float = 0.01) -> Tensor { map(LeakyReLU(slope: slope)) }
    public func elu(alpha: Float = 1) -> Tensor { map(ELU(alpha: alpha)) }
    public func gelu() -> Tensor { map(GELU()) }
    public func sigmoid() -> Tensor { map(Sigmoid()) }
    public func tanh() -> Tensor { map(Tanh()) }
    public func softplus() -> Tensor { map(Softplus()) }
}
