import Testing
import TensorCore

extension Tensor {
    /// The example from the module guide: an op defined outside TensorCore.
    fileprivate func swish() -> Tensor {
        let s = sigmoid().detached
        let output = (self * s).scalars
        return .recorded(shape, output, (self, { g in g * (s + self * s * (1 - s)) }))
    }
}

@Suite("Ops defined outside the module")
struct CustomOpTests {
    @Test func guideExampleHasCorrectGradients() {
        let result = checkGradients(at: [sample([3, 4], seed: 30)]) { $0[0].swish() }
        #expect(result.passed, "\(result)")
        #expect(isClose(Tensor([1]).swish().scalars, [0.731_058_6]))
    }
}
