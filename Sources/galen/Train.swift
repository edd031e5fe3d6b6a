import ArgumentParser
import DrugDiscovery
import Foundation
import NeuralNet

/// `galen train`: a denoising autoencoder and efficacy head on a compound library.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a denoising autoencoder and efficacy head on a compound library.",
        discussion: """
            The validation part (from the split, or carved from its training part) drives early stopping; \
            the test part is never seen. The model file keeps the task names, target statistics and settings.
            """)

    @Option(help: "The compound library (HDF5, compound-library contract).")
    var library: String

    @Option(parsing: .upToNextOption, help: "Assays to predict, separated by spaces (default: all in the library).")
    var tasks: [String] = []

    @Option(help: "A split stored in the library, or random, or scaffold (a stored split of either name wins); default: the library's only stored split, else random.")
    var split: String?

    @Option(help: "An unlabelled library whose compounds join the reconstruction objective.")
    var pretrain: String?

    @Option(help: "joint (reconstruction and regression together) or pretrain (reconstruction first, then the head).")
    var mode: EfficacyTrainingOptions.Mode = .joint

    @Option(parsing: .unconditional, help: "Latent code size.")
    var latent = 128

    @Option(parsing: .unconditional, help: "Width of the encoder's and decoder's hidden layer.")
    var hidden = 1024

    @Option(parsing: .unconditional, help: "Width of the efficacy head's hidden layer.")
    var head = 256

    @Option(parsing: .unconditional, help: "Maximum epochs (early stopping usually ends sooner).")
    var epochs = 150

    @Option(parsing: .unconditional, help: "Epochs without validation improvement before stopping.")
    var patience = 20

    @Option(parsing: .unconditional, help: "Reconstruction-only epochs in pretrain mode.")
    var pretrainEpochs = 30

    @Option(parsing: .unconditional, help: "Samples per batch.")
    var batchSize = 64

    @Option(parsing: .unconditional, help: "AdamW learning rate.")
    var learningRate: Float = 1e-3

    @Option(parsing: .unconditional, help: "AdamW weight decay.")
    var weightDecay: Float = 1e-4

    @Option(parsing: .unconditional, help: "Dropout rate in hidden layers.")
    var dropout: Float = 0.2

    @Option(help: "Input corruption: flip, mask or gaussian.")
    var noise: FingerprintNoise.Kind = .flip

    @Option(parsing: .unconditional, help: "Corruption level (flip or mask probability, or Gaussian standard deviation).")
    var noiseLevel: Float = 0.01

    @Option(parsing: .unconditional, help: "Weight of the reconstruction loss in joint mode.")
    var reconstructionWeight: Float = 0.1

    @Flag(help: "In pretrain mode, keep the encoder fixed while the head trains.")
    var freezeEncoder = false

    @Option(parsing: .unconditional, help: "Train this many members with different seeds; predictions give their mean and spread.")
    var ensemble = 1

    @Option(parsing: .unconditional, help: "Seed for initialisation, shuffling, noise, and random and scaffold splits (not stored ones).")
    var seed: UInt64 = 0

    @Option(help: "Write the per-epoch history to this CSV or JSON file when training ends (--overwrite replaces it too).")
    var history: String?

    @OptionGroup var output: OutputFile

    func validate() throws {
        guard ensemble >= 1 else { throw ValidationError("--ensemble needs at least 1 member, not \(ensemble)") }
        guard epochs >= 1 && batchSize >= 1 && latent >= 1 && hidden >= 1 && head >= 1 else {
            throw ValidationError("--epochs, --batch-size, --latent, --hidden and --head must be positive")
        }
        try SizeLimit.check(["--latent": latent, "--hidden": hidden, "--head": head], atMost: SizeLimit.width)
        try SizeLimit.check(["--ensemble": ensemble], atMost: SizeLimit.members)
        guard (0..<1).contains(dropout), noiseLevel.isFinite, noiseLevel >= 0, noise == .gaussian || noiseLevel <= 1,
              learningRate.isFinite, learningRate > 0
        else {
            throw ValidationError("--dropout must be in [0, 1), --noise-level in [0, 1] (any non-negative for gaussian), --learning-rate positive")
        }
        guard weightDecay.isFinite, weightDecay >= 0, reconstructionWeight.isFinite, reconstructionWeight >= 0 else {
            throw ValidationError("--weight-decay and --reconstruction-weight must be non-negative numbers")
        }
        guard patience >= 0, pretrainEpochs >= 0 else { throw ValidationError("--patience and --pretrain-epochs must be at least 0") }
        guard !freezeEncoder || mode == .pretrain else { throw ValidationError("--freeze-encoder is for --mode pretrain (in joint mode the encoder learns from both losses)") }
        guard Set(tasks).count == tasks.count else { throw ValidationError("--tasks names an assay twice") }
        try output.refuseOverwriting([library, pretrain])
        if let history {
            try OutputFile.check(history, overwrite: output.overwrite, option: "--history")
            guard URL(fileURLWithPath: history).resolvingSymlinksInPath() != URL(fileURLWithPath: output.path).resolvingSymlinksInPath() else {
                throw ValidationError("--history and --out name the same file")
            }
            try OutputFile.refuse(history, overwriting: [library, pretrain, output.path])
        }
    }

    func run() throws {
        let data = try CompoundLibrary.load(library)
        let unlabelled = try pretrain.map(CompoundLibrary.load)
        let method = data.splitMethod(named: split ?? (data.splits.count == 1 ? data.splits.keys.first! : "random"))
        let parts = try data.split(method, seed: seed)
        var options = EfficacyTrainingOptions()
        options.mode = mode
        options.encoderWidths = [hidden, latent]
        options.decoderWidths = [hidden]
        options.headWidths = [head]
        options.epochs = epochs
        options.patience = patience
        options.pretrainEpochs = pretrainEpochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.weightDecay = weightDecay
        options.dropout = dropout
        options.noise = noise
        options.noiseLevel = noiseLevel
        options.reconstructionWeight = reconstructionWeight
        options.freezeEncoder = freezeEncoder
        options.seed = seed
        options.ensemble = ensemble
        let heading = """
            galen train: \(data.count) compounds in \(library), split \(method): \(parts.train.count) train, \
            \(parts.validation.count) validation, \(parts.test.count) test (unused)
            """
        var callbacks: [any Callback] = [ProgressDisplay(heading: heading, members: ensemble, runsPerMember: options.runsPerMember)]
        let historyLogger = history.map { HistoryLogger(url: URL(fileURLWithPath: $0)) }
        if let historyLogger { callbacks.append(historyLogger) }
        let result = try trainEfficacyModel(
            library: data, tasks: tasks.isEmpty ? nil : tasks, split: parts, unlabelled: unlabelled, options: options,
            callbacks: callbacks, record: ["library": library, "split": method.description, "split_stored": "\(method.isStored)", "pretrain": pretrain ?? ""])
        let saveModel = { try result.model.save(to: output.path, optimizer: result.optimizer, completedEpochs: result.completedEpochs) }
        // The history is moved into place just after the model: a failure before the model is in place leaves both earlier files.
        if let historyLogger { try historyLogger.save(then: saveModel) } else { try saveModel() }
        let reports = try result.model.evaluate(data, rows: parts.validation, modelPath: output.path)
        // Early stopping keeps the last epoch when no epoch had a validation RMSE to choose by.
        let chosen = result.histories.allSatisfy { $0["val_rmse"].contains(where: \.isFinite) }
        let kept = zip(result.keptEpochs, result.histories).map { "\($0) of \($1.epochs.count)" }
        let reason = chosen ? "the lowest validation RMSE" : "the last (no validation RMSE to choose by)"
        print(kept.count == 1 ? "kept epoch \(kept[0]), \(reason)" : "members kept epochs \(kept.joined(separator: ", ")), \(chosen ? "each its lowest validation RMSE" : reason)")
        print("validation metrics (\(parts.validation.count) compounds):")
        print(reportTable(reports))
        print("model written to \(output.path)")
    }
}

extension EfficacyTrainingOptions.Mode: ExpressibleByArgument {}

extension FingerprintNoise.Kind: ExpressibleByArgument {}
