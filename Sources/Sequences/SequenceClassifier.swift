import Foundation
import NeuralNet
import TensorCore

/// Settings of a ``SequenceNetwork``.
public struct SequenceSettings: Sendable, Codable, Equatable {
    public enum Pooling: String, Sendable, Codable, CaseIterable {
        /// The state after the last step (masked steps carry it, so the last valid one).
        case last
        /// The mean of the states over the valid steps.
        case mean
    }

    public var features: Int
    public var statics: Int
    public var classes: Int
    public var cell: Recurrent.Cell = .gru
    public var hidden = 64
    public var layers = 1
    public var bidirectional = false
    public var pooling: Pooling = .last
    public var dropout: Float = 0.2
    /// Filters of the 1-D convolution blocks (convolution, batch normalisation, ReLU) that read the
    /// steps before the recurrence, with kernels of 8, 5, then 3 steps (the fully convolutional
    /// network of Wang et al., 2017); none when empty.
    public var convolutions: [Int] = []

    public init(features: Int, statics: Int, classes: Int) {
        self.features = features
        self.statics = statics
        self.classes = classes
    }

    /// Units of the classifier's hidden layer.
    static let headWidth = 32

    /// Steps of the kernel of convolution block `index`.
    static func kernelSteps(ofBlock index: Int) -> Int { [8, 5, 3][Swift.min(index, 2)] }

    /// The kernels' shapes, for their count of values: the recurrent ones with the number of
    /// directions in front (and for the stacked layers after the first, directions times their
    /// count, so that a damaged count costs no loop).
    var weightShapes: [[Int]] {
        var shapes: [[Int]] = [], inputs = features
        for (index, filters) in convolutions.enumerated() {
            shapes.append([filters, inputs, Self.kernelSteps(ofBlock: index)])
            inputs = filters
        }
        let directions = bidirectional ? 2 : 1
        if layers > 0 {
            shapes += Recurrent.weightShapes(cell, inputs: inputs, units: hidden).map { [directions] + $0 }
            shapes += Recurrent.weightShapes(cell, inputs: hidden * directions, units: hidden).map { [directions * (layers - 1)] + $0 }
            inputs = hidden * directions
        }
        return shapes + [[inputs + statics, Self.headWidth], [Self.headWidth, classes]]
    }
}

/// 1-D convolution blocks and stacked (optionally bidirectional) LSTM or GRU layers, either of
/// them optional, over [B, T, F] sequences; pooled over time, joined with static descriptors,
/// then a small classifier.
public final class SequenceNetwork: Layer {
    public static let className = "SequenceNetwork"
    public let settings: SequenceSettings
    public let convolutions: [Sequential]
    public let recurrentLayers: [any Layer]
    public let dropout: Dropout
    public let head: Sequential

