import Testing
import TensorCore

@Suite("Elementwise gradients")
struct ElementwiseGradientTests {
    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [2, 1]), ([3], [2, 3]), ([], [2, 2]), ([2, 1, 4], [1, 3, 1]),
    ]

    @Test(arguments: broadcastPairs)
    func addSubtractMultiply(_ shapes: ([Int], [Int])) {
        let inputs = [sample(shapes.0, seed: 1), sample(shapes.1, seed: 2)]
        #expect(checkGradients(at: inputs) { $0[0] + $0[1] }.passed)
        #expect(checkGradients(at: inputs) { $0[0] - $0[1] }.passed)
        #expect(checkGradients(at: inputs) { $0[0] * $0[1] }.passed)
    }

    @Test(arguments: broadcastPairs)
    func divide(_ shapes: ([Int], [Int])) {
        let result = checkGradients(at: [sample(shapes.0, seed: 3), positive(shapes.1, seed: 4)]) { $0[0] / $0[1] }
        #expect(result.passed, "\(result)")
    }

    @Test func scalarOperands() {
        let result = checkGradients(at: [sample([2, 3], seed: 5)]) { (2 - $0[0] * 3 + 1) / 4 }
        #expect(result.passed, "\(result)")
    }

    static let unaryOps: [(String, @Sendable (Tensor) -> Tensor, Bool)] = [
        ("neg", { -$0 }, false),
        ("exp", { $0.exp() }, false),
        ("log", { $0.log() }, true),
        ("sqrt", { $0.sqrt() }, true),
        ("pow 2.5", { $0.pow(2.5) }, true),
        ("pow 3", { $0.pow(3) }, false),
        ("abs", { $0.abs() }, false),
        ("clamp", { $0.clamped(-1, 1) }, false),
        ("relu", { $0.relu() }, false),
        ("leakyRelu", { $0.leakyRelu(slope: 0.1) }, false),
        ("elu", { $0.elu(alpha: 0.7) }, false),
        ("gelu", { $0.gelu() }, false),
        ("sigmoid", { $0.sigmoid() }, false),
        ("tanh", { $0.tanh() }, false),
        ("softplus", { $0.softplus() }, false),
    ]

    @Test(arguments: unaryOps.indices)
    func unary(_ index: Int) {
        let (name, op, positiveOnly) = Self.unaryOps[index]
        for (seed, shape) in [[7], [3, 4], [2, 3, 2]].enumerated() {
            var input = positiveOnly ? positive(shape, seed: UInt64(seed)) : sample(shape, seed: UInt64(seed), margin: 0.05)
            if name == "clamp" {  // keep clear of the bounds at ±1 as well as of 0
                input = Tensor(input.scalars.map { abs(abs($0) - 1) < 0.05 ? $0 * 1.1 : $0 }, shape: shape)
            }
            let result = checkGradients(at: [input]) { op($0[0]) }
            #expect(result.passed, "\(name) \(shape): \(result)")
        }
    }

    @Test func expandedAndWhere() {
        #expect(checkGradients(at: [sample([3, 1], seed: 8)]) { $0[0].expanded(to: [2, 3, 4]) }.passed)
        let mask = Tensor([1, 0, 0, 1, 1, 0], shape: [2, 3])
        let result = checkGradients(at: [sample([2, 3], seed: 9), sample([3], seed: 10)]) {
            Tensor.where(mask, $0[0], $0[1])
        }
        #expect(result.passed, "\(result)")
    }

    @Test func valueUsedTwiceGetsBothContributions() {
        var x = Tensor([3])
        x.requiresGrad = true
        (x * x + x).sum().backward()
        #expect(x.grad?.scalars == [7])
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [9], "gradients accumulate until zeroed")
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func noGradScopeRecordsNothing() {
        var x = Tensor([1, 2])
        x.requiresGrad = true
        let y = withoutGrad { (x * 3).exp() }
        #expect(!y.requiresGrad)
        #expect((x * 3).requiresGrad)
    }
}
