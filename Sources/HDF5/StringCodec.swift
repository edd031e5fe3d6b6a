@preconcurrency import CHDF5

/// `H5T_VARIABLE`, `(size_t)-1`, which Swift does not import.
let variableStringSize = -1

/// Moves strings between Swift and HDF5 buffers, for datasets and attributes alike.
///
/// `transfer` is the actual `H5Dread`/`H5Aread` (or write) call; it receives the memory type and the buffer.
enum StringCodec {
    /// Reads `count` strings of a variable- or fixed-length stored type.
    static func read(
        count: Int, storedType: hid_t, site: Site,
        transfer: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard count > 0 else { return [] }
        return try site.check(H5Tis_variable_str(storedType)) > 0
            ? readVariable(count: count, storedType: storedType, site: site, transfer: transfer)
            : readFixed(count: count, storedType: storedType, site: site, transfer: transfer)
    }

    private static func readVariable(
        count: Int, storedType: hid_t, site: Site,
        transfer: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        // Same character set as stored: HDF5 will not convert between ASCII and UTF-8.
        let memoryType = H5Tcopy(H5T_C_S1_g)
        defer { H5Tclose(memoryType) }
        H5Tset_size(memoryType, variableStringSize)
        H5Tset_cset(memoryType, H5Tget_cset(storedType))

        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        defer {
            // HDF5 allocated each string; give them back whether or not the read completed.
            var extent = hsize_t(count)
            let space = H5Screate_simple(1, &extent, nil)
            H5Dvlen_reclaim(memoryType, space, hid_t(H5P_DEFAULT), &pointers)
            H5Sclose(space)
        }
        try pointers.withUnsafeMutableBytes { buffer in
            _ = try site.check(transfer(memoryType, buffer.baseAddress!))
        }
        // A null pointer is how HDF5 stores an empty string that was never written.
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }

    private static func readFixed(
        count: Int, storedType: hid_t, site: Site,
        transfer: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        let size = H5Tget_size(storedType)
        let memoryType = try site.check(H5Tcopy(storedType))
        defer { H5Tclose(memoryType) }
        let spacePadded = H5Tget_strpad(storedType) == H5T_STR_SPACEPAD
        var bytes = [UInt8](repeating: 0, count: count * size)
        try bytes.withUnsafeMutableBytes { buffer in
            _ = try site.check(transfer(memoryType, buffer.baseAddress!))
        }
        return (0..<count).map { index in
            let field = bytes[index * size ..< (index + 1) * size]
            let end = spacePadded
                ? (field.lastIndex { $0 != 0x20 }.map { $0 + 1 } ?? field.startIndex)
                : (field.firstIndex(of: 0) ?? field.endIndex)
            return String(decoding: field[..<end], as: UTF8.self)
        }
    }

    /// Writes strings as variable-length UTF-8. A string is cut at an embedded NUL, as in C.
    static func write(
        _ strings: [String], site: Site,
        transfer: (hid_t, UnsafeRawPointer) -> herr_t
    ) throws {
        guard !strings.isEmpty else { return }
        let memoryType = ElementType.string.makeFileType()
        defer { H5Tclose(memoryType) }

        // One buffer of NUL-terminated strings rather than an allocation per string.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count + 1 })
        var offsets: [Int] = []
        offsets.reserveCapacity(strings.count)
        for string in strings {
            offsets.append(bytes.count)
            bytes.append(contentsOf: string.utf8)
            bytes.append(0)
        }
        try bytes.withUnsafeBytes { buffer in
            let pointers = offsets.map { UnsafePointer?(buffer.baseAddress!.advanced(by: $0).assumingMemoryBound(to: CChar.self)) }
            try pointers.withUnsafeBytes { _ = try site.check(transfer(memoryType, $0.baseAddress!)) }
        }
    }
}
