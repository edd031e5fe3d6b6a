import HDF5
import NeuralNet
import TensorCore

/// A labelled sequence set in Galen's `sequence-set/1` contract (`datasets/README.md`), in memory:
/// its records and their labels and splits.
public struct SequenceSet: Sendable {
    public static let contract = "sequence-set/1"
    public let records: SequenceRecords
    public let labelled: LabelledRows

    public var path: String { records.path }
    public var sequences: Tensor { records.sequences }
    public var stepMask: Tensor { records.stepMask }
    public var statics: Tensor? { records.statics }
    public var inputs: SequenceInputs { records.inputs }
    public var ids: [String]? { records.ids }
    public var labels: [Int] { labelled.labels }
    public var classes: [String] { labelled.classes }
    public var count: Int { labels.count }

    public static func load(_ path: String) throws -> SequenceSet {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let records = try SequenceRecords.read(file, path: path)
        guard try file.contains("splits"), try !file.group("splits").members().isEmpty else {
            throw DataFileError(path: path, problem: "/splits holds no split")
        }
        return SequenceSet(records: records, labelled: try LabelledRows(file: file, path: path, count: records.count))
    }
}

/// The records of a sequence set without its labels, all a model reads: enough to predict for
/// sequences whose classes are unknown.
public struct SequenceRecords: Sendable {
    public let path: String
    /// [N, T, F], standardised with training statistics.
    public let sequences: Tensor
    /// Which steps the recurrence reads, [N, T]: the file's step mask, or all ones when the file's
    /// mask is per feature (the observation flags are then features themselves).
    public let stepMask: Tensor
    /// [N, S] static descriptors, when the file has them.
    public let statics: Tensor?
    /// Its columns' names and the statistics they were standardised with.
    public let inputs: SequenceInputs
    /// The sequences' ids, when the file has them (`/ids`, one per sequence).
    public let ids: [String]?

    public var count: Int { sequences.shape[0] }

    public static func load(_ path: String) throws -> SequenceRecords {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        return try read(file, path: path)
    }

    static func read(_ file: HDF5File, path: String) throws -> SequenceRecords {
        func fail(_ problem: String) -> DataFileError { DataFileError(path: path, problem: problem) }
        if let contract = try contractProblem(of: file, expecting: SequenceSet.contract) { throw fail(contract) }
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
        if let problem = unobservedProblem(values, shape: shape, mask: maskBits, maskShape: maskShape, carried: fill == "carried") { throw fail(problem) }
        let stepMask = maskShape.count == 2 ? Tensor(maskBits.map(Float.init), shape: maskShape) : Tensor.ones([shape[0], shape[1]])
        let names = try strings(file, "feature_names", count: shape[2], fail)
        let (mean, std) = (try statistics(file, "feature_mean", count: shape[2], fail), try statistics(file, "feature_std", count: shape[2], fail))
        var staticColumns: (names: [String], mean: [Float], std: [Float]) = ([], [], [])
        if try file.contains("times") {
            let times = try file.dataset("times")
            guard try times.elementType == .float32, try times.shape == [shape[0], shape[1]] else {
                throw fail("/times is \(try times.elementType) \(try times.shape), expected float32 [\(shape[0]), \(shape[1])]")
            }
            if let bad = try times.read(as: Float.self).first(where: { !$0.isFinite }) { throw fail("/times holds \(bad)") }
        }
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
            let known = try flags(try file.dataset("static_mask"), "/static_mask", fail)
            if let bad = values.indices.first(where: { known[$0] == 0 && values[$0] != 0 }) {
                throw fail("/static row \(bad / tableShape[1]) column \(bad % tableShape[1]) is unknown in /static_mask but holds \(values[bad]), not 0")
            }
            staticColumns = (try strings(file, "static_names", count: tableShape[1], fail),
                             try statistics(file, "static_mean", count: tableShape[1], fail), try statistics(file, "static_std", count: tableShape[1], fail))
            statics = Tensor(values, shape: tableShape)
        }
        var ids: [String]?
        if try file.contains("ids") {
            let idData = try file.dataset("ids")
            guard try idData.shape == [shape[0]], try idData.elementType == .string else {
                throw fail("/ids is \(try idData.elementType) \(try idData.shape), expected string [\(shape[0])]")
            }
            let read = try idData.read(as: String.self)
            if let empty = read.firstIndex(where: \.isEmpty) { throw fail("/ids row \(empty) is empty") }
            var seen = Set<String>()
            if let repeated = read.firstIndex(where: { !seen.insert($0).inserted }) { throw fail("/ids row \(repeated) repeats '\(read[repeated])'") }
            ids = read
        }
        return SequenceRecords(path: path, sequences: Tensor(values, shape: shape), stepMask: stepMask, statics: statics,
                           inputs: SequenceInputs(featureNames: names, featureMean: mean, featureStd: std, staticNames: staticColumns.names,
                                                  staticMean: staticColumns.mean, staticStd: staticColumns.std),
                               ids: ids)
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

    /// A per-column statistic of the features or the static descriptors: float32 [count], finite,
    /// and for a standard deviation positive.
    private static func statistics(_ file: HDF5File, _ name: String, count: Int, _ fail: (String) -> DataFileError) throws -> [Float] {
        guard try file.contains(name) else { throw fail("/\(name) is missing") }
        let dataset = try file.dataset(name)
        guard try dataset.elementType == .float32, try dataset.shape == [count] else {
            throw fail("/\(name) is \(try dataset.elementType) \(try dataset.shape), expected float32 [\(count)]")
        }
        let values = try dataset.read(as: Float.self)
        let deviation = name.hasSuffix("_std")
        guard values.allSatisfy({ $0.isFinite && (!deviation || $0 > 0) }) else {
            throw fail("/\(name) holds a value that is not a finite number\(deviation ? " above 0" : "")")
        }
        return values
    }

    /// Where a masked cell of `values` [N, T, F] holds other than `unobserved` says: 0, or (carried)
    /// the same feature's value at the step before, 0 before the first. A mask [N, T, M] covers the
    /// first M features; one of [N, T] covers every feature of a step.
    private static func unobservedProblem(_ values: [Float], shape: [Int], mask: [UInt8], maskShape: [Int], carried: Bool) -> String? {
        let (rows, steps, features) = (shape[0], shape[1], shape[2])
        let covered = maskShape.count == 2 ? features : maskShape[2]
        for row in 0..<rows {
            for step in 0..<steps {
                let cell = row * steps + step
                for feature in 0..<covered where mask[maskShape.count == 2 ? cell : cell * covered + feature] == 0 {
                    let value = values[cell * features + feature]
                    let expected = carried && step > 0 ? values[(cell - 1) * features + feature] : 0
                    if value != expected {
                        return "/sequences row \(row) step \(step) feature \(feature) is masked and holds \(value), not \(expected) (unobserved = \"\(carried ? "carried" : "zero")\")"
                    }
                }
            }
        }
        return nil
    }
}
