import Foundation
import NeuralNet
import TensorCore

/// How a drug-discovery model is trained.
public struct EfficacyTrainingOptions: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Reconstruction and regression losses together, every epoch.
        case joint
        /// Reconstruction alone for `pretrainEpochs`, then the head on labelled compounds.
        case pretrain
    }

    public var mode: Mode = .joint
    public var encoderWidths: [Int] = [1024, 128]
    public var decoderWidths: [Int] = [1024]
    public var headWidths: [Int] = [256]
    public var dropout: Float = 0.2
    public var batchNorm = false
    public var noise: FingerprintNoise.Kind = .flip
    public var noiseLevel: Float = 0.01
    public var epochs = 150
    public var pretrainEpochs = 30
    public var patience = 20
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 1e-4
    /// The weight of the reconstruction loss in joint training.
    public var reconstructionWeight: Float = 0.1
    /// How much more an on-bit counts than an off-bit in the reconstruction loss.
    public var onBitWeight: Float = 5
    /// In pretrain mode, keep the encoder fixed while the head trains.
    public var freezeEncoder = false
    /// Members of an ensemble, each trained with its own seed derived from `seed`.
    public var ensemble = 1
    public var seed: UInt64 = 0

    public init() {}

    /// How many training runs make one member: two in pretrain mode (reconstruction, then the
    /// head), one otherwise.
    public var runsPerMember: Int { mode == .pretrain ? 2 : 1 }

    func settings(inputBits: Int, tasks: Int) throws -> AutoencoderSettings {
        let settings = AutoencoderSettings(inputBits: inputBits, encoderWidths: encoderWidths, decoderWidths: decoderWidths,
                                           headWidths: headWidths, tasks: tasks, dropout: dropout, batchNorm: batchNorm,
                                           noise: noise, noiseLevel: noiseLevel)
        try requireTrainingMemory(settings.weightShapes, members: ensemble, of: "the autoencoder")
        return settings
    }
}

/// What training produced; the optimizer's state (for resuming) only for a single model.
public struct EfficacyTrainingResult {
    public let model: EfficacyModel
    public let histories: [History]
    public let optimizer: Optimizer?
    /// The epoch (1-based) each member kept: the best on validation, which early stopping restores.
    public let keptEpochs: [Int]
    /// The epochs a checkpoint of the model records as completed.
    public var completedEpochs: Int { keptEpochs.max() ?? 0 }
}

/// Trains an autoencoder and efficacy head (or `options.ensemble` of them, with seeds derived
/// from `options.seed`; the first uses the seed itself) on `library`'s `tasks` (all assays when
/// nil), early-stopping on the validation part of `split`. `unlabelled` compounds (a
/// pre-training library) join the reconstruction objective only.
public func trainEfficacyModel(
    library: CompoundLibrary, tasks: [String]?, split: DataSplit, unlabelled: CompoundLibrary? = nil,
    options: EfficacyTrainingOptions, callbacks: [any Callback] = [], record: [String: String] = [:]
) throws -> EfficacyTrainingResult {
    require(options.ensemble >= 1, "trainEfficacyModel: an ensemble needs at least one member")
    let names = tasks ?? library.assayNames
    let members = try Ensemble.memberSeeds(options.seed, count: options.ensemble).map { seed in
        var memberOptions = options
        memberOptions.seed = seed
        return try trainMember(library: library, names: names, split: split, unlabelled: unlabelled,
                               options: memberOptions, callbacks: callbacks)
    }
    var fullRecord = record
    fullRecord["options"] = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
    let columns = try library.assayColumns(names)
    let units = library.assayUnits.map { units in columns.map { units[$0] } } ?? names.map { _ in "" }
    let model = EfficacyModel(members: members.map(\.network), taskNames: names, taskUnits: units, scaling: members[0].scaling,
                              trainingRecord: String(decoding: try JSONEncoder().encode(fullRecord), as: UTF8.self),
                              fingerprintMethod: library.fingerprintMethod)
    return EfficacyTrainingResult(model: model, histories: members.map(\.history),
                                  optimizer: members.count == 1 ? members[0].optimizer : nil,
                                  keptEpochs: members.map(\.completedEpochs))
}

private struct MemberResult {
    let network: DenoisingAutoencoder
    let scaling: TargetScaling
    let history: History
    let optimizer: Optimizer
    let completedEpochs: Int
}

