extension Tensor {
    /// self · weights for a mostly-zero [batch, inputs] matrix (fingerprints have 2–5 % of bits
    /// on): each output row sums the weight rows of its non-zero inputs, scaled by them. The
    /// weight gradient scatters the output gradient back to those rows only. The result equals
    /// `matmul(weights)`; for dense inputs use that, on BLAS.
    public func sparseMatmul(_ weights: Tensor) -> Tensor {
        require(rank == 2 && weights.rank == 2 && shape[1] == weights.shape[0],
                "sparseMatmul: shapes \(shape) and \(weights.shape) are not [batch, k] and [k, n]")
        let (batch, inputs, width) = (shape[0], shape[1], weights.shape[1])
        let entries = nonZeroEntries(rows: batch, columns: inputs)
        let output = makeScalars(batch * width) { out in
            weights.scalars.withUnsafeBufferPointer { w in
                let (o, wp) = (out.baseAddress!, w.baseAddress!)
                parallelRanges(batch, grain: 16) { rows in
                    for row in rows {
                        let target = o + row * width
                        target.initialize(repeating: 0, count: width)
                        for (column, value) in entries[row] {
                            addScaled(target, wp + column * width, value, width)
                        }
                    }
                }
            }
        }
        return .recorded(
            [batch, width], output,
            (self, { $0.matmul(weights, transposeOther: true) }),
            (weights, { g in
                var gradient = [Float](repeating: 0, count: inputs * width)
                gradient.withUnsafeMutableBufferPointer { d in
                    g.scalars.withUnsafeBufferPointer { gs in
                        let (dp, gp) = (d.baseAddress!, gs.baseAddress!)
                        // Split by output columns, so that no two threads add into the same place.
                        parallelRanges(width, grain: 128) { columns in
                            for row in 0..<batch {
                                for (column, value) in entries[row] {
                                    addScaled(dp + column * width + columns.lowerBound,
                                              gp + row * width + columns.lowerBound, value, columns.count)
                                }
                            }
                        }
                    }
                }
                return Tensor(gradient, shape: [inputs, width])
            }))
    }

    /// The non-zero (column, value) pairs of each row of a [rows, columns] matrix.
    private func nonZeroEntries(rows: Int, columns: Int) -> [[(Int, Float)]] {
        scalars.withUnsafeBufferPointer { x in
            (0..<rows).map { row in
                let base = row * columns
                return (0..<columns).compactMap { column in x[base + column] == 0 ? nil : (column, x[base + column]) }
            }
        }
    }
}

/// target[i] += scale · source[i] for i in 0..<count, eight lanes at a time.
@inline(__always)
private func addScaled(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ scale: Float, _ count: Int) {
    var i = 0
    let factor = SIMD8<Float>(repeating: scale)
    while i + 8 <= count {
        let sum = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
            + factor * UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        target[i] += scale * source[i]
        i += 1
    }
}
