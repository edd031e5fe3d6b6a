import CKernels
import Foundation

extension Tensor {
    /// An LSTM over a whole sequence, fused: `self` is the input [B, T, F], `inputKernel` W_ih
    /// [F, 4H] with gates in the order input, forget, cell, output, `recurrent` W_hh [H, 4H] and
    /// `bias` [4H]. Returns every hidden state, [B, T, H], from zero initial states. Where `mask`
    /// [B, T] is 0, a step carries the state forward unchanged.
    ///
    /// The input projections of all steps are one product; each step is then one [B, H]·[H, 4H]
    /// product and one pass over the gates, into buffers made once for the sequence. Backward runs
    /// through time in one op the same way, summing the weight and bias gradients step by step
    /// while each step's gate gradients are in cache.
    public func lstmSequence(inputKernel: Tensor, recurrent: Tensor, bias: Tensor, mask: Tensor? = nil) -> Tensor {
        let (batch, steps, hidden) = recurrentShape(inputKernel, recurrent, bias, gates: 4, "lstmSequence", mask)
        let gateWidth = 4 * hidden
        let shares = batchShares(batch)
        let (inputs, inputGradient) = (withoutGrad { permuted([1, 0, 2]) }, requiresGrad)
        var gates = makeScalars(steps * batch * gateWidth) { _ in }          // activated i, f, g, o per step
        var cells = storedStates(batch: batch, steps: steps, hidden: hidden)
        var states = storedStates(batch: batch, steps: steps, hidden: hidden)
        var output = makeScalars(batch * steps * hidden) { _ in }
        var cellTanhs = makeScalars(steps * batch * hidden) { _ in }          // tanh(c_t) of unmasked steps, for backward
        let carried = carriedSteps(mask, count: batch * steps)
        stepMajorProjections(inputs, inputKernel).scalars.withUnsafeBufferPointer { x in
        recurrent.scalars.withUnsafeBufferPointer { w in
        bias.scalars.withUnsafeBufferPointer { inputBias in
        cellTanhs.withUnsafeMutableBufferPointer { ct in
        gates.withUnsafeMutableBufferPointer { a in
        cells.withUnsafeMutableBufferPointer { c in
        states.withUnsafeMutableBufferPointer { h in
        output.withUnsafeMutableBufferPointer { out in
            parallelForEach(shares) { _, rows in
                for t in 0..<steps {
                    let step = a.baseAddress! + t * batch * gateWidth
                    gemm(h.baseAddress! + (t * batch + rows.lowerBound) * hidden, transposeA: false, w.baseAddress!, transposeB: false,
                         step + rows.lowerBound * gateWidth, m: rows.count, n: gateWidth, k: hidden, split: false)
                    for b in rows {
                        let (previous, next) = ((t * batch + b) * hidden, ((t + 1) * batch + b) * hidden)
                        galen_lstm_cell(x.baseAddress! + (t * batch + b) * gateWidth, inputBias.baseAddress!, step + b * gateWidth,
                                        c.baseAddress! + previous, h.baseAddress! + previous, c.baseAddress! + next, h.baseAddress! + next,
                                        ct.baseAddress! + previous, Int64(hidden), carried[b * steps + t])
                    }
                }
                copyBatchMajor(h.baseAddress! + batch * hidden, rows: rows, batch: batch, steps: steps, width: hidden, into: out.baseAddress!)
            }
        } } } } } } } }
        func backwardThroughTime(_ g: Tensor) -> RecurrentGradients {
            let through = InputWeights(inputs, inputKernel, gateWidth: gateWidth, inputGradient: inputGradient)
            let sums = g.scalars.withUnsafeBufferPointer { upstream in
            gates.withUnsafeBufferPointer { activated in
            cells.withUnsafeBufferPointer { c in
            cellTanhs.withUnsafeBufferPointer { ct in
            states.withUnsafeBufferPointer { h in
            withoutGrad { recurrent.transposed() }.scalars.withUnsafeBufferPointer { wT in
                // The share's gradients with respect to h and c, d(h_{t-1}), and this step's gate gradients.
                let widths = [hidden, hidden, hidden, gateWidth]
                return backwardThroughShares(shares, steps: steps, blockWidths: widths, sums: .init(through.features, hidden, gateWidth, recurrentBias: false)) {
                    rows, t, blocks, sums in
                    let (ds, dc, dPrevious, dGates) = (blocks[0], blocks[1], blocks[2], blocks[3])
                    for b in rows {
                        let (local, cell) = (b - rows.lowerBound, (t * batch + b) * hidden)
                        prefetchRow(upstream.baseAddress!, sequence: b, step: t - 1, steps: steps, width: hidden)
                        galen_lstm_cell_backward(upstream.baseAddress! + (b * steps + t) * hidden, ds + local * hidden, dc + local * hidden,
                                                 activated.baseAddress! + (t * batch + b) * gateWidth, ct.baseAddress! + cell,
                                                 c.baseAddress! + cell, dGates + local * gateWidth, sums.bias, Int64(hidden),
                                                 carried[b * steps + t])
                    }
                    through.step(dGates, rows: rows, step: t, batch: batch, weightGradient: sums.inputWeights)
                    guard t > 0 else { return }  // h_0 is zero: no W_hh gradient, no earlier state
                    throughRecurrentWeights(dGates, rows: rows, step: t, batch: batch, states: h.baseAddress!, recurrentTransposed: wT.baseAddress!,
                                            hidden: hidden, gateWidth: gateWidth, previous: dPrevious, weightGradient: sums.weights)
                    for b in rows where carried[b * steps + t] == 0 {
                        let local = b - rows.lowerBound
                        (ds + local * hidden).update(from: dPrevious + local * hidden, count: hidden)
                    }
                }
            } } } } } }
            return RecurrentGradients(input: through.inputGradient(batch: batch, steps: steps), sums)
        }
        let backward = SharedBackward(consumers: [self, inputKernel, recurrent, bias].filter(\.requiresGrad).count, compute: backwardThroughTime)
        return .recorded([batch, steps, hidden], output, (self, { backward.value($0).input! }),
                         (inputKernel, { backward.value($0).inputKernel }), (recurrent, { backward.value($0).recurrent }),
                         (bias, { backward.value($0).bias }))
    }

