import NeuralNet
import Testing
import TensorCore
import TestSupport

@Suite("Image layers")
struct ImageLayerTests {
    @Test func convolutionPoolingAndFlattenGradients() {
        var generator = RandomGenerator(seed: 20)
        let model = Sequential([
            ("conv", Conv2D(2, 3, kernelSize: (3, 3), padding: .same, generator: &generator) as any Layer),
            ("pool", Pool2D(.average, size: (2, 2))), ("flat", Flatten()),
            ("dense", Dense(3 * 3 * 3, 2, generator: &generator)),
        ])
        let result = checkLayerGradients(model, input: sample([2, 2, 6, 6], seed: 21))
        #expect(result.passed, "\(result)")
    }

    @Test func batchNormOverChannels() {
        let layer = BatchNorm(3)
        layer.gamma.value = sample([3], seed: 22, in: 0.5...1.5)
        let input = sample([4, 3, 2, 2], seed: 23)
        let result = checkLayerGradients(layer, input: input, training: true)
        #expect(result.passed, "\(result)")
        let output = withTrainingMode { layer(input) }
        let perChannel = output.mean(axes: [0, 2, 3]).scalars
        #expect(perChannel.allSatisfy { abs($0) < 1e-5 }, "beta is 0, so each channel averages 0")
        #expect(layer(input).shape == [4, 3, 2, 2])
    }

    @Test func residualBlockGradientsAndRoundTrip() throws {
        var generator = RandomGenerator(seed: 24)
        let block = Residual(Sequential([("conv", Conv2D(2, 4, kernelSize: (3, 3), padding: .same, generator: &generator) as any Layer),
                                         ("act", Activation(.tanh))]),
                             shortcut: Conv2D(2, 4, kernelSize: (1, 1), generator: &generator))
        let model = Sequential([("block", block as any Layer), ("gap", GlobalAvgPool())])
        #expect(checkLayerGradients(model, input: sample([2, 2, 4, 4], seed: 25)).passed)
        try withTemporaryFile { path in
            try ModelFile.save(model, to: path)
            let loaded = try ModelFile.load(path).model
            let x = sample([3, 2, 4, 4], seed: 26)
            #expect(loaded.predict(x).scalars == model.predict(x).scalars)
            #expect(loaded.namedParameters.map(\.name) == ["block.body.conv.kernel", "block.body.conv.bias",
                                                          "block.shortcut.kernel", "block.shortcut.bias"])
        }
    }
}
