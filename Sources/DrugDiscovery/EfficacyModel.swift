import Foundation
import HDF5
import NeuralNet
import TensorCore

/// A trained drug-discovery model: one autoencoder with its efficacy head, or an ensemble of
/// them trained with different seeds; the tasks it predicts and the statistics that turn its
/// outputs back into assay units.
public final class EfficacyModel {
    /// The `galen_model` of its model files.
    public static let kind = "drug-discovery/1"
    /// The `galen_output` of the files ``encodeLibrary(modelPath:libraryPath:outputPath:options:)`` writes.
    public static let embeddingsKind = "embeddings/1"
    /// The `galen_output` of the files ``predictLibrary(modelPath:libraryPath:outputPath:options:)`` writes.
    public static let predictionsKind = "predictions/1"
    public let members: [DenoisingAutoencoder]
    public let taskNames: [String]
    public let taskUnits: [String]
    public let scaling: TargetScaling
    /// How it was trained (options, library, split, seed), as JSON.
    public let trainingRecord: String
    /// How the training library's fingerprints were made, when it said; libraries that say
    /// otherwise are refused.
    public let fingerprintMethod: String?

    public init(members: [DenoisingAutoencoder], taskNames: [String], taskUnits: [String], scaling: TargetScaling,
                trainingRecord: String, fingerprintMethod: String? = nil) {
        self.fingerprintMethod = fingerprintMethod
        self.members = members
        self.taskNames = taskNames
        self.taskUnits = taskUnits
        self.scaling = scaling
        self.trainingRecord = trainingRecord
    }

    /// The first member: the one whose latent codes ``encode(_:)`` gives (members' latent
    /// spaces are not aligned, so they are not averaged).
    public var network: DenoisingAutoencoder { members[0] }
    public var fingerprintBits: Int { network.settings.inputBits }
    public var latentSize: Int { network.settings.latentSize }

    /// Latent codes [rows, latent] of fingerprints [rows, bits], from the first member.
    public func encode(_ fingerprints: Tensor) -> Tensor {
        withoutGrad { network.encode(fingerprints) }
    }

    /// Latent codes of fingerprints given by their on-bits, as streaming encodes them; made once
    /// for the many blocks of a library, from the weights as they are then (see
    /// ``DenoisingAutoencoder/binaryEncoder()``).
    public func binaryEncoder() -> (BinaryRows) -> Tensor { network.binaryEncoder() }

    /// Predictions in the assays' own units, [rows, tasks]: the members' mean, and their
    /// standard deviation (zero for a single model).
    public struct Prediction {
        public let values: Tensor
        public let spread: Tensor
    }

    public func predict(_ fingerprints: Tensor) -> Prediction {
        combine(members.map { $0.predict(fingerprints) })
    }

    /// Predictions for fingerprints given by their on-bits, as streaming predicts them; made once
    /// for the many blocks of a library, from the weights as they are then.
    public func binaryPredictor() -> (BinaryRows) -> Prediction {
        let members = members.map { member in (head: member.head, encode: member.binaryEncoder()) }
        return { fingerprints in self.combine(members.map { member in withoutGrad { member.head(member.encode(fingerprints)) } }) }
    }

    /// The members' standardised outputs back in the assays' units, then their mean and spread.
    private func combine(_ standardized: [Tensor]) -> Prediction {
        let outputs = standardized.map { Tensor(scaling.original($0.scalars, tasks: taskNames.count), shape: $0.shape) }
        return withoutGrad {
            let mean = Ensemble.mean(outputs)
            let variance = outputs.map { ($0 - mean) * ($0 - mean) }.reduce(Tensor.zeros(mean.shape), +) / Float(outputs.count)
            return Prediction(values: mean, spread: variance.sqrt())
        }
    }

    public func save(to path: String, optimizer: Optimizer? = nil, completedEpochs: Int = 0) throws {
        try ModelFile.save(Ensemble.layer(of: members), to: path, optimizer: optimizer, completedEpochs: completedEpochs, attributes: [
            "galen_model": .string(Self.kind), "task_names": .strings(taskNames), "task_units": .strings(taskUnits),
            "target_mean": .floats(scaling.means), "target_std": .floats(scaling.deviations),
            "fingerprint_bits": .int(fingerprintBits), "latent_size": .int(latentSize),
            "training_config": .string(trainingRecord),
        ].merging(fingerprintMethod.map { ["fingerprint_method": .string($0)] } ?? [:]) { $1 })
    }

    public static func load(_ path: String) throws -> EfficacyModel {
        let contents = try ModelFile.load(path, registry: .drugDiscovery, kind: Self.kind)
        let attributes = contents.attributes
        let layers = Ensemble.members(of: contents.model)
        let members = layers.compactMap { $0 as? DenoisingAutoencoder }
        guard let network = members.first, members.count == layers.count, members.allSatisfy({ $0.settings == network.settings }) else {
            throw ModelError.weights("\(path): the network is not a denoising autoencoder or an ensemble of equal ones")
        }
        guard case .strings(let names)? = attributes["task_names"], names.count == network.settings.tasks, Set(names).count == names.count else {
            throw ModelError.attribute("task_names", of: path, shouldBe: "one different string per output of the network, which has \(network.settings.tasks)")
        }
        // Stored for readers of the file (h5py), so they must say what the network does.
        guard case .int(network.settings.inputBits)? = attributes["fingerprint_bits"] else {
            throw ModelError.attribute("fingerprint_bits", of: path, shouldBe: "the network's input width, \(network.settings.inputBits)")
        }
        guard case .int(network.settings.latentSize)? = attributes["latent_size"] else {
            throw ModelError.attribute("latent_size", of: path, shouldBe: "the network's latent size, \(network.settings.latentSize)")
        }
        guard case .strings(let units)? = attributes["task_units"], units.count == names.count else {
            throw ModelError.attribute("task_units", of: path, shouldBe: "one string per task, of which the model has \(names.count)")
        }
        guard case .floats(let means)? = attributes["target_mean"], means.count == names.count, means.allSatisfy(\.isFinite) else {
            throw ModelError.attribute("target_mean", of: path, shouldBe: "one finite number per task, of which the model has \(names.count)")
        }
        guard case .floats(let deviations)? = attributes["target_std"], deviations.count == names.count,
              deviations.allSatisfy({ $0.isFinite && $0 > 0 })
        else { throw ModelError.attribute("target_std", of: path, shouldBe: "one positive finite number per task, of which the model has \(names.count)") }
        let record: String
        if case .string(let text)? = attributes["training_config"] { record = text } else { record = "{}" }
        var method: String?
        switch attributes["fingerprint_method"] {
        case nil: method = nil
        case .string(let text)?: method = text
        default: throw ModelError.attribute("fingerprint_method", of: path, shouldBe: "a string, such as 'morgan, radius 2'")
        }
        return EfficacyModel(members: members, taskNames: names, taskUnits: units,
                             scaling: TargetScaling(means: means, deviations: deviations), trainingRecord: record, fingerprintMethod: method)
    }
}
