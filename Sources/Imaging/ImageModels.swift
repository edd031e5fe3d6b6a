import NeuralNet
import TensorCore

/// The image classifiers Galen builds.
public enum ImageArchitecture: String, Sendable, Codable, CaseIterable {
    /// The founding lung-cancer CNN: Conv(32)-Pool-Conv(64)-Pool-Conv(128)-Pool-Flatten-Dense(128)-Dense(K),
    /// with 3×3 same-padded convolutions and 2×2 max pooling, sized to the input.
    case cnn
    /// A small residual network: a stem and three residual stages (16, 32, 64 channels, the
    /// last two halving the size), global average pooling and a linear classifier.
    case resnet

    public func build(inputShape: [Int], classes: Int, dropout: Float = 0.5, generator: inout RandomGenerator) -> Sequential {
        let (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        switch self {
        case .cnn:
            var layers: [(String, any Layer)] = []
            var (inputs, h, w) = (channels, height, width)
            for (index, filters) in [32, 64, 128].enumerated() {
                layers.append(("conv\(index + 1)", Conv2D(inputs, filters, kernelSize: (3, 3), padding: .same, generator: &generator)))
                layers.append(("relu\(index + 1)", Activation(.relu)))
                layers.append(("pool\(index + 1)", Pool2D(.max)))
                (inputs, h, w) = (filters, h / 2, w / 2)
            }
            require(h > 0 && w > 0, "cnn: a \(height)×\(width) input is too small for three 2×2 poolings")
            layers += [("flatten", Flatten()), ("dense1", Dense(inputs * h * w, 128, initializer: .heNormal, generator: &generator)),
                       ("relu4", Activation(.relu)), ("dropout", Dropout(rate: dropout)), ("output", Dense(128, classes, generator: &generator))]
            return Sequential(layers)
        case .resnet:
            var layers: [(String, any Layer)] = [
                ("stem", Conv2D(channels, 16, kernelSize: (3, 3), padding: .same, bias: false, generator: &generator)),
                ("stem_norm", BatchNorm(16)), ("stem_relu", Activation(.relu)),
            ]
            var inputs = 16
            for (index, (filters, stride)) in [(16, 1), (32, 2), (64, 2)].enumerated() {
                layers.append(("block\(index + 1)", residualBlock(inputs, filters, stride: stride, generator: &generator)))
                layers.append(("relu\(index + 1)", Activation(.relu)))
                inputs = filters
            }
            layers += [("pool", GlobalAvgPool()), ("dropout", Dropout(rate: dropout)), ("output", Dense(inputs, classes, generator: &generator))]
            return Sequential(layers)
        }
    }

    private func residualBlock(_ inputs: Int, _ outputs: Int, stride: Int, generator: inout RandomGenerator) -> Residual {
        let body = Sequential([
            ("conv1", Conv2D(inputs, outputs, kernelSize: (3, 3), stride: (stride, stride), padding: .same, bias: false, generator: &generator) as any Layer),
            ("norm1", BatchNorm(outputs)), ("relu", Activation(.relu)),
            ("conv2", Conv2D(outputs, outputs, kernelSize: (3, 3), padding: .same, bias: false, generator: &generator)),
            ("norm2", BatchNorm(outputs)),
        ])
        let shortcut: (any Layer)? = inputs == outputs && stride == 1 ? nil
            : Conv2D(inputs, outputs, kernelSize: (1, 1), stride: (stride, stride), bias: false, generator: &generator)
        return Residual(body, shortcut: shortcut)
    }
}
