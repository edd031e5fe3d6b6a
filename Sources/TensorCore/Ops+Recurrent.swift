import Foundation

extension Tensor {
    /// An LSTM over a whole sequence, fused: `self` holds the input projections x·W_ih + b for
    /// every step, [B, T, 4H] with gates in the order input, forget, cell, output;
    /// `recurrent` is W_hh [H, 4H]. Returns every hidden state, [B, T, H], from zero initial
    /// states. Where `mask` [B, T] is 0, a step carries the state forward unchanged.
    ///
    /// Each step is one [B, H]·[H, 4H] product and one pass over the gates, into buffers made
    /// once for the sequence; backward runs through time in one op the same way.
    public func lstmSequence(recurrent: Tensor, mask: Tensor? = nil) -> Tensor {
        let (batch, steps, hidden) = recurrentShape(recurrent, gates: 4, "lstmSequence", mask)
        let gateWidth = 4 * hidden
        let shares = batchShares(batch)
        var gates = [Float](repeating: 0, count: steps * batch * gateWidth)   // activated i, f, g, o per step
        var cells = [Float](repeating: 0, count: (steps + 1) * batch * hidden) // c, with the initial zeros first
        var states = [Float](repeating: 0, count: (steps + 1) * batch * hidden)
        var cellTanhs = [Float](repeating: 0, count: steps * batch * hidden)  // tanh(c_t), kept for backward
        let keep = mask?.scalars
        scalars.withUnsafeBufferPointer { x in
        recurrent.scalars.withUnsafeBufferPointer { w in
        cellTanhs.withUnsafeMutableBufferPointer { ct in
        gates.withUnsafeMutableBufferPointer { a in
        cells.withUnsafeMutableBufferPointer { c in
        states.withUnsafeMutableBufferPointer { h in
            withSingleThreadedBLAS {
                parallelForEach(shares) { _, rows in
                    for t in 0..<steps {
                        let step = a.baseAddress! + t * batch * gateWidth
                        for b in rows {
                            (step + b * gateWidth).update(from: x.baseAddress! + (b * steps + t) * gateWidth, count: gateWidth)
                        }
                        gemm(h.baseAddress! + (t * batch + rows.lowerBound) * hidden, transposeA: false, w.baseAddress!, transposeB: false,
                             step + rows.lowerBound * gateWidth, m: rows.count, n: gateWidth, k: hidden, beta: 1)
                        for b in rows {
                            let g = step + b * gateWidth
                            let (cPrevious, hPrevious) = (c.baseAddress! + (t * batch + b) * hidden, h.baseAddress! + (t * batch + b) * hidden)
                            let (cNext, hNext) = (cPrevious + batch * hidden, hPrevious + batch * hidden)
                            let carry = keep.map { $0[b * steps + t] == 0 } ?? false
                            for j in 0..<hidden {
                                let i = logistic(g[j]), f = logistic(g[hidden + j])
                                let candidate = hyperbolicTangent(g[2 * hidden + j]), o = logistic(g[3 * hidden + j])
                                (g[j], g[hidden + j], g[2 * hidden + j], g[3 * hidden + j]) = (i, f, candidate, o)
                                if carry {
                                    (cNext[j], hNext[j]) = (cPrevious[j], hPrevious[j])
                                } else {
                                    cNext[j] = f * cPrevious[j] + i * candidate
                                    let squashed = hyperbolicTangent(cNext[j])
                                    ct[(t * batch + b) * hidden + j] = squashed
                                    hNext[j] = o * squashed
                                }
                            }
                        }
                    }
                }
            }
        } } } } } }
        let output = sequenceOutput(states, batch: batch, steps: steps, hidden: hidden)
        func backwardThroughTime(_ g: Tensor) -> (input: Tensor, recurrent: Tensor) {
            var dInput = [Float](repeating: 0, count: count)
            var dRecurrentShares = [Float](repeating: 0, count: shares.count * recurrent.count)
            g.scalars.withUnsafeBufferPointer { upstream in
            gates.withUnsafeBufferPointer { activated in
            cells.withUnsafeBufferPointer { c in
            cellTanhs.withUnsafeBufferPointer { ct in
            states.withUnsafeBufferPointer { h in
            recurrent.scalars.withUnsafeBufferPointer { w in
            dInput.withUnsafeMutableBufferPointer { di in
            dRecurrentShares.withUnsafeMutableBufferPointer { dw in
                parallelForEach(shares) { share, rows in
                    // This share's gradients with respect to h and c, d(pre-activations) and d(h_{t-1}).
                    let scratch = BackwardScratch(rows: rows.count, widths: [hidden, hidden, hidden, gateWidth])
                    defer { scratch.release() }
                    let (ds, dc, dPrevious, dGates) = (scratch[0], scratch[1], scratch[2], scratch[3])
                    for t in stride(from: steps - 1, through: 0, by: -1) {
                        for b in rows {
                            let local = b - rows.lowerBound
                            let carry = keep.map { $0[b * steps + t] == 0 } ?? false
                            let up = upstream.baseAddress! + (b * steps + t) * hidden
                            let act = activated.baseAddress! + (t * batch + b) * gateWidth
                            let out = dGates + local * gateWidth
                            for j in 0..<hidden {
                                let row = local * hidden + j
                                let dh = up[j] + ds[row]
                                if carry {
                                    ds[row] = dh
                                    (out[j], out[hidden + j], out[2 * hidden + j], out[3 * hidden + j]) = (0, 0, 0, 0)
                                    continue
                                }
                                let (i, f, candidate, o) = (act[j], act[hidden + j], act[2 * hidden + j], act[3 * hidden + j])
                                let cellTanh = ct[(t * batch + b) * hidden + j]
                                let dcell = dc[row] + dh * o * (1 - cellTanh * cellTanh)
                                out[j] = dcell * candidate * i * (1 - i)
                                out[hidden + j] = dcell * c[(t * batch + b) * hidden + j] * f * (1 - f)
                                out[2 * hidden + j] = dcell * i * (1 - candidate * candidate)
                                out[3 * hidden + j] = dh * cellTanh * o * (1 - o)
                                dc[row] = dcell * f
                            }
                        }
                        for b in rows {
                            (di.baseAddress! + (b * steps + t) * gateWidth).update(from: dGates + (b - rows.lowerBound) * gateWidth, count: gateWidth)
                        }
                        backpropagateStep(t: t, rows: rows, dGates: dGates, dRecurrent: dw.baseAddress! + share * recurrent.count,
                                          dPrevious: dPrevious, states: h.baseAddress!, recurrent: w.baseAddress!,
                                          batch: batch, hidden: hidden, gateWidth: gateWidth)
                        for b in rows where !(keep.map { $0[b * steps + t] == 0 } ?? false) {
                            let local = b - rows.lowerBound
                            (ds + local * hidden).update(from: dPrevious + local * hidden, count: hidden)
                        }
                    }
                }
            } } } } } } } }
            return (Tensor(dInput, shape: shape), Tensor(sumOfShares(dRecurrentShares, size: recurrent.count), shape: recurrent.shape))
        }
        let backward = SharedBackward(consumers: [self, recurrent].filter(\.requiresGrad).count) { g in
            withSingleThreadedBLAS { backwardThroughTime(g) }
        }
        return .recorded([batch, steps, hidden], output, (self, { backward.value($0).input }),
                         (recurrent, { backward.value($0).recurrent }))
    }

