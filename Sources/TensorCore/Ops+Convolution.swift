/// How a convolution or pooling window treats the border.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: windows stay inside the input.
    case valid
    /// Zero padding so that the output has ⌈input / stride⌉ positions (TensorFlow's rule: the
    /// extra row or column goes after).
    case same
}

/// The geometry of a 2-D window sliding over an [N, C, H, W] input.
struct WindowGeometry: Equatable {
    let height: Int, width: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideY: Int, strideX: Int
    let dilationY: Int, dilationX: Int
    let padTop: Int, padLeft: Int
    let outputHeight: Int, outputWidth: Int

    init(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int), padding: Padding, op: String) {
        require(kernel.0 > 0 && kernel.1 > 0 && stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0,
                "\(op): kernel \(kernel), stride \(stride) and dilation \(dilation) must be positive")
        self.height = height
        self.width = width
        (kernelHeight, kernelWidth, strideY, strideX, dilationY, dilationX) = (kernel.0, kernel.1, stride.0, stride.1, dilation.0, dilation.1)
        let spanY = dilation.0 * (kernel.0 - 1) + 1, spanX = dilation.1 * (kernel.1 - 1) + 1
        switch padding {
        case .valid:
            (padTop, padLeft) = (0, 0)
            outputHeight = height >= spanY ? (height - spanY) / stride.0 + 1 : 0
            outputWidth = width >= spanX ? (width - spanX) / stride.1 + 1 : 0
        case .same:
            outputHeight = (height + stride.0 - 1) / stride.0
            outputWidth = (width + stride.1 - 1) / stride.1
            padTop = Swift.max((outputHeight - 1) * stride.0 + spanY - height, 0) / 2
            padLeft = Swift.max((outputWidth - 1) * stride.1 + spanX - width, 0) / 2
        }
        require(outputHeight > 0 && outputWidth > 0,
                "\(op): a \(kernel.0)×\(kernel.1) window (dilation \(dilation)) does not fit a \(height)×\(width) input with \(padding) padding")
    }

    var positions: Int { outputHeight * outputWidth }

    /// The input row and column a kernel tap reads for an output position; may lie in the padding.
    @inline(__always)
    func source(_ outY: Int, _ outX: Int, _ tapY: Int, _ tapX: Int) -> (Int, Int) {
        (outY * strideY - padTop + tapY * dilationY, outX * strideX - padLeft + tapX * dilationX)
    }

    /// The output columns for which kernel column `tapX` reads inside the input (not the padding),
    /// so that the loops over them need no bounds checks.
    @inline(__always)
    func columnsInside(tapX: Int) -> Range<Int> {
        let shift = tapX * dilationX - padLeft
        let first = Swift.min(shift >= 0 ? 0 : (strideX - 1 - shift) / strideX, outputWidth)
        let end = shift >= width ? 0 : Swift.min(outputWidth, (width - 1 - shift) / strideX + 1)
        return first..<Swift.max(first, end)
    }
}

extension Tensor {
    /// 2-D convolution (cross-correlation, as in every framework) of an [N, C, H, W] input with
    /// [O, C, kH, kW] filters, giving [N, O, H', W'].
    ///
    /// The input is unfolded (im2col) into a [C·kH·kW, N·H'·W'] matrix; each image's block of
    /// columns is one `cblas_sgemm` straight into its [O, H'·W'] output, the images shared
    /// between the cores. The backward pass is two more products per image and a fold (col2im).
    public func conv2d(_ filters: Tensor, stride: (Int, Int) = (1, 1), padding: Padding = .valid,
                       dilation: (Int, Int) = (1, 1)) -> Tensor {
        require(rank == 4 && filters.rank == 4 && filters.shape[1] == shape[1],
                "conv2d: input \(shape) and filters \(filters.shape) are not [N, C, H, W] and [O, C, kH, kW] with equal C")
        let (batch, channels, outputs) = (shape[0], shape[1], filters.shape[0])
        let geometry = WindowGeometry(height: shape[2], width: shape[3], kernel: (filters.shape[2], filters.shape[3]),
                                      stride: stride, dilation: dilation, padding: padding, op: "conv2d")
        let (rows, positions) = (channels * geometry.kernelHeight * geometry.kernelWidth, geometry.positions)
        let columns = batch * positions
        let unfolded = unfold(geometry)
        let images = parallelChunks(batch, grain: 1)
        // A lone image's products may still be split between the cores.
        let splitEach = images.count == 1
        // Y_n = W · U_n, [O, rows] · [rows, P], for the columns U_n of image n.
        let output = makeScalars(batch * outputs * positions) { y in
            filters.scalars.withUnsafeBufferPointer { w in
                unfolded.withUnsafeBufferPointer { u in
                    parallelForEach(images) { _, range in
                        for n in range {
                            gemm(w.baseAddress!, transposeA: false, u.baseAddress! + n * positions, transposeB: false,
                                 y.baseAddress! + n * outputs * positions, m: outputs, n: positions, k: rows, split: splitEach,
                                 rowStrideB: columns)
                        }
                    }
                }
            }
        }
        return .recorded(
            [batch, outputs, geometry.outputHeight, geometry.outputWidth], output,
            (self, { g in
                // d(U_n) = Wᵀ · dY_n, folded back onto the input.
                let columnsGradient = makeScalars(rows * columns) { du in
                    filters.scalars.withUnsafeBufferPointer { w in
                        g.scalars.withUnsafeBufferPointer { d in
                            parallelForEach(images) { _, range in
                                for n in range {
                                    gemm(w.baseAddress!, transposeA: true, d.baseAddress! + n * outputs * positions, transposeB: false,
                                         du.baseAddress! + n * positions, m: rows, n: positions, k: outputs, split: splitEach,
                                         rowStrideC: columns)
                                }
                            }
                        }
                    }
                }
                return Tensor(fold(columnsGradient, geometry), shape: shape)
            }),
            (filters, { g in
                // dW = Σ_n dY_n · U_nᵀ: each core sums its own images' products, then the cores' sums are added.
                let size = outputs * rows
                var sums = [Float](repeating: 0, count: images.count * size)
                sums.withUnsafeMutableBufferPointer { sum in
                    g.scalars.withUnsafeBufferPointer { d in
                        unfolded.withUnsafeBufferPointer { u in
                            parallelForEach(images) { index, range in
                                for n in range {
                                    gemm(d.baseAddress! + n * outputs * positions, transposeA: false, u.baseAddress! + n * positions,
                                         transposeB: true, sum.baseAddress! + index * size, m: outputs, n: rows, k: positions,
                                         beta: n == range.lowerBound ? 0 : 1, split: splitEach, rowStrideB: columns)
                                }
                            }
                        }
                    }
                }
                let gradient = images.count == 1 ? sums : makeScalars(size) { total in
                    for i in 0..<size { total[i] = Swift.stride(from: i, to: sums.count, by: size).reduce(0) { $0 + sums[$1] } }
                }
                return Tensor(gradient, shape: filters.shape)
            }))
    }

