import Foundation
import HDF5
import TensorCore

/// A compound library in Galen's HDF5 contract (`datasets/README.md`, `compound-library/1`),
/// held in memory: fingerprints packed 8 bits a byte, ids, assay values and splits.
public struct CompoundLibrary: Sendable {
    public static let contract = "compound-library"

    public let path: String
    public let ids: [String]
    /// Fingerprint length in bits.
    public let bits: Int
    /// How the fingerprints were made ("morgan, radius 2"), when the file says.
    public let fingerprintMethod: String?
    /// Fingerprints packed most-significant-bit first, `bytesPerRow` bytes per compound.
    public let packedFingerprints: [UInt8]
    /// Bemis-Murcko scaffolds, when the file has them.
    public let scaffolds: [String]?
    /// Assay names (column order of `values`); empty for an unlabelled library.
    public let assayNames: [String]
    public let assayUnits: [String]?
    /// Measured values [count, assays], row-major, NaN where not measured.
    public let values: [Float]
    /// Stored splits by name: 0 train, 1 validation, 2 test per compound.
    public let splits: [String: [Int8]]

    public var count: Int { ids.count }
    public var bytesPerRow: Int { (bits + 7) / 8 }
    public var assayCount: Int { assayNames.count }

    /// Opens and checks a library; every contract violation found is reported at once.
    public static func load(_ path: String) throws -> CompoundLibrary {
        let inspection = try LibraryInspection(path: path)
        guard inspection.problems.isEmpty, let library = inspection.library else {
            throw LibraryError(path: path, problems: inspection.problems)
        }
        return library
    }

    init(path: String, ids: [String], bits: Int, fingerprintMethod: String?, packedFingerprints: [UInt8], scaffolds: [String]?,
         assayNames: [String], assayUnits: [String]?, values: [Float], splits: [String: [Int8]]) {
        self.path = path
        self.ids = ids
        self.bits = bits
        self.fingerprintMethod = fingerprintMethod
        self.packedFingerprints = packedFingerprints
        self.scaffolds = scaffolds
        self.assayNames = assayNames
        self.assayUnits = assayUnits
        self.values = values
        self.splits = splits
    }

    /// The fingerprints of `rows` as a [rows, bits] tensor of 0 and 1.
    public func fingerprints(_ rows: [Int]) -> Tensor {
        Tensor(unpackBits(packedFingerprints, rows: rows, bytesPerRow: bytesPerRow, bits: bits), shape: [rows.count, bits])
    }

    /// The assay values of `rows` for the assays at `columns`, as [rows, columns] with NaN gaps.
    public func values(_ rows: [Int], columns: [Int]) -> Tensor {
        var result = [Float](repeating: .nan, count: rows.count * columns.count)
        for (r, row) in rows.enumerated() {
            for (c, column) in columns.enumerated() { result[r * columns.count + c] = values[row * assayCount + column] }
        }
        return Tensor(result, shape: [rows.count, columns.count])
    }

    /// The columns of the named assays, or an error naming those not in the file.
    public func assayColumns(_ names: [String]) throws -> [Int] {
        let unknown = names.filter { !assayNames.contains($0) }
        guard unknown.isEmpty else {
            throw LibraryError(path: path, problems: ["assays \(unknown) are not in the file (it has \(assayNames.joined(separator: ", ")))"])
        }
        return names.map { assayNames.firstIndex(of: $0)! }
    }
}

/// A library that breaks the contract, with everything found wrong.
public struct LibraryError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problems: [String]

    public var description: String {
        problems.count == 1 ? "\(path): \(problems[0])"
            : "\(path): \(problems.count) problems: " + problems.joined(separator: "; ")
    }
}

/// Opens the file of a compound library; a table of compounds given in its place (the likely
/// mistake of a first run) is told how to make a library of it.
func openLibraryFile(_ path: String) throws -> HDF5File {
    do {
        return try HDF5File.open(path)
    } catch let failure as HDF5Error where failure.object == nil && failure.message == "not an HDF5 file"
        && ["csv", "tsv", "smi", "sdf"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) {
        throw LibraryError(path: path, problems: ["is not a compound library (HDF5) but a table; Galen's datasets/prepare.py convert makes a library of CSV, TSV, SMI and SDF files"])
    }
}

/// The problem of the first empty id among `ids`, rows counted from `firstRow`; nil when none is empty.
func emptyIDProblem(_ ids: [String], firstRow: Int = 0) -> String? {
    ids.firstIndex(where: \.isEmpty).map { "/ids row \(firstRow + $0) is empty" }
}

/// Calls `body` with the position of each on-bit of one packed row below `bits`, most
/// significant bit first (the order numpy.packbits writes).
@inline(__always)
func forEachOnBit(_ row: UnsafePointer<UInt8>, bytesPerRow: Int, bits: Int, _ body: (Int) -> Void) {
    // Eight bytes at a time (a fingerprint has a few on-bits per word), as one big-endian word so
    // that the leading zeros count from the first bit; the last bytes of a row shifted up alike.
    var byteIndex = 0
    while byteIndex < bytesPerRow {
        let count = Swift.min(8, bytesPerRow - byteIndex)
        var word: UInt64 = 0
        if count == 8 {
            word = UInt64(bigEndian: UnsafeRawPointer(row + byteIndex).loadUnaligned(as: UInt64.self))
        } else {
            for offset in 0..<count { word |= UInt64(row[byteIndex + offset]) << (56 - 8 * offset) }
        }
        while word != 0 {
            let position = byteIndex * 8 + word.leadingZeroBitCount
            if position < bits { body(position) }
            word &= ~(UInt64(1) << (63 - word.leadingZeroBitCount))
        }
        byteIndex += count
    }
}

/// Bits of packed rows (most significant bit first) as 0/1 floats, `bits` per row.
func unpackBits(_ packed: [UInt8], rows: [Int], bytesPerRow: Int, bits: Int) -> [Float] {
    var result = [Float](repeating: 0, count: rows.count * bits)
    result.withUnsafeMutableBufferPointer { out in
        packed.withUnsafeBufferPointer { source in
            for (r, row) in rows.enumerated() {
                forEachOnBit(source.baseAddress! + row * bytesPerRow, bytesPerRow: bytesPerRow, bits: bits) { out[r * bits + $0] = 1 }
            }
        }
    }
    return result
}
