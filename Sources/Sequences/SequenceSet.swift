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
        if let contract = try contractProblem(of: file, expecting: contract) { throw fail(contract) }
        guard try file.contains("sequences") else { throw fail("/sequences is missing") }
        let data = try file.dataset("sequences")
        let shape = try data.shape
        guard try data.elementType == .float32, shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw fail("/sequences is \(try data.elementType) \(shape), expected float32 [N, T, F]")
        }
        let fills = ["zero", "carried"]
        guard try data.attributes.contains("unobserved"), case .string(let fill) = try data.attributes.get("unobserved"), fills.contains(fill) else {
            throw fail("/sequences needs the string attribute unobserved, \"zero\" or \"carried\": what a masked cell holds")
        }
        let values = try data.read(as: Float.self)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw fail("/sequences holds \(values[bad]) in sequence \(bad / (shape[1] * shape[2])); masked cells hold numbers too (0 or the carried value)")
        }
        guard try file.contains("mask") else { throw fail("/mask is missing") }
        let mask = try file.dataset("mask")
        let maskShape = try mask.shape
        guard try mask.elementType == .uint8, Array(maskShape.prefix(2)) == [shape[0], shape[1]],
              maskShape.count == 2 || maskShape.count == 3 && maskShape[2] <= shape[2] else {
            throw fail("/mask is \(try mask.elementType) \(maskShape), expected uint8 [\(shape[0]), \(shape[1])] or [\(shape[0]), \(shape[1]), M ≤ \(shape[2])]")
        }
        let maskBits = try flags(mask, "/mask", fail)
        let stepMask = maskShape.count == 2 ? Tensor(maskBits.map(Float.init), shape: maskShape) : Tensor.ones([shape[0], shape[1]])
        let names = try strings(file, "feature_names", count: shape[2], fail)
        for name in ["feature_mean", "feature_std"] { _ = try statistics(file, name, count: shape[2], fail) }
        var statics: Tensor?
        if try file.contains("static") {
            let table = try file.dataset("static")
            let tableShape = try table.shape
            guard try table.elementType == .float32, tableShape.count == 2, tableShape[0] == shape[0] else {
                throw fail("/static is \(try table.elementType) \(tableShape), expected float32 [\(shape[0]), S]")
            }
            let values = try table.read(as: Float.self)
            if let bad = values.firstIndex(where: { !$0.isFinite }) { throw fail("/static holds \(values[bad]) in sequence \(bad / tableShape[1])") }
            guard try file.contains("static_mask"), try file.dataset("static_mask").shape == tableShape else {
                throw fail("/static needs /static_mask, uint8 \(tableShape)")
            }
            _ = try flags(try file.dataset("static_mask"), "/static_mask", fail)
            statics = Tensor(values, shape: tableShape)
        }
        guard try file.contains("splits"), try !file.group("splits").members().isEmpty else { throw fail("/splits holds no split") }
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

    /// A uint8 dataset's values, each 0 or 1.
    private static func flags(_ dataset: Dataset, _ name: String, _ fail: (String) -> DataFileError) throws -> [UInt8] {
        guard try dataset.elementType == .uint8 else { throw fail("\(name) is \(try dataset.elementType), expected uint8") }
        let values = try dataset.read(as: UInt8.self)
        if let bad = values.first(where: { $0 > 1 }) { throw fail("\(name) holds \(bad); it holds 1 (observed) or 0") }
        return values
    }

    private static func strings(_ file: HDF5File, _ name: String, count: Int, _ fail: (String) -> DataFileError) throws -> [String] {
        guard try file.contains(name) else { throw fail("/\(name) is missing") }
        let dataset = try file.dataset(name)
        guard try dataset.elementType == .string, try dataset.shape == [count] else {
            throw fail("/\(name) is \(try dataset.elementType) \(try dataset.shape), expected string [\(count)]")
        }
        return try dataset.read(as: String.self)
    }

    /// A per-feature statistic: float32 [count], finite, and for a standard deviation positive.
    private static func statistics(_ file: HDF5File, _ name: String, count: Int, _ fail: (String) -> DataFileError) throws -> [Float] {
        guard try file.contains(name) else { throw fail("/\(name) is missing") }
        let dataset = try file.dataset(name)
        guard try dataset.elementType == .float32, try dataset.shape == [count] else {
            throw fail("/\(name) is \(try dataset.elementType) \(try dataset.shape), expected float32 [\(count)]")
        }
        let values = try dataset.read(as: Float.self)
        guard values.allSatisfy({ $0.isFinite && (name != "feature_std" || $0 > 0) }) else {
            throw fail("/\(name) holds a value that is not a finite number\(name == "feature_std" ? " above 0" : "")")
        }
        return values
    }
}