    /// A GRU over a whole sequence, fused, in PyTorch's form: `self` is the input [B, T, F],
    /// `inputKernel` W_ih [F, 3H] with gates reset, update, new, `bias` b_ih [3H], `recurrent`
    /// W_hh [H, 3H] and `recurrentBias` b_hh [3H].
    /// n = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h.
    /// Returns every hidden state, [B, T, H]; masked steps carry the state forward.
    public func gruSequence(inputKernel: Tensor, recurrent: Tensor, bias: Tensor, recurrentBias: Tensor, mask: Tensor? = nil) -> Tensor {
        let (batch, steps, hidden) = recurrentShape(inputKernel, recurrent, bias, gates: 3, "gruSequence", mask)
        let gateWidth = 3 * hidden
        require(recurrentBias.shape == [gateWidth], "gruSequence: recurrent bias \(recurrentBias.shape) is not [\(gateWidth)]")
        let shares = batchShares(batch)
        let (inputs, inputGradient) = (withoutGrad { permuted([1, 0, 2]) }, requiresGrad)
        var gates = makeScalars(steps * batch * gateWidth) { _ in }        // r, z, n per step
        var projections = makeScalars(steps * batch * gateWidth) { _ in }  // h·W_hh + b_hh per step
        var states = storedStates(batch: batch, steps: steps, hidden: hidden)
        var output = makeScalars(batch * steps * hidden) { _ in }
        let carried = carriedSteps(mask, count: batch * steps)
        stepMajorProjections(inputs, inputKernel).scalars.withUnsafeBufferPointer { x in
        recurrent.scalars.withUnsafeBufferPointer { w in
        bias.scalars.withUnsafeBufferPointer { inputBias in
        recurrentBias.scalars.withUnsafeBufferPointer { hiddenBias in
        projections.withUnsafeMutableBufferPointer { p in
        gates.withUnsafeMutableBufferPointer { a in
        states.withUnsafeMutableBufferPointer { h in
        output.withUnsafeMutableBufferPointer { out in
            parallelForEach(shares) { _, rows in
                for t in 0..<steps {
                    let projection = p.baseAddress! + t * batch * gateWidth
                    for b in rows { (projection + b * gateWidth).update(from: hiddenBias.baseAddress!, count: gateWidth) }
                    gemm(h.baseAddress! + (t * batch + rows.lowerBound) * hidden, transposeA: false, w.baseAddress!, transposeB: false,
                         projection + rows.lowerBound * gateWidth, m: rows.count, n: gateWidth, k: hidden, beta: 1, split: false)
                    for b in rows {
                        galen_gru_cell(x.baseAddress! + (t * batch + b) * gateWidth, inputBias.baseAddress!, projection + b * gateWidth,
                                       a.baseAddress! + (t * batch + b) * gateWidth, h.baseAddress! + (t * batch + b) * hidden,
                                       h.baseAddress! + ((t + 1) * batch + b) * hidden, Int64(hidden),
                                       carried[b * steps + t])
                    }
                }
                copyBatchMajor(h.baseAddress! + batch * hidden, rows: rows, batch: batch, steps: steps, width: hidden, into: out.baseAddress!)
            }
        } } } } } } } }
        func backwardThroughTime(_ g: Tensor) -> RecurrentGradients {
            let through = InputWeights(inputs, inputKernel, gateWidth: gateWidth, inputGradient: inputGradient)
            let sums = g.scalars.withUnsafeBufferPointer { upstream in
            gates.withUnsafeBufferPointer { activated in
            projections.withUnsafeBufferPointer { p in
            states.withUnsafeBufferPointer { h in
            withoutGrad { recurrent.transposed() }.scalars.withUnsafeBufferPointer { wT in
                // d(h) carried back, d(h_{t-1}) through W_hh, the direct part z ⊙ dh, and this
                // step's d(x·W_ih + b_ih) and d(h·W_hh + b_hh).
                let widths = [hidden, hidden, hidden, gateWidth, gateWidth]
                return backwardThroughShares(shares, steps: steps, blockWidths: widths, sums: .init(through.features, hidden, gateWidth, recurrentBias: true)) {
                    rows, t, blocks, sums in
                    let (ds, dPrevious, direct, dInputs, dProjections) = (blocks[0], blocks[1], blocks[2], blocks[3], blocks[4])
                    for b in rows {
                        let (local, base) = (b - rows.lowerBound, (t * batch + b) * gateWidth)
                        prefetchRow(upstream.baseAddress!, sequence: b, step: t - 1, steps: steps, width: hidden)
                        galen_gru_cell_backward(upstream.baseAddress! + (b * steps + t) * hidden, ds + local * hidden,
                                                activated.baseAddress! + base, p.baseAddress! + base, h.baseAddress! + (t * batch + b) * hidden,
                                                dInputs + local * gateWidth, dProjections + local * gateWidth,
                                                direct + local * hidden, sums.bias, sums.recurrentBias!, Int64(hidden), carried[b * steps + t])
                    }
                    through.step(dInputs, rows: rows, step: t, batch: batch, weightGradient: sums.inputWeights)
                    guard t > 0 else { return }  // h_0 is zero: no W_hh gradient, no earlier state
                    throughRecurrentWeights(dProjections, rows: rows, step: t, batch: batch, states: h.baseAddress!,
                                            recurrentTransposed: wT.baseAddress!, hidden: hidden, gateWidth: gateWidth,
                                            previous: dPrevious, weightGradient: sums.weights)
                    for row in 0..<(rows.count * hidden) { ds[row] = direct[row] + dPrevious[row] }
                }
            } } } } }
            return RecurrentGradients(input: through.inputGradient(batch: batch, steps: steps), sums)
        }
        let backward = SharedBackward(consumers: [self, inputKernel, recurrent, bias, recurrentBias].filter(\.requiresGrad).count,
                                      compute: backwardThroughTime)
        return .recorded([batch, steps, hidden], output, (self, { backward.value($0).input! }),
                         (inputKernel, { backward.value($0).inputKernel }), (recurrent, { backward.value($0).recurrent }),
                         (bias, { backward.value($0).bias }), (recurrentBias, { backward.value($0).recurrentBias! }))
    }

