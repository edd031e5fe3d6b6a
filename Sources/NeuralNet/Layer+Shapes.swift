import HDF5
import TensorCore

/// A layer that tells, without running, the shape it gives for an input shape, or why it cannot
/// take that input. A model file's architecture is then checked against the input it is for when
/// it is loaded, instead of stopping a run on a precondition (a damaged configuration can hold a
/// window larger than the image, or a dense layer of the wrong width).
public protocol ShapeChecking {
    /// The output shape for `input`; nil when a layer inside does not tell its shapes; an error
    /// (``ModelError/invalidConfig(_:)``) when the layer cannot take `input`.
    func outputShape(for input: [Int]) throws -> [Int]?
}

extension Layer {
    /// The output shape for `input` when this layer tells its shapes; nil when it does not.
    public func checkedOutputShape(for input: [Int]) throws -> [Int]? {
        try (self as? any ShapeChecking)?.outputShape(for: input)
    }
}

private func refuse(_ layer: String, _ input: [Int], _ expected: String) -> ModelError {
    .invalidConfig("layer \(layer) takes \(expected), not \(input)")
}

extension Activation: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? { input }
}

extension Dropout: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? { input }
}

extension GaussianNoise: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? { input }
}

extension BatchNorm: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        let features = gamma.value.count
        guard (2...4).contains(input.count), input[input.count == 3 ? 2 : 1] == features else {
            throw refuse(Self.className, input, "[N, \(features)], [N, T, \(features)] or [N, \(features), H, W]")
        }
        return input
    }
}

extension LayerNorm: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        guard input.last == gamma.value.count else { throw refuse(Self.className, input, "[..., \(gamma.value.count)]") }
        return input
    }
}

extension Dense: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        guard input.count == 2, input[1] == inputCount else { throw refuse(Self.className, input, "[N, \(inputCount)]") }
        return [input[0], outputCount]
    }
}

extension Conv2D: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        let (filters, channels, kernelHeight, kernelWidth) = (kernel.value.shape[0], kernel.value.shape[1], kernel.value.shape[2], kernel.value.shape[3])
        guard input.count == 4, input[1] == channels else { throw refuse(Self.className, input, "[N, \(channels), H, W]") }
        let output = try windowOutput(Self.className, input, channels: filters, kernel: (kernelHeight, kernelWidth), stride: stride,
                                      dilation: dilation, padding: padding)
        // Each core unfolds one image at a time into [C·kH·kW, H'·W'] columns; a damaged kernel
        // size with `same` padding fits any input yet can ask for more than memory.
        let columnBytes = [channels, kernelHeight, kernelWidth, output[2], output[3], MemoryLayout<Float>.size, Parallelism.cores]
            .reduce(1.0) { $0 * Double($1) }
        guard columnBytes <= MachineMemory.bytes else {
            throw ModelError.invalidConfig("layer \(Self.className): a \(kernelHeight)×\(kernelWidth) kernel over \(input[2])×\(input[3]) inputs needs \(MachineMemory.exceeded(by: columnBytes))")
        }
        return output
    }
}

extension Pool2D: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        guard input.count == 4 else { throw refuse(Self.className, input, "[N, C, H, W]") }
        return try windowOutput(Self.className, input, channels: input[1], kernel: size, stride: stride, dilation: (1, 1), padding: padding)
    }
}

/// [N, channels, H', W'] for a window over [N, C, H, W], or why the window does not fit.
private func windowOutput(_ layer: String, _ input: [Int], channels: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int),
                          padding: Padding) throws -> [Int] {
    // Same padding fits any window to any input, but taps more than one step past both sides of
    // it only ever meet padding (one step is a 3×3 window over a 1×1 map, as deep in a ResNet): a
    // damaged size (a 1152×1152 kernel over 28×28) would be work for nothing.
    let spans = (dilation.0 * (kernel.0 - 1) + 1, dilation.1 * (kernel.1 - 1) + 1)
    guard padding == .valid || spans.0 <= 2 * input[2] + 1 && spans.1 <= 2 * input[3] + 1 else {
        throw ModelError.invalidConfig("layer \(layer): a \(kernel.0)×\(kernel.1) window (dilation \(dilation)) reaches past both sides of a \(input[2])×\(input[3]) input; with same padding it may span at most \(2 * input[2] + 1)×\(2 * input[3] + 1)")
    }
    let height = padding.outputSize(input[2], kernel: kernel.0, stride: stride.0, dilation: dilation.0)
    let width = padding.outputSize(input[3], kernel: kernel.1, stride: stride.1, dilation: dilation.1)
    guard height > 0 && width > 0 else {
        throw ModelError.invalidConfig("layer \(layer): a \(kernel.0)×\(kernel.1) window (dilation \(dilation)) does not fit a \(input[2])×\(input[3]) input with \(padding) padding")
    }
    return [input[0], channels, height, width]
}

extension GlobalAvgPool: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        guard input.count == 4 else { throw refuse(Self.className, input, "[N, C, H, W]") }
        return [input[0], input[1]]
    }
}

extension Flatten: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        guard input.count >= 2 else { throw refuse(Self.className, input, "[N, ...]") }
        return [input[0], input.dropFirst().reduce(1, *)]
    }
}

extension Sequential: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        var shape = input
        for (name, layer) in layers {
            do {
                guard let next = try layer.checkedOutputShape(for: shape) else { return nil }
                shape = next
            } catch ModelError.invalidConfig(let problem) {
                throw ModelError.invalidConfig("\(name): \(problem)")
            }
        }
        return shape
    }
}

extension Residual: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        guard let main = try body.checkedOutputShape(for: input) else { return nil }
        guard let side = try shortcut.map({ try $0.checkedOutputShape(for: input) }) ?? input else { return nil }
        guard main == side else { throw ModelError.invalidConfig("layer Residual: its body gives \(main), its shortcut \(side)") }
        return main
    }
}

extension Ensemble: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        let shapes = try members.map { try $0.checkedOutputShape(for: input) }
        guard !shapes.contains(where: { $0 == nil }) else { return nil }
        guard Set(shapes.compactMap { $0 }).count == 1 else { throw ModelError.invalidConfig("layer Ensemble: its members give \(shapes.compactMap { $0 })") }
        return shapes[0]
    }
}

extension Recurrent: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        let features = kernel.value.shape[0]
        guard input.count == 3, input[2] == features else { throw refuse(Self.className, input, "[N, T, \(features)]") }
        return [input[0], input[1], units]
    }
}

extension Bidirectional: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        try forward.outputShape(for: input).map { $0.dropLast() + [2 * forward.units] }
    }
}

extension Conv1D: ShapeChecking {
    public func outputShape(for input: [Int]) throws -> [Int]? {
        let features = convolution.kernel.value.shape[1]
        guard input.count == 3, input[2] == features else { throw refuse(Self.className, input, "[N, T, \(features)]") }
        return try convolution.outputShape(for: [input[0], features, 1, input[1]]).map { [$0[0], $0[3], $0[1]] }
    }
}
