import Foundation
import NeuralNet
import Sequences
import Testing
import TensorCore
import TestSupport

let ecg200 = TestSupport.preparedData.appendingPathComponent("ecg200.h5").path

@Suite("Sequences")
struct SequencesTests {
    @Test func lstmLearnsRealHeartbeatsBeyondChance() throws {
        let set = try SequenceSet.load(ecg200)
        var options = SequenceTrainingOptions()
        options.cell = .lstm
        options.hidden = 32
        options.epochs = 40
        options.patience = 40
        options.learningRate = 3e-3
        options.seed = 1
        let (model, _) = try trainSequenceModel(set, options: options)
        // Score the training part (the "train slice"): test data is for the report alone.
        let rows = try set.labelled.rows(split: "ucr", part: 0)
        let report = SequenceReport(probabilities: try model.probabilities(set.records, rows: rows), labels: rows.map { set.labels[$0] }, threshold: nil)
        let majority = Double(max(rows.filter { set.labels[$0] == 1 }.count, rows.filter { set.labels[$0] == 0 }.count)) / Double(rows.count)
        #expect(report.accuracy > majority + 0.1, "training accuracy \(report.accuracy) against always-the-majority \(majority)")
        #expect(report.rocAUC > 0.8)
    }

    @Test(arguments: [1, 3]) func modelFileRoundTripGivesIdenticalProbabilities(members: Int) throws {
        let set = try SequenceSet.load(ecg200)
        var settings = SequenceSettings(features: 1, statics: 0, classes: 2)
        (settings.cell, settings.bidirectional, settings.layers, settings.pooling) = (.lstm, true, 2, .mean)
        settings.convolutions = [4, 3]
        var generator = RandomGenerator(seed: 2)
        let networks = (0..<members).map { _ in SequenceNetwork(settings, generator: &generator) }
        let model = SequenceModel(members: networks, classes: set.classes, threshold: 0.3, trainingRecord: "{}", inputs: set.inputs)
        try withTemporaryFile { path in
            try model.save(to: path)
            let loaded = try SequenceModel.load(path)
            #expect(loaded.threshold == 0.3 && loaded.classes == set.classes && loaded.settings == settings && loaded.members.count == members)
            #expect(loaded.inputs == set.inputs)
            #expect(try loaded.probabilities(set.records, rows: Array(0..<20)).scalars == model.probabilities(set.records, rows: Array(0..<20)).scalars)
        }
    }

    @Test func convolutionOnlyNetworkInputGradients() {
        var settings = SequenceSettings(features: 2, statics: 1, classes: 2)
        (settings.convolutions, settings.layers, settings.pooling, settings.dropout) = ([3, 2], 0, .mean, 0)
        var generator = RandomGenerator(seed: 4)
        let network = SequenceNetwork(settings, generator: &generator)
        var inputs = RandomGenerator(seed: 5)
        let (sequences, statics) = (Tensor.randomUniform([3, 6, 2], -2, 2, using: &inputs), Tensor.randomUniform([3, 1], -2, 2, using: &inputs))
        #expect(network(sequences, mask: nil, statics: statics).shape == [3, 2])
        // Each layer's own parameter gradients are checked in NeuralNetTests; this checks their chain.
        let result = checkGradients(at: [sequences, statics]) { values in
            withTrainingMode { network(values[0], mask: nil, statics: values[1]) }
        }
        #expect(result.passed, "\(result)")
    }

    @Test func ensembleProbabilitiesAreTheMeanOfItsMembers() throws {
        let set = try SequenceSet.load(ecg200)
        var generator = RandomGenerator(seed: 3)
        let networks = (0..<2).map { _ in SequenceNetwork(SequenceSettings(features: 1, statics: 0, classes: 2), generator: &generator) }
        let single = try networks.map { try SequenceModel(members: [$0], classes: set.classes, threshold: 0.5, trainingRecord: "{}", inputs: set.inputs).probabilities(set.records, rows: Array(0..<10)) }
        let ensemble = try SequenceModel(members: networks, classes: set.classes, threshold: 0.5, trainingRecord: "{}", inputs: set.inputs).probabilities(set.records, rows: Array(0..<10))
        #expect(single[0].scalars != single[1].scalars)
        for (mean, (first, second)) in zip(ensemble.scalars, zip(single[0].scalars, single[1].scalars)) {
            #expect(abs(mean - (first + second) / 2) < 1e-6)
        }
    }

    @Test func event1ScoreIsTheSmallerOfSensitivityAndPredictivity() {
        let scores: [Float] = [0.9, 0.8, 0.7, 0.4, 0.3, 0.2], labels = [1, 0, 1, 1, 0, 0]
        let report = SequenceReport(probabilities: Tensor(scores.flatMap { [1 - $0, $0] }, shape: [6, 2]), labels: labels, threshold: 0.5)
        // At 0.5: 3 predicted positive, 2 of them right; 3 actual positives: Se 2/3, +P 2/3.
        #expect(abs(report.event1! - 2.0 / 3) < 1e-9)
        #expect(SequenceReport.bestThreshold(scores, labels) == 0.4, "0.4 catches all 3 positives among 4 predicted: min(1, 0.75)")
    }
}
