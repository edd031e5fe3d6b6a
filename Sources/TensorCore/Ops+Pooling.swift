extension Tensor {
    /// The maximum of each window of an [N, C, H, W] input; padding never wins. The gradient goes
    /// to the first maximum of each window.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid) -> Tensor {
        let g = poolGeometry(kernel, stride, padding, "maxPool2d")
        let planes = shape[0] * shape[1]
        var winners = [Int](repeating: 0, count: planes * g.positions)  // input index of each window's maximum
        let output = makeScalars(planes * g.positions) { out in
            scalars.withUnsafeBufferPointer { x in
                winners.withUnsafeMutableBufferPointer { w in
                    let (o, xs, ws) = (out.baseAddress!, x.baseAddress!, w.baseAddress!)
                    parallelRanges(planes, grain: 1) { planeRange in
                        for plane in planeRange {
                            let base = plane * g.height * g.width
                            for oy in 0..<g.outputHeight {
                                let top = oy * g.strideY - g.padTop
                                let rows = Swift.max(top, 0)..<Swift.min(top + g.kernelHeight, g.height)
                                for ox in 0..<g.outputWidth {
                                    let left = ox * g.strideX - g.padLeft
                                    let columns = Swift.max(left, 0)..<Swift.min(left + g.kernelWidth, g.width)
                                    var bestIndex = base + rows.lowerBound * g.width + columns.lowerBound, best = xs[bestIndex]
                                    // Selects rather than branches: on real activations the comparison is a coin toss.
                                    @inline(__always) func consider(_ index: Int) {
                                        let value = xs[index], better = value > best || value.isNaN
                                        best = better ? value : best
                                        bestIndex = better ? index : bestIndex
                                    }
                                    if rows.count == 2 && columns.count == 2 {
                                        // The usual 2×2 window, unrolled: the loops below cost more than the comparisons.
                                        let first = bestIndex
                                        consider(first + 1)
                                        consider(first + g.width)
                                        consider(first + g.width + 1)
                                    } else {
                                        for y in rows {
                                            for x in columns { consider(base + y * g.width + x) }
                                        }
                                    }
                                    o[plane * g.positions + oy * g.outputWidth + ox] = best
                                    ws[plane * g.positions + oy * g.outputWidth + ox] = bestIndex
                                }
                            }
                        }
                    }
                }
            }
        }
        return .recorded([shape[0], shape[1], g.outputHeight, g.outputWidth], output, (self, { gradient in
            var result = [Float](repeating: 0, count: count)
            for (position, index) in winners.enumerated() { result[index] += gradient.scalars[position] }
            return Tensor(result, shape: shape)
        }))
    }

    /// The mean of each window of an [N, C, H, W] input, over the window's cells inside the input
    /// (padding is not counted).
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid) -> Tensor {
        let g = poolGeometry(kernel, stride, padding, "avgPool2d")
        let planes = shape[0] * shape[1]
        /// Each window's cells inside the input, and the count that divides them.
        func window(_ oy: Int, _ ox: Int) -> (cells: [Int], scale: Float) {
            var cells: [Int] = []
            for ty in 0..<g.kernelHeight {
                for tx in 0..<g.kernelWidth {
                    let (y, x) = g.source(oy, ox, ty, tx)
                    if y >= 0 && y < g.height && x >= 0 && x < g.width { cells.append(y * g.width + x) }
                }
            }
            return (cells, 1 / Float(Swift.max(cells.count, 1)))
        }
        let windows = (0..<g.positions).map { window($0 / g.outputWidth, $0 % g.outputWidth) }
        let output = makeScalars(planes * g.positions) { out in
            scalars.withUnsafeBufferPointer { x in
                for plane in 0..<planes {
                    let base = plane * g.height * g.width
                    for (position, (cells, scale)) in windows.enumerated() {
                        out[plane * g.positions + position] = cells.reduce(0) { $0 + x[base + $1] } * scale
                    }
                }
            }
        }
        return .recorded([shape[0], shape[1], g.outputHeight, g.outputWidth], output, (self, { gradient in
            var result = [Float](repeating: 0, count: count)
            for plane in 0..<planes {
                let base = plane * g.height * g.width
                for (position, (cells, scale)) in windows.enumerated() {
                    let share = gradient.scalars[plane * g.positions + position] * scale
                    for cell in cells { result[base + cell] += share }
                }
            }
            return Tensor(result, shape: shape)
        }))
    }

    /// The mean over each channel's plane: [N, C, H, W] to [N, C].
    public func globalAvgPool2d() -> Tensor {
        require(rank == 4, "globalAvgPool2d: input \(shape) is not [N, C, H, W]")
        return mean(axes: [2, 3])
    }

    private func poolGeometry(_ kernel: (Int, Int), _ stride: (Int, Int)?, _ padding: Padding, _ op: String) -> WindowGeometry {
        require(rank == 4, "\(op): input \(shape) is not [N, C, H, W]")
        return WindowGeometry(height: shape[2], width: shape[3], kernel: kernel, stride: stride ?? kernel, dilation: (1, 1),
                              padding: padding, op: op)
    }
}
