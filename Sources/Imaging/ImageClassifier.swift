import Foundation
import HDF5
import NeuralNet
import TensorCore

/// A trained image classifier: its networks (one, or the members of an ensemble trained with
/// different seeds), its classes, the input shape it takes and the training set's pixel
/// statistics it normalises with.
public final class ImageClassifier {
    public static let kind = "imaging/1"
    public let members: [any Layer]
    public let classes: [String]
    /// [C, H, W].
    public let inputShape: [Int]
    public let pixelMean: [Float]
    public let pixelDeviation: [Float]
    public let trainingRecord: String

    public init(members: [any Layer], classes: [String], inputShape: [Int], pixelMean: [Float], pixelDeviation: [Float], trainingRecord: String) {
        require(!members.isEmpty, "ImageClassifier: needs at least one member")
        self.members = members
        self.classes = classes
        self.inputShape = inputShape
        self.pixelMean = pixelMean
        self.pixelDeviation = pixelDeviation
        self.trainingRecord = trainingRecord
    }

    /// The layer a model file holds: the network, or an ``Ensemble`` of the members.
    public var layer: any Layer { Ensemble.layer(of: members) }

    /// Images [N, C, H, W] in 0...255 standardised per channel.
    public func normalize(_ images: Tensor) -> Tensor {
        let channels = inputShape[0]
        return withoutGrad {
            (images - Tensor(pixelMean, shape: [channels, 1, 1])) / Tensor(pixelDeviation, shape: [channels, 1, 1])
        }
    }

    /// Class probabilities [N, classes] for images [N, C, H, W] in 0...255: the members' mean.
    /// Images whose shape is not the model's input are refused, naming `path`, the file they came from.
    public func probabilities(_ images: Tensor, from path: String = "", batchSize: Int = 256) throws -> Tensor {
        let shape = Array(images.shape.dropFirst())
        guard shape == inputShape else {
            throw DataFileError(path: path, problem: "images of shape \(shape) do not match the model's input \(inputShape)")
        }
        return withoutGrad {
            let normalized = normalize(images)
            return Ensemble.mean(members.map { $0.predict(normalized, batchSize: batchSize).softmax(axis: 1) })
        }
    }

    public func save(to path: String) throws {
        try ModelFile.save(layer, to: path, attributes: [
            "galen_model": .string(Self.kind), "classes": .strings(classes), "input_shape": .ints(inputShape),
            "pixel_mean": .floats(pixelMean), "pixel_std": .floats(pixelDeviation), "training_config": .string(trainingRecord),
        ])
    }

    public static func load(_ path: String) throws -> ImageClassifier {
        let contents = try ModelFile.load(path, kind: Self.kind)
        let attributes = contents.attributes
        guard case .strings(let classes)? = attributes["classes"] else { throw ModelError.attribute("classes", of: path, shouldBe: "a list of strings") }
        // Bounded so that the shapes worked out from it cannot overflow.
        guard case .ints(let shape)? = attributes["input_shape"], shape.count == 3, shape.allSatisfy({ (1...65_536).contains($0) }) else {
            throw ModelError.attribute("input_shape", of: path, shouldBe: "three whole numbers from 1 to 65536: channels, height, width")
        }
        guard case .floats(let mean)? = attributes["pixel_mean"], mean.count == shape[0], mean.allSatisfy(\.isFinite) else {
            throw ModelError.attribute("pixel_mean", of: path, shouldBe: "one finite number per channel, of which input_shape gives \(shape[0])")
        }
        guard case .floats(let deviation)? = attributes["pixel_std"], deviation.count == shape[0],
              zip(mean, deviation).allSatisfy({ mean, deviation in deviation > 0 && deviation.isFinite && [0, 255].allSatisfy { (($0 - mean) / deviation).isFinite } })
        else { throw ModelError.attribute("pixel_std", of: path, shouldBe: "one positive number per channel (of which input_shape gives \(shape[0])) that takes pixels 0 to 255 to finite values") }
        // The architecture must take the input shape and give one output per class; a layer that
        // does not tell its shapes (an embedding, a drug-discovery or sequence network) takes no images.
        guard classes.count >= 2, Set(classes).count == classes.count else {
            throw ModelError.attribute("classes", of: path, shouldBe: "two or more different class names")
        }
        let members = Ensemble.members(of: contents.model)
        for member in members {
            let output: [Int]?
            do {
                output = try member.checkedOutputShape(for: [1] + shape)
            } catch ModelError.invalidConfig(let problem) {
                throw ModelError.weights("\(path): the network cannot take its input_shape \(shape): \(problem)")
            }
            guard let output else { throw ModelError.weights("\(path): the network holds a layer that does not take images") }
            guard output == [1, classes.count] else {
                throw ModelError.weights("\(path): \(classes.count) class names for a network whose output is \(Array(output.dropFirst()))")
            }
        }
        let record: String
        if case .string(let text)? = attributes["training_config"] { record = text } else { record = "{}" }
        return ImageClassifier(members: members, classes: classes, inputShape: shape, pixelMean: mean, pixelDeviation: deviation,
                               trainingRecord: record)
    }
}

/// Accuracy, ROC-AUC (class 1 against the rest for two classes, else the mean of one-against-rest)
/// and the confusion matrix (rows: true class, columns: predicted).
public struct ClassificationReport: Sendable, Codable {
    public let count: Int
    public let accuracy: Double
    public let rocAUC: Double
    public let confusion: [[Int]]

    public init(probabilities: Tensor, labels: [Int]) {
        let classes = probabilities.shape[1]
        let predicted = probabilities.argmax(axis: 1)
        count = labels.count
        accuracy = Metrics.accuracy(predicted.map(Float.init), labels.map(Float.init))
        let scores = (0..<classes).map { k in stride(from: k, to: probabilities.count, by: classes).map { probabilities.scalars[$0] } }
        let oneAgainstRest = (classes == 2 ? [1] : Array(0..<classes)).map { k in
            Metrics.rocAUC(scores[k], labels.map { $0 == k ? 1 : 0 })
        }
        rocAUC = oneAgainstRest.reduce(0, +) / Double(oneAgainstRest.count)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (truth, guess) in zip(labels, predicted) { confusion[truth][guess] += 1 }
        self.confusion = confusion
    }
}
