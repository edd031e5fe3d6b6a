import ArgumentParser
import DrugDiscovery
import Foundation
import HDF5
import Imaging
import NeuralNet
import Sequences

/// `galen inspect`: what an HDF5 file holds, checked against Galen's contracts.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a compound library, image set, sequence set, model file or galen output and check it against its contract.",
        discussion: "Lists every problem found in a compound library or a galen output, and missing provenance attributes of image and sequence sets, and exits non-zero when there is any; otherwise image sets, sequence sets and models stop at the first.")

    @Argument(help: "The HDF5 file.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let root = try HDF5File.open(file)
        let attributes = try root.attributes.names()
        func text(_ name: String) throws -> String? {
            guard attributes.contains(name), case .string(let value) = try root.attributes.get(name) else { return nil }
            return value
        }
        // Contracts are matched by name, not version; each loader checks what it needs of the rest.
        func name(_ contract: String) -> String { String(contract.prefix { $0 != "/" }) }
        let (model, contract) = (try text("galen_model"), try text("galen_contract").map(name))
        let output = try text("galen_output")
        try root.close()
        if let output { return try describeOutput(kind: output) }
        switch (model, contract) {
        case (EfficacyModel.kind?, _): try describeModel()
        case (ImageClassifier.kind?, _): try describeImageClassifier()
        case (SequenceModel.kind?, _): try describeSequenceModel()
        case (let kind?, _): throw CommandError("\(file): a model of kind '\(kind)', which this version of galen does not know")
        case (nil, name(ImageSet.contract)?): try describeImageSet()
        case (nil, name(SequenceSet.contract)?): try describeSequenceSet()
        case (nil, _) where contract == nil && attributes.contains("model_config"):
            throw CommandError("\(file) is a model file that is not a Galen model (no galen_model attribute)")
        default: try describeLibrary()
        }
    }

    private func describeLibrary() throws {
        let inspection = try LibraryInspection(path: file)
        let summary = inspection.library.map(LibrarySummary.init)
        let problems = try provenanceProblems() + inspection.problems
        if json {
            try printJSON(["summary": AnyEncodable(summary), "problems": AnyEncodable(problems)])
        } else {
            if let summary { print(text(summary)) }
            print(conformance(problems, to: "compound-library/1"))
        }
        if !problems.isEmpty { throw ExitCode.failure }
    }

    /// The file's missing provenance, which readers do without but the contract asks for.
    func provenanceProblems() throws -> [String] {
        let root = try HDF5File.open(file)
        defer { try? root.close() }
        return try NeuralNet.provenanceProblems(of: root)
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
        lines += summary.splits.map(\.description)
        return lines.joined(separator: "\n")
    }
}

/// "conforms to X", or the problems found.
func conformance(_ problems: [String], to contract: String) -> String {
    problems.isEmpty ? "conforms to \(contract)" : problemList(problems)
}

/// "N problems:", then one line per problem.
func problemList(_ problems: [String]) -> String {
    (["\(problems.count) problem\(problems.count == 1 ? "" : "s"):"] + problems.map { "  - \($0)" }).joined(separator: "\n")
}
