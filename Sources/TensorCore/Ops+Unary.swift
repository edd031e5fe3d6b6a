import Foundation

struct Exp: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { y }
}

struct Log: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 / x }
}

struct SquareRoot: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
    func derivative(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}

struct Absolute: UnaryFunction {
    func callAsFunction(_ x: Float) -> Float { Swift.abs(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

struct Power: UnaryFunction {
    let exponent: Float
    func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, exponent) }
    func derivative(_ x: Float, _ y: Float) -> Float { exponent * Foundation.pow(x, exponent - 1) }
}

struct Clamp: UnaryFunction {
    let lowerBound: Float, upperBound: Float
    func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, lowerBound), upperBound) }
    func derivative(_ x: Float, _ y: Float) -> Float { x >= lowerBound && x <= upperBound ? 1 : 0 }
}

extension Tensor {
    public func exp() -> Tensor { map(Exp()) }
    public func log() -> Tensor { map(Log()) }
    public func sqrt() -> Tensor { map(SquareRoot()) }
    public func abs() -> Tensor { map(Absolute()) }

    /// Each element raised to `exponent`.
    public func pow(_ exponent: Float) -> Tensor { map(Power(exponent: exponent)) }

    /// Each element limited to [`lowerBound`, `upperBound`]; the gradient is zero where it was limited.
    public func clamped(_ lowerBound: Float = -.infinity, _ upperBound: Float = .infinity) -> Tensor {
        require(lowerBound <= upperBound, "clamped: lower bound \(lowerBound) exceeds upper bound \(upperBound)")
        return map(Clamp(lowerBound: lowerBound, upperBound: upperBound))
    }
}
