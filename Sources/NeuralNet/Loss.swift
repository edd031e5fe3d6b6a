import Foundation
import TensorCore

/// A training objective comparing predictions [batch, tasks] with targets of the same shape
/// (class indices [batch] for categorical cross-entropy).
///
/// Every loss is masked: a NaN target (a compound never measured in one assay) drops out of
/// the loss and out of its mean, so multi-task data with missing labels trains as it is.
public enum Loss: Sendable, Equatable {
    case meanSquaredError
    case meanAbsoluteError
    /// Quadratic within `delta` of the target, linear beyond.
    case huber(delta: Float)
    /// Binary cross-entropy on logits, computed without overflow.
    case binaryCrossEntropy
    /// Cross-entropy of logits [batch, classes] with class indices [batch].
    case categoricalCrossEntropy

    /// The weighted mean loss over labelled entries. `weights` broadcasts against the target:
    /// [tasks] weighs each task, [batch, tasks] each entry (up-weighting rare on-bits); for
    /// categorical cross-entropy it holds one weight per class.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor, weights: Tensor? = nil) -> Tensor {
        switch self {
        case .meanSquaredError: pointwiseMean(SquaredError(), prediction, target, weights)
        case .meanAbsoluteError: pointwiseMean(AbsoluteError(), prediction, target, weights)
        case .huber(let delta): pointwiseMean(HuberError(delta: delta), prediction, target, weights)
        case .binaryCrossEntropy: pointwiseMean(LogisticError(), prediction, target, weights)
        case .categoricalCrossEntropy: categorical(prediction, target, classWeights: weights?.scalars)
        }
    }

    /// Σ w·ℓ(p, t) / Σ w over entries with a target, in one pass forward and one backward.
    private func pointwiseMean<L: PointwiseLoss>(_ loss: L, _ prediction: Tensor, _ target: Tensor, _ weights: Tensor?) -> Tensor {
        require(prediction.shape == target.shape,
                "\(self): prediction of shape \(prediction.shape) and target of shape \(target.shape) differ")
        let scale = weights.map { $0.detached.expanded(to: target.shape).scalars } ?? [Float](repeating: 1, count: target.count)
        require(scale.count == target.count, "\(self): weights of shape \(weights?.shape ?? []) do not fit targets \(target.shape)")
        var terms = [Float](repeating: 0, count: target.count)
        var total: Float = 0
        prediction.scalars.withUnsafeBufferPointer { p in
            target.scalars.withUnsafeBufferPointer { t in
                scale.withUnsafeBufferPointer { w in
                    terms.withUnsafeMutableBufferPointer { out in
                        let (ps, ts, ws, os) = (p.baseAddress!, t.baseAddress!, w.baseAddress!, out.baseAddress!)
                        parallelRanges(out.count, grain: 1 << 14) { range in
                            for i in range where !ts[i].isNaN { os[i] = ws[i] * loss.value(ps[i], ts[i]) }
                        }
                    }
                }
                for i in 0..<target.count where !t[i].isNaN { total += scale[i] }
            }
        }
        let denominator = Swift.max(total, .leastNormalMagnitude)
        let mean = Tensor(terms, shape: prediction.shape).sum().item / denominator
        return .recorded([], [mean], (prediction, { g in
            let factor = g.item / denominator
            var slopes = [Float](repeating: 0, count: target.count)
            prediction.scalars.withUnsafeBufferPointer { p in
                target.scalars.withUnsafeBufferPointer { t in
                    scale.withUnsafeBufferPointer { w in
                        slopes.withUnsafeMutableBufferPointer { out in
                            let (ps, ts, ws, os) = (p.baseAddress!, t.baseAddress!, w.baseAddress!, out.baseAddress!)
                            parallelRanges(out.count, grain: 1 << 14) { range in
                                for i in range where !ts[i].isNaN { os[i] = factor * ws[i] * loss.slope(ps[i], ts[i]) }
                            }
                        }
                    }
                }
            }
            return Tensor(slopes, shape: prediction.shape)
        }))
    }

    private func categorical(_ logits: Tensor, _ labels: Tensor, classWeights: [Float]?) -> Tensor {
        require(logits.rank == 2 && labels.shape == [logits.shape[0]],
                "categoricalCrossEntropy: logits \(logits.shape) need class indices of shape [\(logits.shape.first ?? 0)], got \(labels.shape)")
        let classes = logits.shape[1]
        var picks = [Float](repeating: 0, count: logits.count)
        for (row, label) in labels.scalars.enumerated() where !label.isNaN {
            require(label >= 0 && label < Float(classes) && label == label.rounded(),
                    "categoricalCrossEntropy: label \(label) is not a class index in 0..<\(classes)")
            picks[row * classes + Int(label)] = classWeights?[Int(label)] ?? 1
        }
        let weights = Tensor(picks, shape: logits.shape)
        return -(logits.logSoftmax(axis: 1) * weights).sum() / Swift.max(weights.sum().item, .leastNormalMagnitude)
    }
}

/// One entry's loss and its derivative with respect to the prediction, side by side; a type
/// per loss so the fused kernel is specialised for each.
protocol PointwiseLoss: Sendable {
    func value(_ prediction: Float, _ target: Float) -> Float
    func slope(_ prediction: Float, _ target: Float) -> Float
}

struct SquaredError: PointwiseLoss {
    func value(_ p: Float, _ t: Float) -> Float { (p - t) * (p - t) }
    func slope(_ p: Float, _ t: Float) -> Float { 2 * (p - t) }
}

struct AbsoluteError: PointwiseLoss {
    func value(_ p: Float, _ t: Float) -> Float { Swift.abs(p - t) }
    func slope(_ p: Float, _ t: Float) -> Float { p > t ? 1 : (p < t ? -1 : 0) }
}

struct HuberError: PointwiseLoss {
    let delta: Float
    func value(_ p: Float, _ t: Float) -> Float {
        let size = Swift.abs(p - t)
        return size <= delta ? 0.5 * size * size : delta * (size - 0.5 * delta)
    }
    func slope(_ p: Float, _ t: Float) -> Float { Swift.min(Swift.max(p - t, -delta), delta) }
}

/// Binary cross-entropy on a logit x: log(1 + eˣ) - x·y, stable for large |x|; its slope is σ(x) - y.
struct LogisticError: PointwiseLoss {
    func value(_ x: Float, _ y: Float) -> Float { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) - x * y }
    func slope(_ x: Float, _ y: Float) -> Float { 1 / (1 + Foundation.exp(-x)) - y }
}
