import Foundation

/// `f` applied to every element, on both cores for large inputs.
@inline(__always)
func mapScalars(_ x: [Float], _ f: (Float) -> Float) -> [Float] {
    makeScalars(x.count) { out in
        x.withUnsafeBufferPointer { x in
            parallelRanges(out.count) { range in
                for i in range { out[i] = f(x[i]) }
            }
        }
    }
}

/// `f(g, x, y)` per element: an upstream gradient, an op's input and its output.
@inline(__always)
func mapScalars(_ g: [Float], _ x: [Float], _ y: [Float], _ f: (Float, Float, Float) -> Float) -> [Float] {
    makeScalars(x.count) { out in
        g.withUnsafeBufferPointer { g in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    parallelRanges(out.count) { range in
                        for i in range { out[i] = f(g[i], x[i], y[i]) }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// An elementwise op: `forward(x)` and its derivative `derivative(x, y)` in terms of the
    /// input `x` and output `y`, whichever is cheaper (`exp` reuses `y`, `relu` looks at `x`).
    @inline(__always)
    func map(
        _ forward: (Float) -> Float, derivative: @escaping (Float, Float) -> Float
    ) -> Tensor {
        let output = mapScalars(scalars, forward)
        return .result(shape, output, (self, { g in
            Tensor(mapScalars(g.scalars, self.scalars, output) { g, x, y in g * derivative(x, y) }, shape: shape)
        }))
    }

    public func exp() -> Tensor { map({ Foundation.exp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { map({ Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { map({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    public func abs() -> Tensor { map({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }

    /// Each element raised to `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        map({ Foundation.pow($0, exponent) }, derivative: { x, _ in exponent * Foundation.pow(x, exponent - 1) })
    }

    /// Each element limited to [`lowerBound`, `upperBound`]; the gradient is zero where it was limited.
    public func clamped(_ lowerBound: Float = -.infinity, _ upperBound: Float = .infinity) -> Tensor {
        require(lowerBound <= upperBound, "clamped: lower bound \(lowerBound) exceeds upper bound \(upperBound)")
        return map({ Swift.min(Swift.max($0, lowerBound), upperBound) },
                   derivative: { x, _ in x >= lowerBound && x <= upperBound ? 1 : 0 })
    }
}
