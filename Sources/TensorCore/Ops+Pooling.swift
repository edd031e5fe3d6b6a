import CKernels

extension Tensor {
    /// The maximum of each window of an [N, C, H, W] input; padding never wins. The gradient goes
    /// to the first maximum of each window.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid) -> Tensor {
        let g = poolGeometry(kernel, stride, padding, "maxPool2d")
        let planes = shape[0] * shape[1]
        var winners = [Int64](repeating: 0, count: planes * g.positions)  // input index of each window's maximum
        let output = makeScalars(planes * g.positions) { out in
            scalars.withUnsafeBufferPointer { x in
                winners.withUnsafeMutableBufferPointer { w in
                    let (o, xs, ws) = (out.baseAddress!, x.baseAddress!, w.baseAddress!)
                    parallelRanges(planes, grain: 1) { range in
                        galen_max_pool(xs, Int64(range.lowerBound), Int64(range.upperBound), Int64(g.height), Int64(g.width),
                                       Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.strideY), Int64(g.strideX),
                                       Int64(g.padTop), Int64(g.padLeft), Int64(g.outputHeight), Int64(g.outputWidth), o, ws)
                    }
                }
            }
        }
        let planeSize = g.height * g.width
        return .recorded([shape[0], shape[1], g.outputHeight, g.outputWidth], output, (self, { gradient in
            // Each plane's winners lie in that plane, so the cores take whole planes.
            let result = makeScalars(count) { r in
                gradient.scalars.withUnsafeBufferPointer { d in
                    winners.withUnsafeBufferPointer { w in
                        parallelRanges(planes, grain: 1) { range in
                            (r.baseAddress! + range.lowerBound * planeSize).initialize(repeating: 0, count: range.count * planeSize)
                            for position in range.lowerBound * g.positions ..< range.upperBound * g.positions {
                                r[Int(w[position])] += d[position]
                            }
                        }
                    }
                }
            }
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
