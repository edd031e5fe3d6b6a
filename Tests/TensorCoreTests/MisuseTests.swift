import Testing
import TensorCore

@Suite("Misuse stops with a message naming the shapes")
struct MisuseTests {
    private func expectMessage(_ result: ExitTest.Result?, _ message: String) {
        let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(stderr.contains(message), "stderr was: \(stderr.prefix(400))")
    }

    @Test func mismatchedBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        expectMessage(result, "+: shapes [2, 3] and [4] do not broadcast")
    }

    @Test func mismatchedMatmul() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3]))
        }
        expectMessage(result, "matmul: inner extents differ: [2, 3] · [2, 3]")
    }

    @Test func axisOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(axes: [3])
        }
        expectMessage(result, "sum: axis 3 is out of range for shape [2, 3]")
    }

    @Test func backwardOnNonScalar() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Tensor([1, 2])
            x.requiresGrad = true
            (x * 2).backward()
        }
        expectMessage(result, "backward(): called on a tensor of shape [2]")
    }
}
