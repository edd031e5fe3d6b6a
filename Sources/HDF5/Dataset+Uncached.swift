@preconcurrency import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large streamed outputs written past the caches.
///
/// Filling the kernel's page cache costs the writing thread CPU time, and the kernel more when it
/// writes the pages back: on this project's machine, 0.2 s a gigabyte when the kernel reuses
/// pages it just freed and up to 3 s when it must find fresh ones, against 0.06 s for the same
/// gigabyte written with O_DIRECT (measured with 4 MiB writes). A stream of embeddings is written
/// once and not read back, so caching it buys nothing.
extension Dataset {
    /// Overwrites whole rows from row `start`, like ``writeRows(_:at:)``. When the rows are
    /// exactly one chunk of a dataset made with `allocateChunks` (unfiltered, little-endian) in a
    /// file open for writing through HDF5's default (POSIX) driver, they go straight to the chunk's
    /// place in the file, bypassing HDF5's chunk cache and, with O_DIRECT where the file system
    /// allows it, the kernel's page cache; otherwise this is ``writeRows(_:at:)``. Do not also read
    /// or write the same chunk through HDF5 in this session: HDF5 would not know that a copy it
    /// caches is stale. Returns whether the rows went straight to the file.
    @discardableResult
    public func writeRowsUncached<T: HDF5Scalar>(_ values: [T], at start: Int) throws -> Bool {
        let site = try site("write rows of dataset")
        guard let place = try chunkPlace(rows: start, valueCount: values.count, elementType: T.elementType,
                                         elementSize: MemoryLayout<T>.size, site: site)
        else {
            try writeRows(values, at: start)
            return false
        }
        try values.withUnsafeBytes { bytes in
            try writeBypassingCache(bytes, at: place.offset, filling: place.size, descriptor: place.descriptor, site: site)
        }
        return true
    }

    /// Where in the file the chunk that `valueCount` values from row `start` fill exactly lies, and
    /// HDF5's descriptor of the file; nil when they are not such a chunk or the chunk cannot be
    /// written as raw bytes.
    private func chunkPlace(rows start: Int, valueCount: Int, elementType: ElementType, elementSize: Int,
                            site: Site) throws -> (offset: Int, size: Int, descriptor: Int32)? {
        #if _endian(little)
        let dims = try extent(site).dims
        let rowSize = try Self.elementCount(Array(dims.dropFirst()), site: site)
        guard !dims.isEmpty, rowSize > 0, valueCount % rowSize == 0, start >= 0 else { return nil }
        let rowCount = valueCount / rowSize
        let creation = try site.check(H5Dget_create_plist(id))
        defer { H5Pclose(creation) }
        guard H5Pget_layout(creation) == H5D_CHUNKED, try site.check(H5Pget_nfilters(creation)) == 0 else { return nil }
        var chunk = [hsize_t](repeating: 0, count: dims.count)
        try site.check(H5Pget_chunk(creation, Int32(dims.count), &chunk))
        let chunkRows = Int(chunk[0])
        guard chunk.dropFirst().map(Int.init) == Array(dims.dropFirst()), start % chunkRows == 0, start + rowCount <= dims[0],
              rowCount == chunkRows || rowCount > 0 && start + rowCount == dims[0] && rowCount < chunkRows
        else { return nil }
        let type = try site.check(H5Dget_type(id))
        defer { H5Tclose(type) }
        guard try ElementType(storedType: type, site: site) == elementType, H5Tget_order(type) == H5T_ORDER_LE,
              H5Tget_size(type) == elementSize
        else { return nil }
        // The file: open for writing, through the POSIX driver (whose handle is a descriptor), and
        // without a user block (HDF5 versions differ on whether chunk addresses include it).
        var intent: UInt32 = 0
        try site.check(H5Fget_intent(file.id, &intent))
        let access = try site.check(H5Fget_access_plist(file.id))
        defer { H5Pclose(access) }
        let fileCreation = try site.check(H5Fget_create_plist(file.id))
        defer { H5Pclose(fileCreation) }
        var userBlock: hsize_t = 0
        try site.check(H5Pget_userblock(fileCreation, &userBlock))
        guard intent & 0x0001 != 0, H5Pget_driver(access) == H5FD_sec2_init(), userBlock == 0 else { return nil }  // H5F_ACC_RDWR
        var handle: UnsafeMutableRawPointer?
        try site.check(H5Fget_vfd_handle(file.id, hid_t(H5P_DEFAULT), &handle))
        var offset = [hsize_t](repeating: 0, count: dims.count)
        offset[0] = hsize_t(start)
        var (filterMask, address, size): (UInt32, haddr_t, hsize_t) = (0, 0, 0)
        try site.check(H5Dget_chunk_info_by_coord(id, &offset, &filterMask, &address, &size))
        guard let handle, address != haddr_t.max, Int(size) == chunkRows * rowSize * elementSize else { return nil }
        return (Int(address), Int(size), handle.load(as: Int32.self))
        #else
        return nil
        #endif
    }

    /// Writes `bytes`, then zeros up to `size`, at `offset` of the file open as `descriptor`: the
    /// pages that lie wholly inside with O_DIRECT (from a page-aligned copy, as O_DIRECT needs,
    /// through a second descriptor of the same file), the ends, or all of it where O_DIRECT is
    /// refused, with ordinary writes.
    private func writeBypassingCache(_ bytes: UnsafeRawBufferPointer, at offset: Int, filling size: Int, descriptor: Int32,
                                     site: Site) throws {
        let page = 4096
        let lead = offset % page
        guard let memory = aligned_alloc(page, (lead + size + page - 1) / page * page) else {
            throw site.failure("cannot allocate \(size) bytes to stage a chunk")
        }
        defer { free(memory) }
        let image = UnsafeMutableRawBufferPointer(start: memory + lead, count: size)
        image.copyMemory(from: bytes)
        image.baseAddress!.advanced(by: bytes.count).initializeMemory(as: UInt8.self, repeating: 0, count: size - bytes.count)

        func write(_ range: Range<Int>, to target: Int32) -> Bool {
            writeFully(target, image.baseAddress! + (range.lowerBound - offset), count: range.count, at: range.lowerBound)
        }
        let end = offset + size
        let innerStart = (offset + page - 1) / page * page
        let inner = innerStart ..< Swift.max(innerStart, end / page * page)
        var ordinary = [offset..<end]
        if inner.count > 0, let directFlag = Self.directFlag {
            let direct = open("/proc/self/fd/\(descriptor)", O_WRONLY | O_CLOEXEC | directFlag)
            if direct >= 0 {
                defer { close(direct) }
                if write(inner, to: direct) {
                    ordinary = [offset..<inner.lowerBound, inner.upperBound..<end]
                }
            }
        }
        for range in ordinary where !range.isEmpty {
            guard write(range, to: descriptor) else {
                throw site.failure("cannot write rows at byte \(range.lowerBound): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Linux's O_DIRECT, which Swift does not import (glibc defines it only for _GNU_SOURCE).
    private static var directFlag: Int32? {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }
}
