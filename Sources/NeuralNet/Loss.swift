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
        if self == .categoricalCrossEntropy { return categorical(prediction, target, classWeights: weights?.scalars) }
        require(prediction.shape == target.shape,
                "\(self): prediction of shape \(prediction.shape) and target of shape \(target.shape) differ")
        let labelled = Tensor(target.scalars.map { $0.isNaN ? 0 : 1 }, shape: target.shape)
        let filled = Tensor(target.scalars.map { $0.isNaN ? 0 : $0 }, shape: target.shape)
        let scale = weights.map { labelled * $0.detached } ?? labelled
        require(scale.shape == target.shape, "\(self): weights of shape \(weights?.shape ?? []) do not fit targets \(target.shape)")
        return (elementwise(prediction, filled) * scale).sum() / Swift.max(scale.sum().item, .leastNormalMagnitude)
    }

    private func elementwise(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        switch self {
        case .meanSquaredError:
            let residual = prediction - target
            return residual * residual
        case .meanAbsoluteError:
            return (prediction - target).abs()
        case .huber(let delta):
            let residual = prediction - target
            let size = residual.abs()
            let inside = Tensor(size.scalars.map { $0 <= delta ? 1 : 0 }, shape: size.shape)
            return Tensor.where(inside, 0.5 * residual * residual, delta * (size - 0.5 * delta))
        case .binaryCrossEntropy:
            // log(1 + eˣ) - x·y; its gradient is exactly sigmoid(x) - y.
            return prediction.softplus() - prediction * target
        case .categoricalCrossEntropy:
            fatalError("categorical cross-entropy compares logits with class indices, not elementwise")
        }
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
