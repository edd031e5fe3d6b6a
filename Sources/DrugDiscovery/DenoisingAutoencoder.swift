import NeuralNet
import TensorCore

/// Settings of a ``DenoisingAutoencoder``: layer widths, regularisation and noise.
public struct AutoencoderSettings: Sendable, Equatable {
    public var inputBits: Int
    /// Widths of the encoder's layers; the last is the latent code's size.
    public var encoderWidths: [Int]
    /// Widths of the decoder's hidden layers; its output has `inputBits` logits.
    public var decoderWidths: [Int]
    /// Widths of the efficacy head's hidden layers; its output has one value per task.
    public var headWidths: [Int]
    public var tasks: Int
    public var activation: Activation.Kind
    public var dropout: Float
    public var batchNorm: Bool
    public var noise: FingerprintNoise.Kind
    public var noiseLevel: Float

    public init(inputBits: Int, encoderWidths: [Int] = [1024, 128], decoderWidths: [Int] = [1024], headWidths: [Int] = [64],
                tasks: Int, activation: Activation.Kind = .relu, dropout: Float = 0.1, batchNorm: Bool = false,
                noise: FingerprintNoise.Kind = .flip, noiseLevel: Float = 0.02) {
        self.inputBits = inputBits
        self.encoderWidths = encoderWidths
        self.decoderWidths = decoderWidths
        self.headWidths = headWidths
        self.tasks = tasks
        self.activation = activation
        self.dropout = dropout
        self.batchNorm = batchNorm
        self.noise = noise
        self.noiseLevel = noiseLevel
    }

    public var latentSize: Int { encoderWidths.last! }

    /// The dense layers' kernel shapes: the encoder's, the decoder's, then the head's.
    var weightShapes: [[Int]] {
        let chains = [[inputBits] + encoderWidths, [latentSize] + decoderWidths + [inputBits], [latentSize] + headWidths + [max(tasks, 1)]]
        return chains.flatMap { chain in zip(chain, chain.dropFirst()).map { [$0, $1] } }
    }
}

/// Fingerprint → latent code → (reconstruction logits, efficacy per task).
///
/// The encoder's first layer is a ``SparseDense``; its input is corrupted by a
/// ``FingerprintNoise`` in training. The decoder reconstructs the clean bits; the head predicts
/// standardised assay values from the latent code.
public final class DenoisingAutoencoder: Layer {
    public static let className = "DenoisingAutoencoder"
    public let settings: AutoencoderSettings
    public let noise: FingerprintNoise
    public let encoder: Sequential
    public let decoder: Sequential
    public let head: Sequential

    public init(_ settings: AutoencoderSettings, generator: inout RandomGenerator) {
        require(!settings.encoderWidths.isEmpty && settings.tasks >= 0 && settings.inputBits > 0,
                "DenoisingAutoencoder: needs input bits, at least one encoder width, and a task count")
        self.settings = settings
        noise = FingerprintNoise(settings.noise, level: settings.noiseLevel)
        var encoderLayers: [(String, any Layer)] = []
        var width = settings.inputBits
        for (index, next) in settings.encoderWidths.enumerated() {
            let isLatent = index == settings.encoderWidths.count - 1
            let dense: any Layer = index == 0
                ? SparseDense(width, next, initializer: isLatent ? .glorotUniform : .heNormal, generator: &generator)
                : Dense(width, next, initializer: isLatent ? .glorotUniform : .heNormal, generator: &generator)
            encoderLayers.append(("dense\(index + 1)", dense))
            if !isLatent { encoderLayers += Self.hiddenBlock(index + 1, next, settings) }
            width = next
        }
        encoder = Sequential(encoderLayers)
        decoder = Self.mlp(from: settings.latentSize, through: settings.decoderWidths, to: settings.inputBits, settings, &generator)
        head = Self.mlp(from: settings.latentSize, through: settings.headWidths, to: Swift.max(settings.tasks, 1), settings, &generator)
    }

    /// Activation, then optional batch normalisation and dropout, after a hidden dense layer.
    private static func hiddenBlock(_ index: Int, _ width: Int, _ settings: AutoencoderSettings) -> [(String, any Layer)] {
        var layers: [(String, any Layer)] = [("act\(index)", Activation(settings.activation))]
        if settings.batchNorm { layers.append(("norm\(index)", BatchNorm(width))) }
        if settings.dropout > 0 { layers.append(("drop\(index)", Dropout(rate: settings.dropout))) }
        return layers
    }