    /// A GRU over a whole sequence, fused, in PyTorch's form: `self` holds x·W_ih + b_ih for every
    /// step, [B, T, 3H] with gates reset, update, new; `recurrent` is W_hh [H, 3H] and
    /// `recurrentBias` b_hh [3H]. n = tanh(x_n + r ⊙ (h·W_hn + b_hn)), h' = (1 - z) ⊙ n + z ⊙ h.
    /// Returns every hidden state, [B, T, H]; masked steps carry the state forward.
    public func gruSequence(recurrent: Tensor, recurrentBias: Tensor, mask: Tensor? = nil) -> Tensor {
        let (batch, steps, hidden) = recurrentShape(recurrent, gates: 3, "gruSequence", mask)
        let gateWidth = 3 * hidden
        require(recurrentBias.shape == [gateWidth], "gruSequence: recurrent bias \(recurrentBias.shape) is not [\(gateWidth)]")
        let shares = batchShares(batch)
        var gates = [Float](repeating: 0, count: steps * batch * gateWidth)    // r, z, n per step
        var projections = [Float](repeating: 0, count: steps * batch * gateWidth) // h·W_hh + b_hh per step
        var states = [Float](repeating: 0, count: (steps + 1) * batch * hidden)
        let keep = mask?.scalars
        scalars.withUnsafeBufferPointer { x in
        recurrent.scalars.withUnsafeBufferPointer { w in
        recurrentBias.scalars.withUnsafeBufferPointer { bias in
        projections.withUnsafeMutableBufferPointer { p in
        gates.withUnsafeMutableBufferPointer { a in
        states.withUnsafeMutableBufferPointer { h in
            withSingleThreadedBLAS {
                parallelForEach(shares) { _, rows in
                    for t in 0..<steps {
                        let projection = p.baseAddress! + t * batch * gateWidth
                        for b in rows { (projection + b * gateWidth).update(from: bias.baseAddress!, count: gateWidth) }
                        gemm(h.baseAddress! + (t * batch + rows.lowerBound) * hidden, transposeA: false, w.baseAddress!, transposeB: false,
                             projection + rows.lowerBound * gateWidth, m: rows.count, n: gateWidth, k: hidden, beta: 1)
                        for b in rows {
                            let xs = x.baseAddress! + (b * steps + t) * gateWidth, ps = projection + b * gateWidth
                            let g = a.baseAddress! + (t * batch + b) * gateWidth
                            let (hPrevious, hNext) = (h.baseAddress! + (t * batch + b) * hidden, h.baseAddress! + ((t + 1) * batch + b) * hidden)
                            let carry = keep.map { $0[b * steps + t] == 0 } ?? false
                            for j in 0..<hidden {
                                let r = logistic(xs[j] + ps[j]), z = logistic(xs[hidden + j] + ps[hidden + j])
                                let n = hyperbolicTangent(xs[2 * hidden + j] + r * ps[2 * hidden + j])
                                (g[j], g[hidden + j], g[2 * hidden + j]) = (r, z, n)
                                hNext[j] = carry ? hPrevious[j] : (1 - z) * n + z * hPrevious[j]
                            }
                        }
                    }
                }
            }
        } } } } } }
        let output = sequenceOutput(states, batch: batch, steps: steps, hidden: hidden)
        func backwardThroughTime(_ g: Tensor) -> (input: Tensor, recurrent: Tensor, bias: Tensor) {
            var dInput = [Float](repeating: 0, count: count)
            var dRecurrentShares = [Float](repeating: 0, count: shares.count * recurrent.count)
            var dBiasShares = [Float](repeating: 0, count: shares.count * gateWidth)
            g.scalars.withUnsafeBufferPointer { upstream in
            gates.withUnsafeBufferPointer { activated in
            projections.withUnsafeBufferPointer { p in
            states.withUnsafeBufferPointer { h in
            recurrent.scalars.withUnsafeBufferPointer { w in
            dInput.withUnsafeMutableBufferPointer { di in
            dRecurrentShares.withUnsafeMutableBufferPointer { dw in
            dBiasShares.withUnsafeMutableBufferPointer { db in
                parallelForEach(shares) { share, rows in
                    // d(h) carried back, d(h_{t-1}) through W_hh, the direct part z ⊙ dh, d(h·W_hh + b_hh).
                    let scratch = BackwardScratch(rows: rows.count, widths: [hidden, hidden, hidden, gateWidth])
                    defer { scratch.release() }
                    let (ds, dPrevious, direct, dProjection) = (scratch[0], scratch[1], scratch[2], scratch[3])
                    let dBias = db.baseAddress! + share * gateWidth
                    for t in stride(from: steps - 1, through: 0, by: -1) {
                        for b in rows {
                            let local = b - rows.lowerBound
                            let carry = keep.map { $0[b * steps + t] == 0 } ?? false
                            let base = (t * batch + b) * gateWidth, input = di.baseAddress! + (b * steps + t) * gateWidth
                            let out = dProjection + local * gateWidth
                            for j in 0..<hidden {
                                let row = local * hidden + j
                                let dh = upstream[(b * steps + t) * hidden + j] + ds[row]
                                if carry {
                                    direct[row] = dh
                                    (out[j], out[hidden + j], out[2 * hidden + j]) = (0, 0, 0)
                                    (input[j], input[hidden + j], input[2 * hidden + j]) = (0, 0, 0)
                                    continue
                                }
                                let (r, z, n) = (activated[base + j], activated[base + hidden + j], activated[base + 2 * hidden + j])
                                let hPrevious = h[(t * batch + b) * hidden + j]
                                let dn = dh * (1 - z) * (1 - n * n)
                                let dz = dh * (hPrevious - n) * z * (1 - z)
                                let dr = dn * p[base + 2 * hidden + j] * r * (1 - r)
                                (input[j], input[hidden + j], input[2 * hidden + j]) = (dr, dz, dn)
                                (out[j], out[hidden + j], out[2 * hidden + j]) = (dr, dz, dn * r)
                                direct[row] = dh * z
                            }
                            for k in 0..<gateWidth { dBias[k] += out[k] }
                        }
                        backpropagateStep(t: t, rows: rows, dGates: dProjection, dRecurrent: dw.baseAddress! + share * recurrent.count,
                                          dPrevious: dPrevious, states: h.baseAddress!, recurrent: w.baseAddress!,
                                          batch: batch, hidden: hidden, gateWidth: gateWidth)
                        for row in 0..<(rows.count * hidden) { ds[row] = direct[row] + dPrevious[row] }
                    }
                }
            } } } } } } } }
            return (Tensor(dInput, shape: shape), Tensor(sumOfShares(dRecurrentShares, size: recurrent.count), shape: recurrent.shape),
                    Tensor(sumOfShares(dBiasShares, size: gateWidth)))
        }
        let backward = SharedBackward(consumers: [self, recurrent, recurrentBias].filter(\.requiresGrad).count) { g in
            withSingleThreadedBLAS { backwardThroughTime(g) }
        }
        return .recorded([batch, steps, hidden], output, (self, { backward.value($0).input }),
                         (recurrent, { backward.value($0).recurrent }), (recurrentBias, { backward.value($0).bias }))
    }

