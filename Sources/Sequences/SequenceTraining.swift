import Foundation
import NeuralNet
import TensorCore

/// How a sequence classifier is trained.
public struct SequenceTrainingOptions: Sendable, Codable, Equatable {
    public var split: String? = nil
    public var cell: Recurrent.Cell = .gru
    public var hidden = 64
    public var layers = 1
    public var bidirectional = false
    /// Default: last after recurrent layers; mean for convolutions only, whose last step sees one window.
    public var pooling: SequenceSettings.Pooling? = nil
    public var dropout: Float = 0.2
    public var convolutions: [Int] = []
    public var epochs = 60
    public var patience = 10
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 1e-4
    public var gradientClipNorm: Float = 5
    public var seed: UInt64 = 0
    /// Members of an ensemble, each with its own seed derived from `seed` (the first uses the seed itself).
    public var ensemble = 1

    public init() {}
}

/// Batches of sequences with their step masks and static descriptors as auxiliary tensors.
public struct SequenceBatches: BatchSource {
    public let set: SequenceSet
    public let rows: [Int]
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    public var sampleCount: Int { rows.count }

    public func batches(epoch: Int) -> [Batch] {
        EpochOrder(rows: rows, batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch).batches.map { rows in
            let batch = Array(rows)
            var auxiliary = ["mask": set.stepMask.gather(batch)]
            auxiliary["statics"] = set.statics?.gather(batch)
            return Batch(inputs: set.sequences.gather(batch), targets: Tensor(batch.map { Float(set.labels[$0]) }), auxiliary: auxiliary)
        }
    }
}

/// Trains on a stored split's training part, early-stopping on its validation part (10 % of
/// training, carved with the seed, when it has none); for two classes the event-1 threshold is
/// chosen on that validation part too. An ensemble's members share the parts and differ in the
/// seed of their initialisation, batch order and dropout.
public func trainSequenceModel(_ set: SequenceSet, options: SequenceTrainingOptions, callbacks: [any Callback] = [],
                               record: [String: String] = [:]) throws -> (model: SequenceModel, histories: [History]) {
    require(options.ensemble >= 1, "trainSequenceModel: an ensemble needs at least one member")
    let split = try set.labelled.chosenSplit(options.split)
    let (train, validation) = try set.labelled.trainingParts(split, seed: options.seed, noun: "sequences")
    var settings = SequenceSettings(features: set.sequences.shape[2], statics: set.statics?.shape[1] ?? 0, classes: set.classes.count)
    (settings.cell, settings.hidden, settings.layers) = (options.cell, options.hidden, options.layers)
    (settings.bidirectional, settings.pooling, settings.dropout) = (options.bidirectional, options.pooling ?? (options.layers == 0 ? .mean : .last), options.dropout)
    settings.convolutions = options.convolutions
    try requireTrainingMemory(settings.weightShapes, members: options.ensemble, of: "the sequence network")
    let validationLabels = validation.map { set.labels[$0] }
    var members: [SequenceNetwork] = [], histories: [History] = []
    for seed in Ensemble.memberSeeds(options.seed, count: options.ensemble) {
        let (network, history) = trainMember(set, settings: settings, options: options, seed: seed, parts: (train, validation),
                                             validationLabels: validationLabels, callbacks: callbacks)
        members.append(network)
        histories.append(history)
    }
    var fullRecord = record
    fullRecord["options"] = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
    fullRecord["split"] = split
    let trainingRecord = String(decoding: try JSONEncoder().encode(fullRecord), as: UTF8.self)
    let provisional = SequenceModel(members: members, classes: set.classes, threshold: 0.5, trainingRecord: trainingRecord, inputs: set.inputs)
    guard set.classes.count == 2 else { return (provisional, histories) }
    let probabilities = try provisional.probabilities(set.records, rows: validation)
    let threshold = SequenceReport.bestThreshold(stride(from: 1, to: probabilities.count, by: 2).map { probabilities.scalars[$0] }, validationLabels)
    return (SequenceModel(members: members, classes: set.classes, threshold: threshold, trainingRecord: trainingRecord, inputs: set.inputs), histories)
}

private func trainMember(_ set: SequenceSet, settings: SequenceSettings, options: SequenceTrainingOptions, seed: UInt64,
                         parts: (train: [Int], validation: [Int]), validationLabels: [Int],
                         callbacks: [any Callback]) -> (SequenceNetwork, History) {
    var generator = RandomGenerator(seed: seed)
    let network = SequenceNetwork(settings, generator: &generator)
    let trainer = Trainer(model: network, optimizer: AdamW(learningRate: options.learningRate, weightDecay: options.weightDecay),
                          gradientClipNorm: options.gradientClipNorm,
                          callbacks: callbacks + [EarlyStopping(monitor: "val_loss", patience: options.patience)], seed: seed)
    let single = SequenceModel(members: [network], classes: set.classes, threshold: 0.5, trainingRecord: "{}", inputs: set.inputs)
    let history = trainer.fit(
        epochs: options.epochs, training: SequenceBatches(set: set, rows: parts.train, batchSize: options.batchSize, shuffle: true, seed: seed),
        validation: SequenceBatches(set: set, rows: parts.validation, batchSize: 256, shuffle: false, seed: 0),
        loss: { batch in
            Loss.categoricalCrossEntropy(network(batch.inputs, mask: batch.auxiliary["mask"], statics: batch.auxiliary["statics"]), batch.targets)
        },
        metrics: {
            let report = SequenceReport(probabilities: (try? single.probabilities(set.records, rows: parts.validation)) ?? Tensor.zeros([1, 1]),
                                        labels: validationLabels, threshold: nil)
            return ["val_accuracy": report.accuracy, "val_auc": report.rocAUC]
        })
    return (network, history)
}
