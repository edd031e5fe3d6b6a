/// Elementwise `combine(a, b)` over the broadcast shape of `a` and `b`.
@inline(__always)
func broadcastElementwise(
    _ a: Tensor, _ b: Tensor, _ op: String, _ combine: (Float, Float) -> Float
) -> (shape: [Int], scalars: [Float]) {
    if a.shape == b.shape {
        let output = makeScalars(a.count) { out in
            a.scalars.withUnsafeBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    parallelRanges(out.count) { range in
                        for i in range { out[i] = combine(x[i], y[i]) }
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
                    case (1, 1): for i in 0..<length { o[i] = combine(xs[i], ys[i]) }
                    case (1, 0): for i in 0..<length { o[i] = combine(xs[i], ys[0]) }
                    case (0, 1): for i in 0..<length { o[i] = combine(xs[0], ys[i]) }
                    default: for i in 0..<length { o[i] = combine(xs[0], ys[0]) }
                    }
                }
            }
        }
    }
    return (shape, output)
}

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastElementwise(a, b, "+") { $0 + $1 }
        return .result(shape, output, (a, { a.unbroadcast($0) }), (b, { b.unbroadcast($0) }))
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastElementwise(a, b, "-") { $0 - $1 }
        return .result(shape, output, (a, { a.unbroadcast($0) }), (b, { b.unbroadcast(-$0) }))
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastElementwise(a, b, "*") { $0 * $1 }
        return .result(shape, output, (a, { a.unbroadcast($0 * b) }), (b, { b.unbroadcast($0 * a) }))
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (shape, output) = broadcastElementwise(a, b, "/") { $0 / $1 }
        return .result(
            shape, output,
            (a, { a.unbroadcast($0 / b) }),
            (b, { b.unbroadcast(-$0 * a / (b * b)) }))
    }

    public static prefix func - (a: Tensor) -> Tensor {
        a.map({ -$0 }, derivative: { _, _ in -1 })
    }

    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }
}
