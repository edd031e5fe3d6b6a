import Testing
import TensorCore

/// The LSTM written step by step with ordinary ops: the definition the fused op must match.
private func referenceLSTM(_ x: Tensor, _ inputKernel: Tensor, _ w: Tensor, _ bias: Tensor) -> Tensor {
    let (batch, steps, hidden) = (x.shape[0], x.shape[1], w.shape[0])
    var h = Tensor.zeros([batch, hidden]), c = Tensor.zeros([batch, hidden])
    var outputs: [Tensor] = []
    for t in 0..<steps {
        let a = x.slice(axis: 1, t..<t + 1).reshaped([batch, -1]).matmul(inputKernel) + bias + h.matmul(w)
        let i = a.slice(axis: 1, 0..<hidden).sigmoid(), f = a.slice(axis: 1, hidden..<2 * hidden).sigmoid()
        let g = a.slice(axis: 1, 2 * hidden..<3 * hidden).tanh(), o = a.slice(axis: 1, 3 * hidden..<4 * hidden).sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        outputs.append(h)
    }
    return Tensor.stack(outputs, axis: 1)
}

private func referenceGRU(_ x: Tensor, _ inputKernel: Tensor, _ w: Tensor, _ inputBias: Tensor, _ bias: Tensor) -> Tensor {
    let (batch, steps, hidden) = (x.shape[0], x.shape[1], w.shape[0])
    var h = Tensor.zeros([batch, hidden])
    var outputs: [Tensor] = []
    for t in 0..<steps {
        let xs = x.slice(axis: 1, t..<t + 1).reshaped([batch, -1]).matmul(inputKernel) + inputBias, p = h.matmul(w) + bias
        let r = (xs.slice(axis: 1, 0..<hidden) + p.slice(axis: 1, 0..<hidden)).sigmoid()
        let z = (xs.slice(axis: 1, hidden..<2 * hidden) + p.slice(axis: 1, hidden..<2 * hidden)).sigmoid()
        let n = (xs.slice(axis: 1, 2 * hidden..<3 * hidden) + r * p.slice(axis: 1, 2 * hidden..<3 * hidden)).tanh()
        h = (1 - z) * n + z * h
        outputs.append(h)
    }
    return Tensor.stack(outputs, axis: 1)
}

@Suite("Fused recurrent ops")
struct RecurrentTests {
    @Test func lstmMatchesTheStepByStepDefinitionAndItsGradients() {
        let x = sample([3, 5, 3], seed: 60), wih = sample([3, 8], seed: 73, in: -1...1), w = sample([2, 8], seed: 61, in: -1...1)
        let b = sample([8], seed: 59)
        #expect(isClose(x.lstmSequence(inputKernel: wih, recurrent: w, bias: b).scalars, referenceLSTM(x, wih, w, b).scalars, tolerance: 1e-5))
        let result = checkGradients(at: [x, wih, w, b]) { $0[0].lstmSequence(inputKernel: $0[1], recurrent: $0[2], bias: $0[3]) }
        #expect(result.passed, "\(result)")
    }

    @Test func gruMatchesTheStepByStepDefinitionAndItsGradients() {
        let x = sample([3, 5, 2], seed: 62), wih = sample([2, 6], seed: 74, in: -1...1), w = sample([2, 6], seed: 63, in: -1...1)
        let b = sample([6], seed: 64), inputBias = sample([6], seed: 58)
        #expect(isClose(x.gruSequence(inputKernel: wih, recurrent: w, bias: inputBias, recurrentBias: b).scalars,
                        referenceGRU(x, wih, w, inputBias, b).scalars, tolerance: 1e-5))
        let result = checkGradients(at: [x, wih, w, inputBias, b]) {
            $0[0].gruSequence(inputKernel: $0[1], recurrent: $0[2], bias: $0[3], recurrentBias: $0[4])
        }
        #expect(result.passed, "\(result)")
    }

    @Test func maskedStepsCarryTheStateAndGradientsStayCorrect() {
        let mask = Tensor([1, 0, 1, 1, 0, 1, 1, 0, 0, 1], shape: [2, 5])
        let x = sample([2, 5, 3], seed: 65), wih = sample([3, 8], seed: 75, in: -1...1), w = sample([2, 8], seed: 66, in: -1...1)
        let b = sample([8], seed: 57)
        let lstm = x.lstmSequence(inputKernel: wih, recurrent: w, bias: b, mask: mask)
        for (b, t) in [(0, 1), (0, 4), (1, 2), (1, 3)] {
            let before = Array(lstm.scalars[((b * 5 + t - 1) * 2)..<((b * 5 + t - 1) * 2 + 2)])
            #expect(Array(lstm.scalars[((b * 5 + t) * 2)..<((b * 5 + t) * 2 + 2)]) == before, "LSTM state at (\(b), \(t))")
        }
        #expect(checkGradients(at: [x, wih, w, b]) { $0[0].lstmSequence(inputKernel: $0[1], recurrent: $0[2], bias: $0[3], mask: mask) }.passed)
        let gx = sample([2, 5, 2], seed: 67), gwih = sample([2, 6], seed: 76, in: -1...1), gw = sample([2, 6], seed: 68, in: -1...1)
        let gb = sample([6], seed: 69), gInputBias = sample([6], seed: 56)
        let gru = gx.gruSequence(inputKernel: gwih, recurrent: gw, bias: gInputBias, recurrentBias: gb, mask: mask)
        #expect(Array(gru.scalars[2..<4]) == Array(gru.scalars[0..<2]), "GRU state carried over a masked step")
        #expect(checkGradients(at: [gx, gwih, gw, gInputBias, gb]) {
            $0[0].gruSequence(inputKernel: $0[1], recurrent: $0[2], bias: $0[3], recurrentBias: $0[4], mask: mask)
        }.passed)
        // A sequence masked from the start keeps the zero initial state.
        let allMasked = x.lstmSequence(inputKernel: wih, recurrent: w, bias: b, mask: Tensor.zeros([2, 5]))
        #expect(allMasked.scalars.allSatisfy { $0 == 0 })
    }
}

