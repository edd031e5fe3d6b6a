import HDF5
import TensorCore

/// A compound library read in blocks of rows, for libraries larger than memory. Opening checks
/// what can be checked without reading every row (types, shapes, n_bits); each block is checked
/// as it is read.
public final class LibraryStream {
    public let path: String
    public let count: Int
    public let bits: Int
    private let file: HDF5File
    private let ids: Dataset
    private let fingerprints: Dataset
    private let packed: Bool

    public init(path: String) throws {
        self.path = path
        file = try HDF5File.open(path)
        func fail(_ problem: String) -> LibraryError { LibraryError(path: path, problems: [problem]) }
        guard try file.contains("ids"), try file.contains("fingerprints") else {
            throw fail("needs /ids and /fingerprints (see the compound-library contract)")
        }
        ids = try file.dataset("ids")
        fingerprints = try file.dataset("fingerprints")
        let idShape = try ids.shape, shape = try fingerprints.shape, type = try fingerprints.elementType
        guard try ids.elementType == .string, idShape.count == 1 else { throw fail("/ids must be strings [N], not \(try ids.elementType) \(idShape)") }
        count = idShape[0]
        guard case .int(let bits)? = try? fingerprints.attributes.get("n_bits"), bits > 0 else {
            throw fail("/fingerprints has no positive integer attribute n_bits")
        }
        self.bits = bits
        guard shape.count == 2, shape[0] == count else { throw fail("/fingerprints has shape \(shape), expected [\(count), ...]") }
        switch (type, shape[1]) {
        case (.uint8, (bits + 7) / 8) where bits > 8: packed = true
        case (.uint8, bits), (.float32, bits): packed = false
        default: throw fail("/fingerprints is \(type) \(shape); with n_bits = \(bits) it must be uint8 [N, \((bits + 7) / 8)] or uint8/float32 [N, \(bits)]")
        }
    }

    deinit { try? file.close() }

    /// One block of rows: ids and fingerprints packed most-significant-bit first.
    public struct Block: Sendable {
        public let rows: Range<Int>
        public let ids: [String]
        public let packed: [UInt8]
    }

    /// Reads and checks rows `rows`.
    public func read(_ rows: Range<Int>) throws -> Block {
        let bytesPerRow = (bits + 7) / 8
        let packedRows: [UInt8]
        if packed {
            packedRows = try fingerprints.readRows(rows, as: UInt8.self)
        } else {
            let values: [Float] = try fingerprints.elementType == .uint8
                ? try fingerprints.readRows(rows, as: UInt8.self).map(Float.init) : try fingerprints.readRows(rows, as: Float.self)
            if let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw LibraryError(path: path, problems: ["/fingerprints row \(rows.lowerBound + bad / bits) holds \(values[bad]), not 0 or 1"])
            }
            packedRows = pack(values, bits: bits)
        }
        precondition(packedRows.count == rows.count * bytesPerRow)
        return Block(rows: rows, ids: try ids.readRows(rows, as: String.self), packed: packedRows)
    }
}

extension LibraryStream.Block {
    /// The fingerprints as a [rows, bits] tensor of 0 and 1.
    public func fingerprints(bits: Int) -> Tensor {
        Tensor(unpackBits(packed, rows: Array(0..<rows.count), bytesPerRow: (bits + 7) / 8, bits: bits), shape: [rows.count, bits])
    }
}
