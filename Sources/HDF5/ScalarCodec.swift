@preconcurrency import CHDF5

/// Moves numbers straight between Swift arrays and HDF5, for datasets and attributes alike.
///
/// `transfer` is the actual `H5Dread`/`H5Aread` (or write) call; it receives the memory type and the buffer.
enum ScalarCodec {
    static func read<T: HDF5Scalar>(
        count: Int, site: Site,
        transfer: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) throws -> [T] {
        guard count > 0 else { return [] }
        return try Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = try site.check(transfer(T.memoryType, UnsafeMutableRawPointer(buffer.baseAddress!)))
            initialized = count
        }
    }

    static func write<T: HDF5Scalar>(
        _ values: [T], site: Site,
        transfer: (hid_t, UnsafeRawPointer) -> herr_t
    ) throws {
        guard !values.isEmpty else { return }
        try values.withUnsafeBytes { _ = try site.check(transfer(T.memoryType, $0.baseAddress!)) }
    }
}