@Suite("Fused recurrent ops, batch shared across cores")
struct RecurrentSharesTests {
    /// 41 rows run as one share per core (20 and 21 on two cores); one row alone is always one share.
    /// One feature makes the input projection an outer product. Without an input gradient the
    /// weight gradients must not change.
    @Test(arguments: ["lstm", "gru"], [1, 2])
    func sharedBatchMatchesRowByRow(_ cell: String, features: Int) {
        let (batch, steps, hidden) = (41, 6, 3), width = (cell == "lstm" ? 4 : 3) * hidden
        let x = sample([batch, steps, features], seed: 80), wih = sample([features, width], seed: 86, in: -1...1)
        let w = sample([hidden, width], seed: 81, in: -1...1)
        let bias = sample([width], seed: 82), inputBias = sample([width], seed: 85), weights = sample([batch, steps, hidden], seed: 83)
        var generator = RandomGenerator(seed: 84)
        let mask = Tensor((0..<batch * steps).map { _ in Float.random(in: 0..<1, using: &generator) < 0.25 ? 0 : 1 }, shape: [batch, steps])
        func run(_ rows: Range<Int>, inputGradient: Bool = true)
            -> (output: [Float], dx: [Float], dwih: [Float], dw: [Float], db: [Float], dInputBias: [Float]) {
            var (xs, wihs, ws, bs, ibs) = (x.slice(axis: 0, rows).detached, wih.detached, w.detached, bias.detached, inputBias.detached)
            (xs.requiresGrad, wihs.requiresGrad, ws.requiresGrad, bs.requiresGrad, ibs.requiresGrad) = (inputGradient, true, true, true, true)
            let m = mask.slice(axis: 0, rows)
            let out = cell == "lstm"
                ? xs.lstmSequence(inputKernel: wihs, recurrent: ws, bias: ibs, mask: m)
                : xs.gruSequence(inputKernel: wihs, recurrent: ws, bias: ibs, recurrentBias: bs, mask: m)
            (out * weights.slice(axis: 0, rows)).sum().backward()
            return (out.scalars, xs.grad?.scalars ?? [], wihs.grad!.scalars, ws.grad!.scalars, bs.grad?.scalars ?? [], ibs.grad!.scalars)
        }
        let whole = run(0..<batch), rows = (0..<batch).map { run($0..<$0 + 1) }
        func summed(_ parts: [[Float]]) -> [Float] { parts.dropFirst().reduce(parts[0]) { zip($0, $1).map(+) } }
        #expect(isClose(whole.output, rows.flatMap(\.output)))
        #expect(isClose(whole.dx, rows.flatMap(\.dx)))
        #expect(isClose(whole.dwih, summed(rows.map(\.dwih)), tolerance: 1e-4))
        #expect(isClose(whole.dw, summed(rows.map(\.dw)), tolerance: 1e-4))
        #expect(isClose(whole.db, summed(rows.map(\.db)), tolerance: 1e-4))
        #expect(isClose(whole.dInputBias, summed(rows.map(\.dInputBias)), tolerance: 1e-4))
        let withoutInputGradient = run(0..<batch, inputGradient: false)
        #expect(withoutInputGradient.dx.isEmpty)
        #expect([withoutInputGradient.dwih, withoutInputGradient.dw, withoutInputGradient.db, withoutInputGradient.dInputBias]
                == [whole.dwih, whole.dw, whole.db, whole.dInputBias])
    }
}

@Suite("Fused recurrent ops, repeated backward")
struct RecurrentRepeatedBackwardTests {
    @Test func twoLossesOverOneForwardPassAccumulateBothGradients() {
        var x = sample([2, 3, 4], seed: 70), wih = sample([4, 8], seed: 77, in: -1...1), w = sample([2, 8], seed: 71, in: -1...1)
        var b = sample([8], seed: 72)
        (x.requiresGrad, wih.requiresGrad, w.requiresGrad, b.requiresGrad) = (true, true, true, true)
        let states = x.lstmSequence(inputKernel: wih, recurrent: w, bias: b)
        states.sum().backward()
        let once = [x.grad!.scalars, wih.grad!.scalars, w.grad!.scalars, b.grad!.scalars]
        (states * 3).sum().backward()
        for (twice, first) in zip([x.grad!.scalars, wih.grad!.scalars, w.grad!.scalars, b.grad!.scalars], once) {
            #expect(zip(twice, first).allSatisfy { abs($0 - 4 * $1) <= 1e-4 * max(1, abs($1)) },
                    "the second pass must use its own upstream gradient (3×), not the first pass's")
        }
    }
}
