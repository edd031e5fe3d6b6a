@preconcurrency import CHDF5

/// How a dataset's values are compressed on disk: the two filters `createDataset` can set.
public struct Compression: Sendable, Equatable {
    /// The deflate (gzip) level, or nil when the dataset is not gzip-compressed.
    public let gzipLevel: Int?
    public let shuffle: Bool
}

extension Dataset {
    /// Its gzip level and shuffle, read from its filter pipeline (other filters are not reported).
    public var compression: Compression {
        get throws {
            guard let filters = filterPipeline() else { throw try site("read filters").failure("its filter pipeline cannot be read") }
            let gzip = filters.first { $0.id == H5Z_FILTER_DEFLATE }
            // libhdf5's default level when a deflate filter records none.
            return Compression(gzipLevel: gzip.map { Int($0.values.first ?? 6) }, shuffle: filters.contains { $0.id == H5Z_FILTER_SHUFFLE })
        }
    }

    /// Runs a read; if it fails on a compression filter this libhdf5 lacks (h5py's lzf, Blosc,
    /// ...), which HDF5 itself reports only as a failed search for plugins, says so.
    func explainingMissingFilter<R>(_ site: Site, _ read: () throws -> R) throws -> R {
        do {
            return try read()
        } catch let failure as HDF5Error {
            guard let filter = filterPipeline()?.first(where: { H5Zfilter_avail($0.id) <= 0 }) else { throw failure }
            let label = "\(filter.name.isEmpty ? "unnamed" : filter.name) (id \(filter.id))"
            throw site.failure("it is compressed with the \(label) filter, which this libhdf5 lacks; write it with gzip instead (h5py: compression=\"gzip\")")
        }
    }

    /// The filters of the dataset's pipeline, in order, or nil if libhdf5 cannot tell them.
    private func filterPipeline() -> [(id: H5Z_filter_t, name: String, values: [UInt32])]? {
        let plist = H5Dget_create_plist(id)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        return (0..<max(0, Int(H5Pget_nfilters(plist)))).compactMap { index in
            var (flags, elements, configuration): (UInt32, Int, UInt32) = (0, 8, 0)
            var values = [UInt32](repeating: 0, count: 8), name = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(plist, UInt32(index), &flags, &elements, &values, name.count, &name, &configuration)
            guard filter >= 0 else { return nil }
            return (filter, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), Array(values.prefix(min(elements, 8))))
        }
    }
}
