import Foundation
import TensorCore

/// Trains a model: epochs of shuffled batches, a loss, an optimizer, callbacks.
///
/// Randomness (batch order, dropout, noise) is a function of the seed and the epoch, and the
/// optimizer's state is saved with checkpoints, so training 4 epochs, saving, loading and training
/// 4 more gives the same weights, bit for bit, as 8 epochs straight.
public final class Trainer {
    public let model: any Layer
    public let optimizer: Optimizer
    public var schedule: LearningRateSchedule?
    /// Gradients are scaled down together when their joint norm exceeds this.
    public var gradientClipNorm: Float?
    public var callbacks: [any Callback]
    public let seed: UInt64
    /// Epochs completed so far, across resumes; set it when resuming from a checkpoint.
    public var completedEpochs = 0
    public private(set) var history = History()
    /// Set by a callback (early stopping) to end training after the current epoch.
    public var stopRequested = false

    public init(model: any Layer, optimizer: Optimizer, schedule: LearningRateSchedule? = nil,
                gradientClipNorm: Float? = nil, callbacks: [any Callback] = [], seed: UInt64 = 0) {
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.gradientClipNorm = gradientClipNorm
        self.callbacks = callbacks
        self.seed = seed
    }

    /// Trains until `epochs` epochs are complete in all (counting earlier runs) or a callback
    /// stops it. `loss` computes one batch's loss from the model's outputs; `metrics`, if given,
    /// adds validation figures to each epoch's logs.
    @discardableResult
    public func fit<Training: BatchSource, Validation: BatchSource>(
        epochs: Int, training: Training, validation: Validation?,
        loss: (Batch) -> Tensor, metrics: (() -> [String: Double])? = nil
    ) -> History {
        stopRequested = false
        for callback in callbacks { callback.trainingWillBegin(self) }
        while completedEpochs < epochs && !stopRequested {
            let epoch = completedEpochs
            if let schedule { optimizer.learningRate = schedule.learningRate(epoch: epoch) }
            reseedStochasticLayers(epoch: epoch)
            for callback in callbacks { callback.epochWillBegin(self, epoch: epoch, of: epochs) }
            var total = 0.0, seen = 0
            for (index, batch) in training.batches(epoch: epoch).enumerated() {
                let value = withTrainingMode { () -> Float in
                    let batchLoss = loss(batch)
                    batchLoss.backward()
                    return batchLoss.item
                }
                if let gradientClipNorm { clipGradients(of: model, maxNorm: gradientClipNorm) }
                optimizer.step(model)
                total += Double(value) * Double(batch.count)
                seen += batch.count
                for callback in callbacks {
                    callback.batchDidEnd(self, batch: index, samples: seen, of: training.sampleCount, loss: total / Double(seen))
                }
            }
            // The rate by its shortest decimal form, as given (0.001), not the float32's exact value widened (0.0010000000474974513).
            var logs = ["loss": total / Double(Swift.max(seen, 1)), "learning_rate": Double("\(optimizer.learningRate)")!]
            if let validation { logs["val_loss"] = evaluate(validation, loss: loss) }
            if let metrics { logs.merge(metrics()) { $1 } }
            completedEpochs += 1
            history.append(logs)
            for callback in callbacks { callback.epochDidEnd(self, epoch: epoch, logs: logs) }
        }
        for callback in callbacks { callback.trainingDidEnd(self) }
        return history
    }

    /// Trains without validation data.
    @discardableResult
    public func fit<Training: BatchSource>(epochs: Int, training: Training, loss: (Batch) -> Tensor) -> History {
        fit(epochs: epochs, training: training, validation: nil as TensorBatches?, loss: loss)
    }

    /// The mean loss over a source's batches, in evaluation mode and without a graph.
    public func evaluate<Source: BatchSource>(_ source: Source, loss: (Batch) -> Tensor) -> Double {
        withoutGrad {
            var total = 0.0, seen = 0
            for batch in source.batches(epoch: 0) {
                total += Double(loss(batch).item) * Double(batch.count)
                seen += batch.count
            }
            return total / Double(Swift.max(seen, 1))
        }
    }

    private func reseedStochasticLayers(epoch: Int) {
        for (index, layer) in model.allLayers.enumerated() {
            guard let stochastic = layer as? any StochasticLayer else { continue }
            stochastic.generator = RandomGenerator(seed: mixSeed(mixSeed(seed, UInt64(epoch)), UInt64(index)))
        }
    }
}

extension Layer {
    /// The model's outputs for `inputs`, in batches, in evaluation mode and without a graph.
    public func predict(_ inputs: Tensor, batchSize: Int = 1024) -> Tensor {
        withoutGrad {
            let rows = inputs.shape.first ?? 0
            guard rows > batchSize else { return self(inputs) }
            let parts = stride(from: 0, to: rows, by: batchSize).map { start in
                self(inputs.slice(axis: 0, start..<Swift.min(start + batchSize, rows)))
            }
            return Tensor.concatenate(parts, axis: 0)
        }
    }
}
