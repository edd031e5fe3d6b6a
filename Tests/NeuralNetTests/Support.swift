import NeuralNet
import TensorCore

func sample(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -2...2) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.randomUniform(shape, range.lowerBound, range.upperBound, using: &generator)
}

/// Checks the gradients of `layer(input)` with respect to the input and every trainable parameter.
func checkLayerGradients(_ layer: any Layer, input: Tensor, training: Bool = false) -> GradientCheckResult {
    let parameters = layer.namedParameters.map(\.parameter).filter(\.isTrainable)
    let originals = parameters.map(\.value)
    defer { zip(parameters, originals).forEach { $0.value = $1 } }
    return checkGradients(at: [input] + originals) { values in
        for (parameter, value) in zip(parameters, values.dropFirst()) { parameter.value = value }
        return training ? withTrainingMode { layer(values[0]) } : layer(values[0])
    }
}
