/// How a convolution or pooling window treats the border.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: windows stay inside the input.
    case valid
    /// Zero padding so that the output has ⌈input / stride⌉ positions (TensorFlow's rule: the
    /// extra row or column goes after).
    case same

    /// Positions of a window of `kernel` taps, `dilation` apart, moved `stride` at a time along
    /// `size` inputs; 0 when the window does not fit.
    public func outputSize(_ size: Int, kernel: Int, stride: Int, dilation: Int) -> Int {
        let span = dilation * (kernel - 1) + 1
        switch self {
        case .valid: return size >= span ? (size - span) / stride + 1 : 0
        case .same: return (size + stride - 1) / stride
        }
    }
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
        outputHeight = padding.outputSize(height, kernel: kernel.0, stride: stride.0, dilation: dilation.0)
        outputWidth = padding.outputSize(width, kernel: kernel.1, stride: stride.1, dilation: dilation.1)
        switch padding {
        case .valid:
            (padTop, padLeft) = (0, 0)
        case .same:
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
        (inputRow(outY, tapY: tapY), outX * strideX + columnShift(tapX: tapX))
    }

    /// The input row kernel row `tapY` reads for output row `outY`; may lie in the padding.
    @inline(__always)
    func inputRow(_ outY: Int, tapY: Int) -> Int { outY * strideY - padTop + tapY * dilationY }

    /// Where kernel column `tapX` reads for output column 0; output column x reads x · strideX further.
    @inline(__always)
    func columnShift(tapX: Int) -> Int { tapX * dilationX - padLeft }

    /// The output columns for which kernel column `tapX` reads inside the input (not the padding),
    /// so that the loops over them need no bounds checks.
    @inline(__always)
    func columnsInside(tapX: Int) -> Range<Int> {
        let shift = columnShift(tapX: tapX)
        let first = Swift.min(shift >= 0 ? 0 : (strideX - 1 - shift) / strideX, outputWidth)
        let end = shift >= width ? 0 : Swift.min(outputWidth, (width - 1 - shift) / strideX + 1)
        return first..<Swift.max(first, end)
    }
}

extension Tensor {
    /// 2-D convolution (cross-correlation, as in every framework) of an [N, C, H, W] input with
    /// [O, C, kH, kW] filters and an optional bias of O values, giving [N, O, H', W'].
    ///
    /// By im2col: Y_n = W · U_n, [O, C·kH·kW] · [C·kH·kW, H'·W'], for the columns U_n of image n,
    /// one `cblas_sgemm` straight into its output block, which starts as the bias (so OpenBLAS
    /// need not clear it first). The images are shared between the cores, and each core unfolds
    /// one image at a time into a block of its own that stays in cache for the product; the
    /// backward pass unfolds it again for the filter gradient and folds (col2im) each image's
    /// input gradient while it is still in cache, rather than keeping every image's columns as
    /// one [C·kH·kW, N·H'·W'] matrix in memory (38 MB for the founding CNN's second layer at
    /// batch 32), written once and read back twice.
    public func conv2d(_ filters: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: Padding = .valid,
                       dilation: (Int, Int) = (1, 1)) -> Tensor {
        require(rank == 4 && filters.rank == 4 && filters.shape[1] == shape[1],
                "conv2d: input \(shape) and filters \(filters.shape) are not [N, C, H, W] and [O, C, kH, kW] with equal C")
        require(bias.map { $0.count == filters.shape[0] } ?? true, "conv2d: bias \(bias?.shape ?? []) does not hold \(filters.shape[0]) values")
        let (batch, channels, outputs) = (shape[0], shape[1], filters.shape[0])
        let geometry = WindowGeometry(height: shape[2], width: shape[3], kernel: (filters.shape[2], filters.shape[3]),
                                      stride: stride, dilation: dilation, padding: padding, op: "conv2d")
        let (rows, positions) = (channels * geometry.kernelHeight * geometry.kernelWidth, geometry.positions)
        let images = parallelChunks(batch, grain: 1)
        // A lone image's products may still be split between the cores.
        let splitEach = images.count == 1
        let output = makeScalars(batch * outputs * positions) { y in
            filters.scalars.withUnsafeBufferPointer { w in
            (bias?.scalars ?? []).withUnsafeBufferPointer { b in
                parallelForEach(images) { _, range in
                    withImageColumns(rows * positions) { columns in
                        for n in range {
                            unfoldImage(n, geometry, into: columns)
                            let block = y.baseAddress! + n * outputs * positions
                            if bias != nil {
                                for o in 0..<outputs { (block + o * positions).initialize(repeating: b[o], count: positions) }
                            }
                            gemm(w.baseAddress!, transposeA: false, columns, transposeB: false, block,
                                 m: outputs, n: positions, k: rows, beta: bias == nil ? 0 : 1, split: splitEach)
                        }
                    }
                }
            } }
        }
        var inputs: [(Tensor, (Tensor) -> Tensor)] = [
            (self, { g in
                // d(U_n) = Wᵀ · dY_n, folded back onto image n.
                let imageSize = channels * geometry.height * geometry.width
                return Tensor(makeScalars(self.count) { dx in
                    filters.scalars.withUnsafeBufferPointer { w in
                        g.scalars.withUnsafeBufferPointer { d in
                            parallelForEach(images) { _, range in
                                withImageColumns(rows * positions) { columns in
                                    for n in range {
                                        gemm(w.baseAddress!, transposeA: true, d.baseAddress! + n * outputs * positions, transposeB: false,
                                             columns, m: rows, n: positions, k: outputs, split: splitEach)
                                        let image = dx.baseAddress! + n * imageSize
                                        image.initialize(repeating: 0, count: imageSize)
                                        foldImage(columns, geometry, channels: channels, into: image)
                                    }
                                }
                            }
                        }
                    }
                }, shape: self.shape)
            }),
            (filters, { g in
                // dW = Σ_n dY_n · U_nᵀ.
                let sums = g.scalars.withUnsafeBufferPointer { d in
                    perShareSums(images, size: outputs * rows) { share, sum in
                        withImageColumns(rows * positions) { columns in
                            for n in share {
                                self.unfoldImage(n, geometry, into: columns)
                                gemm(d.baseAddress! + n * outputs * positions, transposeA: false, columns, transposeB: true, sum,
                                     m: outputs, n: rows, k: positions, beta: 1, split: splitEach)
                            }
                        }
                    }
                }
                return Tensor(sums, shape: filters.shape)
            }),
        ]
        if let bias {
            inputs.append((bias, { g in
                let sums = g.scalars.withUnsafeBufferPointer { d in
                    perShareSums(images, size: outputs) { share, sum in
                        for n in share {
                            addRowSums(d.baseAddress! + n * outputs * positions, rows: outputs, width: positions, into: sum)
                        }
                    }
                }
                return Tensor(sums, shape: bias.shape)
            }))
        }
        return .recorded([batch, outputs, geometry.outputHeight, geometry.outputWidth], output, inputs)
    }

