import Foundation
import NeuralNet
import Testing
import TensorCore

@Suite("Layers")
struct LayerTests {
    @Test func denseGradients() {
        var generator = RandomGenerator(seed: 1)
        let result = checkLayerGradients(Dense(4, 3, generator: &generator), input: sample([5, 4], seed: 2))
        #expect(result.passed, "\(result)")
    }

    @Test func batchNormGradientsInTrainingAndEvaluation() {
        let layer = BatchNorm(3)
        layer.gamma.value = sample([3], seed: 3, in: 0.5...1.5)
        let training = checkLayerGradients(layer, input: sample([6, 3], seed: 4), training: true)
        #expect(training.passed, "\(training)")
        let evaluation = checkLayerGradients(layer, input: sample([6, 3], seed: 5))
        #expect(evaluation.passed, "\(evaluation)")
    }

    @Test func batchNormOverStepsOfSequences() {
        let layer = BatchNorm(3)
        layer.gamma.value = sample([3], seed: 6, in: 0.5...1.5)
        let input = sample([2, 4, 3], seed: 7)
        let result = checkLayerGradients(layer, input: input, training: true)
        #expect(result.passed, "\(result)")
        let output = withTrainingMode { layer(input) }
        #expect(output.mean(axes: [0, 1]).scalars.allSatisfy { abs($0) < 1e-5 }, "beta is 0, so each feature averages 0 over batch and steps")
        let variance = (output * output).mean(axes: [0, 1]).scalars
        #expect(zip(variance, layer.gamma.value.scalars).allSatisfy { abs($0 - $1 * $1) < 1e-3 }, "each feature's variance is gamma squared")
    }

    @Test func batchNormNormalisesAndTracksRunningStatistics() {
        let layer = BatchNorm(2, momentum: 0.5)
        let input = Tensor(rows: [[1, 10], [3, 20], [5, 30]])
        let output = withTrainingMode { layer(input) }
        #expect(output.mean(axes: [0]).scalars.allSatisfy { abs($0) < 1e-5 })
        #expect(abs(((output * output).mean(axes: [0]).scalars[1]) - 1) < 1e-3)
        #expect(layer.runningMean.value.scalars == [1.5, 10])
        #expect(layer.runningVariance.value.scalars == [2.5, 50.5], "unbiased batch variance folded in")
        let evaluated = layer(input)
        #expect(abs(evaluated.scalars[0] - (1 - 1.5) / (2.5 + 1e-5).squareRoot()) < 1e-5, "evaluation uses running statistics")
    }

    @Test func layerNormGradients() {
        let layer = LayerNorm(4)
        layer.gamma.value = sample([4], seed: 6, in: 0.5...1.5)
        let result = checkLayerGradients(layer, input: sample([3, 4], seed: 7))
        #expect(result.passed, "\(result)")
    }

    @Test func embeddingGradients() {
        var generator = RandomGenerator(seed: 8)
        let layer = Embedding(5, 3, generator: &generator)
        let indices = Tensor([4, 0, 4, 2, 1, 1], shape: [2, 3])
        let parameters = layer.namedParameters.map(\.parameter)
        let result = checkGradients(at: [parameters[0].value]) { values in
            parameters[0].value = values[0]
            return layer(indices)
        }
        #expect(result.passed, "\(result)")
        #expect(layer(indices).shape == [2, 3, 3])
    }

    @Test(arguments: Activation.Kind.allCases)
    func activationGradients(_ kind: Activation.Kind) {
        let input = Tensor(sample([3, 4], seed: 9).scalars.map { abs($0) < 0.05 ? $0 + 0.1 : $0 }, shape: [3, 4])
        let result = checkLayerGradients(Activation(kind), input: input)
        #expect(result.passed, "\(kind): \(result)")
    }

    @Test func dropoutAndNoiseActOnlyInTraining() {
        let input = Tensor.ones([1000])
        let dropout = Dropout(rate: 0.25)
        #expect(dropout(input).scalars == input.scalars)
        let dropped = withTrainingMode { dropout(input) }
        let zeros = dropped.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 1000 - 0.25) < 0.05)
        #expect(dropped.scalars.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
        let noise = GaussianNoise(standardDeviation: 0.5)
        #expect(noise(input).scalars == input.scalars)
        let noisy = withTrainingMode { noise(input) } - input
        #expect(abs((noisy * noisy).mean().item.squareRoot() - 0.5) < 0.05)
    }

    @Test func dropoutAndNoiseGradientsForAFixedDraw() {
        for layer in [Dropout(rate: 0.3), GaussianNoise(standardDeviation: 0.2)] as [any StochasticLayer] {
            let result = checkGradients(at: [sample([4, 5], seed: 10)]) { values in
                layer.generator = RandomGenerator(seed: 12)  // the same draw on every evaluation
                return withTrainingMode { layer(values[0]) }
            }
            #expect(result.passed, "\(type(of: layer).className): \(result)")
        }
    }

    @Test func namedParametersSummaryAndConfigRoundTrip() throws {
        var generator = RandomGenerator(seed: 11)
        let encoder = Sequential([("dense1", Dense(8, 4, generator: &generator) as any Layer), ("act", Activation(.relu)),
                                  ("norm", BatchNorm(4)), ("drop", Dropout(rate: 0.1))])
        let model = Sequential([("encoder", encoder as any Layer), ("head", Dense(4, 1, initializer: .heNormal, generator: &generator))])
        #expect(model.namedParameters.map(\.name) == [
            "encoder.dense1.kernel", "encoder.dense1.bias", "encoder.norm.gamma", "encoder.norm.beta",
            "encoder.norm.moving_mean", "encoder.norm.moving_variance", "head.kernel", "head.bias",
        ])
        #expect(model.parameterCount == 8 * 4 + 4 + 4 * 4 + 4 + 1)
        #expect(model.trainableParameterCount == model.parameterCount - 8)
        #expect(model.summary().contains("encoder.dense1") == false && model.summary().contains("dense1 (Dense)"))
        #expect(model.summary().contains("total parameters: 57 (trainable: 49)"))
        let json = try JSONEncoder().encode(model.config)
        let rebuilt = try LayerRegistry.standard.build(try JSONDecoder().decode(LayerConfig.self, from: json))
        #expect(rebuilt.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        #expect(rebuilt.namedParameters.map(\.parameter.value.shape) == model.namedParameters.map(\.parameter.value.shape))
    }

    @Test func unknownLayerClassIsAClearError() {
        #expect(throws: ModelError.unknownLayer("Transformer")) {
            try LayerRegistry.standard.build(LayerConfig("Transformer", [:]))
        }
        #expect(throws: ModelError.invalidConfig("layer Dense: 'units' should be a number")) {
            try LayerRegistry.standard.build(LayerConfig("Dense", ["inputs": 3, "use_bias": true, "initializer": "he_normal"]))
        }
    }
}
