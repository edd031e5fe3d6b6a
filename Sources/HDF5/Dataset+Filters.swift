@preconcurrency import CHDF5

extension Dataset {
    /// Runs a read; if it fails on a compression filter this libhdf5 lacks (h5py's lzf, Blosc,
    /// ...), which HDF5 itself reports only as a failed search for plugins, says so.
    func explainingMissingFilter<R>(_ site: Site, _ read: () throws -> R) throws -> R {
        do {
            return try read()
        } catch let failure as HDF5Error {
            guard let filter = missingFilter() else { throw failure }
            throw site.failure("it is compressed with the \(filter) filter, which this libhdf5 lacks; write it with gzip instead (h5py: compression=\"gzip\")")
        }
    }

    /// The first filter of the dataset's pipeline that is not available, by name and id.
    private func missingFilter() -> String? {
        let plist = H5Dget_create_plist(id)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        for index in 0..<max(0, Int(H5Pget_nfilters(plist))) {
            var (flags, elements, configuration): (UInt32, Int, UInt32) = (0, 8, 0)
            var values = [UInt32](repeating: 0, count: 8), name = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(plist, UInt32(index), &flags, &elements, &values, name.count, &name, &configuration)
            if filter >= 0 && H5Zfilter_avail(filter) <= 0 {
                let label = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return "\(label.isEmpty ? "unnamed" : label) (id \(filter))"
            }
        }
        return nil
    }
}
