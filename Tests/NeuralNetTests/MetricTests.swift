import NeuralNet
import Testing

@Suite("Metrics against reference values")
struct MetricTests {
    // Reference values from scipy.stats and sklearn.metrics on the same numbers.
    let predictions: [Float] = [2.5, 0.0, 2.1, 7.8, 1.0, 3.3]
    let targets: [Float] = [3.0, -0.5, 2.0, 7.0, .nan, 3.3]

    @Test func regressionMetricsSkipMissingTargets() {
        #expect(abs(Metrics.rootMeanSquaredError(predictions, targets) - 0.479_583_152_331_271_86) < 1e-6)
        #expect(abs(Metrics.meanAbsoluteError(predictions, targets) - 0.38) < 1e-6)
        #expect(abs(Metrics.rSquared(predictions, targets) - 0.960_793_672_439_656_4) < 1e-6)
        #expect(abs(Metrics.pearson(predictions, targets) - 0.985_962_937_541_471) < 1e-6)
    }

    @Test func spearmanAveragesTiedRanks() {
        let x: [Float] = [1, 2, 2, 3, 4, 4, 4], y: [Float] = [1, 3, 2, 2, 5, 4, 6]
        #expect(abs(Metrics.spearman(x, y) - 0.877_983_835_257_382_2) < 1e-9)
    }

    @Test func rocAUCCountsTiesAsHalf() {
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.7, 0.2]
        let labels: [Float] = [0, 0, 1, 1, 1, 0, .nan]
        #expect(abs(Metrics.rocAUC(scores, labels) - 0.611_111_111_111_111_2) < 1e-9)
        #expect(Metrics.rocAUC([0.2, 0.3], [1, 1]).isNaN, "undefined with one class")
    }

    @Test func prAUCIsAveragePrecision() {
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.7]
        let labels: [Float] = [0, 0, 1, 1, 1, 0]
        #expect(abs(Metrics.prAUC(scores, labels) - 0.7) < 1e-9)
    }

    @Test func accuracy() {
        #expect(Metrics.accuracy([1, 0, 2, 2], [1, 1, 2, .nan]) == 2.0 / 3)
    }
}
