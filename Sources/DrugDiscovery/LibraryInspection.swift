import HDF5
import NeuralNet

/// Reads a compound library and checks it against the contract, collecting every problem
/// rather than stopping at the first; `galen inspect` reports them, loaders refuse the file.
public struct LibraryInspection: Sendable {
    public let path: String
    /// One line per violation, each naming the dataset or attribute.
    public private(set) var problems: [String] = []
    /// The library as read, when the essentials (ids, fingerprints) could be read.
    public private(set) var library: CompoundLibrary?

    public init(path: String) throws {
        self.path = path
        let file = try openLibraryFile(path)
        defer { try? file.close() }
        library = try read(file)
    }

    private mutating func problem(_ text: String) { problems.append(text) }

    private mutating func read(_ file: HDF5File) throws -> CompoundLibrary? {
        if let contract = try contractProblem(of: file, expecting: "\(CompoundLibrary.contract)/1") { problem(contract) }

        let ids = try strings(file, "ids", required: true)
        // Without usable ids the other datasets are measured against the fingerprints' rows.
        let count = try ids?.count ?? (file.contains("fingerprints") ? file.dataset("fingerprints").shape.first : nil) ?? 0
        if let ids {
            if ids.isEmpty { problem("/ids is empty: a library needs at least one compound") }
            if let empty = emptyIDProblem(ids) { problem(empty) }
            if Set(ids).count != ids.count {
                var seen = Set<String>()
                let repeated = ids.first { !seen.insert($0).inserted }!
                problem("/ids are not unique ('\(repeated)' repeats)")
            }
        }
        let fingerprints = try readFingerprints(file, rows: count)
        let scaffolds = try strings(file, "scaffolds", required: false, rows: count)
        _ = try strings(file, "smiles", required: false, rows: count)
        let (names, units, values) = try readAssays(file, rows: count)
        let splits = try readSplits(file, rows: count)
        guard let ids, let (bits, packed, method) = fingerprints else { return nil }
        return CompoundLibrary(path: path, ids: ids, bits: bits, fingerprintMethod: method, packedFingerprints: packed, scaffolds: scaffolds,
                               assayNames: names, assayUnits: units, values: values, splits: splits)
    }

    /// A rank-1 string dataset, checked for its row count when one is known.
    private mutating func strings(_ file: HDF5File, _ name: String, required: Bool, rows: Int? = nil) throws -> [String]? {
        guard try file.contains(name) else {
            if required { problem("/\(name) is missing") }
            return nil
        }
        let dataset = try file.dataset(name)
        guard try dataset.elementType == .string else {
            problem("/\(name) holds \(try dataset.elementType), not strings")
            return nil
        }
        let shape = try dataset.shape
        guard shape.count == 1, rows == nil || shape[0] == rows else {
            problem("/\(name) has shape \(shape), expected [\(rows.map(String.init) ?? "N")]")
            return nil
        }
        return try dataset.read(as: String.self)
    }

    private mutating func readFingerprints(_ file: HDF5File, rows: Int) throws -> (bits: Int, packed: [UInt8], method: String?)? {
        guard try file.contains("fingerprints") else {
            problem("/fingerprints is missing")
            return nil
        }
        let dataset = try file.dataset("fingerprints")
        switch try FingerprintStorage.of(dataset, rows: rows) {
        case .failure(let violation):
            problem(violation.text)
            return nil
        case .success(let storage):
            switch try storage.read(dataset, rows: 0..<rows) {
            case .failure(let violation):
                problem(violation.text)
                return nil
            case .success(let packed):
                return (storage.bits, packed, storage.method)
            }
        }
    }

    private mutating func readAssays(_ file: HDF5File, rows: Int) throws -> ([String], [String]?, [Float]) {
        guard try file.contains("assays/values") else {
            if try file.contains("assays/names") { problem("/assays/names is present but /assays/values is missing") }
            return ([], nil, [])
        }
        let dataset = try file.dataset("assays/values")
        let shape = try dataset.shape
        guard try dataset.elementType == .float32, shape.count == 2, shape[0] == rows else {
            problem("/assays/values is \(try dataset.elementType) \(shape), expected float32 [\(rows), T]")
            return ([], nil, [])
        }
        let values = try dataset.read(as: Float.self)
        if let index = values.firstIndex(where: { $0.isInfinite }) {
            problem("/assays/values row \(index / Swift.max(shape[1], 1)) holds \(values[index]); unmeasured values are NaN, never infinite")
        }
        guard let names = try strings(file, "assays/names", required: true, rows: shape[1]) else { return ([], nil, []) }
        if Set(names).count != names.count { problem("/assays/names are not unique") }
        let units = try strings(file, "assays/units", required: false, rows: shape[1])
        return (names, units, values)
    }

    private mutating func readSplits(_ file: HDF5File, rows: Int) throws -> [String: [Int8]] {
        guard try file.contains("splits") else { return [:] }
        var splits: [String: [Int8]] = [:]
        for name in try file.group("splits").members() {
            let dataset = try file.dataset("splits/\(name)")
            let shape = try dataset.shape
            guard try dataset.elementType == .int8, shape == [rows] else {
                problem("/splits/\(name) is \(try dataset.elementType) \(shape), expected int8 [\(rows)]")
                continue
            }
            let values = try dataset.read(as: Int8.self)
            if let bad = values.firstIndex(where: { !(0...2).contains($0) }) {
                problem("/splits/\(name) row \(bad) is \(values[bad]); splits are 0 train, 1 validation, 2 test")
                continue
            }
            splits[name] = values
        }
        return splits
    }
}

/// 0/1 values [N, bits] packed most-significant-bit first.
func pack(_ unpacked: [Float], bits: Int) -> [UInt8] {
    let rows = unpacked.count / bits, bytesPerRow = (bits + 7) / 8
    var packed = [UInt8](repeating: 0, count: rows * bytesPerRow)
    for row in 0..<rows {
        for bit in 0..<bits where unpacked[row * bits + bit] != 0 {
            packed[row * bytesPerRow + bit / 8] |= 0x80 >> UInt8(bit % 8)
        }
    }
    return packed
}
