@preconcurrency import CHDF5

/// `H5T_VARIABLE`, `(size_t)-1`, which Swift does not import.
let variableStringSize = -1

/// Moves strings between Swift and HDF5 buffers, for datasets and attributes alike.
///
/// `transfer` is the actual `H5Dread`/`H5Aread` (or write) call; it receives the memory type and the buffer.
enum StringCodec {
    /// Reads `count` strings of a variable- or fixed-length stored type; the first is element
    /// `first` of what is read from (for naming one that is not UTF-8).
    static func read(
        count: Int, first: Int = 0, storedType: hid_t, site: Site,
        transfer: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [String] {
        guard count > 0 else { return [] }
        let notUTF8 = { (index: Int) in site.failure("element \(first + index) is not valid UTF-8") }
        return try site.check(H5Tis_variable_str(storedType)) > 0
            ? readVariable(count: count, storedType: storedType, site: site, notUTF8: notUTF8, transfer: transfer)
            : readFixed(count: count, storedType: storedType, site: site, notUTF8: notUTF8, transfer: transfer)
    }

    private static func readVariable(
        count: Int, storedType: hid_t, site: Site, notUTF8: (Int) -> HDF5Error,
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
        // A null pointer is how HDF5 stores an empty string that was never written. Bytes that are
        // not UTF-8 would read as U+FFFD, so that two different ids could read the same.
        return try pointers.enumerated().map { index, pointer in
            guard let pointer else { return "" }
            guard let text = String(validatingCString: pointer) else { throw notUTF8(index) }
            return text
        }
    }

    private static func readFixed(
        count: Int, storedType: hid_t, site: Site, notUTF8: (Int) -> HDF5Error,
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
        return try (0..<count).map { index in
            let field = bytes[index * size ..< (index + 1) * size]
            let end = spacePadded
                ? (field.lastIndex { $0 != 0x20 }.map { $0 + 1 } ?? field.startIndex)
                : (field.firstIndex(of: 0) ?? field.endIndex)
            guard let text = String(validating: field[..<end], as: UTF8.self) else { throw notUTF8(index) }
            return text
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