    private func recurrentShape(_ inputKernel: Tensor, _ recurrent: Tensor, _ bias: Tensor, gates: Int, _ op: String,
                                _ mask: Tensor?) -> (Int, Int, Int) {
        require(recurrent.rank == 2 && recurrent.shape[1] == gates * recurrent.shape[0],
                "\(op): recurrent weights \(recurrent.shape) are not [H, \(gates)H]")
        require(rank == 3 && inputKernel.shape == [shape[2], recurrent.shape[1]],
                "\(op): input \(shape) and input weights \(inputKernel.shape) are not [B, T, F] and [F, \(recurrent.shape[1])]")
        require(bias.shape == [recurrent.shape[1]], "\(op): bias \(bias.shape) is not [\(recurrent.shape[1])]")
        require(mask == nil || mask!.shape == [shape[0], shape[1]], "\(op): mask \(mask?.shape ?? []) is not [\(shape[0]), \(shape[1])]")
        return (shape[0], shape[1], recurrent.shape[0])
    }
}

/// Room for the states of every step stored [T + 1, B, H], step-major so that a share's rows of
/// one step are adjacent: the initial zeros first, the rest for the recurrence to write.
private func storedStates(batch: Int, steps: Int, hidden: Int) -> [Float] {
    makeScalars((steps + 1) * batch * hidden) { $0.baseAddress!.initialize(repeating: 0, count: batch * hidden) }
}

