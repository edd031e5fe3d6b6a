import ArgumentParser
import DrugDiscovery
import Foundation
import HDF5

/// `galen inspect`: what an HDF5 file holds, checked against Galen's contracts.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a compound library or model file and check it against Galen's contract.",
        discussion: "Lists every problem found and exits non-zero when there is any.")

    @Argument(help: "The HDF5 file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let root = try HDF5File.open(file)
        let attributes = Set(try root.attributes.names())
        try root.close()
        if attributes.contains("galen_model") {
            try describeModel()
        } else if attributes.contains("galen_contract") || !attributes.contains("model_config") {
            try describeLibrary()
        } else {
            throw CommandError("\(file) is a model file that is not a Galen drug-discovery model")
        }
    }

    private func describeLibrary() throws {
        let inspection = try LibraryInspection(path: file)
        let summary = inspection.library.map(LibrarySummary.init)
        if json {
            try printJSON(["summary": AnyEncodable(summary), "problems": AnyEncodable(inspection.problems)])
        } else {
            if let summary { print(text(summary)) }
            if !inspection.problems.isEmpty {
                print("\(inspection.problems.count) problem\(inspection.problems.count == 1 ? "" : "s"):")
                for problem in inspection.problems { print("  - \(problem)") }
            } else {
                print("conforms to compound-library/1")
            }
        }
        if !inspection.problems.isEmpty { throw ExitCode.failure }
    }

    private func text(_ summary: LibrarySummary) -> String {
        var lines = [
            "\(summary.path): compound library, \(summary.compounds) compounds",
            "fingerprints: \(summary.fingerprintBits) bits, \(format(summary.fingerprintDensity * 100, 2)) % on on average",
        ]
        if summary.assays.isEmpty {
            lines.append("assays: none (unlabelled)")
        } else {
            lines.append("assays (\(summary.assays.count)):")
            lines.append(table(["name", "unit", "labelled", "min", "max", "mean"], summary.assays.map { assay in
                [assay.name, assay.unit ?? "", "\(assay.labelled)", format(assay.minimum.map(Double.init), 2),
                 format(assay.maximum.map(Double.init), 2), format(assay.mean.map(Double.init), 2)]
            }).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        for split in summary.splits {
            lines.append("split \(split.name): \(split.train) train, \(split.validation) validation, \(split.test) test")
        }
        return lines.joined(separator: "\n")
    }

    private func describeModel() throws {
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
}