    /// Hidden blocks from the latent code, then a linear output layer.
    private static func mlp(from inputs: Int, through widths: [Int], to outputs: Int, _ settings: AutoencoderSettings,
                            _ generator: inout RandomGenerator) -> Sequential {
        var layers: [(String, any Layer)] = []
        var width = inputs
        // The latent code is linear, so each branch starts with a nonlinearity.
        layers.append(("act0", Activation(settings.activation)))
        for (index, next) in widths.enumerated() {
            layers.append(("dense\(index + 1)", Dense(width, next, initializer: .heNormal, generator: &generator)))
            layers += hiddenBlock(index + 1, next, settings)
            width = next
        }
        layers.append(("output", Dense(width, outputs, generator: &generator)))
        return Sequential(layers)
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        func widths(_ key: String) throws -> [Int] {
            try config.array(key).map {
                guard case .number(let value) = $0, value >= 1 && value <= Double(LayerConfig.sizeLimit), value.rounded() == value else {
                    throw ModelError.invalidConfig("layer \(Self.className): '\(key)' should list positive whole numbers")
                }
                return Int(value)
            }
        }
        guard let activation = Activation.Kind(rawValue: try config.string("activation")),
              let noise = FingerprintNoise.Kind(rawValue: try config.string("noise"))
        else { throw ModelError.invalidConfig("layer \(Self.className): unknown activation or noise") }
        let settings = AutoencoderSettings(
            inputBits: try config.size("input_bits"), encoderWidths: try widths("encoder_widths"),
            decoderWidths: try widths("decoder_widths"), headWidths: try widths("head_widths"), tasks: try config.size("tasks"),
            activation: activation, dropout: try config.float("dropout", in: 0...Float(1).nextDown), batchNorm: try config.bool("batch_norm"),
            noise: noise, noiseLevel: try config.float("noise_level", in: 0...(noise == .gaussian ? .greatestFiniteMagnitude : 1)))
        guard settings.inputBits >= 1, !settings.encoderWidths.isEmpty else {
            throw ModelError.invalidConfig("layer \(Self.className): needs input bits and at least one encoder width")
        }
        try LayerConfig.reserveWeights(settings.weightShapes, for: Self.className)
        var generator = RandomGenerator(seed: 0)
        self.init(settings, generator: &generator)
    }

    public var config: LayerConfig {
        let list = { (values: [Int]) in JSONValue.array(values.map { .number(Double($0)) }) }
        return LayerConfig(Self.className, [
            "input_bits": .number(Double(settings.inputBits)), "encoder_widths": list(settings.encoderWidths),
            "decoder_widths": list(settings.decoderWidths), "head_widths": list(settings.headWidths),
            "tasks": .number(Double(settings.tasks)), "activation": .string(settings.activation.rawValue),
            "dropout": .number(Double(settings.dropout)), "batch_norm": .bool(settings.batchNorm),
            "noise": .string(settings.noise.rawValue), "noise_level": .number(Double(settings.noiseLevel)),
        ])
    }

    public var sublayers: [(name: String, layer: any Layer)] {
        [("noise", noise), ("encoder", encoder), ("decoder", decoder), ("head", head)]
    }

    /// The latent codes of clean fingerprints.
    public func encode(_ fingerprints: Tensor) -> Tensor { encoder(fingerprints) }

    /// The encoder for fingerprints given by their on-bits (inference: no graph, no noise), made
    /// once for the many blocks of a library. It keeps the first layer's weights as they are when
    /// it is made: make a new one after training changes them.
    public func binaryEncoder() -> (BinaryRows) -> Tensor {
        guard let first = encoder.layers.first?.layer as? SparseDense else {
            fatalError("DenoisingAutoencoder: the encoder does not start with a SparseDense layer")
        }
        let (firstLayer, rest) = (first.binaryInference(), encoder.layers.dropFirst())
        return { fingerprints in withoutGrad { rest.reduce(firstLayer(fingerprints)) { $1.layer($0) } } }
    }

    /// Standardised efficacy predictions; the input is corrupted first in training mode.
    public func callAsFunction(_ fingerprints: Tensor) -> Tensor { head(encoder(noise(fingerprints))) }

    /// The latent code of the (in training, corrupted) input, the reconstruction logits and the
    /// head's predictions, from one pass through the encoder.
    public func forward(_ fingerprints: Tensor) -> (latent: Tensor, reconstruction: Tensor, prediction: Tensor) {
        let latent = encoder(noise(fingerprints))
        return (latent, decoder(latent), head(latent))
    }
}

extension LayerRegistry {
    /// The standard layers and those of drug discovery.
    public static let drugDiscovery = LayerRegistry.standard.adding(SparseDense.self, FingerprintNoise.self, DenoisingAutoencoder.self)
}
