import Foundation
import NeuralNet
import Testing
import TensorCore

@Suite("Losses")
struct LossTests {
    static let regressionLosses: [Loss] = [.meanSquaredError, .meanAbsoluteError, .huber(delta: 0.5), .binaryCrossEntropy]

    @Test(arguments: regressionLosses)
    func gradientsWithMissingLabelsAndTaskWeights(_ loss: Loss) {
        var target = loss == .binaryCrossEntropy
            ? Tensor(sample([4, 3], seed: 1).scalars.map { $0 > 0 ? 1 : 0 }, shape: [4, 3]) : sample([4, 3], seed: 1)
        target.withMutableScalars { $0[1] = .nan; $0[7] = .nan }
        // Keep predictions off the kinks of MAE (0) and Huber (±delta).
        let prediction = target.detached + Tensor(sample([4, 3], seed: 2, in: 0.1...1).scalars.map { $0 == 0.5 ? 0.6 : $0 }, shape: [4, 3])
        let filledPrediction = Tensor(prediction.scalars.map { $0.isNaN ? 0.3 : $0 }, shape: [4, 3])
        for weights in [nil, Tensor([1, 2, 0.5]), sample([4, 3], seed: 5, in: 0.5...2)] {
            let result = checkGradients(at: [filledPrediction]) { loss($0[0], target, weights: weights) }
            #expect(result.passed, "\(loss) weights \(String(describing: weights)): \(result)")
        }
    }

    @Test func missingLabelsDropOutOfTheMean() {
        let prediction = Tensor(rows: [[1, 2], [3, 4]])
        let target = Tensor(rows: [[2, .nan], [3, 6]])
        let squared: Float = (1 + 0 + 4) / 3
        let weightedAbsolute: Float = (1 + 0 + 3 * 2) / (1 + 1 + 3)
        let huber: Float = (0.5 + 0 + 1.5) / 3
        #expect(Loss.meanSquaredError(prediction, target).item == squared)
        #expect(Loss.meanAbsoluteError(prediction, target, weights: Tensor([1, 3])).item == weightedAbsolute)
        #expect(abs(Loss.huber(delta: 1)(prediction, target).item - huber) < 1e-6)
    }

    @Test func binaryCrossEntropyMatchesTheDefinitionAndIsStable() {
        let logits = Tensor([0.3, -1.2, 40, -40])
        let labels = Tensor([1, 0, 1, 0])
        let p = logits.scalars.prefix(2).map { 1 / (1 + exp(-Double($0))) }
        let expected = (-log(p[0]) - log(1 - p[1])) / 4
        #expect(abs(Double(Loss.binaryCrossEntropy(logits, labels).item) - expected) < 1e-6)
        #expect(Loss.binaryCrossEntropy(Tensor([100]), Tensor([0])).item == 100)
    }

    @Test func categoricalCrossEntropy() {
        let logits = sample([4, 3], seed: 3)
        let labels = Tensor([2, 0, .nan, 1])
        let result = checkGradients(at: [logits]) { Loss.categoricalCrossEntropy($0[0], labels) }
        #expect(result.passed, "\(result)")
        let weighted = checkGradients(at: [logits]) { Loss.categoricalCrossEntropy($0[0], labels, weights: Tensor([1, 2, 3])) }
        #expect(weighted.passed, "\(weighted)")
        let value = Loss.categoricalCrossEntropy(Tensor(rows: [[0, 0], [1, 1]]), Tensor([0, 1])).item
        #expect(abs(value - Float(log(2.0))) < 1e-6)
    }
}

extension Loss: CustomTestStringConvertible {
    public var testDescription: String { "\(self)" }
}
