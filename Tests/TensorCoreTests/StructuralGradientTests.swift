import Testing
import TensorCore

@Suite("Reduction, shape and matrix gradients")
struct StructuralGradientTests {
    static let reductionAxes: [[Int]?] = [[0], [1], [2], [-1], [0, 2], [0, 1, 2], nil]

    @Test(arguments: reductionAxes, [false, true])
    func reductions(_ axes: [Int]?, _ keep: Bool) {
        let x = sample([2, 3, 4], seed: 11)
        for (name, op) in [
            ("sum", { (t: Tensor) in t.sum(axes: axes, keepingDimensions: keep) }),
            ("mean", { $0.mean(axes: axes, keepingDimensions: keep) }),
            ("max", { $0.max(axes: axes, keepingDimensions: keep) }),
            ("min", { $0.min(axes: axes, keepingDimensions: keep) }),
        ] {
            let result = checkGradients(at: [x]) { op($0[0]) }
            #expect(result.passed, "\(name) over \(String(describing: axes)), keep \(keep): \(result)")
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let a = sample(ta ? [4, 3] : [3, 4], seed: 12), b = sample(tb ? [5, 4] : [4, 5], seed: 13)
        let plain = checkGradients(at: [a, b]) { $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb) }
        #expect(plain.passed, "2-D \(flags): \(plain)")
        let batchA = sample(ta ? [2, 4, 3] : [2, 3, 4], seed: 14), batchB = sample(tb ? [2, 5, 4] : [2, 4, 5], seed: 15)
        let batched = checkGradients(at: [batchA, batchB]) { $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb) }
        #expect(batched.passed, "3-D \(flags): \(batched)")
    }

    @Test func reshapePermuteTranspose() {
        let x = sample([2, 3, 4], seed: 16)
        #expect(checkGradients(at: [x]) { $0[0].reshaped([4, -1]) * Tensor.arange(0, 6) }.passed)
        #expect(checkGradients(at: [x]) { $0[0].permuted([2, 0, 1]) * Tensor.arange(0, 3) }.passed)
        #expect(checkGradients(at: [x]) { $0[0].transposed() }.passed)
        #expect(checkGradients(at: [x]) { $0[0].transposed(0, 2) }.passed)
    }

    @Test(arguments: [0, 1, 2])
    func sliceConcatenateStack(_ axis: Int) {
        let x = sample([3, 4, 5], seed: 17), y = sample([3, 4, 5], seed: 18)
        #expect(checkGradients(at: [x]) { $0[0].slice(axis: axis, 1..<3) }.passed)
        #expect(checkGradients(at: [x, y]) { Tensor.concatenate([$0[0], $0[1].slice(axis: axis, 0..<2)], axis: axis) }.passed)
        #expect(checkGradients(at: [x, y]) { Tensor.stack([$0[0], $0[1]], axis: axis) }.passed)
    }

    @Test func gatherAndScatterAdd() {
        let table = sample([5, 3], seed: 19)
        let indices = [4, 0, 4, 2]
        #expect(checkGradients(at: [table]) { $0[0].gather(indices) }.passed)
        #expect(checkGradients(at: [sample([4, 3], seed: 20)]) { $0[0].scatterAdd(indices, rows: 6) }.passed)
    }

    @Test(arguments: [0, 1, -1])
    func softmaxAndLogSoftmax(_ axis: Int) {
        let x = sample([3, 4], seed: 21, in: -3...3)
        #expect(checkGradients(at: [x]) { $0[0].softmax(axis: axis) }.passed)
        #expect(checkGradients(at: [x]) { $0[0].logSoftmax(axis: axis) }.passed)
    }

    @Test func checkerCatchesAWrongGradient() {
        // exp is differentiated correctly; pretending its output is x² must fail the check.
        let result = checkGradients(at: [sample([4], seed: 22)]) { $0[0].exp().detached * $0[0] + $0[0] * $0[0] }
        #expect(!result.passed)
    }
}

@Suite("Sparse matrix product")
struct SparseMatmulTests {
    func sparseInput(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let mask = Tensor.randomBernoulli([rows, columns], probability: 0.1, using: &generator)
        return mask * Tensor.randomUniform([rows, columns], 0.5, 2, using: &generator)
    }

    @Test func equalsTheDenseProductWithTheSameGradients() {
        let x = sparseInput(7, 40, seed: 40), w = sample([40, 19], seed: 41)
        var sparseX = x, sparseW = w, denseX = x, denseW = w
        sparseX.requiresGrad = true
        sparseW.requiresGrad = true
        denseX.requiresGrad = true
        denseW.requiresGrad = true
        let upstream = sample([7, 19], seed: 42)
        let sparse = sparseX.sparseMatmul(sparseW), dense = denseX.matmul(denseW)
        #expect(isClose(sparse.scalars, dense.scalars, tolerance: 1e-5))
        (sparse * upstream).sum().backward()
        (dense * upstream).sum().backward()
        #expect(isClose(sparseW.grad!.scalars, denseW.grad!.scalars, tolerance: 1e-5))
        #expect(isClose(sparseX.grad!.scalars, denseX.grad!.scalars, tolerance: 1e-5))
    }

    @Test func gradientsMatchFiniteDifferences() {
        let x = sparseInput(5, 12, seed: 43)
        let result = checkGradients(at: [sample([12, 6], seed: 44)]) { x.sparseMatmul($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func largeBatchesTakeTheParallelPathAndAgree() {
        let x = sparseInput(300, 256, seed: 45), w = sample([256, 512], seed: 46)
        #expect(isClose(x.sparseMatmul(w).scalars, x.matmul(w).scalars, tolerance: 1e-4))
    }
}
