extension Tensor {
    /// Rows of this tensor picked by `indices` along the first axis (NumPy's `x[indices]`).
    /// Its gradient is ``scatterAdd(_:rows:)``.
    public func gather(_ indices: [Int]) -> Tensor {
        require(rank >= 1, "gather: needs at least 1 axis, shape is \(shape)")
        let rows = shape[0]
        let width = shape.dropFirst().reduce(1, *)
        for index in indices {
            require(index >= 0 && index < rows, "gather: index \(index) is outside 0..<\(rows) for shape \(shape)")
        }
        let output = makeScalars(indices.count * width) { out in
            scalars.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    (out.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
                }
            }
        }
        return .recorded([indices.count] + shape.dropFirst(), output, (self, { $0.scatterAdd(indices, rows: rows) }))
    }

    /// A tensor of `rows` rows in which row `indices[i]` is the sum of every row `i` of this
    /// tensor sent to it; rows no index names are zero. Its gradient is ``gather(_:)``.
    public func scatterAdd(_ indices: [Int], rows: Int) -> Tensor {
        require(rank >= 1 && shape[0] == indices.count,
                     "scatterAdd: \(indices.count) indices for shape \(shape); one per row is needed")
        let width = shape.dropFirst().reduce(1, *)
        for index in indices {
            require(index >= 0 && index < rows, "scatterAdd: index \(index) is outside 0..<\(rows)")
        }
        var output = [Float](repeating: 0, count: rows * width)
        output.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    let target = out.baseAddress! + index * width, from = source.baseAddress! + row * width
                    for k in 0..<width { target[k] += from[k] }
                }
            }
        }
        return .recorded([rows] + shape.dropFirst(), output, (self, { $0.gather(indices) }))
    }
}
