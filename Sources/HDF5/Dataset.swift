@preconcurrency import CHDF5

/// An n-dimensional array of one element type stored in a file.
///
/// Values move as flat row-major Swift arrays. Reads and writes require the element type
/// to match exactly: HDF5 is never asked to convert, say, float32 data into Int64.
public final class Dataset: Location {
    let file: FileState
    let id: hid_t
    /// The absolute path of the dataset in its file.
    public let name: String

    init(file: FileState, id: hid_t, name: String) {
        self.file = file
        self.id = id
        self.name = name
    }

    deinit { closeID(with: H5Dclose) }

    /// Attributes attached to this dataset.
    public var attributes: Attributes { Attributes(owner: self) }

    /// The current dimensions; `[]` for a scalar.
    public var shape: [Int] {
        get throws { try extent(try site("read shape")).dims }
    }

    /// The element type, or an error naming a stored type Galen does not handle.
    public var elementType: ElementType {
        get throws {
            let site = try site("read element type")
            let type = try site.check(H5Dget_type(id))
            defer { H5Tclose(type) }
            return try ElementType(storedType: type, site: site)
        }
    }

    /// Reads every element, flattened row-major.
    public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> [T] {
        try readScalars(.all, action: "read dataset")
    }

    /// Reads every string, flattened row-major.
    public func read(as type: String.Type) throws -> [String] {
        try readStrings(.all, action: "read dataset")
    }

