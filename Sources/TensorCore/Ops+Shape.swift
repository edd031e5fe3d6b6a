extension Tensor {
    /// The same elements under a new shape; one extent may be -1 and is then inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            require(known > 0 && count % known == 0 && newShape.filter({ $0 == -1 }).count == 1,
                         "reshaped: cannot reshape \(shape) to \(newShape)")
            resolved[unknown] = count / known
        }
        require(resolved.allSatisfy { $0 >= 0 } && resolved.reduce(1, *) == count,
                     "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return .recorded(resolved, scalars, (self, { $0.reshaped(shape) }))
    }

    /// The axes reordered: axis `i` of the result is axis `axes[i]` of this tensor.
    public func permuted(_ axes: [Int]) -> Tensor {
        require(axes.sorted() == Array(0..<rank), "permuted: \(axes) is not a permutation of the axes of \(shape)")
        if axes == Array(0..<rank) { return self }
        let newShape = axes.map { shape[$0] }
        var sourceStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { sourceStrides[axis] = sourceStrides[axis + 1] * shape[axis + 1] }
        let output = makeScalars(count) { out in
            scalars.withUnsafeBufferPointer { source in
                forEachRun(newShape, [axes.map { sourceStrides[$0] }]) { start, length, offsets, steps in
                    if steps[0] == 1 {  // the last axis stays last: whole rows move at once
                        (out.baseAddress! + start).initialize(from: source.baseAddress! + offsets[0], count: length)
                    } else {
                        for i in 0..<length { out[start + i] = source[offsets[0] + i * steps[0]] }
                    }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in axes.enumerated() { inverse[axis] = i }
        return .recorded(newShape, output, (self, { $0.permuted(inverse) }))
    }

    /// Two axes swapped; by default the last two (the matrix transpose).
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        require(rank >= 2, "transposed: needs at least 2 axes, shape is \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(axis(first, "transposed"), axis(second, "transposed"))
        return permuted(axes)
    }

    /// The elements whose index along `axis` lies in `range`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = self.axis(axis, "slice")
        require(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice: range \(range) is outside 0..<\(shape[axis]) on axis \(axis) of shape \(shape)")
        let (outer, extent, inner) = split(around: axis)
        var newShape = shape
        newShape[axis] = range.count
        let output = makeScalars(outer * range.count * inner) { out in
            scalars.withUnsafeBufferPointer { source in
                for o in 0..<outer {
                    let from = source.baseAddress! + (o * extent + range.lowerBound) * inner
                    (out.baseAddress! + o * range.count * inner).update(from: from, count: range.count * inner)
                }
            }
        }
        // The gradient is g in the slice's place and zeros around it, written in one pass.
        return .recorded(newShape, output, (self, { g in
            let scattered = makeScalars(count) { out in
                g.scalars.withUnsafeBufferPointer { gradient in
                    for o in 0..<outer {
                        let row = out.baseAddress! + o * extent * inner
                        row.initialize(repeating: 0, count: range.lowerBound * inner)
                        (row + range.lowerBound * inner).initialize(from: gradient.baseAddress! + o * range.count * inner, count: range.count * inner)
                        (row + range.upperBound * inner).initialize(repeating: 0, count: (extent - range.upperBound) * inner)
                    }
                }
            }
            return Tensor(scattered, shape: shape)
        }))
    }

    /// Tensors joined along an existing `axis`; all other extents must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        require(!tensors.isEmpty, "concatenate: no tensors given")
        let first = tensors[0]
        let axis = first.axis(axis, "concatenate")
        for t in tensors {
            require(t.rank == first.rank && t.shape.indices.allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                         "concatenate: shapes \(tensors.map(\.shape)) differ off axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let extents = tensors.map { $0.shape[axis] }
        let total = extents.reduce(0, +)
        var newShape = first.shape
        newShape[axis] = total
        let output = makeScalars(outer * total * inner) { out in
            var offset = 0
            for (t, extent) in zip(tensors, extents) {
                t.scalars.withUnsafeBufferPointer { source in
                    for o in 0..<outer {
                        (out.baseAddress! + (o * total + offset) * inner)
                            .update(from: source.baseAddress! + o * extent * inner, count: extent * inner)
                    }
                }
                offset += extent
            }
        }
        var starts = [0]
        for extent in extents { starts.append(starts.last! + extent) }
        return .recorded(newShape, output, tensors.indices.map { i in
            (tensors[i], { $0.slice(axis: axis, starts[i]..<starts[i + 1]) })
        })
    }

    /// Tensors of one shape joined along a new `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "stack: no tensors given")
        let shape = tensors[0].shape
        require(tensors.allSatisfy { $0.shape == shape }, "stack: shapes \(tensors.map(\.shape)) differ")
        let axis = axis < 0 ? axis + shape.count + 1 : axis
        require(axis >= 0 && axis <= shape.count, "stack: axis \(axis) is out of range for shape \(shape)")
        var expanded = shape
        expanded.insert(1, at: axis)
        return concatenate(tensors.map { $0.reshaped(expanded) }, axis: axis)
    }
}