/// A share's rows of a step-major [T, B, width] array into a batch-major [B, T, width] one.
private func copyBatchMajor(_ stepMajor: UnsafePointer<Float>, rows: Range<Int>, batch: Int, steps: Int, width: Int,
                            into output: UnsafeMutablePointer<Float>) {
    for b in rows {
        for t in 0..<steps {
            (output + (b * steps + t) * width).initialize(from: stepMajor + (t * batch + b) * width, count: width)
        }
    }
}

/// x·W_ih for every step in one product, from the inputs stored step-major [T, B, F]: [T, B, G],
/// so that a share's rows of one step are adjacent for the recurrence.
private func stepMajorProjections(_ inputs: Tensor, _ kernel: Tensor) -> Tensor {
    withoutGrad { inputs.reshaped([-1, inputs.shape[2]]).matmul(kernel) }
}

/// Back through the input projection x·W_ih of a fused recurrent op, step by step for each share
/// of the batch: d(W_ih) += x_tᵀ · dA_t while the step's gate gradients dA_t are in cache, and,
/// when the input takes a gradient, d(x_t) = dA_t · W_ihᵀ. The inputs and their gradient are
/// stored step-major, [T, B, F].
private final class InputWeights {
    let features: Int
    private let gateWidth: Int
    private let inputs: [Float]
    private let kernelTransposed: [Float]  // W_ihᵀ [G, F] when the input takes a gradient, else empty
    private let gradient: UnsafeMutablePointer<Float>?

    init(_ inputs: Tensor, _ kernel: Tensor, gateWidth: Int, inputGradient: Bool) {
        (features, self.gateWidth, self.inputs) = (inputs.shape[2], gateWidth, inputs.scalars)
        kernelTransposed = inputGradient ? withoutGrad { kernel.transposed() }.scalars : []
        gradient = inputGradient ? .allocate(capacity: inputs.count) : nil
    }

