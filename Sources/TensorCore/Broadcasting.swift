/// NumPy broadcasting: shapes are aligned at their last axes; an extent of 1 stretches.
func broadcastShape(_ a: [Int], _ b: [Int], _ op: String) -> [Int] {
    let rank = max(a.count, b.count)
    let paddedA = [Int](repeating: 1, count: rank - a.count) + a
    let paddedB = [Int](repeating: 1, count: rank - b.count) + b
    return zip(paddedA, paddedB).map { x, y in
        require(x == y || x == 1 || y == 1, "\(op): shapes \(a) and \(b) do not broadcast")
        return x == 1 ? y : x
    }
}

/// Row-major strides of `shape` as seen from `outputShape`, with 0 on broadcast axes.
func broadcastStrides(_ shape: [Int], to outputShape: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: outputShape.count - shape.count) + shape
    var strides = [Int](repeating: 0, count: padded.count)
    var stride = 1
    for axis in padded.indices.reversed() {
        strides[axis] = padded[axis] == 1 ? 0 : stride
        stride *= padded[axis]
    }
    return strides
}

/// Visits every element of `outputShape` in runs along the last axis, passing the run's output
/// offset, its length and the offsets and steps into each input. Large shapes have their runs
/// shared between the cores, so `body` must write only to its own run's outputs.
func forEachRun(
    _ outputShape: [Int], _ inputStrides: [[Int]],
    _ body: (_ outputOffset: Int, _ length: Int, _ offsets: [Int], _ steps: [Int]) -> Void
) {
    let rank = outputShape.count
    guard rank > 0 else {
        body(0, 1, inputStrides.map { _ in 0 }, inputStrides.map { _ in 0 })
        return
    }
    let length = outputShape[rank - 1]
    let runs = outputShape.dropLast().reduce(1, *)
    guard length > 0 && runs > 0 else { return }
    let steps = inputStrides.map { $0[rank - 1] }
    parallelRanges(runs, grain: Swift.max(1, (1 << 16) / length)) { share in
        // The index of the share's first run, and where it starts in each input.
        var index = [Int](repeating: 0, count: rank - 1)
        var remainder = share.lowerBound
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            index[axis] = remainder % outputShape[axis]
            remainder /= outputShape[axis]
        }
        var offsets = inputStrides.map { strides in zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 } }
        for run in share {
            body(run * length, length, offsets, steps)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                for input in offsets.indices { offsets[input] += inputStrides[input][axis] }
                if index[axis] < outputShape[axis] { break }
                for input in offsets.indices { offsets[input] -= inputStrides[input][axis] * index[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// Sums a gradient over the axes along which this tensor was broadcast to `gradient`'s
    /// shape: the vector-Jacobian product of broadcasting.
    public func unbroadcast(_ gradient: Tensor) -> Tensor {
        if gradient.shape == shape { return gradient }
        let extra = gradient.rank - rank
        var axes = Array(0..<extra)
        for axis in 0..<rank where shape[axis] == 1 && gradient.shape[axis + extra] != 1 {
            axes.append(axis + extra)
        }
        return gradient.sum(axes: axes).reshaped(shape)
    }

    /// This tensor stretched to `shape` by broadcasting.
    public func expanded(to shape: [Int]) -> Tensor {
        require(broadcastShape(self.shape, shape, "expanded(to:)") == shape,
                     "expanded(to:): shape \(self.shape) cannot be stretched to \(shape)")
        if shape == self.shape { return self }
        let strides = broadcastStrides(self.shape, to: shape)
        let output = makeScalars(shape.reduce(1, *)) { out in
            scalars.withUnsafeBufferPointer { source in
                forEachRun(shape, [strides]) { start, length, offsets, steps in
                    for i in 0..<length { out[start + i] = source[offsets[0] + i * steps[0]] }
                }
            }
        }
        return .recorded(shape, output, (self, { self.unbroadcast($0) }))
    }
}
