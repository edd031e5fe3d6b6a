@preconcurrency import CHDF5

/// Rows are slices along the first dimension; streamed data grow a dataset with unlimited rows.
extension Dataset {
    /// Reads a block of whole rows, flattened row-major.
    public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        try readScalars(.rows(rows), action: "read rows of dataset")
    }

    /// Reads a block of whole rows of strings, flattened row-major.
    public func readRows(_ rows: Range<Int>, as type: String.Type) throws -> [String] {
        try readStrings(.rows(rows), action: "read rows of dataset")
    }

    /// Overwrites whole rows from row `start`; the values must fill whole rows inside the current shape.
    public func writeRows<T: HDF5Scalar>(_ values: [T], at start: Int) throws {
        try writeScalars(values, .rowsFrom(start: start, valueCount: values.count), action: "write rows of dataset")
    }

    /// Overwrites whole rows of strings from row `start`.
    public func writeRows(_ values: [String], at start: Int) throws {
        try writeStrings(values, .rowsFrom(start: start, valueCount: values.count), action: "write rows of dataset")
    }

    /// Grows the first dimension to `rows`; new rows read as zeros (or empty strings) until written.
    public func extend(toRows rows: Int) throws {
        let site = try site("extend dataset")
        let (dims, maxDims) = try extent(site)
        guard let current = dims.first else { throw site.failure("a scalar has no rows") }
        guard rows >= current else { throw site.failure("cannot shrink from \(current) to \(rows) rows") }
        if let limit = maxDims[0], rows > limit {
            throw site.failure("at most \(limit) rows fit; create it with unlimitedRows: true to grow it")
        }
        var newDims = dims.map(hsize_t.init)
        newDims[0] = hsize_t(rows)
        try site.check(H5Dset_extent(id, &newDims))
    }

    /// Adds whole rows at the end, growing the dataset.
    public func append<T: HDF5Scalar>(_ values: [T]) throws {
        let start = try grow(forAppending: values.count, of: T.elementType)
        try writeScalars(values, .rowsFrom(start: start, valueCount: values.count), action: "append to dataset")
    }

    /// Adds whole rows of strings at the end, growing the dataset.
    public func append(_ values: [String]) throws {
        let start = try grow(forAppending: values.count, of: .string)
        try writeStrings(values, .rowsFrom(start: start, valueCount: values.count), action: "append to dataset")
    }

    /// Checks the values fit before growing, so a failed append leaves the dataset as it was;
    /// returns the first new row.
    private func grow(forAppending valueCount: Int, of elementType: ElementType) throws -> Int {
        let site = try site("append to dataset")
        try withStoredType(elementType, site: site, requested: "given") { _ in }
        let dims = try extent(site).dims
        guard let current = dims.first else { throw site.failure("a scalar has no rows") }
        let rowSize = try Self.elementCount(Array(dims.dropFirst()), site: site)
        guard rowSize > 0, valueCount % rowSize == 0 else {
            throw site.failure("\(valueCount) values do not fill whole rows of shape \(dims)")
        }
        try extend(toRows: current + valueCount / rowSize)
        return current
    }
}