    deinit { gradient?.deallocate() }

    /// One step's products for a share's rows, from their gate gradients [rows, G].
    func step(_ dGates: UnsafePointer<Float>, rows: Range<Int>, step t: Int, batch: Int, weightGradient: UnsafeMutablePointer<Float>) {
        let offset = (t * batch + rows.lowerBound) * features
        inputs.withUnsafeBufferPointer { x in
            gemm(x.baseAddress! + offset, transposeA: true, dGates, transposeB: false, weightGradient,
                 m: features, n: gateWidth, k: rows.count, beta: 1, split: false)
        }
        guard let gradient else { return }
        kernelTransposed.withUnsafeBufferPointer { wT in
            gemm(dGates, transposeA: false, wT.baseAddress!, transposeB: false, gradient + offset, m: rows.count, n: features, k: gateWidth,
                 split: false)
        }
    }

    /// d(x) [B, T, F] once every step has run; nil when the input takes no gradient.
    func inputGradient(batch: Int, steps: Int) -> Tensor? {
        gradient.map { stepMajor in
            Tensor(makeScalars(inputs.count) { out in
                parallelForEach(batchShares(batch)) { _, rows in
                    copyBatchMajor(stepMajor, rows: rows, batch: batch, steps: steps, width: features, into: out.baseAddress!)
                }
            }, shape: [batch, steps, features])
        }
    }
}

/// Back through h_{t-1}·W_hh for a share's rows, from their gate gradients dA_t [rows, G]:
/// d(h_{t-1}) = dA_t · W_hhᵀ into `previous`, and d(W_hh) += h_{t-1}ᵀ · dA_t, with the states stored
/// [T + 1, B, H] (a share's rows of one step adjacent). One product each per share, so not split
/// again. W_hhᵀ comes transposed already: the OpenBLAS measured here (0.3.21) multiplies small
/// untransposed operands with a kernel that does not pack them, and packing was a tenth of a step.
private func throughRecurrentWeights(_ dGates: UnsafePointer<Float>, rows: Range<Int>, step t: Int, batch: Int,
                                     states: UnsafePointer<Float>, recurrentTransposed: UnsafePointer<Float>, hidden: Int,
                                     gateWidth: Int, previous: UnsafeMutablePointer<Float>, weightGradient: UnsafeMutablePointer<Float>) {
    gemm(dGates, transposeA: false, recurrentTransposed, transposeB: false, previous, m: rows.count, n: hidden, k: gateWidth, split: false)
    gemm(states + (t * batch + rows.lowerBound) * hidden, transposeA: true, dGates, transposeB: false, weightGradient,
         m: hidden, n: gateWidth, k: rows.count, beta: 1, split: false)
}

/// Where one share's running sums lie in its block: d(W_ih) [F, G], d(W_hh) [H, G], d(bias) [G]
/// and, for a GRU, d(recurrent bias) [G].
private struct GradientSums {
    let features: Int, hidden: Int, gateWidth: Int, recurrentBias: Bool
    init(_ features: Int, _ hidden: Int, _ gateWidth: Int, recurrentBias: Bool) {
        (self.features, self.hidden, self.gateWidth, self.recurrentBias) = (features, hidden, gateWidth, recurrentBias)
    }
    var count: Int { (features + hidden + (recurrentBias ? 2 : 1)) * gateWidth }

    struct Pointers {
        let inputWeights: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>
        let recurrentBias: UnsafeMutablePointer<Float>?
    }
    func pointers(_ block: UnsafeMutablePointer<Float>) -> Pointers {
        let weights = block + features * gateWidth, bias = weights + hidden * gateWidth
        return Pointers(inputWeights: block, weights: weights, bias: bias, recurrentBias: recurrentBias ? bias + gateWidth : nil)
    }
}

/// The gradients a fused recurrent op hands its inputs.
private struct RecurrentGradients {
    let input: Tensor?, inputKernel: Tensor, recurrent: Tensor, bias: Tensor, recurrentBias: Tensor?