    /// im2col: row (c, ty, tx), column (n, oy, ox) holds input[n, c, source(oy, ox, ty, tx)], or 0 in the padding.
    private func unfold(_ g: WindowGeometry) -> [Float] {
        let (batch, channels) = (shape[0], shape[1])
        let taps = g.kernelHeight * g.kernelWidth, columns = batch * g.positions
        return makeScalars(channels * taps * columns) { out in
            scalars.withUnsafeBufferPointer { x in
                let (o, xs) = (out.baseAddress!, x.baseAddress!)
                parallelRanges(channels * taps, grain: 1) { rowRange in
                    for row in rowRange {
                        let (c, tap) = (row / taps, row % taps)
                        let (ty, tx) = (tap / g.kernelWidth, tap % g.kernelWidth)
                        let inside = g.columnsInside(tapX: tx), shift = tx * g.dilationX - g.padLeft
                        for n in 0..<batch {
                            let plane = xs + (n * channels + c) * g.height * g.width
                            let target = o + row * columns + n * g.positions
                            for oy in 0..<g.outputHeight {
                                let line = target + oy * g.outputWidth, y = oy * g.strideY - g.padTop + ty * g.dilationY
                                guard y >= 0 && y < g.height else {
                                    line.initialize(repeating: 0, count: g.outputWidth)
                                    continue
                                }
                                let source = plane + y * g.width + shift
                                line.initialize(repeating: 0, count: inside.lowerBound)
                                if g.strideX == 1 {
                                    (line + inside.lowerBound).initialize(from: source + inside.lowerBound, count: inside.count)
                                } else {
                                    for ox in inside { line[ox] = source[ox * g.strideX] }
                                }
                                (line + inside.upperBound).initialize(repeating: 0, count: g.outputWidth - inside.upperBound)
                            }
                        }
                    }
                }
            }
        }
    }

    /// col2im: the transpose of `unfold`, adding each column entry back onto the input element it came from.
    private func fold(_ columnsGradient: [Float], _ g: WindowGeometry) -> [Float] {
        let (batch, channels) = (shape[0], shape[1])
        let taps = g.kernelHeight * g.kernelWidth, columns = batch * g.positions
        var result = [Float](repeating: 0, count: count)
        result.withUnsafeMutableBufferPointer { out in
            columnsGradient.withUnsafeBufferPointer { d in
                let (o, ds) = (out.baseAddress!, d.baseAddress!)
                // Channels are independent, so each core folds its own channels.
                parallelRanges(channels, grain: 1) { channelRange in
                    for c in channelRange {
                        for tap in 0..<taps {
                            let (ty, tx) = (tap / g.kernelWidth, tap % g.kernelWidth)
                            let source = ds + (c * taps + tap) * columns
                            let inside = g.columnsInside(tapX: tx), shift = tx * g.dilationX - g.padLeft
                            for n in 0..<batch {
                                let plane = o + (n * channels + c) * g.height * g.width
                                let from = source + n * g.positions
                                for oy in 0..<g.outputHeight {
                                    let y = oy * g.strideY - g.padTop + ty * g.dilationY
                                    guard y >= 0 && y < g.height else { continue }
                                    let (target, line) = (plane + y * g.width + shift, from + oy * g.outputWidth)
                                    if g.strideX == 1 {
                                        for ox in inside { target[ox] += line[ox] }  // contiguous: vectorised
                                    } else {
                                        for ox in inside { target[ox * g.strideX] += line[ox] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}
