import ArgumentParser
import Foundation
import HDF5
import Imaging
import NeuralNet
import TensorCore

/// `galen image`: CNNs for medical image diagnosis.
struct Image: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, evaluate and apply CNNs on image sets (image-set/1 contract).",
        subcommands: [ImageTrain.self, ImageEvaluate.self, ImagePredict.self])
}

struct ImageTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a CNN on an image set.")

    @Option(help: "The image set (HDF5).")
    var data: String

    @Option(help: "cnn (the founding CNN) or resnet (a small residual network).")
    var model: ImageArchitecture = .cnn

    @Option(help: "The stored split to train on (its validation part, or 10 % of training, stops early); default: the file's only one.")
    var split: String?

    @Option(parsing: .unconditional, help: "Maximum epochs.")
    var epochs = 60

    @Option(parsing: .unconditional, help: "Epochs without validation improvement before stopping.")
    var patience = 15

    @Option(parsing: .unconditional, help: "Images per batch.")
    var batchSize = 32

    @Option(parsing: .unconditional, help: "AdamW learning rate.")
    var learningRate: Float = 1e-3

    @Option(parsing: .unconditional, help: "Dropout before the classifier.")
    var dropout: Float = 0.5

    @Flag(help: "Random flips, rotation, shift, zoom, brightness and contrast on training images.")
    var augment = false

    @Flag(help: "Weigh classes by the inverse of their training frequency.")
    var balanceClasses = false

    @Option(parsing: .unconditional, help: "Seed for initialisation, shuffling and augmentation.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Members of an ensemble (seeds derived from --seed); probabilities are their mean.")
    var ensemble = 1

    @OptionGroup var output: OutputFile

    func validate() throws {
        guard epochs >= 1, batchSize >= 1, ensemble >= 1, (0..<1).contains(dropout), learningRate.isFinite, learningRate > 0 else {
            throw ValidationError("--epochs, --batch-size and --ensemble must be positive, --dropout in [0, 1), --learning-rate positive")
        }
        guard patience >= 0 else { throw ValidationError("--patience must be at least 0") }
        try SizeLimit.check(["--ensemble": ensemble], atMost: SizeLimit.members)
        try output.refuseOverwriting([data])
    }

    func run() throws {
        let set = try ImageSet.load(data)
        var options = ImageTrainingOptions()
        options.architecture = model
        options.split = split
        options.epochs = epochs
        options.patience = patience
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.dropout = dropout
        options.augmentation = augment ? Augmentation() : nil
        options.balanceClasses = balanceClasses
        options.seed = seed
        options.ensemble = ensemble
        let (classifier, _) = try trainImageClassifier(set, options: options, callbacks: [ProgressDisplay(members: ensemble)], record: ["data": data])
        try classifier.save(to: output.path)
        let validation = try set.labelled.partition(set.labelled.chosenSplit(split), seed: seed).validation
        let report = ClassificationReport(probabilities: try classifier.probabilities(set.images.gather(validation)),
                                              labels: validation.map { set.labels[$0] })
        print("validation: accuracy \(format(report.accuracy)), ROC-AUC \(format(report.rocAUC)) on \(report.count) images")
        print("model written to \(output.path)")
    }
}

struct ImageEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Accuracy, ROC-AUC and confusion matrix on a split's part.",
        discussion: """
            For two classes, ROC-AUC scores class 1 (the second name in /classes) as the positive class; for more, it is \
            the mean over classes of each class against the rest.
            """)

    @Option(help: "The model file from galen image train.")
    var model: String

    @Option(help: "The image set.")
    var data: String

    @Option(help: "The part to score: train, validation or test.")
    var split: SplitPart = .test

    @Option(help: "The stored split (default: the one the model was trained on).")
    var splitName: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let classifier = try ImageClassifier.load(model)
        let set = try ImageSet.load(data)
        try requireSameClasses(set.classes, in: data, as: classifier.classes, by: model)
        let trainedOn = try trainedSplit(classifier.trainingRecord, of: model)
        let splitName = try set.labelled.chosenSplit(self.splitName ?? trainedOn.name)
        let rows = try set.labelled.rows(split, of: splitName, seed: trainedOn.seed ?? 0, noun: "images")
        let probabilities = try finiteProbabilities(try classifier.probabilities(set.images.gather(rows), from: data), rows: rows, model: model, data: data)
        let report = ClassificationReport(probabilities: probabilities, labels: rows.map { set.labels[$0] })
        if json {
            try printJSON(report)
        } else {
            print("\(split) part of split \(splitName): \(report.count) images")
            print("accuracy \(format(report.accuracy)), ROC-AUC \(format(report.rocAUC))")
            print("confusion matrix (rows: true class, columns: predicted):")
            print(table(["", ] + classifier.classes, classifier.classes.enumerated().map { index, name in
                [name] + report.confusion[index].map(String.init)
            }))
        }
    }
}

struct ImagePredict: ParsableCommand {
    /// The `galen_output` of the HDF5 files it writes.
    static let outputKind = "image-predictions/1"
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Class probabilities for every image, to HDF5 or CSV.")

    @Option(help: "The model file from galen image train.")
    var model: String

    @Option(help: "The image set (labels are not needed).")
    var data: String

    @OptionGroup var output: OutputFile

    func validate() throws { try output.refuseOverwriting([model, data]) }

    func run() throws {
        let classifier = try ImageClassifier.load(model)
        let images = try ImageSet.images(in: data)
        let count = images.shape[0]
        let probabilities = try finiteProbabilities(try classifier.probabilities(images, from: data), model: model, data: data)
        try ClassProbabilities(kind: Self.outputKind, model: model, data: data, classes: classifier.classes, probabilities: probabilities,
                               predicted: probabilities.argmax(axis: 1), ids: nil).write(to: output.path)
        print("probabilities for \(count) images written to \(output.path)")
    }
}

extension ImageArchitecture: ExpressibleByArgument {}
