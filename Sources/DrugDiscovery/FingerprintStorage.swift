import HDF5

/// How a library's `/fingerprints` stores its bits (packed most-significant-bit first, or one
/// uint8 or float32 per bit), and the one reader that checks and packs them for both the
/// whole-file loader and the block-by-block stream.
struct FingerprintStorage {
    let bits: Int
    let packed: Bool
    /// How the bits were made, from the attributes `kind` and `radius` ("morgan, radius 2"); nil
    /// when the file has neither.
    let method: String?

    var bytesPerRow: Int { (bits + 7) / 8 }

    /// The layout of `dataset` for `rows` compounds, or the problem that makes it none.
    static func of(_ dataset: Dataset, rows: Int) throws -> Result<FingerprintStorage, LibraryProblem> {
        let shape = try dataset.shape, type = try dataset.elementType
        guard shape.count == 2, shape[0] == rows else {
            return .failure(LibraryProblem("/fingerprints has shape \(shape), expected [\(rows), bytes or bits]"))
        }
        guard case .int(let bits)? = try? dataset.attributes.get("n_bits"), bits > 0 else {
            return .failure(LibraryProblem("/fingerprints has no positive integer attribute n_bits"))
        }
        let bytesPerRow = (bits + 7) / 8
        let parts = try ["kind", "radius"].filter { try dataset.attributes.contains($0) }.map { name in
            switch try dataset.attributes.get(name) {
            case .string(let text): text
            case .int(let number): "\(name) \(number)"
            case let other: "\(name) \(other)"
            }
        }
        let described = parts.isEmpty ? nil : parts.joined(separator: ", ")
        switch (type, shape[1]) {
        case (.uint8, bytesPerRow) where bytesPerRow != bits: return .success(FingerprintStorage(bits: bits, packed: true, method: described))
        case (.uint8, bits), (.float32, bits): return .success(FingerprintStorage(bits: bits, packed: false, method: described))
        default:
            return .failure(LibraryProblem("/fingerprints is \(type) [\(shape[0]), \(shape[1])]; with n_bits = \(bits) it must be uint8 [N, \(bytesPerRow)] packed, or uint8/float32 [N, \(bits)]"))
        }
    }

    /// Rows `rows`, checked and packed; a problem names the first row that is not bits.
    func read(_ dataset: Dataset, rows: Range<Int>) throws -> Result<[UInt8], LibraryProblem> {
        if packed {
            let bytes = try dataset.readRows(rows, as: UInt8.self)
            if bits % 8 != 0 {
                let padding = UInt8(0xFF) >> UInt8(bits % 8)
                if let row = (0..<rows.count).first(where: { bytes[$0 * bytesPerRow + bytesPerRow - 1] & padding != 0 }) {
                    return .failure(LibraryProblem("/fingerprints row \(rows.lowerBound + row) sets padding bits beyond n_bits = \(bits)"))
                }
            }
            return .success(bytes)
        }
        if try dataset.elementType == .uint8 {
            let values = try dataset.readRows(rows, as: UInt8.self)
            if let index = values.firstIndex(where: { $0 > 1 }) {
                return .failure(LibraryProblem("/fingerprints is unpacked but row \(rows.lowerBound + index / bits) holds \(values[index]), not 0 or 1"))
            }
            return .success(pack(values.map(Float.init), bits: bits))
        }
        let values = try dataset.readRows(rows, as: Float.self)
        if let index = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            let value = values[index]
            return .failure(LibraryProblem("/fingerprints row \(rows.lowerBound + index / bits) holds \(value)\(value.isNaN ? " (NaN)" : ""), not 0 or 1"))
        }
        return .success(pack(values, bits: bits))
    }
}

/// One contract violation, named by dataset.
struct LibraryProblem: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

/// Refuses the fingerprints of the library at `path` (`bits` wide, made by `method`) where ones
/// like `expected` are needed: another width, or another method when both say theirs (a radius-3
/// Morgan library would be read as radius 2). `holder` says who needs them and how ("the model
/// m.h5 expects", "the library l.h5 has").
func requireFingerprints(bits: Int, method: String?, of path: String, like expected: (bits: Int, method: String?), as holder: String) throws {
    guard bits == expected.bits else { throw LibraryError(path: path, problems: ["fingerprints have \(bits) bits, \(holder) \(expected.bits)"]) }
    if let method, let other = expected.method, method != other {
        throw LibraryError(path: path, problems: ["fingerprints are \(method); \(holder) \(other)"])
    }
}
