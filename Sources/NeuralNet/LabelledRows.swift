import HDF5

/// The class labels and stored splits of a labelled data file: `/labels` int64 [N], `/classes`
/// [K] and `/splits/<name>` int8 [N] (0 train, 1 validation, 2 test), as image and sequence sets
/// both hold them.
public struct LabelledRows: Sendable {
    public let path: String
    public let labels: [Int]
    public let classes: [String]
    /// The most class names a model file can keep.
    public static let maximumClasses = 4000
    public let splits: [String: [Int8]]

    /// Reads and checks the labels and splits of a file whose rows number `count`.
    public init(file: HDF5File, path: String, count: Int) throws {
        self.path = path
        let fail = { (problem: String) in DataFileError(path: path, problem: problem) }
        for name in ["labels", "classes"] where try !file.contains(name) { throw fail("/\(name) is missing") }
        let labelData = try file.dataset("labels")
        guard try labelData.elementType == .int64, try labelData.shape == [count] else {
            throw fail("/labels is \(try labelData.elementType) \(try labelData.shape), expected int64 [\(count)]")
        }
        let labels = try labelData.read(as: Int64.self).map { Int($0) }
        let classes = try file.dataset("classes").read(as: String.self)
        guard classes.count >= 2 else { throw fail("/classes holds \(classes.count) name\(classes.count == 1 ? "" : "s"); a classifier needs at least two") }
        if let repeated = classes.indices.first(where: { classes[..<$0].contains(classes[$0]) }) {
            throw fail("/classes row \(repeated) repeats '\(classes[repeated])'")
        }
        // A model file keeps the names in one attribute, which HDF5 holds to 64 KiB (16 bytes a string).
        guard classes.count <= Self.maximumClasses else {
            throw fail("/classes holds \(classes.count) names; a model file keeps at most \(Self.maximumClasses) (HDF5's limit on an attribute)")
        }
        if let bad = labels.firstIndex(where: { !(0..<classes.count).contains($0) }) {
            throw fail("/labels row \(bad) is \(labels[bad]), not a class index in 0..<\(classes.count)")
        }
        var splits: [String: [Int8]] = [:]
        if try file.contains("splits") {
            for name in try file.group("splits").members() {
                let codes = try file.dataset("splits/\(name)")
                guard try codes.elementType == .int8, try codes.shape == [count] else {
                    throw fail("/splits/\(name) is \(try codes.elementType) \(try codes.shape), expected int8 [\(count)]")
                }
                let values = try codes.read(as: Int8.self)
                if let bad = values.firstIndex(where: { !(0...2).contains($0) }) {
                    throw fail("/splits/\(name) row \(bad) is \(values[bad]); splits are 0 train, 1 validation, 2 test")
                }
                splits[name] = values
            }
        }
        (self.labels, self.classes, self.splits) = (labels, classes, splits)
    }

    /// Rows of one part (0 train, 1 validation, 2 test) of a stored split.
    public func rows(split name: String, part: Int8) throws -> [Int] {
        guard let codes = splits[name] else {
            throw DataFileError(path: path, problem: "split '\(name)' is not in the file (it has \(splits.isEmpty ? "none" : splits.keys.sorted().joined(separator: ", ")))")
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

    /// The train and validation rows of split `name` for training a classifier (validation carved
    /// with `seed` when the split has none): neither empty, and training holding two classes or more.
    public func trainingParts(_ name: String, seed: UInt64, noun: String) throws -> (train: [Int], validation: [Int]) {
        let (train, validation, _) = try partition(name, seed: seed)
        guard !train.isEmpty, !validation.isEmpty else {
            throw DataFileError(path: path, problem: "split '\(name)' leaves no \(noun) to train or validate on")
        }
        let present = Set(train.map { labels[$0] })
        guard present.count >= 2 else {
            throw DataFileError(path: path, problem: "the training part of split '\(name)' holds only class '\(classes[present.first!])'; a classifier needs examples of two or more")
        }
        return (train, validation)
    }

    /// The split to train on or score: `requested`, else the file's only one.
    public func chosenSplit(_ requested: String?) throws -> String {
        guard let split = requested ?? (splits.count == 1 ? splits.keys.first : nil) else {
            throw DataFileError(path: path, problem: splits.isEmpty ? "/splits holds no split" : "name a split; the file has \(splits.keys.sorted().joined(separator: ", "))")
        }
        return split
    }
}

/// A data file that breaks its contract, or a model that does not fit it.
public struct DataFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
