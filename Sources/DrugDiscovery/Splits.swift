import NeuralNet
import TensorCore

/// How compounds are divided into train, validation and test.
public enum SplitMethod: Sendable, Equatable, CustomStringConvertible {
    /// A split stored in the library (`/splits/<name>`).
    case stored(String)
    /// A seeded random 80/10/10 split of the compounds (Galen's own shuffle, not a stored split
    /// of that name).
    case random
    /// Whole Bemis-Murcko scaffold groups to each part (about 80/10/10), so that test compounds
    /// have scaffolds never seen in training; deterministic for a seed.
    case scaffold

    /// The method of that name, or the stored split of any other name; see
    /// ``CompoundLibrary/splitMethod(named:)`` for names a library stores.
    public init(_ text: String) {
        switch text {
        case "random": self = .random
        case "scaffold": self = .scaffold
        default: self = .stored(text)
        }
    }

    public var isStored: Bool {
        if case .stored = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .stored(let name): name
        case .random: "random"
        case .scaffold: "scaffold"
        }
    }
}

/// Row indices of each part of a split.
public struct DataSplit: Sendable, Equatable {
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]
}

extension CompoundLibrary {
    /// The split a user names: a split the library stores under that name, even the name of a
    /// method (`/splits/random`, which `prepare.py` writes, is the split the file's maker
    /// published), else the method of that name.
    public func splitMethod(named name: String) -> SplitMethod {
        splits[name] != nil ? .stored(name) : SplitMethod(name)
    }

    /// The split `method` makes of this library. A validation part is always carved from the
    /// training part when the split has none (10 % of it; whole scaffolds for a scaffold split),
    /// so that early stopping and tuning never see test compounds.
    /// Training needs rows in both of its parts (`requiringTrainingParts`); scoring one part does not.
    public func split(_ method: SplitMethod, seed: UInt64, requiringTrainingParts: Bool = true) throws -> DataSplit {
        var split: DataSplit
        switch method {
        case .stored(let name):
            guard let codes = splits[name] else {
                let stored = splits.isEmpty ? "stores none" : "stores \(splits.keys.sorted().joined(separator: ", "))"
                throw LibraryError(path: path, problems: ["split '\(name)' is not in the file, which \(stored); galen also makes random and scaffold splits"])
            }
            split = DataSplit(train: codes.indices.filter { codes[$0] == 0 }, validation: codes.indices.filter { codes[$0] == 1 },
                              test: codes.indices.filter { codes[$0] == 2 })
        case .random:
            var generator = RandomGenerator(seed: seed)
            let order = Array(0..<count).shuffled(using: &generator)
            let (trainEnd, validationEnd) = (count * 8 / 10, count * 9 / 10)
            split = DataSplit(train: Array(order[..<trainEnd]).sorted(), validation: Array(order[trainEnd..<validationEnd]).sorted(),
                              test: Array(order[validationEnd...]).sorted())
        case .scaffold:
            let parts = try scaffoldGroups(Array(0..<count), fractions: [0.8, 0.1, 0.1], seed: seed)
            split = DataSplit(train: parts[0], validation: parts[1], test: parts[2])
        }
        if split.validation.isEmpty {
            if method == .scaffold {
                let carved = try scaffoldGroups(split.train, fractions: [0.9, 0.1], seed: mixSeed(seed, 1))
                (split.train, split.validation) = (carved[0], carved[1])
            } else {
                (split.train, split.validation) = carveValidation(from: split.train, seed: seed)
            }
        }
        for (part, rows) in [("train", split.train), ("validation", split.validation)] where requiringTrainingParts && rows.isEmpty {
            throw LibraryError(path: path, problems: ["split '\(method)' leaves no rows for \(part)"])
        }
        return split
    }

    /// Whole scaffold groups dealt to parts: groups in a seeded order, larger groups first so
    /// the fractions come out close, each to the first part still under its share.
    private func scaffoldGroups(_ rows: [Int], fractions: [Double], seed: UInt64) throws -> [[Int]] {
        guard let scaffolds else {
            throw LibraryError(path: path, problems: ["a scaffold split needs /scaffolds, which the file lacks"])
        }
        var groups: [String: [Int]] = [:]
        for row in rows { groups[scaffolds[row], default: []].append(row) }
        var generator = RandomGenerator(seed: seed)
        let keys = groups.keys.sorted().shuffled(using: &generator)
        // A stable sort keeps the seeded order among groups of equal size.
        let ordered = keys.enumerated().sorted { a, b in
            let (sizeA, sizeB) = (groups[a.element]!.count, groups[b.element]!.count)
            return sizeA != sizeB ? sizeA > sizeB : a.offset < b.offset
        }.map(\.element)
        var parts = [[Int]](repeating: [], count: fractions.count)
        let targets = fractions.map { $0 * Double(rows.count) }
        for key in ordered {
            let group = groups[key]!
            let part = parts.indices.first { Double(parts[$0].count + group.count) <= targets[$0] + 0.5 }
                ?? parts.indices.min { Double(parts[$0].count) - targets[$0] < Double(parts[$1].count) - targets[$1] }!
            parts[part] += group
        }
        return parts.map { $0.sorted() }
    }
}
