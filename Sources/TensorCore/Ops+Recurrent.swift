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
                            for t in 0..<steps {
                                let step = a.baseAddress! + t * batch * gateWidth
                                for b in 0..<batch {
                                    (step + b * gateWidth).update(from: x.baseAddress! + (b * steps + t) * gateWidth, count: gateWidth)
                                }
                                gemm(h.baseAddress! + t * batch * hidden, transposeA: false, w.baseAddress!, transposeB: false,
                                     step, m: batch, n: gateWidth, k: hidden, beta: 1)
                                for b in 0..<batch {
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
                    }
                }
              }
            }
        }
        let output = sequenceOutput(states, batch: batch, steps: steps, hidden: hidden)
        func backwardThroughTime(_ g: Tensor) -> (input: Tensor, recurrent: Tensor) {
            var dInput = [Float](repeating: 0, count: count), dRecurrent = [Float](repeating: 0, count: recurrent.count)
            var dState = [Float](repeating: 0, count: batch * hidden), dCell = dState
            var dGates = [Float](repeating: 0, count: batch * gateWidth), dPrevious = dState
            for t in stride(from: steps - 1, through: 0, by: -1) {
                // Pointers, not array subscripts: the arrays are captured by this closure, and
                // subscripting captured arrays costs a check on every access.
                g.scalars.withUnsafeBufferPointer { upstream in
                gates.withUnsafeBufferPointer { activated in
                cells.withUnsafeBufferPointer { c in
                cellTanhs.withUnsafeBufferPointer { ct in
                dState.withUnsafeMutableBufferPointer { ds in
                dCell.withUnsafeMutableBufferPointer { dc in
                dGates.withUnsafeMutableBufferPointer { da in
                    for b in 0..<batch {
                        let carry = keep.map { $0[b * steps + t] == 0 } ?? false
                        let up = upstream.baseAddress! + (b * steps + t) * hidden
                        let act = activated.baseAddress! + (t * batch + b) * gateWidth
                        let out = da.baseAddress! + b * gateWidth
                        for j in 0..<hidden {
                            let row = b * hidden + j
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
                } } } } } } }
                backpropagateStep(t: t, dGates: dGates, dInput: &dInput, dRecurrent: &dRecurrent, dPrevious: &dPrevious,
                                  states: states, recurrent: recurrent, batch: batch, steps: steps, hidden: hidden, gateWidth: gateWidth)
                for b in 0..<batch where !(keep.map { $0[b * steps + t] == 0 } ?? false) {
                    for j in 0..<hidden { dState[b * hidden + j] = dPrevious[b * hidden + j] }
                }
            }
            return (Tensor(dInput, shape: shape), Tensor(dRecurrent, shape: recurrent.shape))
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
        var gates = [Float](repeating: 0, count: steps * batch * gateWidth)    // r, z, n per step
        var projections = [Float](repeating: 0, count: steps * batch * gateWidth) // h·W_hh + b_hh per step
        var states = [Float](repeating: 0, count: (steps + 1) * batch * hidden)
        let keep = mask?.scalars
        scalars.withUnsafeBufferPointer { x in
            recurrent.scalars.withUnsafeBufferPointer { w in
                projections.withUnsafeMutableBufferPointer { p in
                    gates.withUnsafeMutableBufferPointer { a in
                        states.withUnsafeMutableBufferPointer { h in
                            withSingleThreadedBLAS {
                            for t in 0..<steps {
                                let projection = p.baseAddress! + t * batch * gateWidth
                                for b in 0..<batch {
                                    for k in 0..<gateWidth { projection[b * gateWidth + k] = recurrentBias.scalars[k] }
                                }
                                gemm(h.baseAddress! + t * batch * hidden, transposeA: false, w.baseAddress!, transposeB: false,
                                     projection, m: batch, n: gateWidth, k: hidden, beta: 1)
                                for b in 0..<batch {
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
                    }
                }
            }
        }
        let output = sequenceOutput(states, batch: batch, steps: steps, hidden: hidden)
        func backwardThroughTime(_ g: Tensor) -> (input: Tensor, recurrent: Tensor, bias: Tensor) {
            var dInput = [Float](repeating: 0, count: count), dRecurrent = [Float](repeating: 0, count: recurrent.count)
            var dBias = [Float](repeating: 0, count: gateWidth)
            var dState = [Float](repeating: 0, count: batch * hidden), dPrevious = dState
            var dProjection = [Float](repeating: 0, count: batch * gateWidth)
            for t in stride(from: steps - 1, through: 0, by: -1) {
                var direct = [Float](repeating: 0, count: batch * hidden)
                for b in 0..<batch {
                    let carry = keep.map { $0[b * steps + t] == 0 } ?? false
                    let base = (t * batch + b) * gateWidth
                    for j in 0..<hidden {
                        let row = b * hidden + j
                        let dh = g.scalars[(b * steps + t) * hidden + j] + dState[row]
                        if carry {
                            direct[row] = dh
                            for k in 0..<3 {
                                dProjection[b * gateWidth + k * hidden + j] = 0
                                dInput[(b * steps + t) * gateWidth + k * hidden + j] = 0
                            }
                            continue
                        }
                        let (r, z, n) = (gates[base + j], gates[base + hidden + j], gates[base + 2 * hidden + j])
                        let hPrevious = states[(t * batch + b) * hidden + j]
                        let dn = dh * (1 - z) * (1 - n * n)
                        let dz = dh * (hPrevious - n) * z * (1 - z)
                        let dr = dn * projections[base + 2 * hidden + j] * r * (1 - r)
                        let input = (b * steps + t) * gateWidth
                        (dInput[input + j], dInput[input + hidden + j], dInput[input + 2 * hidden + j]) = (dr, dz, dn)
                        (dProjection[b * gateWidth + j], dProjection[b * gateWidth + hidden + j], dProjection[b * gateWidth + 2 * hidden + j]) = (dr, dz, dn * r)
                        direct[row] = dh * z
                    }
                }
                for b in 0..<batch { for k in 0..<gateWidth { dBias[k] += dProjection[b * gateWidth + k] } }
                backpropagateStep(t: t, dGates: dProjection, dInput: nil, dRecurrent: &dRecurrent, dPrevious: &dPrevious,
                                  states: states, recurrent: recurrent, batch: batch, steps: steps, hidden: hidden, gateWidth: gateWidth)
                for row in 0..<(batch * hidden) { dState[row] = direct[row] + dPrevious[row] }
            }
            return (Tensor(dInput, shape: shape), Tensor(dRecurrent, shape: recurrent.shape), Tensor(dBias))
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

/// One step of backpropagation through time that every gated cell shares: the gradient of the
/// gate pre-activations [B, G] goes to the step's input projections (when given), to
/// W_hh (dW += h_{t-1}ᵀ · dA) and to the previous hidden state (dA · W_hhᵀ).
private func backpropagateStep(
    t: Int, dGates: [Float], dInput: UnsafeMutablePointer<[Float]>?, dRecurrent: inout [Float], dPrevious: inout [Float],
    states: [Float], recurrent: Tensor, batch: Int, steps: Int, hidden: Int, gateWidth: Int
) {
    if let dInput {
        for b in 0..<batch {
            for k in 0..<gateWidth { dInput.pointee[(b * steps + t) * gateWidth + k] = dGates[b * gateWidth + k] }
        }
    }
    states.withUnsafeBufferPointer { h in
        dGates.withUnsafeBufferPointer { d in
            dRecurrent.withUnsafeMutableBufferPointer { dw in
                gemm(h.baseAddress! + t * batch * hidden, transposeA: true, d.baseAddress!, transposeB: false, dw.baseAddress!,
                     m: hidden, n: gateWidth, k: batch, beta: 1)
            }
            recurrent.scalars.withUnsafeBufferPointer { w in
                dPrevious.withUnsafeMutableBufferPointer { dp in
                    gemm(d.baseAddress!, transposeA: false, w.baseAddress!, transposeB: true, dp.baseAddress!, m: batch, n: hidden, k: gateWidth)
                }
            }
        }
    }
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
