import NeuralNet
import Testing
import TensorCore

@Suite("Training loop")
struct TrainerTests {
    func classifier(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential([
            ("hidden", Dense(96, 32, initializer: .heNormal, generator: &generator) as any Layer),
            ("relu", Activation(.relu)), ("dropout", Dropout(rate: 0.2)),
            ("output", Dense(32, 1, generator: &generator)),
        ])
    }

    @Test func learnsRealHeartbeatsBeyondChance() throws {
        let train = try ucr("ecg200/ECG200_TRAIN.txt"), test = try ucr("ecg200/ECG200_TEST.txt")
        let model = classifier(seed: 1)
        let trainer = Trainer(model: model, optimizer: Adam(learningRate: 3e-3), seed: 1)
        let batches = TensorBatches(inputs: train.series, targets: train.labels, batchSize: 16, seed: 1)
        let history = trainer.fit(epochs: 60, training: batches) { Loss.binaryCrossEntropy(model($0.inputs), $0.targets) }
        #expect(history["loss"].last! < history["loss"].first! * 0.5, "training loss \(history["loss"])")
        let scores = model.predict(test.series).scalars
        let accuracy = Metrics.accuracy(scores.map { $0 > 0 ? 1 : 0 }, test.labels.scalars)
        // Always guessing the majority class scores 0.64 on this test set.
        #expect(accuracy >= 0.8, "ECG200 test accuracy \(accuracy)")
    }

    @Test func earlyStoppingRestoresTheBestEpoch() throws {
        let train = try ucr("ecg200/ECG200_TRAIN.txt")
        let fit = TensorBatches(inputs: train.series.slice(axis: 0, 0..<20), targets: train.labels.slice(axis: 0, 0..<20), batchSize: 10)
        let validation = TensorBatches(inputs: train.series.slice(axis: 0, 20..<100), targets: train.labels.slice(axis: 0, 20..<100),
                                       batchSize: 80, shuffle: false)
        let model = classifier(seed: 2)
        let stopper = EarlyStopping(patience: 3)
        // A high learning rate on 20 samples overfits fast, so validation loss turns up early.
        // A falling rate, so that the last epoch's differs from the best's.
        let schedule = LearningRateSchedule.step(initial: 0.05, factor: 0.98, every: 1)
        let trainer = Trainer(model: model, optimizer: Adam(learningRate: 0.05), schedule: schedule, callbacks: [stopper], seed: 2)
        let loss = { (batch: Batch) in Loss.binaryCrossEntropy(model(batch.inputs), batch.targets) }
        let history = trainer.fit(epochs: 200, training: fit, validation: validation, loss: loss)
        let best = try #require(stopper.bestEpoch)
        #expect(history.epochs.count < 200 && history.epochs.count == best + 4, "stopped \(3) epochs after the best")
        #expect(abs(trainer.evaluate(validation, loss: loss) - history["val_loss"][best]) < 1e-6)

        // The optimizer and the epoch count go back with the weights: the trainer is as a run
        // that stopped at the best epoch left it, so a checkpoint of it resumes from there.
        let straight = classifier(seed: 2)
        let straightTrainer = Trainer(model: straight, optimizer: Adam(learningRate: 0.05), schedule: schedule, seed: 2)
        straightTrainer.fit(epochs: best + 1, training: fit) { Loss.binaryCrossEntropy(straight($0.inputs), $0.targets) }
        #expect(trainer.completedEpochs == best + 1 && trainer.optimizer.iterations == straightTrainer.optimizer.iterations)
        #expect(trainer.optimizer.learningRate == schedule.learningRate(epoch: best))
        for ((name, a), (_, b)) in zip(straight.namedParameters, model.namedParameters) {
            #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), "\(name) differs")
        }
        let (restored, expected) = (trainer.optimizer.state, straightTrainer.optimizer.state)
        #expect(restored.map(\.name) == expected.map(\.name) && !expected.isEmpty)
        for (a, b) in zip(restored, expected) {
            #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), "optimizer state \(a.name) differs")
        }
    }

    @Test func resumingFromSavedStateRepeatsAStraightRunBitForBit() throws {
        let train = try ucr("ecg200/ECG200_TRAIN.txt")
        let batches = TensorBatches(inputs: train.series, targets: train.labels, batchSize: 16, seed: 3)
        func run(_ model: Sequential, _ trainer: Trainer, to epochs: Int) {
            trainer.fit(epochs: epochs, training: batches) { Loss.binaryCrossEntropy(model($0.inputs), $0.targets) }
        }
        let straight = classifier(seed: 3)
        run(straight, Trainer(model: straight, optimizer: Adam(learningRate: 1e-3), seed: 3), to: 8)

        let first = classifier(seed: 3), firstTrainer = Trainer(model: first, optimizer: Adam(learningRate: 1e-3), seed: 3)
        run(first, firstTrainer, to: 4)
        let resumed = classifier(seed: 99)
        for ((_, target), (_, source)) in zip(resumed.namedParameters, first.namedParameters) {
            try target.assign(source.value)
        }
        let optimizer = Adam(learningRate: 1e-3)
        try optimizer.restore(state: firstTrainer.optimizer.state, iterations: firstTrainer.optimizer.iterations)
        let resumedTrainer = Trainer(model: resumed, optimizer: optimizer, seed: 3)
        resumedTrainer.completedEpochs = 4
        run(resumed, resumedTrainer, to: 8)
        for ((name, a), (_, b)) in zip(straight.namedParameters, resumed.namedParameters) {
            #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), "\(name) differs")
        }
    }
}
