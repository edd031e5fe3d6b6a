import DrugDiscovery
import Imaging
import NeuralNet
import Sequences

extension Inspect {
    func describeModel() throws {
        let model = try EfficacyModel.load(file)
        let settings = model.network.settings
        if json {
            try printJSON([
                "kind": AnyEncodable("drug-discovery model"), "tasks": AnyEncodable(model.taskNames),
                "units": AnyEncodable(model.taskUnits), "fingerprint_bits": AnyEncodable(settings.inputBits),
                "latent_size": AnyEncodable(settings.latentSize), "parameters": AnyEncodable(model.network.parameterCount),
            ])
        } else {
            print("\(file): drug-discovery model, \(model.taskNames.count) task(s): \(model.taskNames.joined(separator: ", "))")
            print("fingerprints: \(settings.inputBits) bits; latent code: \(settings.latentSize)")
            print(model.network.summary())
        }
    }

    func describeImageClassifier() throws {
        let model = try ImageClassifier.load(file)
        try describe(kind: "image classifier", classes: model.classes, network: model.layer,
                     facts: ["input_shape": AnyEncodable(model.inputShape), "members": AnyEncodable(model.members.count)],
                     line: "input: \(model.inputShape.map(String.init).joined(separator: "×")) images, \(members(model.members.count))")
    }

    func describeSequenceModel() throws {
        let model = try SequenceModel.load(file)
        try describe(kind: "sequence classifier", classes: model.classes, network: model.layer,
                     facts: ["threshold": AnyEncodable(model.threshold), "members": AnyEncodable(model.members.count)],
                     line: "\(members(model.members.count)), event-1 threshold (chosen on validation): \(format(Double(model.threshold)))")
    }

    private func members(_ count: Int) -> String { count == 1 ? "one network" : "an ensemble of \(count)" }

    private func describe(kind: String, classes: [String], network: any Layer, facts: [String: AnyEncodable], line: String) throws {
        if json {
            try printJSON(facts.merging(["kind": AnyEncodable(kind), "classes": AnyEncodable(classes),
                                         "parameters": AnyEncodable(network.parameterCount)]) { $1 })
        } else {
            print("\(file): \(kind), classes: \(classes.joined(separator: ", "))")
            print(line)
            print(network.summary())
        }
    }
}