    public init(_ settings: SequenceSettings, generator: inout RandomGenerator) {
        self.settings = settings
        var inputs = settings.features
        convolutions = settings.convolutions.enumerated().map { index, filters in
            defer { inputs = filters }
            return Sequential([
                ("conv", Conv1D(inputs, filters, kernelSize: SequenceSettings.kernelSteps(ofBlock: index), generator: &generator) as any Layer),
                ("norm", BatchNorm(filters)), ("relu", Activation(.relu)),
            ])
        }
        recurrentLayers = (0..<settings.layers).map { _ in
            let layer: any Layer = settings.bidirectional
                ? Bidirectional(forward: Recurrent(settings.cell, inputs: inputs, units: settings.hidden, generator: &generator),
                                backward: Recurrent(settings.cell, inputs: inputs, units: settings.hidden, generator: &generator))
                : Recurrent(settings.cell, inputs: inputs, units: settings.hidden, generator: &generator)
            inputs = settings.hidden * (settings.bidirectional ? 2 : 1)
            return layer
        }
        dropout = Dropout(rate: settings.dropout)
        head = Sequential([
            ("dense", Dense(inputs + settings.statics, SequenceSettings.headWidth, initializer: .heNormal, generator: &generator) as any Layer),
            ("relu", Activation(.relu)), ("output", Dense(SequenceSettings.headWidth, settings.classes, generator: &generator)),
        ])
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        guard case .string(let json)? = config.values["settings"],
              let settings = try? JSONDecoder().decode(SequenceSettings.self, from: Data(json.utf8))
        else { throw ModelError.invalidConfig("layer SequenceNetwork: 'settings' is missing or unreadable") }
        // Without recurrent layers no weight has `hidden` units, so the file's weights do not bound it.
        let sizes = [settings.features, settings.classes] + (settings.layers > 0 ? [settings.hidden] : []) + settings.convolutions
        let limit = LayerConfig.sizeLimit
        guard sizes.allSatisfy({ $0 >= 1 && $0 <= limit }), settings.hidden >= 1, settings.statics >= 0 && settings.statics <= limit,
              settings.layers >= 0 && settings.layers <= limit, settings.layers >= 1 || !settings.convolutions.isEmpty && !settings.bidirectional,
              (0..<1).contains(settings.dropout)
        else { throw ModelError.invalidConfig("layer SequenceNetwork: settings out of range (sizes must be positive, dropout in [0, 1))") }
        try LayerConfig.reserveWeights(settings.weightShapes, for: Self.className)
        var generator = RandomGenerator(seed: 0)
        self.init(settings, generator: &generator)
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, ["settings": .string(String(decoding: (try? JSONEncoder().encode(settings)) ?? Data(), as: UTF8.self))])
    }

    public var sublayers: [(name: String, layer: any Layer)] {
        convolutions.enumerated().map { ("conv\($0.offset + 1)", $0.element as any Layer) }
            + recurrentLayers.enumerated().map { ("rnn\($0.offset + 1)", $0.element) } + [("dropout", dropout), ("head", head)]
    }

    /// Logits [B, classes] for sequences [B, T, F] without a mask or static descriptors.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        self(input, mask: nil, statics: nil)
    }

    /// Logits [B, classes]; `mask` [B, T] marks the steps the recurrence reads.
    public func callAsFunction(_ sequences: Tensor, mask: Tensor?, statics: Tensor?) -> Tensor {
        require(sequences.rank == 3 && sequences.shape[2] == settings.features,
                "SequenceNetwork: sequences \(sequences.shape) do not have \(settings.features) features")
        require((statics?.shape[1] ?? 0) == settings.statics,
                "SequenceNetwork: \(statics?.shape[1] ?? 0) static descriptors given, the model takes \(settings.statics)")
        var states = convolutions.reduce(sequences) { $1($0) }
        for layer in recurrentLayers {
            states = (layer as? Bidirectional).map { $0(states, mask: mask) } ?? (layer as! Recurrent)(states, mask: mask)
        }
        let (batch, steps) = (states.shape[0], states.shape[1])
        let pooled: Tensor
        switch settings.pooling {
        case .last where settings.bidirectional:
            // The backward direction has read the whole sequence by its first step.
            let half = settings.hidden
            pooled = Tensor.concatenate([states.slice(axis: 1, steps - 1..<steps).slice(axis: 2, 0..<half),
                                         states.slice(axis: 1, 0..<1).slice(axis: 2, half..<2 * half)], axis: 2).reshaped([batch, -1])
        case .last:
            pooled = states.slice(axis: 1, steps - 1..<steps).reshaped([batch, -1])
        case .mean:
            let weights = (mask ?? Tensor.ones([batch, steps])).reshaped([batch, steps, 1])
            pooled = (states * weights).sum(axes: [1]) / weights.sum(axes: [1]).clamped(1)
        }
        let features = statics.map { Tensor.concatenate([pooled, $0], axis: 1) } ?? pooled
        return head(dropout(features))
    }
}


