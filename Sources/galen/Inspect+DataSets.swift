import ArgumentParser
import Foundation
import Imaging
import NeuralNet
import Sequences

/// What `galen inspect` says about an image or sequence set: one line per fact, or one JSON object.
private struct DataSetSummary: Encodable {
    struct ClassCount: Encodable {
        let name: String
        let count: Int
    }

    let kind: String
    let path: String
    let rows: Int
    /// [C, H, W] of an image, or [T, F] of a sequence.
    let shape: [Int]
    let statics: Int?
    let classes: [ClassCount]
    let splits: [SplitCounts]
    let contract: String
    /// What breaks the contract though readers take the file (its provenance attributes).
    let problems: [String]

    init(kind: String, contract: String, shape: [Int], statics: Int? = nil, _ labelled: LabelledRows, problems: [String]) {
        (self.kind, self.contract, self.path, self.rows, self.shape, self.statics) = (kind, contract, labelled.path, labelled.labels.count, shape, statics)
        self.problems = problems
        classes = labelled.classes.enumerated().map { label, name in
            ClassCount(name: name, count: labelled.labels.filter { $0 == label }.count)
        }
        splits = SplitCounts.of(labelled.splits)
    }

    var text: String {
        let rowsText = kind == "image set"
            ? "\(rows) images of \(shape.map(String.init).joined(separator: "×"))"
            : "\(rows) sequences of \(shape[0]) steps × \(shape[1]) features" + (statics.map { ", \($0) static descriptors" } ?? "")
        return ([
            "\(path): \(kind), \(rowsText)",
            "classes: " + classes.map { "\($0.name) \($0.count)" }.joined(separator: ", "),
        ] + splits.map(\.description) + [conformance(problems, to: contract)]).joined(separator: "\n")
    }
}

extension Inspect {
    func describeImageSet() throws {
        let set = try ImageSet.load(file)
        try show(DataSetSummary(kind: "image set", contract: ImageSet.contract, shape: set.imageShape, set.labelled, problems: try provenanceProblems()))
    }

    func describeSequenceSet() throws {
        let set = try SequenceSet.load(file)
        try show(DataSetSummary(kind: "sequence set", contract: SequenceSet.contract, shape: Array(set.sequences.shape.dropFirst()),
                                statics: set.statics?.shape[1], set.labelled, problems: try provenanceProblems()))
    }

    private func show(_ summary: DataSetSummary) throws {
        if json { try printJSON(summary) } else { print(summary.text) }
        if !summary.problems.isEmpty { throw ExitCode.failure }
    }
}
