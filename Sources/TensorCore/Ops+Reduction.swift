struct IsEqual: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }

extension Tensor {
    /// The tensor viewed as [outer, extent, inner] around `axis`.
    func split(around axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Resolves reduction axes (nil means all), checking range and repeats.
    func reductionAxes(_ axes: [Int]?, _ op: String) -> [Int] {
        let resolved = (axes ?? Array(0..<rank)).map { axis($0, op) }
        require(Set(resolved).count == resolved.count, "\(op): axes \(axes ?? []) repeat an axis")
        return resolved.sorted()
    }

    /// The shape after reducing `axes`, keeping them as extent 1 or dropping them.
    func reducedShape(_ axes: [Int], keepingDimensions: Bool) -> [Int] {
        shape.indices.compactMap { axes.contains($0) ? (keepingDimensions ? 1 : nil) : shape[$0] }
    }

    /// Folds `axis` into extent 1 with `combine`, starting each output from the first element.
    @inline(__always)
    func fold(axis: Int, _ combine: (Float, Float) -> Float) -> [Float] {
        let (outer, extent, inner) = split(around: axis)
        require(extent > 0, "reduction over the empty axis \(axis) of shape \(shape)")
        return makeScalars(outer * inner) { out in
            scalars.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    let base = x.baseAddress! + o * extent * inner
                    let row = out.baseAddress! + o * inner
                    for i in 0..<inner { row[i] = base[i] }
                    for k in 1..<Swift.max(extent, 1) {
                        let slice = base + k * inner
                        for i in 0..<inner { row[i] = combine(row[i], slice[i]) }
                    }
                }
            }
        }
    }

    /// The sum over `axes` (all axes when nil).
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, "sum")
        var reduced = scalars
        var partShape = shape
        for axis in axes {
            let (outer, extent, inner) = (partShape[..<axis].reduce(1, *), partShape[axis], partShape[(axis + 1)...].reduce(1, *))
            reduced = inner == 1
                ? reduced.withUnsafeBufferPointer { x in
                    makeScalars(outer) { sums in
                        sums.initialize(repeating: 0)
                        addRowSums(x.baseAddress!, rows: outer, width: extent, into: sums.baseAddress!)
                    }
                }
                : extent == 0
                ? [Float](repeating: 0, count: outer * inner)
                : Tensor(reduced, shape: [outer, extent, inner]).fold(axis: 1, +)
            partShape[axis] = 1
        }
        let kept = self.reducedShape(axes, keepingDimensions: true)
        return .recorded(self.reducedShape(axes, keepingDimensions: keepingDimensions), reduced,
                       (self, { $0.reshaped(kept).expanded(to: shape) }))
    }

    /// The mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let axes = reductionAxes(axes, "mean")
        let extent = axes.map { shape[$0] }.reduce(1, *)
        return sum(axes: axes, keepingDimensions: keepingDimensions) / Float(extent)
    }

    /// The maximum over `axes`; ties share the gradient equally.
    public func max(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        extreme(axes, keepingDimensions, "max") { $0 > $1 || $0.isNaN ? $0 : $1 }
    }

    /// The minimum over `axes`; ties share the gradient equally.
    public func min(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        extreme(axes, keepingDimensions, "min") { $0 < $1 || $0.isNaN ? $0 : $1 }
    }

    @inline(__always)
    private func extreme(
        _ axes: [Int]?, _ keepingDimensions: Bool, _ op: String, _ pick: (Float, Float) -> Float
    ) -> Tensor {
        let axes = reductionAxes(axes, op)
        var reduced = scalars
        var keptShape = shape
        for axis in axes {
            reduced = Tensor(reduced, shape: keptShape).fold(axis: axis, pick)
            keptShape[axis] = 1
        }
        let extreme = Tensor(reduced, shape: keptShape)
        return .recorded(reducedShape(axes, keepingDimensions: keepingDimensions), reduced, (self, { g in
            let winners = Tensor(broadcastScalars(self, extreme, op, IsEqual()).scalars, shape: shape)
            let share = g.reshaped(keptShape) / winners.sum(axes: axes, keepingDimensions: true)
            return winners * share
        }))
    }

    /// The index of the largest element along `axis` (the first on ties), in row-major order
    /// of the remaining axes.
    public func argmax(axis: Int) -> [Int] {
        let axis = self.axis(axis, "argmax")
        let (outer, extent, inner) = split(around: axis)
        require(extent > 0, "argmax: axis \(axis) of shape \(shape) is empty")
        var result = [Int](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = 0
                    for k in 1..<extent where x[(o * extent + k) * inner + i] > x[(o * extent + best) * inner + i] {
                        best = k
                    }
                    result[o * inner + i] = best
                }
            }
        }
        return result
    }
}

/// sums[r] += the sum of row r of x [rows, width]; eight running sums per row keep the loop
/// vectorised and the rounding error small for long rows.
func addRowSums(_ x: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = x + r * width
        var partial = SIMD8<Float>()
        var k = 0
        while k + 8 <= width {
            partial += UnsafeRawPointer(row + k).loadUnaligned(as: SIMD8<Float>.self)
            k += 8
        }
        var total = partial.sum()
        while k < width {
            total += row[k]
            k += 1
        }
        sums[r] += total
    }
}
