import TensorCore

/// Updates a model's trainable parameters from their gradients.
///
/// Subclasses say only how one parameter moves (``update(_:gradient:slots:)``) and which
/// per-parameter state they keep (``slotNames``); the stepping, gradient clipping, and saving
/// and restoring of state for an exact resume live here.
open class Optimizer {
    public var learningRate: Float
    /// Updates taken so far; Adam's bias correction depends on it, so checkpoints keep it.
    public internal(set) var iterations = 0
    private var slots: [String: SlotStorage] = [:]

    public init(learningRate: Float) {
        self.learningRate = learningRate
    }

    /// The class name saved with the optimizer's state.
    open class var name: String { fatalError("\(Self.self) must name itself") }

    /// Per-parameter state arrays, each the size of the parameter (momentum, second moments).
    open var slotNames: [String] { [] }

    /// Moves `values` against `gradient`, reading and writing this parameter's `slots`; called
    /// on slices of a parameter, possibly at once on several cores.
    open func update(_ values: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
                     slots: [UnsafeMutableBufferPointer<Float>]) {
        fatalError("\(Self.self) must implement update")
    }

    /// One update of every trainable parameter of `model` that has a gradient; gradients are
    /// cleared afterwards.
    public func step(_ model: any Layer) {
        iterations += 1
        for (name, parameter) in model.namedParameters where parameter.isTrainable {
            guard let gradient = parameter.value.grad else { continue }
            let state = slots[name] ?? SlotStorage(slots: slotNames.count, count: parameter.value.count)
            slots[name] = state
            parameter.value.withMutableScalars { values in
                gradient.scalars.withUnsafeBufferPointer { gradient in
                    // Updates are elementwise, so each core can take a slice of the parameter.
                    parallelRanges(values.count, grain: 1 << 15) { range in
                        update(UnsafeMutableBufferPointer(rebasing: values[range]),
                               gradient: UnsafeBufferPointer(rebasing: gradient[range]),
                               slots: state.buffers.map { UnsafeMutableBufferPointer(rebasing: $0[range]) })
                    }
                }
            }
            parameter.value.zeroGrad()
        }
    }

    /// The state to save for an exact resume: one tensor per parameter and slot, by
    /// `parameterName/slotName`.
    public var state: [(name: String, value: Tensor)] {
        slots.keys.sorted().flatMap { name in
            zip(slotNames, slots[name]!.buffers).map { slot, values in ("\(name)/\(slot)", Tensor(Array(values))) }
        }
    }

    /// Restores state saved by ``state``.
    public func restore(state: [(name: String, value: Tensor)], iterations: Int) throws {
        var restored: [String: SlotStorage] = [:]
        for (key, value) in state {
            guard let cut = key.lastIndex(of: "/"), let slot = slotNames.firstIndex(of: String(key[key.index(after: cut)...])) else {
                throw ModelError.weights("optimizer state '\(key)' does not belong to \(Self.name)")
            }
            let parameter = String(key[..<cut])
            let entry = restored[parameter] ?? SlotStorage(slots: slotNames.count, count: value.count)
            guard entry.buffers[slot].count == value.count else {
                throw ModelError.weights("optimizer state '\(key)' has \(value.count) values, not \(entry.buffers[slot].count)")
            }
            _ = entry.buffers[slot].update(fromContentsOf: value.scalars)
            restored[parameter] = entry
        }
        slots = restored
        self.iterations = iterations
    }
}

/// Per-parameter optimizer state, in buffers of its own so that updates write in place without
/// copy-on-write or exclusivity checks in the inner loop.
private final class SlotStorage {
    let buffers: [UnsafeMutableBufferPointer<Float>]

    init(slots: Int, count: Int) {
        buffers = (0..<slots).map { _ in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit { buffers.forEach { $0.deallocate() } }
}

/// Scales all gradients of `model` down together so that their joint L2 norm is at most
/// `maxNorm`; returns the norm before clipping.
@discardableResult
public func clipGradients(of model: any Layer, maxNorm: Float) -> Float {
    let gradients = model.namedParameters.compactMap { $0.parameter.value.grad }
    let norm = Float(gradients.reduce(0.0) { total, g in total + g.scalars.reduce(0.0) { $0 + Double($1) * Double($1) } }.squareRoot())
    guard norm > maxNorm else { return norm }
    for (_, parameter) in model.namedParameters { parameter.value.scaleGrad(by: maxNorm / norm) }
    return norm
}
