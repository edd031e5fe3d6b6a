import TensorCore

/// A tensor that belongs to a layer: a trainable weight, or state such as running statistics
/// that is saved with the model but not trained.
public final class Parameter {
    public var value: Tensor
    public let isTrainable: Bool

    public init(_ value: Tensor, trainable: Bool = true) {
        self.value = value
        self.isTrainable = trainable
        self.value.requiresGrad = trainable
    }

    /// Replaces the values, keeping the shape and the tensor's place in the autograd graph.
    public func assign(_ newValue: Tensor) throws {
        guard newValue.shape == value.shape else {
            throw ModelError.weights("shape \(newValue.shape) does not match the parameter's \(value.shape)")
        }
        value.withMutableScalars { target in
            newValue.scalars.withUnsafeBufferPointer { source in
                _ = target.update(fromContentsOf: source)
            }
        }
    }
}
