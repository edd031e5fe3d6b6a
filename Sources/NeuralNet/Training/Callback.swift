import TensorCore

/// Hooks into a training run. Every hook has a default that does nothing.
public protocol Callback: AnyObject {
    func trainingWillBegin(_ trainer: Trainer)
    func epochWillBegin(_ trainer: Trainer, epoch: Int, of epochs: Int)
    func batchDidEnd(_ trainer: Trainer, batch: Int, samples: Int, of total: Int, loss: Double)
    func epochDidEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double])
    func trainingDidEnd(_ trainer: Trainer)
}

extension Callback {
    public func trainingWillBegin(_ trainer: Trainer) {}
    public func epochWillBegin(_ trainer: Trainer, epoch: Int, of epochs: Int) {}
    public func batchDidEnd(_ trainer: Trainer, batch: Int, samples: Int, of total: Int, loss: Double) {}
    public func epochDidEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) {}
    public func trainingDidEnd(_ trainer: Trainer) {}
}

/// Stops when a monitored figure (by default `val_loss`) has not improved for `patience`
/// epochs, and optionally puts the trainer back as it was at the end of the best epoch: the
/// weights, and with them the optimizer's state, learning rate and the count of completed
/// epochs, so that a checkpoint saved afterwards resumes from that epoch, not from a mix of it
/// and the last.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let patience: Int
    public let minimumImprovement: Double
    public let restoreBestWeights: Bool
    public private(set) var bestEpoch: Int?
    public private(set) var best = Double.infinity
    private var bestState: TrainerState?

    public init(monitor: String = "val_loss", patience: Int = 10, minimumImprovement: Double = 0, restoreBestWeights: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minimumImprovement = minimumImprovement
        self.restoreBestWeights = restoreBestWeights
    }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) {
        guard let value = logs[monitor], value.isFinite else { return }
        if value < best - minimumImprovement {
            best = value
            bestEpoch = epoch
            if restoreBestWeights { bestState = TrainerState(trainer) }
        } else if let bestEpoch, epoch - bestEpoch >= patience {
            trainer.stopRequested = true
        }
    }

    public func trainingDidEnd(_ trainer: Trainer) {
        guard restoreBestWeights else { return }
        bestState?.restore(into: trainer)
    }
}

/// What a resume needs of a trainer at the end of an epoch: its weights, and its optimizer's
/// state and epoch count as a checkpoint keeps them.
private struct TrainerState {
    let weights: [Tensor]
    let optimizer: ModelFile.OptimizerState

    init(_ trainer: Trainer) {
        weights = trainer.model.namedParameters.map { $0.parameter.value.detached }
        let optimizer = trainer.optimizer
        self.optimizer = ModelFile.OptimizerState(name: type(of: optimizer).name, iterations: optimizer.iterations, learningRate: optimizer.learningRate,
                                                  completedEpochs: trainer.completedEpochs, slots: optimizer.state)
    }

    func restore(into trainer: Trainer) {
        for ((_, parameter), saved) in zip(trainer.model.namedParameters, weights) {
            try? parameter.assign(saved)
        }
        // The state was taken from this optimizer, so it fits it.
        try? optimizer.restore(into: trainer.optimizer)
        trainer.completedEpochs = optimizer.completedEpochs
    }
}

/// Multiplies the learning rate by `factor` when a monitored figure has not improved for
/// `patience` epochs. Use it without a ``LearningRateSchedule``, which would overrule it.
public final class ReduceLearningRateOnPlateau: Callback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let minimumRate: Float
    private var best = Double.infinity
    private var waited = 0

    public init(monitor: String = "val_loss", factor: Float = 0.5, patience: Int = 5, minimumRate: Float = 1e-6) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minimumRate = minimumRate
    }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) {
        guard let value = logs[monitor] else { return }
        if value < best {
            best = value
            waited = 0
        } else {
            waited += 1
            if waited >= patience {
                trainer.optimizer.learningRate = Swift.max(trainer.optimizer.learningRate * factor, minimumRate)
                waited = 0
            }
        }
    }
}