    /// im2col for image n: row (c, ty, tx), column (oy, ox) of `columns` [C·kH·kW, H'·W'] holds
    /// input[n, c, source(oy, ox, ty, tx)], or 0 in the padding.
    private func unfoldImage(_ n: Int, _ g: WindowGeometry, into columns: UnsafeMutablePointer<Float>) {
        let channels = shape[1]
        let taps = g.kernelHeight * g.kernelWidth
        scalars.withUnsafeBufferPointer { x in
            for row in 0..<(channels * taps) {
                let (c, tap) = (row / taps, row % taps)
                let (ty, tx) = (tap / g.kernelWidth, tap % g.kernelWidth)
                let inside = g.columnsInside(tapX: tx), shift = g.columnShift(tapX: tx)
                let plane = x.baseAddress! + (n * channels + c) * g.height * g.width
                for oy in 0..<g.outputHeight {
                    let line = columns + row * g.positions + oy * g.outputWidth, y = g.inputRow(oy, tapY: ty)
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

/// col2im for one image: adds each entry of its columns [C·kH·kW, H'·W'] back onto the element of
/// `image` [C, H, W] it came from (the transpose of `unfoldImage`).
private func foldImage(_ columns: UnsafePointer<Float>, _ g: WindowGeometry, channels: Int, into image: UnsafeMutablePointer<Float>) {
    let taps = g.kernelHeight * g.kernelWidth
    for c in 0..<channels {
        let plane = image + c * g.height * g.width
        for tap in 0..<taps {
            let (ty, tx) = (tap / g.kernelWidth, tap % g.kernelWidth)
            let source = columns + (c * taps + tap) * g.positions
            let inside = g.columnsInside(tapX: tx), shift = g.columnShift(tapX: tx)
            for oy in 0..<g.outputHeight {
                let y = g.inputRow(oy, tapY: ty)
                guard y >= 0 && y < g.height else { continue }
                let (target, line) = (plane + y * g.width + shift, source + oy * g.outputWidth)
                if g.strideX == 1 {
                    for ox in inside { target[ox] += line[ox] }  // contiguous: vectorised
                } else {
                    for ox in inside { target[ox * g.strideX] += line[ox] }
                }
            }
        }
    }
}

/// Runs `body` with a block of `count` floats for one image's columns at a time, a core's own.
private func withImageColumns(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
    let columns = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { columns.deallocate() }
    body(columns)
}