    /// Overwrites every element from a flat row-major array of exactly as many values.
    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        try writeScalars(values, .all, action: "write dataset")
    }

    /// Overwrites every string from a flat row-major array of exactly as many values.
    public func write(_ values: [String]) throws {
        try writeStrings(values, .all, action: "write dataset")
    }

    // MARK: - Shared by whole and row transfers

    /// Which elements a transfer touches.
    enum Region {
        case all
        case rows(Range<Int>)
        /// As many whole rows as `valueCount` values fill, from row `start`.
        case rowsFrom(start: Int, valueCount: Int)

        /// The first row it touches; for a one-dimensional dataset, its first element.
        var firstRow: Int {
            switch self {
            case .all: 0
            case .rows(let rows): rows.lowerBound
            case .rowsFrom(let start, _): start
            }
        }
    }

    /// A region resolved against the dataset's current shape.
    struct Selection {
        let memorySpace: hid_t
        let fileSpace: hid_t
        let count: Int
        let dims: [Int]
    }

    func readScalars<T: HDF5Scalar>(_ region: Region, action: String) throws -> [T] {
        let site = try site(action)
        return try withStoredType(T.elementType, site: site, requested: "requested") { _ in
            try withSelection(region, site: site) { selection in
                try requireRoom(for: selection, bytesEach: MemoryLayout<T>.stride, site: site)
                return try explainingMissingFilter(site) {
                    try ScalarCodec.read(count: selection.count, site: site) {
                        H5Dread(id, $0, selection.memorySpace, selection.fileSpace, hid_t(H5P_DEFAULT), $1)
                    }
                }
            }
        }
    }

    func readStrings(_ region: Region, action: String) throws -> [String] {
        let site = try site(action)
        return try withStoredType(.string, site: site, requested: "requested") { storedType in
            try withSelection(region, site: site) { selection in
                // Each string is a String, and first a pointer (variable length) or its stored bytes (fixed).
                let stored = try site.check(H5Tis_variable_str(storedType)) > 0 ? MemoryLayout<UnsafeRawPointer>.size : H5Tget_size(storedType)
                try requireRoom(for: selection, bytesEach: MemoryLayout<String>.stride + stored, site: site)
                return try explainingMissingFilter(site) {
                    try StringCodec.read(count: selection.count, first: region.firstRow, storedType: storedType, site: site) {
                        H5Dread(id, $0, selection.memorySpace, selection.fileSpace, hid_t(H5P_DEFAULT), $1)
                    }
                }
            }
        }
    }

    func writeScalars<T: HDF5Scalar>(_ values: [T], _ region: Region, action: String) throws {
        let site = try site(action)
        try withStoredType(T.elementType, site: site, requested: "given") { _ in
            try withSelection(region, site: site) { selection in
                try requireCount(values.count, selection, site: site)
                try ScalarCodec.write(values, site: site) {
                    H5Dwrite(id, $0, selection.memorySpace, selection.fileSpace, hid_t(H5P_DEFAULT), $1)
                }
            }
        }
    }

    func writeStrings(_ values: [String], _ region: Region, action: String) throws {
        let site = try site(action)
        try withStoredType(.string, site: site, requested: "given") { storedType in
            guard try site.check(H5Tis_variable_str(storedType)) > 0 else {
                throw site.failure("writing fixed-length strings is not supported")
            }
            try withSelection(region, site: site) { selection in
                try requireCount(values.count, selection, site: site)
                try StringCodec.write(values, site: site) {
                    H5Dwrite(id, $0, selection.memorySpace, selection.fileSpace, hid_t(H5P_DEFAULT), $1)
                }
            }
        }
    }

    /// Current and maximum dimensions; a maximum of `nil` is unlimited.
    func extent(_ site: Site) throws -> (dims: [Int], maxDims: [Int?]) {
        let space = try site.check(H5Dget_space(id))
        defer { H5Sclose(space) }
        return try Self.extent(of: space, site: site)
    }

    /// Runs `body` with the stored type after checking it is `expected`; `requested` or "given" names the caller's side.
    func withStoredType<R>(
        _ expected: ElementType, site: Site, requested: String, _ body: (hid_t) throws -> R
    ) throws -> R {
        let type = try site.check(H5Dget_type(id))
        defer { H5Tclose(type) }
        let stored = try ElementType(storedType: type, site: site)
        guard stored == expected else { throw site.failure("stored as \(stored), \(requested) \(expected)") }
        return try body(type)
    }

    private static func extent(of space: hid_t, site: Site) throws -> (dims: [Int], maxDims: [Int?]) {
        let rank = Int(try site.check(H5Sget_simple_extent_ndims(space)))
        var dims = [hsize_t](repeating: 0, count: rank)
        var maxDims = dims
        try site.check(H5Sget_simple_extent_dims(space, &dims, &maxDims))
        let current = dims.compactMap { Int(exactly: $0) }
        guard current.count == dims.count else { throw site.failure("a dimension of \(dims) is too large") }
        return (current, maxDims.map { $0 == hsize_t.max ? nil : Int(exactly: $0) })
    }

    /// The number of elements of `dims`, or a failure when it exceeds what an Int counts.
    static func elementCount(_ dims: [Int], site: Site) throws -> Int {
        guard !dims.contains(0) else { return 0 }
        return try dims.reduce(1) { product, dimension in
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw site.failure("its shape \(dims) holds more elements than can be counted") }
            return next
        }
    }

    /// Refuses a read whose values could not fit in memory, before allocating for them (``MachineMemory``).
    private func requireRoom(for selection: Selection, bytesEach: Int, site: Site) throws {
        let bytes = Double(selection.count) * Double(bytesEach)
        guard bytes > MachineMemory.bytes else { return }
        throw site.failure("\(selection.dims) values need \(MachineMemory.exceeded(by: bytes))")
    }

    private func requireCount(_ count: Int, _ selection: Selection, site: Site) throws {
        guard count == selection.count else {
            throw site.failure("\(count) values given, \(selection.count) expected for shape \(selection.dims)")
        }
    }

    private func withSelection<R>(_ region: Region, site: Site, _ body: (Selection) throws -> R) throws -> R {
        let space = try site.check(H5Dget_space(id))
        defer { H5Sclose(space) }
        let dims = try Self.extent(of: space, site: site).dims
        let rows: Range<Int>
        switch region {
        case .all:
            return try body(Selection(memorySpace: hid_t(H5S_ALL), fileSpace: hid_t(H5S_ALL), count: try Self.elementCount(dims, site: site), dims: dims))
        case _ where dims.isEmpty:
            throw site.failure("a scalar has no rows")
        case .rows(let range):
            rows = range
        case .rowsFrom(let start, let valueCount):
            let rowSize = try Self.elementCount(Array(dims.dropFirst()), site: site)
            guard rowSize > 0, valueCount % rowSize == 0 else {
                throw site.failure("\(valueCount) values do not fill whole rows of shape \(dims)")
            }
            rows = start ..< start + valueCount / rowSize
        }
        guard rows.lowerBound >= 0, rows.upperBound <= dims[0] else {
            throw site.failure("rows \(rows) are out of bounds for \(dims[0]) rows")
        }
        var start = [hsize_t](repeating: 0, count: dims.count)
        start[0] = hsize_t(rows.lowerBound)
        var count = dims.map(hsize_t.init)
        count[0] = hsize_t(rows.count)
        let selectedDims = count.map { Int($0) }
        let selectedCount = try Self.elementCount(selectedDims, site: site)
        guard selectedCount > 0 else {
            // HDF5 rejects empty hyperslabs; the codecs move nothing for a count of zero.
            return try body(Selection(memorySpace: hid_t(H5S_ALL), fileSpace: hid_t(H5S_ALL), count: 0, dims: selectedDims))
        }
        try site.check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil))
        let memorySpace = try site.check(H5Screate_simple(Int32(count.count), &count, nil))
        defer { H5Sclose(memorySpace) }
        return try body(Selection(memorySpace: memorySpace, fileSpace: space, count: selectedCount, dims: selectedDims))
    }
}
