import Foundation
import NeuralNet
import TensorCore

/// A trained sequence classifier: its networks (one, or the members of an ensemble trained with
/// different seeds), its classes and, for two classes, the decision threshold chosen on
/// validation data for the PhysioNet challenge's event-1 score.
public final class SequenceModel {
    public static let kind = "sequences/1"
    public let members: [SequenceNetwork]
    public let classes: [String]
    public let threshold: Float
    public let trainingRecord: String
    /// The training set's columns and standardisation; nil for files written before they were
    /// recorded, or too wide to record (``SequenceInputs/attributes``).
    public let inputs: SequenceInputs?

    public init(members: [SequenceNetwork], classes: [String], threshold: Float, trainingRecord: String, inputs: SequenceInputs?) {
        require(!members.isEmpty && members.allSatisfy { $0.settings == members[0].settings },
                "SequenceModel: needs one or more members of one architecture")
        self.members = members
        self.classes = classes
        self.threshold = threshold
        self.trainingRecord = trainingRecord
        self.inputs = inputs
    }

    /// The members' shared settings.
    public var settings: SequenceSettings { members[0].settings }

    /// The layer a model file holds: the network, or an ``Ensemble`` of the members.
    public var layer: any Layer { Ensemble.layer(of: members) }

    /// Refuses a set whose features or static descriptors are not the ones the model takes: in
    /// number, and where the model records them, in name, order and standardisation.
    public func requireInputs(of set: SequenceRecords) throws {
        guard set.sequences.shape[2] == settings.features, (set.statics?.shape[1] ?? 0) == settings.statics else {
            throw DataFileError(path: set.path, problem: "has \(set.sequences.shape[2]) features and \(set.statics?.shape[1] ?? 0) static descriptors; the model takes \(settings.features) and \(settings.statics)")
        }
        if let difference = inputs?.difference(from: set.inputs) { throw DataFileError(path: set.path, problem: difference) }
    }

    /// Class probabilities [rows, classes] for rows of a set: the members' mean.
    public func probabilities(_ set: SequenceRecords, rows: [Int], batchSize: Int = 256) throws -> Tensor {
        try requireInputs(of: set)
        return withoutGrad {
            let parts = stride(from: 0, to: rows.count, by: batchSize).map { start -> Tensor in
                let batch = Array(rows[start..<Swift.min(start + batchSize, rows.count)])
                let (sequences, mask, statics) = (set.sequences.gather(batch), set.stepMask.gather(batch), set.statics?.gather(batch))
                return Ensemble.mean(members.map { $0(sequences, mask: mask, statics: statics).softmax(axis: 1) })
            }
            return Tensor.concatenate(parts, axis: 0)
        }
    }

    public func save(to path: String) throws {
        try ModelFile.save(layer, to: path, attributes: [
            "galen_model": .string(Self.kind), "classes": .strings(classes), "threshold": .float(threshold),
            "training_config": .string(trainingRecord),
        ].merging(inputs?.attributes ?? [:]) { $1 })
    }

    public static func load(_ path: String) throws -> SequenceModel {
        let contents = try ModelFile.load(path, registry: LayerRegistry.standard.adding(SequenceNetwork.self), kind: Self.kind)
        let layers = Ensemble.members(of: contents.model)
        let members = layers.compactMap { $0 as? SequenceNetwork }
        guard let first = members.first, members.count == layers.count, members.allSatisfy({ $0.settings == first.settings }) else {
            throw ModelError.weights("\(path): the network is not a sequence network or an ensemble of equal ones")
        }
        guard case .strings(let classes)? = contents.attributes["classes"], classes.count == first.settings.classes,
              Set(classes).count == classes.count else {
            throw ModelError.attribute("classes", of: path, shouldBe: "one different string per output of the network, which has \(first.settings.classes)")
        }
        guard case .float(let threshold)? = contents.attributes["threshold"], (0...1).contains(threshold) else {
            throw ModelError.attribute("threshold", of: path, shouldBe: "a probability, 0 to 1")
        }
        let record: String
        if case .string(let text)? = contents.attributes["training_config"] { record = text } else { record = "{}" }
        let inputs = try SequenceInputs(attributes: contents.attributes, of: path, features: first.settings.features, statics: first.settings.statics)
        return SequenceModel(members: members, classes: classes, threshold: threshold, trainingRecord: record, inputs: inputs)
    }
}

/// Accuracy, ROC-AUC and PR-AUC, and for two classes the event-1 score min(sensitivity,
/// positive predictivity) at a threshold on the class-1 probability.
public struct SequenceReport: Sendable, Codable {
    public let count: Int
    public let accuracy: Double
    public let rocAUC: Double
    public let prAUC: Double
    public let event1: Double?
    public let threshold: Float?

    public init(probabilities: Tensor, labels: [Int], threshold: Float?) {
        let classes = probabilities.shape[1]
        count = labels.count
        accuracy = Metrics.accuracy(probabilities.argmax(axis: 1).map(Float.init), labels.map(Float.init))
        let scores = (0..<classes).map { k in stride(from: k, to: probabilities.count, by: classes).map { probabilities.scalars[$0] } }
        let targets = (0..<classes).map { k in labels.map { Float($0 == k ? 1 : 0) } }
        let positive = classes == 2 ? [1] : Array(0..<classes)
        rocAUC = positive.map { Metrics.rocAUC(scores[$0], targets[$0]) }.reduce(0, +) / Double(positive.count)
        prAUC = positive.map { Metrics.prAUC(scores[$0], targets[$0]) }.reduce(0, +) / Double(positive.count)
        if classes == 2, let threshold {
            event1 = Self.event1(scores[1], labels, threshold)
            self.threshold = threshold
        } else {
            (event1, self.threshold) = (nil, nil)
        }
    }

    static func event1(_ scores: [Float], _ labels: [Int], _ threshold: Float) -> Double {
        let truePositives = zip(scores, labels).filter { $0 >= threshold && $1 == 1 }.count
        let predicted = scores.filter { $0 >= threshold }.count, actual = labels.filter { $0 == 1 }.count
        guard predicted > 0, actual > 0 else { return 0 }
        return Swift.min(Double(truePositives) / Double(actual), Double(truePositives) / Double(predicted))
    }

    /// The threshold on class-1 scores that maximises event-1 on (validation) data.
    /// Thresholds are swept from the highest score down in one pass; among equal scores the
    /// highest threshold wins, so the choice does not depend on any ordering of a set.
    public static func bestThreshold(_ scores: [Float], _ labels: [Int]) -> Float {
        let order = scores.indices.filter { !scores[$0].isNaN }.sorted { scores[$0] > scores[$1] }
        let actual = labels.filter { $0 == 1 }.count
        guard actual > 0 else { return 0.5 }
        var (truePositives, predicted, best, bestScore) = (0, 0, Float(0.5), -1.0)
        var index = 0
        while index < order.count {
            let threshold = scores[order[index]]
            while index < order.count && scores[order[index]] == threshold {
                truePositives += labels[order[index]] == 1 ? 1 : 0
                predicted += 1
                index += 1
            }
            let score = Swift.min(Double(truePositives) / Double(actual), Double(truePositives) / Double(predicted))
            if score > bestScore { (best, bestScore) = (threshold, score) }
        }
        return best
    }
}
