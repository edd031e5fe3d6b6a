@preconcurrency import CHDF5

/// A group: a folder of groups and datasets inside a file. An `HDF5File` is its own root group.
///
/// Paths may be relative to the group or absolute (starting with "/").
public class Group: Location {
    let file: FileState
    let id: hid_t
    /// The absolute path of the group in its file, such as "/" or "/model/weights".
    public let name: String

    init(file: FileState, id: hid_t, name: String) {
        self.file = file
        self.id = id
        self.name = name
    }

    deinit { closeID(with: H5Gclose) }

    /// Attributes attached to this group.
    public var attributes: Attributes { Attributes(owner: self) }

    /// Creates a group, and any missing groups on its path.
    @discardableResult
    public func createGroup(_ path: String) throws -> Group {
        let name = absolute(path)
        let site = try file.site(name, "create group")
        let group = try withIntermediateGroups(site) { linkList in
            try site.check(H5Gcreate2(id, path, linkList, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)))
        }
        return Group(file: file, id: group, name: name)
    }

    /// Opens an existing group.
    public func group(_ path: String) throws -> Group {
        let name = absolute(path)
        let site = try file.site(name, "open group")
        return Group(file: file, id: try site.check(H5Gopen2(id, path, hid_t(H5P_DEFAULT))), name: name)
    }

    /// Opens an existing dataset.
    public func dataset(_ path: String) throws -> Dataset {
        let name = absolute(path)
        let site = try file.site(name, "open dataset")
        return Dataset(file: file, id: try site.check(H5Dopen2(id, path, hid_t(H5P_DEFAULT))), name: name)
    }

    /// The names of the groups and datasets directly in this group, sorted by name.
    public func members() throws -> [String] {
        let site = try self.site("list group")
        var names: [String] = []
        try withUnsafeMutablePointer(to: &names) { pointer in
            _ = try site.check(H5Literate(id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                data!.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name!))
                return 0
            }, pointer))
        }
        return names
    }

    /// Removes the group or dataset at `path` from this group (its space in the file is not reclaimed).
    public func remove(_ path: String) throws {
        let site = try file.site(absolute(path), "remove")
        try site.check(H5Ldelete(id, path, hid_t(H5P_DEFAULT)))
    }

    /// Whether a group or dataset exists at `path`, following each step so that a missing
    /// intermediate group answers `false` rather than failing.
    public func contains(_ path: String) throws -> Bool {
        let site = try file.site(absolute(path), "look up")
        var prefix = path.hasPrefix("/") ? "/" : ""
        for step in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + step
            if try site.check(H5Lexists(id, prefix, hid_t(H5P_DEFAULT))) == 0 { return false }
        }
        return true
    }

    /// Creates a dataset, and any missing groups on its path.
    ///
    /// - Parameters:
    ///   - shape: the dimensions, row-major; `[]` makes a scalar.
    ///   - unlimitedRows: lets `extend(toRows:)` and `append` grow the first dimension without bound.
    ///   - chunks: the chunk shape, required with unlimited rows, gzip or shuffle.
    ///   - gzipLevel: deflate level 0...9, or `nil` for no compression.
    ///   - shuffle: byte-shuffles each chunk before compressing, which helps gzip on numbers.
    ///   - allocateChunks: gives every chunk its place in the file now, unfilled (unwritten rows
    ///     read as whatever the file held there: zeros in a new file), so that
    ///     ``Dataset/writeRowsUncached(_:at:)`` can write chunks straight there; for outputs that
    ///     will be written whole.
    @discardableResult
    public func createDataset(
        _ path: String, elementType: ElementType, shape: [Int],
        unlimitedRows: Bool = false, chunks: [Int]? = nil, gzipLevel: Int? = nil, shuffle: Bool = false,
        allocateChunks: Bool = false
    ) throws -> Dataset {
        let name = absolute(path)
        let site = try file.site(name, "create dataset")
        guard shape.allSatisfy({ $0 >= 0 }) else { throw site.failure("shape \(shape) has a negative dimension") }
        if unlimitedRows && shape.isEmpty { throw site.failure("a scalar has no rows to make unlimited") }
        if let gzipLevel, !(0...9).contains(gzipLevel) {
            throw site.failure("gzip level \(gzipLevel) is not in 0...9")
        }
        if chunks == nil && (unlimitedRows || gzipLevel != nil || shuffle || allocateChunks) {
            throw site.failure("unlimited rows, gzip, shuffle and allocated chunks need a chunk shape")
        }
        if allocateChunks && (unlimitedRows || gzipLevel != nil || shuffle) {
            throw site.failure("allocated chunks have a fixed size: no unlimited rows, gzip or shuffle")
        }

        var dims = shape.map(hsize_t.init)
        var maxDims = dims
        if unlimitedRows { maxDims[0] = hsize_t.max }  // H5S_UNLIMITED
        let space = try site.check(shape.isEmpty
            ? H5Screate(H5S_SCALAR)
            : H5Screate_simple(Int32(shape.count), &dims, &maxDims))
        defer { H5Sclose(space) }

        let creation = try site.check(H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g))
        defer { H5Pclose(creation) }
        if let chunks {
            guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
                throw site.failure("chunk shape \(chunks) does not fit shape \(shape)")
            }
            var chunkDims = chunks.map(hsize_t.init)
            try site.check(H5Pset_chunk(creation, Int32(chunks.count), &chunkDims))
        }
        // Shuffle must come before deflate in the filter pipeline to help it.
        if shuffle { try site.check(H5Pset_shuffle(creation)) }
        if let gzipLevel { try site.check(H5Pset_deflate(creation, UInt32(gzipLevel))) }
        if allocateChunks {
            try site.check(H5Pset_alloc_time(creation, H5D_ALLOC_TIME_EARLY))
            try site.check(H5Pset_fill_time(creation, H5D_FILL_TIME_NEVER))
        }

        let type = elementType.makeFileType()
        defer { H5Tclose(type) }
        let dataset = try withIntermediateGroups(site) { linkList in
            try site.check(H5Dcreate2(id, path, type, space, linkList, creation, hid_t(H5P_DEFAULT)))
        }
        return Dataset(file: file, id: dataset, name: name)
    }

    private func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return name == "/" ? "/" + path : name + "/" + path
    }

    private func withIntermediateGroups(_ site: Site, _ create: (hid_t) throws -> hid_t) throws -> hid_t {
        let linkList = try site.check(H5Pcreate(H5P_CLS_LINK_CREATE_ID_g))
        defer { H5Pclose(linkList) }
        try site.check(H5Pset_create_intermediate_group(linkList, 1))
        return try create(linkList)
    }
}

extension HDF5File {
    /// Every dataset in the file, as paths from the root ("predictions/values"), groups walked in name order.
    public func datasetPaths(under prefix: String = "") throws -> [String] {
        let group = prefix.isEmpty ? self as Group : try self.group(prefix)
        return try group.members().flatMap { name -> [String] in
            let path = prefix.isEmpty ? name : "\(prefix)/\(name)"
            return (try? dataset(path)) != nil ? [path] : try datasetPaths(under: path)
        }
    }
}