    private func recurrentShape(_ recurrent: Tensor, gates: Int, _ op: String, _ mask: Tensor?) -> (Int, Int, Int) {
        require(rank == 3 && recurrent.rank == 2 && recurrent.shape[1] == gates * recurrent.shape[0] && shape[2] == recurrent.shape[1],
                "\(op): projections \(shape) and recurrent weights \(recurrent.shape) are not [B, T, \(gates)H] and [H, \(gates)H]")
        require(mask == nil || mask!.shape == [shape[0], shape[1]], "\(op): mask \(mask?.shape ?? []) is not [\(shape[0]), \(shape[1])]")
        return (shape[0], shape[1], recurrent.shape[0])
    }
}

@inline(__always)
private func logistic(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

/// tanh through one `exp` (glibc's tanhf goes through the slower expm1f); absolute error below 1e-7.
@inline(__always)
private func hyperbolicTangent(_ x: Float) -> Float {
    let clipped = Swift.min(Swift.max(x, -15), 15)
    return 1 - 2 / (Foundation.exp(2 * clipped) + 1)
}

/// Hidden states stored [T + 1, B, H] (initial first) as the op's output [B, T, H].
private func sequenceOutput(_ states: [Float], batch: Int, steps: Int, hidden: Int) -> [Float] {
    var output = [Float](repeating: 0, count: batch * steps * hidden)
    for t in 0..<steps {
        for b in 0..<batch {
            for j in 0..<hidden { output[(b * steps + t) * hidden + j] = states[((t + 1) * batch + b) * hidden + j] }
        }
    }
    return output
}

/// One step of backpropagation through time that every gated cell shares, for the batch rows
/// `rows`: the gradient of their gate pre-activations [rows, G] goes to W_hh
/// (dW += h_{t-1}ᵀ · dA, into this share's own dW) and to their previous hidden states (dA · W_hhᵀ).
private func backpropagateStep(
    t: Int, rows: Range<Int>, dGates: UnsafePointer<Float>, dRecurrent: UnsafeMutablePointer<Float>,
    dPrevious: UnsafeMutablePointer<Float>, states: UnsafePointer<Float>, recurrent: UnsafePointer<Float>,
    batch: Int, hidden: Int, gateWidth: Int
) {
    gemm(states + (t * batch + rows.lowerBound) * hidden, transposeA: true, dGates, transposeB: false, dRecurrent,
         m: hidden, n: gateWidth, k: rows.count, beta: 1)
    gemm(dGates, transposeA: false, recurrent, transposeB: true, dPrevious, m: rows.count, n: hidden, k: gateWidth)
}

/// The batch cut into one share per core when each gets enough rows to repay a thread: rows of a
/// recurrence are independent through the whole sequence, so each core runs its share alone.
private func batchShares(_ batch: Int) -> [Range<Int>] { parallelChunks(batch, grain: 16) }

/// The sum of the per-share partial results stored one after another, `size` each.
private func sumOfShares(_ parts: [Float], size: Int) -> [Float] {
    var total = Array(parts[0..<size])
    for share in stride(from: size, to: parts.count, by: size) {
        for i in 0..<size { total[i] += parts[share + i] }
    }
    return total
}

/// Zeroed per-share working rows for backpropagation through time, one block per width.
private struct BackwardScratch {
    private let storage: UnsafeMutablePointer<Float>
    private let offsets: [Int]

    init(rows: Int, widths: [Int]) {
        let sizes = widths.map { rows * $0 }
        storage = .allocate(capacity: sizes.reduce(0, +))
        storage.initialize(repeating: 0, count: sizes.reduce(0, +))
        offsets = sizes.indices.map { sizes[..<$0].reduce(0, +) }
    }

    subscript(block: Int) -> UnsafeMutablePointer<Float> { storage + offsets[block] }

    func release() { storage.deallocate() }
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
