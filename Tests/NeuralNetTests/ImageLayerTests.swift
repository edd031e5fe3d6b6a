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

    /// Shapes a layer cannot take are refused by name before running; a layer that does not
    /// tell its shapes (an embedding) leaves the whole unknown rather than guessed.
    @Test func layersRefuseShapesTheyCannotTake() throws {
        var generator = RandomGenerator(seed: 27)
        let strided = Sequential([("conv", Conv2D(1, 2, kernelSize: (3, 3), stride: (2, 2), dilation: (2, 2), generator: &generator) as any Layer),
                                  ("pool", Pool2D(.max)), ("flat", Flatten())])
        #expect(try strided.checkedOutputShape(for: [5, 1, 12, 9]) == strided(Tensor.zeros([5, 1, 12, 9])).shape)
        #expect(throws: ModelError.invalidConfig("conv: layer Conv2D: a 3×3 window (dilation (2, 2)) does not fit a 4×4 input with valid padding")) {
            try strided.checkedOutputShape(for: [1, 1, 4, 4])
        }
        let mismatched = Residual(Conv2D(2, 4, kernelSize: (1, 1), generator: &generator))
        #expect(throws: ModelError.invalidConfig("layer Residual: its body gives [1, 4, 3, 3], its shortcut [1, 2, 3, 3]")) {
            try mismatched.checkedOutputShape(for: [1, 2, 3, 3])
        }
        let embedded = Sequential([("embed", Embedding(10, 4, generator: &generator) as any Layer), ("dense", Dense(4, 2, generator: &generator))])
        #expect(try embedded.checkedOutputShape(for: [3]) == nil)
    }
}