    init(input: Tensor?, _ sums: (layout: GradientSums, values: [Float])) {
        let (features, hidden, width) = (sums.layout.features, sums.layout.hidden, sums.layout.gateWidth)
        func rows(_ range: Range<Int>) -> Tensor { Tensor(Array(sums.values[(range.lowerBound * width)..<(range.upperBound * width)]),
                                                          shape: [range.count, width]) }
        self.input = input
        inputKernel = rows(0..<features)
        recurrent = rows(features..<(features + hidden))
        bias = rows((features + hidden)..<(features + hidden + 1)).reshaped([width])
        recurrentBias = sums.layout.recurrentBias ? rows((features + hidden + 1)..<(features + hidden + 2)).reshaped([width]) : nil
    }
}

/// The batch cut into one share per core when each gets enough rows to repay a thread: rows of a
/// recurrence are independent through the whole sequence, so each core runs its share alone,
/// its small products unsplit (`split: false`).
private func batchShares(_ batch: Int) -> [Range<Int>] { parallelChunks(batch, grain: 16) }

/// 1 for each (b, t) the mask marks as not observed (the step carries the state forward), else 0; [B·T].
private func carriedSteps(_ mask: Tensor?, count: Int) -> [Int32] {
    mask.map { $0.scalars.map { $0 == 0 ? 1 : 0 } } ?? [Int32](repeating: 0, count: count)
}

/// Backpropagation through time, each share of the batch on its own core: `step(rows, t, blocks,
/// sums)` for t from the last step to the first, with the share's own zeroed working blocks
/// [rows, width] for each of `blockWidths`, which carry gradients from each step to the one before
/// and hold one step's rows in cache, and its own zeroed running sums; returns the shares' sums
/// added in share order.
private func backwardThroughShares(_ shares: [Range<Int>], steps: Int, blockWidths: [Int], sums layout: GradientSums,
                                   _ step: (Range<Int>, Int, [UnsafeMutablePointer<Float>], GradientSums.Pointers) -> Void)
    -> (layout: GradientSums, values: [Float]) {
    let values = perShareSums(shares, size: layout.count) { rows, sums in
        let size = rows.count * blockWidths.reduce(0, +)
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: size)
        storage.initialize(repeating: 0, count: size)
        defer { storage.deallocate() }
        let offsets = blockWidths.reduce(into: [0]) { $0.append($0.last! + rows.count * $1) }
        let blocks = blockWidths.indices.map { storage + offsets[$0] }, running = layout.pointers(sums)
        for t in stride(from: steps - 1, through: 0, by: -1) { step(rows, t, blocks, running) }
    }
    return (layout, values)
}

/// Starts loading row (sequence, step) of a batch-major [B, T, width] array into cache for the
/// call that reads it at that step: the rows of one step lie T rows apart, too far for the
/// hardware prefetcher to guess. A step outside 0..<steps is ignored.
@inline(__always)
private func prefetchRow(_ base: UnsafePointer<Float>, sequence: Int, step: Int, steps: Int, width: Int) {
    guard step >= 0 && step < steps else { return }
    galen_prefetch(base + (sequence * steps + step) * width, Int64(width * MemoryLayout<Float>.size))
}

/// One backward computation whose result several inputs take their share of: computed when the
/// first of them asks during a backward pass, dropped once the last has, so a later pass (a
/// second loss over the same forward) computes afresh from its own gradient.
private final class SharedBackward<Value> {
    private let consumers: Int
    private var remaining: Int
    private var cached: Value?
    private let compute: (Tensor) -> Value

    init(consumers: Int, compute: @escaping (Tensor) -> Value) {
        self.consumers = consumers
        self.remaining = consumers
        self.compute = compute
    }

    func value(_ gradient: Tensor) -> Value {
        let result = cached ?? compute(gradient)
        remaining -= 1
        if remaining <= 0 {
            cached = nil
            remaining = consumers
        } else {
            cached = result
        }
        return result
    }
}
