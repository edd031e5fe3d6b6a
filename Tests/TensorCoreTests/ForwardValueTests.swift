import Testing
import TensorCore

@Suite("Forward values against reference numbers")
struct ForwardValueTests {
    @Test func matmul() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        let b = Tensor(rows: [[7, 8], [9, 10], [11, 12]])
        #expect(a.matmul(b).scalars == [58, 64, 139, 154])
        #expect(b.matmul(a, transposeSelf: true, transposeOther: true).scalars == [58, 139, 64, 154])
        let batch = Tensor.stack([a, a * 2]).matmul(Tensor.stack([b, b]))
        #expect(batch.shape == [2, 2, 2])
        #expect(batch.scalars == [58, 64, 139, 154, 116, 128, 278, 308])
    }

    /// One inner term (an outer product, computed without OpenBLAS), in every transposition and
    /// large enough to be split over the cores, by rows (tall) and by columns (wide): each element
    /// is the single rounded product.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulWithOneInnerTerm(_ flags: (Bool, Bool)) {
        for (m, n) in [(3000, 200), (200, 3000)] {
            let (column, row) = (sample([m, 1], seed: 94), sample([1, n], seed: 95))
            let a = flags.0 ? column.reshaped([1, m]) : column, b = flags.1 ? row.reshaped([n, 1]) : row
            let product = a.matmul(b, transposeSelf: flags.0, transposeOther: flags.1)
            #expect(product.shape == [m, n])
            #expect(product.scalars == column.scalars.flatMap { x in row.scalars.map { x * $0 } })
        }
    }

    @Test func softmaxAndLogSoftmax() {
        let x = Tensor([1, 2, 3])
        #expect(isClose(x.softmax().scalars, [0.090_030_57, 0.244_728_47, 0.665_240_96]))
        #expect(isClose(x.logSoftmax().scalars, [-2.407_605_96, -1.407_605_96, -0.407_605_96]))
        let large = Tensor([1000, 1001])
        #expect(isClose(large.softmax().scalars, [0.268_941_42, 0.731_058_58]), "no overflow for large inputs")
        #expect(isClose(large.logSoftmax().scalars, [-1.313_261_7, -0.313_261_7]))
        let columns = Tensor(rows: [[1, 1], [2, 3]]).softmax(axis: 0)
        #expect(isClose(columns.scalars, [0.268_941_42, 0.119_202_92, 0.731_058_58, 0.880_797_08]))
    }

    /// Shapes large enough that broadcasting, expansion and permutation share their runs between
    /// the cores, each share starting mid-shape; and shapes with an empty leading axis.
    @Test func broadcastingExpansionAndPermutationOfLargeAndEmptyShapes() {
        let (a, b, c) = (7, 300, 131)
        let x = Tensor((0..<(a * b * c)).map { Float($0 % 1_009) }, shape: [a, b, c])
        let row = Tensor((0..<c).map { Float($0) * 0.5 }, shape: [c])
        let column = Tensor((0..<b).map { Float($0) }, shape: [b, 1])
        #expect((x + row).scalars == x.scalars.enumerated().map { $1 + Float($0 % c) * 0.5 })
        #expect((x * column).scalars == x.scalars.enumerated().map { $1 * Float($0 / c % b) })
        #expect(column.expanded(to: [a, b, c]).scalars == (0..<(a * b * c)).map { Float($0 / c % b) })
        let permuted = x.permuted([2, 0, 1])
        #expect(permuted.shape == [c, a, b])
        #expect(permuted.scalars == (0..<(a * b * c)).map { index in
            let (k, i, j) = (index / (a * b), index / b % a, index % b)
            return x.scalars[(i * b + j) * c + k]
        })
        let empty = Tensor([], shape: [0, 3])
        #expect((empty + Tensor([1, 2, 3])).shape == [0, 3])
        #expect(Tensor([], shape: [2, 0, 3]).permuted([2, 1, 0]).shape == [3, 0, 2])
    }

    @Test func gelu() {
        #expect(isClose(Tensor([-1, 0, 0.5, 1, 3]).gelu().scalars, [-0.158_655_25, 0, 0.345_731_3, 0.841_344_75, 2.995_950_3]))
    }

    @Test func reductions() {
        let x = Tensor.arange(0, 24).reshaped([2, 3, 4])
        #expect(x.sum().item == 276)
        #expect(x.sum(axes: [1]).scalars == [12, 15, 18, 21, 48, 51, 54, 57])
        #expect(x.sum(axes: [0, 2], keepingDimensions: true).shape == [1, 3, 1])
        #expect(x.sum(axes: [0, 2]).scalars == [60, 92, 124])
        #expect(x.mean(axes: [2]).scalars == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        #expect(x.max(axes: [0]).scalars == Array(12...23).map(Float.init))
        #expect(x.min(axes: [1, 2]).scalars == [0, 12])
        #expect((-x).argmax(axis: 2) == [0, 0, 0, 0, 0, 0])
        #expect(x.argmax(axis: 1) == [2, 2, 2, 2, 2, 2, 2, 2])
        #expect(Tensor(rows: [[1, 5, 5], [7, 0, 2]]).argmax(axis: 1) == [1, 0], "first index wins a tie")
    }

    @Test func longSumsStayAccurate() {
        let n = 1 << 22
        #expect(Tensor.full([n], 0.1).sum().item.distance(to: Float(n) * 0.1) < 1)
        #expect(Tensor.ones([3, n / 4]).sum(axes: [1]).scalars == [Float](repeating: Float(n / 4), count: 3))
    }

    @Test func ieeeSpecialValuesPropagate() {
        let x = Tensor([.nan, .infinity, -1])
        #expect(x.sqrt().scalars[0].isNaN && x.sqrt().scalars[1] == .infinity && x.sqrt().scalars[2].isNaN)
        #expect(x.max().item.isNaN)
        #expect((x + 1).scalars[1] == .infinity)
    }

    @Test func shapeOps() {
        let x = Tensor.arange(0, 6).reshaped([2, 3])
        #expect(x.transposed().scalars == [0, 3, 1, 4, 2, 5])
        #expect(x.slice(axis: 1, 1..<3).scalars == [1, 2, 4, 5])
        #expect(Tensor.concatenate([x, x], axis: 1).scalars == [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        #expect(Tensor.stack([x, x], axis: 1).shape == [2, 2, 3])
        #expect(x.gather([1, 1, 0]).scalars == [3, 4, 5, 3, 4, 5, 0, 1, 2])
        #expect(x.scatterAdd([1, 1], rows: 3).scalars == [0, 0, 0, 3, 5, 7, 0, 0, 0])
        #expect(Tensor.where(Tensor([1, 0, 1]), x, Tensor(-1)).scalars == [0, -1, 2, 3, -1, 5])
        #expect((x + Tensor([10, 20, 30])).scalars == [10, 21, 32, 13, 24, 35])
        let column = Tensor([1, 2], shape: [2, 1])
        #expect((column * Tensor([1, 2, 3])).scalars == [1, 2, 3, 2, 4, 6])
    }

    @Test func largeInputsTakeTheParallelPathAndAgree() {
        var generator = RandomGenerator(seed: 3)
        let a = Tensor.randomNormal([1 << 20], using: &generator), b = Tensor.randomNormal([1 << 20], using: &generator)
        let expectedSum = zip(a.scalars, b.scalars).map { $0 + $1 }
        let expectedRelu = a.scalars.map { max($0, 0) }
        #expect((a + b).scalars == expectedSum)
        #expect(a.relu().scalars == expectedRelu)
    }
}

