import Foundation
import Testing
import TensorCore

/// Direct nested-loop convolution, the definition the im2col version must match.
private func referenceConvolution(_ x: Tensor, _ w: Tensor, stride: (Int, Int), padTop: Int, padLeft: Int,
                                  dilation: (Int, Int), outputSize: (Int, Int)) -> [Float] {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    var out = [Float](repeating: 0, count: n * o * outputSize.0 * outputSize.1)
    for b in 0..<n { for f in 0..<o { for oy in 0..<outputSize.0 { for ox in 0..<outputSize.1 {
        var sum: Float = 0
        for ch in 0..<c { for ty in 0..<kh { for tx in 0..<kw {
            let y = oy * stride.0 - padTop + ty * dilation.0, xx = ox * stride.1 - padLeft + tx * dilation.1
            if y >= 0 && y < h && xx >= 0 && xx < wd {
                sum += x.scalars[((b * c + ch) * h + y) * wd + xx] * w.scalars[((f * c + ch) * kh + ty) * kw + tx]
            }
        } } }
        out[((b * o + f) * outputSize.0 + oy) * outputSize.1 + ox] = sum
    } } } }
    return out
}

@Suite("Convolution and pooling")
struct ConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let stride: (Int, Int), padding: Padding, dilation: (Int, Int)
        let padTop: Int, padLeft: Int, output: (Int, Int)
        var testDescription: String { "stride \(stride) \(padding) dilation \(dilation)" }
    }

    // Input 7×6, kernel 3×2.
    static let cases = [
        Case(stride: (1, 1), padding: .valid, dilation: (1, 1), padTop: 0, padLeft: 0, output: (5, 5)),
        Case(stride: (2, 1), padding: .valid, dilation: (1, 1), padTop: 0, padLeft: 0, output: (3, 5)),
        Case(stride: (1, 1), padding: .same, dilation: (1, 1), padTop: 1, padLeft: 0, output: (7, 6)),
        Case(stride: (2, 2), padding: .same, dilation: (1, 1), padTop: 1, padLeft: 0, output: (4, 3)),
        Case(stride: (1, 1), padding: .valid, dilation: (2, 2), padTop: 0, padLeft: 0, output: (3, 4)),
        Case(stride: (1, 2), padding: .same, dilation: (2, 1), padTop: 2, padLeft: 0, output: (7, 3)),
        // Padding on the left as well: kernel columns that read the padding for the first outputs only.
        Case(stride: (1, 1), padding: .same, dilation: (1, 2), padTop: 1, padLeft: 1, output: (7, 6)),
        Case(stride: (2, 2), padding: .same, dilation: (2, 3), padTop: 2, padLeft: 1, output: (4, 3)),
    ]

    @Test(arguments: cases)
    func forwardMatchesNestedLoopsAndGradientsMatchFiniteDifferences(_ c: Case) {
        let x = sample([2, 3, 7, 6], seed: 50), w = sample([4, 3, 3, 2], seed: 51), bias = sample([4], seed: 56)
        let y = x.conv2d(w, bias: bias, stride: c.stride, padding: c.padding, dilation: c.dilation)
        #expect(y.shape == [2, 4, c.output.0, c.output.1])
        let plane = c.output.0 * c.output.1
        let reference = referenceConvolution(x, w, stride: c.stride, padTop: c.padTop, padLeft: c.padLeft,
                                             dilation: c.dilation, outputSize: c.output).enumerated().map { $1 + bias.scalars[$0 / plane % 4] }
        #expect(isClose(y.scalars, reference, tolerance: 1e-4))
        // One image (its products may be split between the cores), and one more image than there
        // are cores, so that some core's share holds two (the filter and bias gradients add images
        // within a share, then the shares' sums).
        for batch in [1, Parallelism.cores + 1] {
            let small = sample([batch, 2, 7, 6], seed: 52), filters = sample([2, 2, 3, 2], seed: 53)
            let result = checkGradients(at: [small, filters, sample([2, 1, 1], seed: 57)]) {
                $0[0].conv2d($0[1], bias: $0[2], stride: c.stride, padding: c.padding, dilation: c.dilation)
            }
            #expect(result.passed, "batch \(batch): \(result)")
        }
    }

    /// A lone image whose products are large enough to be cut between the cores: forward against
    /// nested loops, backward against the same image repeated in a batch, whose per-image products
    /// are not cut (and are gradient-checked above).
    @Test func largeSingleImageMatchesNestedLoopsAndTheBatchedGradients() {
        let x = sample([1, 4, 34, 34], seed: 54), w = sample([16, 4, 3, 3], seed: 55), bias = sample([16], seed: 58)
        let reference = referenceConvolution(x, w, stride: (1, 1), padTop: 0, padLeft: 0, dilation: (1, 1), outputSize: (32, 32))
        #expect(isClose(x.conv2d(w).scalars, reference, tolerance: 1e-4))
        // The split product adds to the bias rows (beta = 1) in both halves.
        #expect(isClose(x.conv2d(w, bias: bias).scalars, reference.enumerated().map { $1 + bias.scalars[$0 / 1_024] }, tolerance: 1e-4))
        let copies = Parallelism.cores + 1
        func gradients(_ images: Tensor) -> (input: [Float], filters: [Float]) {
            var (input, filters) = (images, w)
            input.requiresGrad = true
            filters.requiresGrad = true
            input.conv2d(filters).sum().backward()
            return (input.grad!.scalars, filters.grad!.scalars)
        }
        let single = gradients(x)
        let batched = gradients(Tensor(Array([[Float]](repeating: x.scalars, count: copies).joined()), shape: [copies, 4, 34, 34]))
        #expect(isClose(single.input, Array(batched.input.prefix(x.count)), tolerance: 1e-4))
        #expect(isClose(single.filters.map { $0 * Float(copies) }, batched.filters, tolerance: 1e-4))
    }

    @Test(arguments: [Padding.valid, .same])
    func poolingValuesAndGradients(_ padding: Padding) {
        let x = Tensor.arange(0, 32).reshaped([1, 2, 4, 4])
        let maxPooled = x.maxPool2d(kernel: (2, 2), padding: padding)
        #expect(maxPooled.scalars.prefix(4) == [5, 7, 13, 15])
        #expect(x.avgPool2d(kernel: (2, 2)).scalars.prefix(4) == [2.5, 4.5, 10.5, 12.5])
        #expect(x.avgPool2d(kernel: (3, 3), stride: (2, 2), padding: .same).scalars.prefix(4) == [5, 6.5, 11, 12.5],
                "padding is not counted in the mean")
        // Distinct values, so that no window has a tie.
        var generator = RandomGenerator(seed: 54)
        let input = Tensor(Array(0..<150).map { Float($0) * 0.1 }.shuffled(using: &generator), shape: [2, 3, 5, 5])
        #expect(checkGradients(at: [input]) { $0[0].maxPool2d(kernel: (2, 2), stride: (2, 1), padding: padding) }.passed)
        #expect(checkGradients(at: [input]) { $0[0].avgPool2d(kernel: (3, 2), stride: (1, 2), padding: padding) }.passed)
        #expect(checkGradients(at: [input]) { $0[0].globalAvgPool2d() }.passed)
    }

    /// Wide rows take the vectorised 2×2 path (eight windows at a time) and its scalar tail; ties and
    /// NaN must resolve as in the nested loops: the first maximum in row-major order, a NaN winning.
    @Test(arguments: [(6, 38), (7, 37)])
    func maxPoolingOfWideRowsMatchesNestedLoops(_ size: (Int, Int)) {
        let (height, width) = size
        var generator = RandomGenerator(seed: 55)
        var values = (0..<(2 * 3 * height * width)).map { _ in Float(generator.next() % 3) }  // many ties
        values[7] = .nan
        values[width + 20] = .nan
        let x = Tensor(values, shape: [2, 3, height, width])
        let (outHeight, outWidth) = (height / 2, width / 2)
        var expected: [Float] = [], winners: [Int] = []
        for plane in 0..<6 {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    var (best, winner) = (-Float.infinity, -1)
                    for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let index = (plane * height + 2 * oy + dy) * width + 2 * ox + dx
                        if winner < 0 || values[index] > best || values[index].isNaN { (best, winner) = (values[index], index) }
                    }
                    expected.append(best)
                    winners.append(winner)
                }
            }
        }
        let pooled = x.maxPool2d(kernel: (2, 2))
        #expect(pooled.shape == [2, 3, outHeight, outWidth])
        #expect(zip(pooled.scalars, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        var input = x
        input.requiresGrad = true
        input.maxPool2d(kernel: (2, 2)).sum().backward()  // sum's gradient is 1 everywhere, NaN or not
        var routed = [Float](repeating: 0, count: values.count)
        for winner in winners { routed[winner] += 1 }
        #expect(input.grad?.scalars == routed, "each window's gradient goes to its first maximum")
    }
}
