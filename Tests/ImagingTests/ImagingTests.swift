import Foundation
import Imaging
import NeuralNet
import Testing
import TensorCore
import TestSupport

let breastMNIST = TestSupport.preparedData.appendingPathComponent("breastmnist.h5").path

@Suite("Imaging")
struct ImagingTests {
    @Test func foundingCNNOverfitsASmallRealBatch() throws {
        let set = try ImageSet.load(breastMNIST)
        let rows = Array(0..<32)
        var generator = RandomGenerator(seed: 1)
        let network = ImageArchitecture.cnn.build(inputShape: set.imageShape, classes: 2, dropout: 0, generator: &generator)
        let images = (set.images.gather(rows) - 128) / 64, labels = Tensor(rows.map { Float(set.labels[$0]) })
        let optimizer = Adam(learningRate: 1e-3)
        for _ in 0..<60 {
            withTrainingMode { Loss.categoricalCrossEntropy(network(images), labels).backward() }
            optimizer.step(network)
        }
        let predicted = network.predict(images).argmax(axis: 1)
        #expect(predicted == rows.map { set.labels[$0] }, "training accuracy must reach 100 %")
    }

    @Test func augmentationKeepsLabelsAndRepeatsForASeed() throws {
        let set = try ImageSet.load(breastMNIST)
        let images = set.images.gather(Array(0..<8))
        var first = RandomGenerator(seed: 2), second = RandomGenerator(seed: 2), other = RandomGenerator(seed: 3)
        let augmentation = Augmentation()
        let a = augmentation.apply(images, using: &first), b = augmentation.apply(images, using: &second)
        #expect(a.scalars == b.scalars && a.shape == images.shape)
        #expect(augmentation.apply(images, using: &other).scalars != a.scalars)
        #expect(a.scalars != images.scalars && a.scalars.allSatisfy { (0...255).contains($0) })
        var none = Augmentation()
        (none.horizontalFlip, none.rotation, none.shift, none.zoom, none.brightness, none.contrast) = (false, 0, 0, 0, 0, 0)
        var generator = RandomGenerator(seed: 4)
        let identity = none.apply(images, using: &generator).scalars
        #expect(zip(identity, images.scalars).allSatisfy { abs($0 - $1) < 1e-3 }, "no change asked, none made")
        let batches = ImageBatches(images: set.images, labels: set.labels, rows: Array(0..<40),
                                   classifier: ImageClassifier(members: [Flatten()], classes: set.classes, inputShape: set.imageShape,
                                                               pixelMean: [0], pixelDeviation: [1], trainingRecord: "{}"),
                                   augmentation: augmentation, batchSize: 40, shuffle: true, seed: 5)
        let batch = batches.batches(epoch: 0)[0]
        var order = RandomGenerator(seed: mixSeed(5, 0))
        let expected = Array(0..<40).shuffled(using: &order).map { Float(set.labels[$0]) }
        #expect(batch.targets.scalars == expected, "each augmented image keeps its own label")
    }

    @Test(arguments: [1, 2]) func classifierFileRoundTrip(members: Int) throws {
        let set = try ImageSet.load(breastMNIST)
        var generator = RandomGenerator(seed: 6)
        let networks = (0..<members).map { _ in ImageArchitecture.resnet.build(inputShape: set.imageShape, classes: 2, generator: &generator) }
        let classifier = ImageClassifier(members: networks, classes: set.classes, inputShape: set.imageShape, pixelMean: [80],
                                         pixelDeviation: [50], trainingRecord: "{}")
        let images = set.images.gather(Array(0..<10))
        try withTemporaryFile { path in
            try classifier.save(to: path)
            let loaded = try ImageClassifier.load(path)
            #expect(try loaded.probabilities(images).scalars == classifier.probabilities(images).scalars)
            #expect(loaded.classes == set.classes && loaded.inputShape == [1, 28, 28] && loaded.pixelMean == [80] && loaded.members.count == members)
        }
        let alone = try networks.map {
            try ImageClassifier(members: [$0], classes: set.classes, inputShape: set.imageShape, pixelMean: [80], pixelDeviation: [50],
                                trainingRecord: "{}").probabilities(images).scalars
        }
        let mean = (0..<alone[0].count).map { i in alone.map { $0[i] }.reduce(0, +) / Float(members) }
        #expect(zip(try classifier.probabilities(images).scalars, mean).allSatisfy { abs($0 - $1) < 1e-6 },
                "an ensemble's probabilities are the mean of its members'")
    }

    /// The shapes the architectures tell without running are those a forward pass gives, for
    /// inputs of one and three channels, square and not, odd sizes included.
    @Test(arguments: ImageArchitecture.allCases)
    func toldShapesAreTheForwardPassShapes(architecture: ImageArchitecture) throws {
        var generator = RandomGenerator(seed: 7)
        // The resnet takes images as small as 1×1 (its last stage then runs 3×3 windows over 1×1 maps); the cnn needs 8×8.
        for inputShape in [[1, 28, 28], [3, 32, 32], [3, 33, 47]] + (architecture == .resnet ? [[1, 1, 1], [1, 4, 4], [1, 5, 7]] : [[1, 8, 8]]) {
            let network = architecture.build(inputShape: inputShape, classes: 3, generator: &generator)
            let told = try network.checkedOutputShape(for: [2] + inputShape)
            #expect(told == [2, 3] && told == network(Tensor.zeros([2] + inputShape)).shape, "\(architecture) \(inputShape)")
            #expect(throws: ModelError.self) { try network.checkedOutputShape(for: [2, inputShape[0] + 1] + inputShape.dropFirst()) }
        }
    }
}
