import CKernels

/// A matrix of zeros and ones stored as the column of each one, row by row (compressed sparse
/// rows): fingerprints in this form go through a first layer without ever becoming floats.
public struct BinaryRows: Sendable {
    /// The number of rows.
    public let count: Int
    /// The number of columns.
    public let width: Int
    /// Row r's ones are `columns[rowStarts[r]..<rowStarts[r + 1]]`.
    let rowStarts: [Int]
    let columns: [Int32]

    public init(rowStarts: [Int], columns: [Int32], width: Int) {
        require(rowStarts.first == 0 && rowStarts.last == columns.count && zip(rowStarts, rowStarts.dropFirst()).allSatisfy { $0 <= $1 },
                "BinaryRows: row starts must rise from 0 to the number of columns listed (\(columns.count))")
        require(columns.allSatisfy { $0 >= 0 && Int($0) < width }, "BinaryRows: a column lies outside 0..<\(width)")
        (self.count, self.width, self.rowStarts, self.columns) = (rowStarts.count - 1, width, rowStarts, columns)
    }

    /// self · weights, [count, n] for weights [width, n]: each row sums the weight rows of its
    /// ones. Records no graph; for inference.
    public func matmul(_ weights: Tensor) -> Tensor {
        require(weights.rank == 2 && weights.shape[0] == width,
                "BinaryRows.matmul: weights \(weights.shape) do not have \(width) rows")
        let outputs = weights.shape[1]
        let product = makeScalars(count * outputs) { out in
            rowStarts.withUnsafeBufferPointer { starts in
                columns.withUnsafeBufferPointer { columnIndices in
                    weights.scalars.withUnsafeBufferPointer { w in
                        let (o, s, c, wp) = (out.baseAddress!, starts.baseAddress!, columnIndices.baseAddress!, w.baseAddress!)
                        parallelRanges(count, grain: 64) { rows in
                            gatherSum(rows, rowStarts: s, columns: c, values: nil, weights: wp, width: outputs, into: o)
                        }
                    }
                }
            }
        }
        return Tensor(product, shape: [count, outputs])
    }
}

/// out[r, :] = Σ value_k · weights[column_k, :] over row r's entries (value 1 when `values` is
/// nil), for the rows in `rows`; in C, so that it runs with AVX2 and FMA where the processor has them.
@inline(__always)
func gatherSum(
    _ rows: Range<Int>, rowStarts: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<Float>?,
    weights: UnsafePointer<Float>, width: Int, into out: UnsafeMutablePointer<Float>
) {
    rowStarts.withMemoryRebound(to: Int64.self, capacity: rows.upperBound + 1) { starts in
        galen_gather_sum(Int64(rows.lowerBound), Int64(rows.upperBound), starts, columns, values, weights, Int64(width), out)
    }
}
