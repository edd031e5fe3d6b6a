import Foundation

extension Tensor {
    /// exp(x) / Σ exp(x) along `axis`, computed after subtracting the maximum so it cannot overflow.
    public func softmax(axis: Int = -1) -> Tensor {
        let axis = self.axis(axis, "softmax")
        let output = normalizedExponentials(axis: axis, logarithm: false)
        let y = Tensor(output, shape: shape)
        return .recorded(shape, output, (self, { g in y * (g - (g * y).sum(axes: [axis], keepingDimensions: true)) }))
    }

    /// x - log Σ exp(x) along `axis`, stable for large and small x.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let axis = self.axis(axis, "logSoftmax")
        let output = normalizedExponentials(axis: axis, logarithm: true)
        let probabilities = Tensor(output, shape: shape).exp()
        return .recorded(shape, output, (self, { g in g - probabilities * g.sum(axes: [axis], keepingDimensions: true) }))
    }

    private func normalizedExponentials(axis: Int, logarithm: Bool) -> [Float] {
        let (outer, extent, inner) = split(around: axis)
        return makeScalars(count) { out in
            scalars.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * extent * inner + i
                        var largest = -Float.infinity
                        for k in 0..<extent { largest = Swift.max(largest, x[base + k * inner]) }
                        var total: Float = 0
                        for k in 0..<extent {
                            let e = Foundation.exp(x[base + k * inner] - largest)
                            out[base + k * inner] = e
                            total += e
                        }
                        if logarithm {
                            let logTotal = Foundation.log(total)
                            for k in 0..<extent { out[base + k * inner] = (x[base + k * inner] - largest) - logTotal }
                        } else {
                            for k in 0..<extent { out[base + k * inner] /= total }
                        }
                    }
                }
            }
        }
    }
}
