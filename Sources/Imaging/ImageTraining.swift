import Foundation
import NeuralNet
import TensorCore

/// How an image classifier is trained.
public struct ImageTrainingOptions: Sendable, Codable, Equatable {
    public var architecture: ImageArchitecture = .cnn
    /// The stored split; default: the file's only one.
    public var split: String? = nil
    public var epochs = 60
    public var patience = 15
    public var batchSize = 32
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 1e-4
    public var dropout: Float = 0.5
    /// Random changes to training images; none when nil.
    public var augmentation: Augmentation? = nil
    /// Weigh each class by the inverse of its training frequency.
    public var balanceClasses = false
    public var seed: UInt64 = 0
    /// Members of an ensemble, each with its own seed derived from `seed` (the first uses the seed itself).
    public var ensemble = 1

    public init() {}
}

/// Batches of images, normalised after augmentation, with class indices as targets.
public struct ImageBatches: BatchSource {
    public let images: Tensor
    public let labels: [Int]
    public let rows: [Int]
    public let classifier: ImageClassifier
    public let augmentation: Augmentation?
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    public init(images: Tensor, labels: [Int], rows: [Int], classifier: ImageClassifier, augmentation: Augmentation?,
                batchSize: Int, shuffle: Bool, seed: UInt64) {
        self.images = images
        self.labels = labels
        self.rows = rows
        self.classifier = classifier
        self.augmentation = augmentation
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    public var sampleCount: Int { rows.count }

    public func batches(epoch: Int) -> [Batch] {
        var order = EpochOrder(rows: rows, batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch)
        return order.batches.map { rows in
            let batch = Array(rows)
            var pixels = images.gather(batch)
            if let augmentation { pixels = augmentation.apply(pixels, using: &order.generator) }
            return Batch(inputs: classifier.normalize(pixels), targets: Tensor(batch.map { Float(labels[$0]) }))
        }
    }
}

/// Trains an image classifier (or `options.ensemble` of them, sharing the parts and the pixel
/// statistics, differing in the seed of initialisation, batch order, augmentation and dropout) on
/// the stored split's training part, early-stopping on its validation part (carved from
/// training, 10 %, when the split has none).
public func trainImageClassifier(_ set: ImageSet, options: ImageTrainingOptions, callbacks: [any Callback] = [],
                                 record: [String: String] = [:]) throws -> (classifier: ImageClassifier, histories: [History]) {
    require(options.ensemble >= 1, "trainImageClassifier: an ensemble needs at least one member")
    let split = try set.labelled.chosenSplit(options.split)
    let (train, validation) = try set.labelled.trainingParts(split, seed: options.seed, noun: "images")
    if options.architecture == .cnn, set.imageShape[1] < 8 || set.imageShape[2] < 8 {
        throw DataFileError(path: set.path, problem: "images of \(set.imageShape[1])×\(set.imageShape[2]) are too small for the cnn's three 2×2 poolings (8×8 at least); try --model resnet")
    }
    let channels = set.imageShape[0], planeSize = set.imageShape[1] * set.imageShape[2]
    let trainPixels = set.images.gather(train)
    let means = (0..<channels).map { c in
        stride(from: 0, to: trainPixels.count, by: channels * planeSize).reduce(Float(0)) { total, start in
            total + trainPixels.scalars[(start + c * planeSize)..<(start + (c + 1) * planeSize)].reduce(0, +)
        } / Float(train.count * planeSize)
    }
    let deviations = (0..<channels).map { c in
        (stride(from: 0, to: trainPixels.count, by: channels * planeSize).reduce(Float(0)) { total, start in
            total + trainPixels.scalars[(start + c * planeSize)..<(start + (c + 1) * planeSize)].reduce(0) { $0 + ($1 - means[c]) * ($1 - means[c]) }
        } / Float(train.count * planeSize)).squareRoot()
    }.map { Swift.max($0, 1e-3) }
    var fullRecord = record
    fullRecord["options"] = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
    fullRecord["split"] = split
    let trainingRecord = String(decoding: try JSONEncoder().encode(fullRecord), as: UTF8.self)
    let counts = (0..<set.classes.count).map { k in train.filter { set.labels[$0] == k }.count }
    let classWeights = options.balanceClasses
        ? Tensor(counts.map { Float(train.count) / Float(set.classes.count * Swift.max($0, 1)) }) : nil
    let validationImages = set.images.gather(validation), validationLabels = validation.map { set.labels[$0] }

    var members: [any Layer] = [], histories: [History] = []
    for seed in Ensemble.memberSeeds(options.seed, count: options.ensemble) {
        var generator = RandomGenerator(seed: seed)
        let network = options.architecture.build(inputShape: set.imageShape, classes: set.classes.count, dropout: options.dropout,
                                                 generator: &generator)
        // Refused now rather than by every later load of the model.
        do { _ = try network.checkedOutputShape(for: [1] + set.imageShape) } catch ModelError.invalidConfig(let problem) {
            throw DataFileError(path: set.path, problem: "the \(options.architecture.rawValue) cannot take images of \(set.imageShape[1])×\(set.imageShape[2]): \(problem)")
        }
        let single = ImageClassifier(members: [network], classes: set.classes, inputShape: set.imageShape, pixelMean: means,
                                     pixelDeviation: deviations, trainingRecord: trainingRecord)
        let batches = ImageBatches(images: set.images, labels: set.labels, rows: train, classifier: single,
                                   augmentation: options.augmentation, batchSize: options.batchSize, shuffle: true, seed: seed)
        let validationBatches = ImageBatches(images: set.images, labels: set.labels, rows: validation, classifier: single,
                                             augmentation: nil, batchSize: 256, shuffle: false, seed: 0)
        let trainer = Trainer(model: network, optimizer: AdamW(learningRate: options.learningRate, weightDecay: options.weightDecay),
                              callbacks: callbacks + [EarlyStopping(monitor: "val_loss", patience: options.patience)], seed: seed)
        histories.append(trainer.fit(epochs: options.epochs, training: batches, validation: validationBatches, loss: { batch in
            Loss.categoricalCrossEntropy(network(batch.inputs), batch.targets, weights: classWeights)
        }, metrics: {
            let report = ClassificationReport(probabilities: (try? single.probabilities(validationImages)) ?? Tensor.zeros([1, 1]),
                                              labels: validationLabels)
            return ["val_accuracy": report.accuracy, "val_auc": report.rocAUC]
        }))
        members.append(network)
    }
    let classifier = ImageClassifier(members: members, classes: set.classes, inputShape: set.imageShape, pixelMean: means,
                                     pixelDeviation: deviations, trainingRecord: trainingRecord)
    return (classifier, histories)
}
