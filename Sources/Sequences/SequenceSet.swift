import HDF5
import NeuralNet
import TensorCore

/// A labelled sequence set in Galen's `sequence-set/1` contract (`datasets/README.md`), in memory.
public struct SequenceSet: Sendable {
    public let path: String
    /// [N, T, F], standardised with training statistics.
    public let sequences: Tensor
    /// Which steps the recurrence reads, [N, T]: the file's step mask, or all ones when the file's
    /// mask is per feature (the observation flags are then features themselves).
    public let stepMask: Tensor
    /// [N, S] static descriptors, when the file has them.
    public let statics: Tensor?
    public let labels: [Int]
    public let classes: [String]
    public let featureNames: [String]
    public let splits: [String: [Int8]]

    public var count: Int { labels.count }

    public static func load(_ path: String) throws -> SequenceSet {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        func fail(_ problem: String) -> SequenceSetError { SequenceSetError(path: path, problem: problem) }
        for name in ["sequences", "labels", "classes"] where try !file.contains(name) { throw fail("/\(name) is missing") }
        let data = try file.dataset("sequences")
        let shape = try data.shape
        guard try data.elementType == .float32, shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw fail("/sequences is \(try data.elementType) \(shape), expected float32 [N, T, F]")
        }
        let values = try data.read(as: Float.self)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw fail("/sequences holds \(values[bad]) in sequence \(bad / (shape[1] * shape[2])); unobserved values are 0")
        }
        var stepMask = Tensor.ones([shape[0], shape[1]])
        if try file.contains("mask") {
            let mask = try file.dataset("mask")
            let maskShape = try mask.shape
            guard try mask.elementType == .uint8, Array(maskShape.prefix(2)) == [shape[0], shape[1]], maskShape.count == 2 || maskShape.count == 3 else {
                throw fail("/mask is \(try mask.elementType) \(maskShape), expected uint8 [\(shape[0]), \(shape[1])] or [\(shape[0]), \(shape[1]), M]")
            }
            if maskShape.count == 2 { stepMask = Tensor(try mask.read(as: UInt8.self).map(Float.init), shape: maskShape) }
        }
        let labelData = try file.dataset("labels")
        guard try labelData.elementType == .int64, try labelData.shape == [shape[0]] else {
            throw fail("/labels is \(try labelData.elementType) \(try labelData.shape), expected int64 [\(shape[0])]")
        }
        let labels = try labelData.read(as: Int64.self).map { Int($0) }
        let classes = try file.dataset("classes").read(as: String.self)
        if let bad = labels.firstIndex(where: { !(0..<classes.count).contains($0) }) {
            throw fail("/labels row \(bad) is \(labels[bad]), not a class index in 0..<\(classes.count)")
        }
        var statics: Tensor?
        if try file.contains("static") {
            let table = try file.dataset("static")
            let tableShape = try table.shape
            guard try table.elementType == .float32, tableShape.count == 2, tableShape[0] == shape[0] else {
                throw fail("/static is \(try table.elementType) \(tableShape), expected float32 [\(shape[0]), S]")
            }
            statics = Tensor(try table.read(as: Float.self), shape: tableShape)
        }
        let names = try file.contains("feature_names") ? try file.dataset("feature_names").read(as: String.self)
            : (0..<shape[2]).map { "feature\($0)" }
        var splits: [String: [Int8]] = [:]
        if try file.contains("splits") {
            for name in try file.group("splits").members() {
                let codes = try file.dataset("splits/\(name)").read(as: Int8.self)
                guard codes.count == shape[0], codes.allSatisfy({ (0...2).contains($0) }) else {
                    throw fail("/splits/\(name) must be int8 [\(shape[0])] of 0, 1, 2")
                }
                splits[name] = codes
            }
        }
        return SequenceSet(path: path, sequences: Tensor(values, shape: shape), stepMask: stepMask, statics: statics,
                           labels: labels, classes: classes, featureNames: names, splits: splits)
    }

    /// Rows of one part (0 train, 1 validation, 2 test) of a stored split.
    public func rows(split name: String, part: Int8) throws -> [Int] {
        guard let codes = splits[name] else {
            throw SequenceSetError(path: path, problem: "split '\(name)' is not in the file (it has \(splits.keys.sorted().joined(separator: ", ")))")
        }
        return codes.indices.filter { codes[$0] == part }
    }

    /// Rows of train, validation and test of a stored split; a validation part is carved from
    /// training with `seed` when the split has none.
    public func partition(_ name: String, seed: UInt64) throws -> (train: [Int], validation: [Int], test: [Int]) {
        var (train, validation) = (try rows(split: name, part: 0), try rows(split: name, part: 1))
        if validation.isEmpty { (train, validation) = carveValidation(from: train, seed: seed) }
        return (train, validation, try rows(split: name, part: 2))
    }

    /// The one stored split, if there is exactly one.
    public var onlySplit: String? { splits.count == 1 ? splits.keys.first : nil }
}

public struct SequenceSetError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
