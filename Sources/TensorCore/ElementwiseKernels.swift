/// A function of one element with its derivative beside it, in terms of the input `x` and the
/// output `y`, whichever is cheaper (`exp` reuses `y`, `relu` looks at `x`).
///
/// Ops are types rather than closures so that the kernels below are specialised for each op and
/// the per-element call is inlined: a closure captured by a parallel loop is called indirectly
/// for every element, which measured 2–3× slower.
protocol UnaryFunction: Sendable {
    func callAsFunction(_ x: Float) -> Float
    func derivative(_ x: Float, _ y: Float) -> Float
}

/// A function of two elements, for broadcasting binary ops.
protocol BinaryFunction: Sendable {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// `f` applied to every element, on both cores for large inputs.
func mapScalars<F: UnaryFunction>(_ x: [Float], _ f: F) -> [Float] {
    makeScalars(x.count) { out in
        x.withUnsafeBufferPointer { x in
            let (o, xs) = (out.baseAddress!, x.baseAddress!)
            parallelRanges(out.count) { range in
                for i in range { o[i] = f(xs[i]) }
            }
        }
    }
}

/// The chain rule for `f` per element: upstream gradient × f'(x, y).
func chainScalars<F: UnaryFunction>(_ g: [Float], _ x: [Float], _ y: [Float], _ f: F) -> [Float] {
    makeScalars(x.count) { out in
        g.withUnsafeBufferPointer { g in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    let (o, gs, xs, ys) = (out.baseAddress!, g.baseAddress!, x.baseAddress!, y.baseAddress!)
                    parallelRanges(out.count) { range in
                        for i in range { o[i] = gs[i] * f.derivative(xs[i], ys[i]) }
                    }
                }
            }
        }
    }
}

/// `f(a, b)` over the broadcast shape of `a` and `b`.
func broadcastScalars<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, _ op: String, _ f: F) -> (shape: [Int], scalars: [Float]) {
    if a.shape == b.shape {
        let output = makeScalars(a.count) { out in
            a.scalars.withUnsafeBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    let (o, xs, ys) = (out.baseAddress!, x.baseAddress!, y.baseAddress!)
                    parallelRanges(out.count) { range in
                        for i in range { o[i] = f(xs[i], ys[i]) }
                    }
                }
            }
        }
        return (a.shape, output)
    }
    let shape = broadcastShape(a.shape, b.shape, op)
    let strides = [broadcastStrides(a.shape, to: shape), broadcastStrides(b.shape, to: shape)]
    let output = makeScalars(shape.reduce(1, *)) { out in
        a.scalars.withUnsafeBufferPointer { x in
            b.scalars.withUnsafeBufferPointer { y in
                forEachRun(shape, strides) { start, length, offsets, steps in
                    let xs = x.baseAddress! + offsets[0], ys = y.baseAddress! + offsets[1]
                    let o = out.baseAddress! + start
                    switch (steps[0], steps[1]) {
                    case (1, 1): for i in 0..<length { o[i] = f(xs[i], ys[i]) }
                    case (1, 0): for i in 0..<length { o[i] = f(xs[i], ys[0]) }
                    case (0, 1): for i in 0..<length { o[i] = f(xs[0], ys[i]) }
                    default: for i in 0..<length { o[i] = f(xs[0], ys[0]) }
                    }
                }
            }
        }
    }
    return (shape, output)
}

extension Tensor {
    /// The elementwise op `f`, recording f' for the backward pass.
    func map<F: UnaryFunction>(_ f: F) -> Tensor {
        let output = mapScalars(scalars, f)
        return .recorded(shape, output, (self, { g in Tensor(chainScalars(g.scalars, self.scalars, output, f), shape: shape) }))
    }
}