@Suite("Binary rows")
struct BinaryRowsTests {
    /// Widths with and without whole tiles of 64 columns, whole groups of eight and a tail after
    /// them, and a row with no ones.
    @Test(arguments: [5, 13, 64, 77, 150])
    func productEqualsTheDenseProduct(_ outputs: Int) {
        var generator = RandomGenerator(seed: 90)
        let (rows, width) = (7, 37)
        var ones = (0..<rows).map { _ in (0..<width).filter { _ in Float.random(in: 0..<1, using: &generator) < 0.2 }.map(Int32.init) }
        ones[3] = []
        let binary = BinaryRows(rowStarts: ones.reduce(into: [0]) { $0.append($0.last! + $1.count) }, columns: ones.flatMap { $0 }, width: width)
        let dense = Tensor((0..<rows).flatMap { row in (0..<width).map { ones[row].contains(Int32($0)) ? Float(1) : 0 } }, shape: [rows, width])
        let weights = sample([width, outputs], seed: 91)
        let product = binary.matmul(ColumnTiles(weights))
        #expect(isClose(product.scalars, dense.matmul(weights).scalars, tolerance: 1e-5))
        #expect(product.scalars[(3 * outputs)..<(4 * outputs)].allSatisfy { $0 == 0 })
        let bias = sample([outputs], seed: 92)
        #expect(binary.matmul(ColumnTiles(weights), adding: bias).scalars == (product + bias).scalars)
    }

    /// No rows, and rows of a matrix with no columns (every sum is empty: the bias alone).
    @Test func emptyShapesGiveEmptySums() {
        let noRows = BinaryRows(rowStarts: [0], columns: [], width: 4)
        #expect(noRows.matmul(ColumnTiles(sample([4, 3], seed: 93))).shape == [0, 3])
        let noColumns = BinaryRows(rowStarts: [0, 0, 0], columns: [], width: 0)
        let bias = sample([3], seed: 94)
        #expect(noColumns.matmul(ColumnTiles(Tensor([], shape: [0, 3])), adding: bias).scalars == bias.scalars + bias.scalars)
    }
}
