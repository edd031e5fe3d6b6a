/// The layer classes a model file may name, so that a saved model can be rebuilt without code.
/// Model families add their own layers with ``adding(_:)``.
public struct LayerRegistry: @unchecked Sendable {  // immutable; metatypes are not marked Sendable
    private var types: [String: any Layer.Type]

    public static let standard = LayerRegistry(types: [
        Dense.self, Sequential.self, Dropout.self, GaussianNoise.self, BatchNorm.self, LayerNorm.self,
        Embedding.self, Activation.self, Ensemble.self, Conv2D.self, Pool2D.self, GlobalAvgPool.self, Flatten.self,
        Residual.self, Recurrent.self, Bidirectional.self, Conv1D.self,
    ])

    private init(types: [any Layer.Type]) {
        self.types = Dictionary(uniqueKeysWithValues: types.map { ($0.className, $0) })
    }

    /// This registry with more layer classes.
    public func adding(_ newTypes: any Layer.Type...) -> LayerRegistry {
        var copy = self
        for type in newTypes { copy.types[type.className] = type }
        return copy
    }

    /// Builds the layer a saved configuration describes.
    public func build(_ config: LayerConfig) throws -> any Layer {
        guard let type = types[config.className] else { throw ModelError.unknownLayer(config.className) }
        return try type.init(config: config, registry: self)
    }
}