private func trainMember(
    library: CompoundLibrary, names: [String], split: DataSplit, unlabelled: CompoundLibrary?,
    options: EfficacyTrainingOptions, callbacks: [any Callback]
) throws -> MemberResult {
    guard !names.isEmpty else { throw LibraryError(path: library.path, problems: ["has no assays to train on"]) }
    let columns = try library.assayColumns(names)
    if let unlabelled {
        try requireFingerprints(bits: unlabelled.bits, method: unlabelled.fingerprintMethod, of: unlabelled.path,
                                like: (library.bits, library.fingerprintMethod), as: "the library \(library.path) has")
    }
    let labelledTrain = split.train.filter { row in columns.contains { !library.values[row * library.assayCount + $0].isNaN } }
    guard !labelledTrain.isEmpty else { throw LibraryError(path: library.path, problems: ["the training split has no measured values for \(names)"]) }

    let scaling = TargetScaling(values: library.values(split.train, columns: columns).scalars, tasks: names.count,
                                rows: Array(split.train.indices))
    var generator = RandomGenerator(seed: options.seed)
    let network = DenoisingAutoencoder(try options.settings(inputBits: library.bits, tasks: names.count), generator: &generator)
    let optimizer = AdamW(learningRate: options.learningRate, weightDecay: options.weightDecay)

    func batches(_ rows: [Int], shuffle: Bool, seed: UInt64) -> CompoundBatches {
        CompoundBatches(library: library, rows: rows, columns: columns, taskCount: names.count, scaling: scaling,
                        batchSize: options.batchSize, shuffle: shuffle, seed: seed)
    }
    var trainingParts = [batches(split.train, shuffle: true, seed: options.seed)]
    if let unlabelled {
        trainingParts.append(CompoundBatches(library: unlabelled, rows: Array(0..<unlabelled.count), columns: nil, taskCount: names.count,
                                             scaling: scaling, batchSize: options.batchSize, shuffle: true, seed: mixSeed(options.seed, 2)))
    }
    let validation = batches(split.validation, shuffle: false, seed: 0)
    // Early stopping watches the mean over tasks of the RMSE in each assay's own units.
    let validationInputs = library.fingerprints(split.validation)
    let validationTargets = library.values(split.validation, columns: columns).scalars
    let validationRMSE = { () -> [String: Double] in
        let predicted = scaling.original(network.predict(validationInputs).scalars, tasks: names.count)
        let cells = { (task: Int) in stride(from: task, to: predicted.count, by: names.count) }
        // The mean over the tasks measured in validation; a diverged model's NaN stays NaN.
        let measured = names.indices.filter { task in cells(task).contains { !validationTargets[$0].isNaN } }
        let perTask = measured.map { task in
            Metrics.rootMeanSquaredError(cells(task).map { predicted[$0] }, cells(task).map { validationTargets[$0] })
        }
        return ["val_rmse": perTask.isEmpty ? .nan : perTask.reduce(0, +) / Double(perTask.count)]
    }
    func reconstruction(_ logits: Tensor, _ bits: Tensor) -> Tensor {
        Loss.binaryCrossEntropy(logits, bits, weights: options.onBitWeight == 1 ? nil : bits * (options.onBitWeight - 1) + 1)
    }

    let history: History
    let trainer: Trainer
    switch options.mode {
    case .joint:
        trainer = Trainer(model: network, optimizer: optimizer, callbacks: callbacks + [EarlyStopping(monitor: "val_rmse", patience: options.patience)],
                          seed: options.seed)
        history = trainer.fit(epochs: options.epochs, training: ConcatenatedBatches(trainingParts), validation: validation, loss: { batch in
            let (_, logits, prediction) = network.forward(batch.inputs)
            return Loss.meanSquaredError(prediction, batch.targets) + options.reconstructionWeight * reconstruction(logits, batch.inputs)
        }, metrics: validationRMSE)
    case .pretrain:
        let autoencoder = Trainer(model: network, optimizer: optimizer, callbacks: callbacks, seed: options.seed)
        autoencoder.fit(epochs: options.pretrainEpochs, training: ConcatenatedBatches(trainingParts)) { batch in
            let (_, logits, _) = network.forward(batch.inputs)
            return reconstruction(logits, batch.inputs)
        }
        let headOptimizer = AdamW(learningRate: options.learningRate, weightDecay: options.weightDecay)
        trainer = Trainer(model: network, optimizer: headOptimizer,
                          callbacks: callbacks + [EarlyStopping(monitor: "val_rmse", patience: options.patience)], seed: mixSeed(options.seed, 3))
        history = trainer.fit(epochs: options.epochs, training: batches(labelledTrain, shuffle: true, seed: options.seed),
                              validation: validation, loss: { batch in
            let latent = options.freezeEncoder ? withoutGrad { network.encode(batch.inputs) } : network.encoder(network.noise(batch.inputs))
            return Loss.meanSquaredError(network.head(latent), batch.targets)
        }, metrics: validationRMSE)
    }

    return MemberResult(network: network, scaling: scaling, history: history, optimizer: trainer.optimizer,
                        completedEpochs: trainer.completedEpochs)
}
