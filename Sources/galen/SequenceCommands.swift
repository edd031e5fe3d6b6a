import ArgumentParser
import Foundation
import HDF5
import NeuralNet
import Sequences
import TensorCore

/// `galen sequence`: recurrent models for clinical sequences.
struct Sequence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, evaluate and apply LSTM/GRU models on sequence sets (sequence-set/1 contract).",
        subcommands: [SequenceTrain.self, SequenceEvaluate.self, SequencePredict.self])
}

struct SequenceTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train an LSTM or GRU classifier.")

    @Option(help: "The sequence set (HDF5).")
    var data: String

    @Option(help: "The stored split (default: the file's only one).")
    var split: String?

    @Option(help: "lstm or gru.")
    var cell: Recurrent.Cell = .gru

    @Option(parsing: .unconditional, help: "Hidden units per direction.")
    var hidden = 64

    @Option(parsing: .unconditional, help: "Stacked recurrent layers (0: convolutions only).")
    var layers = 1

    @Flag(help: "Read each sequence in both directions.")
    var bidirectional = false

    @Option(help: "last (the final state) or mean (over valid steps); default: last after recurrent layers, mean for convolutions only (whose last step sees one window).")
    var pooling: SequenceSettings.Pooling?

    @Option(parsing: .unconditional, help: "Dropout before the classifier.")
    var dropout: Float = 0.2

    @Option(parsing: .upToNextOption,
            help: "Filters of each 1-D convolution block (kernels 8, 5, then 3) before the recurrence, e.g. 128 256 128; none by default.")
    var convolution: [Int] = []

    @Option(parsing: .unconditional, help: "Maximum epochs.")
    var epochs = 60

    @Option(parsing: .unconditional, help: "Epochs without validation improvement before stopping.")
    var patience = 10

    @Option(parsing: .unconditional, help: "Sequences per batch.")
    var batchSize = 64

    @Option(parsing: .unconditional, help: "AdamW learning rate.")
    var learningRate: Float = 1e-3

    @Option(parsing: .unconditional, help: "Seed for initialisation, shuffling and the carved validation part.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Members of an ensemble (seeds derived from --seed); predictions are their mean.")
    var ensemble = 1

    @OptionGroup var output: OutputFile

    func validate() throws {
        guard epochs >= 1, batchSize >= 1, hidden >= 1, layers >= 0, ensemble >= 1, (0..<1).contains(dropout),
              learningRate.isFinite, learningRate > 0, convolution.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("""
                --epochs, --batch-size, --hidden, --convolution, --ensemble and --learning-rate must be positive, \
                --layers at least 0, --dropout in [0, 1)
                """)
        }
        try SizeLimit.check(["--hidden": hidden, "--convolution": convolution.max() ?? 1], atMost: SizeLimit.width)
        try SizeLimit.check(["--layers": layers, "--convolution blocks": convolution.count], atMost: SizeLimit.layers)
        try SizeLimit.check(["--ensemble": ensemble], atMost: SizeLimit.members)
        guard patience >= 0 else { throw ValidationError("--patience must be at least 0") }
        try output.refuseOverwriting([data])
        guard layers >= 1 || !convolution.isEmpty else { throw ValidationError("--layers 0 needs --convolution") }
        guard layers >= 1 || !bidirectional else { throw ValidationError("--bidirectional needs a recurrent layer") }
    }

    func run() throws {
        let set = try SequenceSet.load(data)
        var options = SequenceTrainingOptions()
        (options.split, options.cell, options.hidden, options.layers) = (split, cell, hidden, layers)
        (options.bidirectional, options.pooling, options.dropout, options.convolutions) = (bidirectional, pooling, dropout, convolution)
        (options.epochs, options.patience, options.batchSize, options.learningRate) = (epochs, patience, batchSize, learningRate)
        (options.seed, options.ensemble) = (seed, ensemble)
        let (model, _) = try trainSequenceModel(set, options: options, callbacks: [ProgressDisplay(members: ensemble)], record: ["data": data])
        try model.save(to: output.path)
        print("model written to \(output.path)")
    }
}

struct SequenceEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Accuracy, ROC-AUC, PR-AUC and (for two classes) the event-1 score on a split's part.",
        discussion: """
            For two classes, ROC-AUC and PR-AUC score class 1 (the second name in /classes) as the positive class; for more, \
            they are the mean over classes of each class against the rest. A class absent from the part has no ROC-AUC \
            (nan; null in --json).
            """)

    @Option(help: "The model file from galen sequence train.")
    var model: String

    @Option(help: "The sequence set.")
    var data: String

    @Option(help: "The part to score: train, validation or test.")
    var split: SplitPart = .test

    @Option(help: "The stored split (default: the one the model was trained on).")
    var splitName: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let trained = try SequenceModel.load(model)
        let set = try SequenceSet.load(data)
        let trainedOn = try trainedSplit(trained.trainingRecord, of: model)
        let name = try set.labelled.chosenSplit(splitName ?? trainedOn.name)
        let rows = try set.labelled.rows(split, of: name, seed: trainedOn.seed ?? 0, noun: "sequences")
        try trained.requireInputs(of: set.records)
        try requireSameClasses(set.classes, in: data, as: trained.classes, by: model)
        let probabilities = try finiteProbabilities(try trained.probabilities(set.records, rows: rows), rows: rows, model: model, data: data)
        let report = SequenceReport(probabilities: probabilities, labels: rows.map { set.labels[$0] },
                                    threshold: trained.classes.count == 2 ? trained.threshold : nil)
        if json {
            try printJSON(report)
        } else {
            print("\(split) part of split \(name): \(report.count) sequences")
            var line = "accuracy \(format(report.accuracy)), ROC-AUC \(format(report.rocAUC)), PR-AUC \(format(report.prAUC))"
            if let event1 = report.event1 { line += ", event-1 \(format(event1)) at threshold \(format(Double(trained.threshold)))" }
            print(line)
        }
    }
}

struct SequencePredict: ParsableCommand {
    /// The `galen_output` of the HDF5 files it writes.
    static let outputKind = "sequence-predictions/1"
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Class probabilities for every sequence, to HDF5 or CSV.")

    @Option(help: "The model file from galen sequence train.")
    var model: String

    @Option(help: "The sequence set; its labels and splits are not needed.")
    var data: String

    @OptionGroup var output: OutputFile

    func validate() throws { try output.refuseOverwriting([model, data]) }

    func run() throws {
        let trained = try SequenceModel.load(model)
        let set = try SequenceRecords.load(data)
        let probabilities = try finiteProbabilities(try trained.probabilities(set, rows: Array(0..<set.count)), model: model, data: data)
        try ClassProbabilities(kind: Self.outputKind, model: model, data: data, classes: trained.classes, probabilities: probabilities,
                               predicted: nil, ids: set.ids).write(to: output.path)
        print("probabilities for \(set.count) sequences written to \(output.path)")
    }
}

extension Recurrent.Cell: ExpressibleByArgument {}
extension SequenceSettings.Pooling: ExpressibleByArgument {}
