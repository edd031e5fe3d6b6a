import NeuralNet
import Testing
import TensorCore

@Suite("Recurrent layers")
struct RecurrentLayerTests {
    @Test(arguments: Recurrent.Cell.allCases)
    func gradientsThroughTimeWithAndWithoutMasking(_ cell: Recurrent.Cell) {
        var generator = RandomGenerator(seed: 30)
        let layer = Recurrent(cell, inputs: 3, units: 2, generator: &generator)
        let input = sample([2, 4, 3], seed: 31)
        #expect(checkLayerGradients(layer, input: input).passed)
        let mask = Tensor([1, 1, 0, 1, 1, 0, 0, 1], shape: [2, 4])
        let parameters = layer.namedParameters.map(\.parameter)
        let result = checkGradients(at: [input] + parameters.map(\.value)) { values in
            for (parameter, value) in zip(parameters, values.dropFirst()) { parameter.value = value }
            return layer(values[0], mask: mask)
        }
        #expect(result.passed, "\(cell) masked: \(result)")
        let states = layer(input, mask: mask)
        #expect(Array(states.scalars[4..<6]) == Array(states.scalars[2..<4]), "a masked step leaves the state unchanged")
    }

    @Test func bidirectionalShapesAndGradients() {
        var generator = RandomGenerator(seed: 32)
        let layer = Bidirectional(forward: Recurrent(.lstm, inputs: 3, units: 2, generator: &generator),
                                  backward: Recurrent(.lstm, inputs: 3, units: 2, generator: &generator))
        let input = sample([2, 5, 3], seed: 33)
        #expect(layer(input).shape == [2, 5, 4])
        #expect(layer.finalStates(input, mask: nil).shape == [2, 4])
        #expect(checkLayerGradients(layer, input: input).passed)
        // The backward direction at the first step has read the whole sequence: equal to the
        // backward layer alone on the reversed input, at its last step.
        let reversed = Tensor.stack((0..<5).reversed().map { input.slice(axis: 1, $0..<$0 + 1).reshaped([2, 3]) }, axis: 1)
        let alone = layer.backward(reversed)
        #expect(Array(layer(input).scalars[2..<4]) == Array(alone.scalars[8..<10]))
    }

    @Test func conv1dOverTime() {
        var generator = RandomGenerator(seed: 34)
        let layer = Conv1D(3, 4, kernelSize: 3, generator: &generator)
        let input = sample([2, 6, 3], seed: 35)
        #expect(layer(input).shape == [2, 6, 4])
        #expect(checkLayerGradients(layer, input: input).passed)
    }
}
