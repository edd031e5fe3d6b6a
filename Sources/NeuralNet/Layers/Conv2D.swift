import TensorCore

/// 2-D convolution over [N, C, H, W] inputs with a learned [O, C, kH, kW] kernel and bias.
public final class Conv2D: Layer {
    public static let className = "Conv2D"
    public let kernel: Parameter
    public let bias: Parameter?
    public let stride: (Int, Int)
    public let padding: Padding
    public let dilation: (Int, Int)

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), bias: Bool = true,
                initializer: Initializer = .heNormal, generator: inout RandomGenerator) {
        let fanIn = inputChannels * kernelSize.0 * kernelSize.1, fanOut = outputChannels * kernelSize.0 * kernelSize.1
        kernel = Parameter(initializer.weights([outputChannels, inputChannels, kernelSize.0, kernelSize.1],
                                               fanIn: fanIn, fanOut: fanOut, using: &generator))
        self.bias = bias ? Parameter(.zeros([outputChannels, 1, 1])) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        let size = try config.intPair("kernel_size")
        guard let padding = Padding(rawValue: try config.string("padding")) else {
            throw ModelError.invalidConfig("layer Conv2D: padding must be valid or same")
        }
        let (inputs, filters) = (try config.size("in_channels"), try config.size("filters"))
        // With a channel count of 0 no weights would be reserved, and the kernel size alone is unchecked.
        guard inputs >= 1, filters >= 1 else { throw ModelError.invalidConfig("layer Conv2D: in_channels and filters must be positive") }
        try LayerConfig.reserveWeights([[filters, inputs, size.0, size.1]], for: Self.className)
        var generator = RandomGenerator(seed: 0)
        self.init(inputs, filters, kernelSize: size, stride: try config.intPair("strides"),
                  padding: padding, dilation: try config.intPair("dilation_rate"), bias: try config.bool("use_bias"), generator: &generator)
    }

    public var config: LayerConfig {
        let shape = kernel.value.shape
        return LayerConfig(Self.className, [
            "in_channels": .number(Double(shape[1])), "filters": .number(Double(shape[0])),
            "kernel_size": [.number(Double(shape[2])), .number(Double(shape[3]))],
            "strides": [.number(Double(stride.0)), .number(Double(stride.1))],
            "dilation_rate": [.number(Double(dilation.0)), .number(Double(dilation.1))],
            "padding": .string(padding.rawValue), "use_bias": .bool(bias != nil),
        ])
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("kernel", kernel)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.conv2d(kernel.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
    }
}

/// Max or average pooling over [N, C, H, W] inputs.
public final class Pool2D: Layer {
    public enum Kind: String, Sendable { case max, average }
    public static let className = "Pool2D"
    public let kind: Kind
    public let size: (Int, Int)
    public let stride: (Int, Int)
    public let padding: Padding

    public init(_ kind: Kind, size: (Int, Int) = (2, 2), stride: (Int, Int)? = nil, padding: Padding = .valid) {
        self.kind = kind
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
    }

    public convenience init(config: LayerConfig, registry: LayerRegistry) throws {
        guard let kind = Kind(rawValue: try config.string("kind")), let padding = Padding(rawValue: try config.string("padding")) else {
            throw ModelError.invalidConfig("layer Pool2D: kind must be max or average, padding valid or same")
        }
        self.init(kind, size: try config.intPair("pool_size"), stride: try config.intPair("strides"), padding: padding)
    }

    public var config: LayerConfig {
        LayerConfig(Self.className, [
            "kind": .string(kind.rawValue), "padding": .string(padding.rawValue),
            "pool_size": [.number(Double(size.0)), .number(Double(size.1))],
            "strides": [.number(Double(stride.0)), .number(Double(stride.1))],
        ])
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        kind == .max ? input.maxPool2d(kernel: size, stride: stride, padding: padding)
            : input.avgPool2d(kernel: size, stride: stride, padding: padding)
    }
}

/// [N, C, H, W] to [N, C] by the mean over each plane.
public final class GlobalAvgPool: Layer {
    public static let className = "GlobalAvgPool"
    public init() {}
    public convenience init(config: LayerConfig, registry: LayerRegistry) throws { self.init() }
    public var config: LayerConfig { LayerConfig(Self.className, [:]) }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.globalAvgPool2d() }
}

/// Every axis after the first folded into one: [N, ...] to [N, features].
public final class Flatten: Layer {
    public static let className = "Flatten"
    public init() {}
    public convenience init(config: LayerConfig, registry: LayerRegistry) throws { self.init() }
    public var config: LayerConfig { LayerConfig(Self.className, [:]) }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.reshaped([input.shape[0], -1]) }
}

extension LayerConfig {
    /// A two-number list such as a kernel size.
    public func intPair(_ key: String) throws -> (Int, Int) {
        let values = try array(key)
        guard values.count == 2, case .number(let a) = values[0], case .number(let b) = values[1],
              [a, b].allSatisfy({ (1...Double(Int32.max)).contains($0) && $0.rounded() == $0 }) else {
            throw ModelError.invalidConfig("layer \(className): '\(key)' should be two positive whole numbers")
        }
        return (Int(a), Int(b))
    }
}
