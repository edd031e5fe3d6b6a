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

    /// self · weights (+ bias), [count, n] for weights [width, n] and bias [n]: each row sums the
    /// weight rows of its ones; the bias is added after the sum, as `matmul(weights) + bias`
    /// would. Records no graph; for inference.
    public func matmul(_ weights: ColumnTiles, adding bias: Tensor? = nil) -> Tensor {
        require(weights.inputs == width, "BinaryRows.matmul: weights [\(weights.inputs), \(weights.outputs)] do not have \(width) rows")
        require(bias.map { $0.shape == [weights.outputs] } ?? true, "BinaryRows.matmul: the bias is not [\(weights.outputs)]")
        return Tensor(weights.gatherSum(rowStarts: rowStarts, columns: columns, values: nil, bias: bias), shape: [count, weights.outputs])
    }
}
