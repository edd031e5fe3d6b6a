import HDF5
import NeuralNet
import TensorCore

/// A labelled sequence set in Galen's `sequence-set/1` contract (`datasets/README.md`), in memory.
public struct SequenceSet: Sendable {
    public static let contract = "sequence-set/1"
    public let path: String
    /// [N, T, F], standardised with training statistics.
    public let sequences: Tensor
    /// Which steps the recurrence reads, [N, T]: the file's step mask, or all ones when the file's
    /// mask is per feature (the observation flags are then features themselves).
    public let stepMask: Tensor
    /// [N, S] static descriptors, when the file has them.
    public let statics: Tensor?
    public let featureNames: [String]
    /// The sequences' ids, when the file has them (`/ids`, one per sequence).
    public let ids: [String]?
    public let labelled: LabelledRows

    public var labels: [Int] { labelled.labels }
    public var classes: [String] { labelled.classes }
    public var count: Int { labels.count }

    public static func load(_ path: String) throws -> SequenceSet {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        func fail(_ problem: String) -> DataFileError { DataFileError(path: path, problem: problem) }
        guard try file.contains("sequences") else { throw fail("/sequences is missing") }
        let data = try file.dataset("sequences")
        let shape = try data.shape
        guard try data.elementType == .float32, shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw fail("/sequences is \(try data.elementType) \(shape), expected float32 [N, T, F]")
        }
        let values = try data.read(as: Float.self)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw fail("/sequences holds \(values[bad]) in sequence \(bad / (shape[1] * shape[2])); masked cells hold numbers too (0 or the carried value)")
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
        var ids: [String]?
        if try file.contains("ids") {
            let idData = try file.dataset("ids")
            guard try idData.shape == [shape[0]], try idData.elementType == .string else {
                throw fail("/ids is \(try idData.elementType) \(try idData.shape), expected string [\(shape[0])]")
            }
            ids = try idData.read(as: String.self)
        }
        return SequenceSet(path: path, sequences: Tensor(values, shape: shape), stepMask: stepMask, statics: statics,
                           featureNames: names, ids: ids, labelled: try LabelledRows(file: file, path: path, count: shape[0]))
    }
}
