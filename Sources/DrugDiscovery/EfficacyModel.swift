import Foundation
import HDF5
import NeuralNet
import TensorCore

/// A trained drug-discovery model: the autoencoder with its efficacy head, the tasks it
/// predicts and the statistics that turn its outputs back into assay units.
public final class EfficacyModel {
    public static let kind = "drug-discovery/1"
    public let network: DenoisingAutoencoder
    public let taskNames: [String]
    public let taskUnits: [String]
    public let scaling: TargetScaling
    /// How it was trained (options, library, split, seed), as JSON.
    public let trainingRecord: String

    public init(network: DenoisingAutoencoder, taskNames: [String], taskUnits: [String], scaling: TargetScaling,
                trainingRecord: String) {
        self.network = network
        self.taskNames = taskNames
        self.taskUnits = taskUnits
        self.scaling = scaling
        self.trainingRecord = trainingRecord
    }

    public var fingerprintBits: Int { network.settings.inputBits }
    public var latentSize: Int { network.settings.latentSize }

    /// Latent codes [rows, latent] of fingerprints [rows, bits].
    public func encode(_ fingerprints: Tensor) -> Tensor {
        withoutGrad { network.encode(fingerprints) }
    }

    /// Predicted assay values [rows, tasks] in the assays' own units.
    public func predict(_ fingerprints: Tensor) -> Tensor {
        let standardized = network.predict(fingerprints)
        return Tensor(scaling.original(standardized.scalars, tasks: taskNames.count), shape: standardized.shape)
    }

    public func save(to path: String, optimizer: Optimizer? = nil, completedEpochs: Int = 0) throws {
        try ModelFile.save(network, to: path, optimizer: optimizer, completedEpochs: completedEpochs, attributes: [
            "galen_model": .string(Self.kind), "task_names": .strings(taskNames), "task_units": .strings(taskUnits),
            "target_mean": .floats(scaling.means), "target_std": .floats(scaling.deviations),
            "fingerprint_bits": .int(fingerprintBits), "latent_size": .int(latentSize),
            "training_config": .string(trainingRecord),
        ])
    }

    public static func load(_ path: String) throws -> EfficacyModel {
        let contents = try ModelFile.load(path, registry: .drugDiscovery)
        let attributes = contents.attributes
        guard case .string(Self.kind)? = attributes["galen_model"] else {
            throw ModelError.weights("\(path): not a Galen drug-discovery model (attribute galen_model is not '\(Self.kind)')")
        }
        guard let network = contents.model as? DenoisingAutoencoder,
              case .strings(let names)? = attributes["task_names"], case .strings(let units)? = attributes["task_units"],
              case .floats(let means)? = attributes["target_mean"], case .floats(let deviations)? = attributes["target_std"],
              means.count == names.count, deviations.count == names.count, units.count == names.count,
              network.settings.tasks == names.count
        else { throw ModelError.weights("\(path): the model's task names, units or target statistics are missing or inconsistent") }
        let record: String
        if case .string(let text)? = attributes["training_config"] { record = text } else { record = "{}" }
        return EfficacyModel(network: network, taskNames: names, taskUnits: units,
                             scaling: TargetScaling(means: means, deviations: deviations), trainingRecord: record)
    }
}
