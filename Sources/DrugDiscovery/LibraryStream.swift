import HDF5
import NeuralNet
import TensorCore

/// A compound library read in blocks of rows, for libraries larger than memory. Opening checks
/// what can be checked without reading every row (types, shapes, n_bits); each block is checked
/// as it is read.
public final class LibraryStream {
    public let path: String
    public let count: Int
    public let bits: Int
    /// How the fingerprints were made, when the file says (``CompoundLibrary/fingerprintMethod``).
    public let fingerprintMethod: String?
    private let file: HDF5File
    private let ids: Dataset
    private let fingerprints: Dataset
    private let storage: FingerprintStorage

    public init(path: String) throws {
        self.path = path
        file = try openLibraryFile(path)
        func fail(_ problem: String) -> LibraryError { LibraryError(path: path, problems: [problem]) }
        if let contract = try contractProblem(of: file, expecting: "\(CompoundLibrary.contract)/1") { throw fail(contract) }
        guard try file.contains("ids"), try file.contains("fingerprints") else {
            throw fail("needs /ids and /fingerprints (see the compound-library contract)")
        }
        ids = try file.dataset("ids")
        fingerprints = try file.dataset("fingerprints")
        let idShape = try ids.shape
        guard try ids.elementType == .string, idShape.count == 1 else { throw fail("/ids must be strings [N], not \(try ids.elementType) \(idShape)") }
        count = idShape[0]
        storage = try FingerprintStorage.of(fingerprints, rows: count).mapError { LibraryError(path: path, problems: [$0.text]) }.get()
        bits = storage.bits
        fingerprintMethod = storage.method
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
        let packed = try storage.read(fingerprints, rows: rows).mapError { LibraryError(path: path, problems: [$0.text]) }.get()
        let blockIDs = try ids.readRows(rows, as: String.self)
        // Unique ids need every row at once; `galen inspect` checks those.
        if let problem = emptyIDProblem(blockIDs, firstRow: rows.lowerBound) { throw LibraryError(path: path, problems: [problem]) }
        return Block(rows: rows, ids: blockIDs, packed: packed)
    }
}

extension LibraryStream.Block {
    /// The fingerprints as the positions of their on-bits, read straight from the packed bytes
    /// (most significant bit first, as numpy.packbits writes them).
    public func onBits(bits: Int) -> BinaryRows {
        let bytesPerRow = (bits + 7) / 8
        var rowStarts = [0], columns: [Int32] = []
        columns.reserveCapacity(packed.count * 2)
        packed.withUnsafeBufferPointer { bytes in
            for row in 0..<rows.count {
                forEachOnBit(bytes.baseAddress! + row * bytesPerRow, bytesPerRow: bytesPerRow, bits: bits) { columns.append(Int32($0)) }
                rowStarts.append(columns.count)
            }
        }
        return BinaryRows(rowStarts: rowStarts, columns: columns, width: bits)
    }
}
