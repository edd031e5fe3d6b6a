extension Tensor {
    /// self · weights for a mostly-zero [batch, inputs] matrix (fingerprints have 2–5 % of bits
    /// on): each output row sums the weight rows of its non-zero inputs, scaled by them. The
    /// weight gradient scatters the output gradient back to those rows only. The result equals
    /// `matmul(weights)`; for dense inputs use that, on BLAS.
    public func sparseMatmul(_ weights: Tensor) -> Tensor {
        require(rank == 2 && weights.rank == 2 && shape[1] == weights.shape[0],
                "sparseMatmul: shapes \(shape) and \(weights.shape) are not [batch, k] and [k, n]")
        let (batch, width) = (shape[0], weights.shape[1])
        let entries = nonZeroEntries()
        let output = ColumnTiles(weights).gatherSum(rowStarts: entries.rowStarts, columns: entries.columns, values: entries.values, bias: nil)
        return .recorded(
            [batch, width], output,
            (self, { $0.matmul(weights, transposeOther: true) }),
            (weights, { g in
                var gradient = [Float](repeating: 0, count: weights.count)
                gradient.withUnsafeMutableBufferPointer { d in
                    g.scalars.withUnsafeBufferPointer { gs in
                        let (dp, gp) = (d.baseAddress!, gs.baseAddress!)
                        // Split by output columns, so that no two threads add into the same place.
                        parallelRanges(width, grain: 128) { columns in
                            for row in 0..<batch {
                                for entry in entries.rowStarts[row]..<entries.rowStarts[row + 1] {
                                    addScaled(dp + Int(entries.columns[entry]) * width + columns.lowerBound,
                                              gp + row * width + columns.lowerBound, entries.values[entry], columns.count)
                                }
                            }
                        }
                    }
                }
                return Tensor(gradient, shape: weights.shape)
            }))
    }

    /// The non-zero entries of a [rows, columns] matrix, row by row (compressed sparse rows).
    private func nonZeroEntries() -> (rowStarts: [Int], columns: [Int32], values: [Float]) {
        var (rowStarts, columns, values) = ([0], [Int32](), [Float]())
        scalars.withUnsafeBufferPointer { x in
            for row in 0..<shape[0] {
                let base = row * shape[1]
                for column in 0..<shape[1] where x[base + column] != 0 {
                    columns.append(Int32(column))
                    values.append(x[base + column])
                }
                rowStarts.append(columns.count)
            }
        }
        return (rowStarts, columns, values)
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
