@preconcurrency import CHDF5

/// The value of an attribute: a number, a string, or a one-dimensional array of either.
///
/// Integers of any stored width read as `Int`; Galen writes them as int64, floats as float32,
/// doubles as float64 and strings as variable-length UTF-8, as h5py does for Python values.
public enum AttributeValue: Sendable, Hashable {
    case int(Int), double(Double), float(Float), string(String)
    case ints([Int]), doubles([Double]), floats([Float]), strings([String])
}

/// In JSON, the value itself: a number, a string or an array of them.
extension AttributeValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .float(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .ints(let values): try container.encode(values)
        case .doubles(let values): try container.encode(values)
        case .floats(let values): try container.encode(values)
        case .strings(let values): try container.encode(values)
        }
    }
}

extension AttributeValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

/// The attributes of a file, group or dataset.
public struct Attributes {
    let owner: any Location

    /// The attribute names, sorted.
    public func names() throws -> [String] {
        let site = try owner.site("list attributes of")
        var names: [String] = []
        try withUnsafeMutablePointer(to: &names) { pointer in
            _ = try site.check(H5Aiterate2(owner.id, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                data!.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name!))
                return 0
            }, pointer))
        }
        return names
    }

    public func contains(_ name: String) throws -> Bool {
        let site = try owner.site("look up attribute '\(name)' of")
        return try site.check(H5Aexists(owner.id, name)) > 0
    }

    /// Reads an attribute; a scalar reads as a single value, any array as a flat array.
    public func get(_ name: String) throws -> AttributeValue {
        let site = try owner.site("read attribute '\(name)' of")
        let attribute = try site.check(H5Aopen(owner.id, name, hid_t(H5P_DEFAULT)))
        defer { H5Aclose(attribute) }
        let type = try site.check(H5Aget_type(attribute))
        defer { H5Tclose(type) }
        let space = try site.check(H5Aget_space(attribute))
        defer { H5Sclose(space) }

        let isScalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
        guard isScalar || H5Sget_simple_extent_type(space) == H5S_SIMPLE else {
            throw site.failure("the attribute holds no value")
        }
        let count = Int(try site.check(H5Sget_simple_extent_npoints(space)))
        let read = { (memoryType: hid_t, buffer: UnsafeMutableRawPointer) in H5Aread(attribute, memoryType, buffer) }
        let size = H5Tget_size(type)

        switch H5Tget_class(type) {
        case H5T_INTEGER where !(size == 8 && H5Tget_sign(type) == H5T_SGN_NONE):
            let values: [Int64] = try ScalarCodec.read(count: count, site: site, transfer: read)
            return isScalar ? .int(Int(values[0])) : .ints(values.map { Int($0) })
        case H5T_FLOAT where size == 4:
            let values: [Float] = try ScalarCodec.read(count: count, site: site, transfer: read)
            return isScalar ? .float(values[0]) : .floats(values)
        case H5T_FLOAT where size == 8:
            let values: [Double] = try ScalarCodec.read(count: count, site: site, transfer: read)
            return isScalar ? .double(values[0]) : .doubles(values)
        case H5T_STRING:
            let values = try StringCodec.read(count: count, storedType: type, site: site, transfer: read)
            return isScalar ? .string(values[0]) : .strings(values)
        default:
            throw site.failure("unsupported attribute type \(ElementType.name(of: type))")
        }
    }

    /// Writes an attribute, replacing any of the same name.
    public func set(_ name: String, _ value: AttributeValue) throws {
        let site = try owner.site("write attribute '\(name)' of")
        switch value {
        case .int(let value): try create(name, site: site, [Int64(value)], isScalar: true)
        case .double(let value): try create(name, site: site, [value], isScalar: true)
        case .float(let value): try create(name, site: site, [value], isScalar: true)
        case .string(let value): try create(name, site: site, [value], isScalar: true)
        case .ints(let values): try create(name, site: site, values.map { Int64($0) }, isScalar: false)
        case .doubles(let values): try create(name, site: site, values, isScalar: false)
        case .floats(let values): try create(name, site: site, values, isScalar: false)
        case .strings(let values): try create(name, site: site, values, isScalar: false)
        }
    }

    private func create<T: HDF5Scalar>(_ name: String, site: Site, _ values: [T], isScalar: Bool) throws {
        try create(name, site: site, elementType: T.elementType, count: values.count, isScalar: isScalar) { attribute in
            try ScalarCodec.write(values, site: site) { H5Awrite(attribute, $0, $1) }
        }
    }

    private func create(_ name: String, site: Site, _ values: [String], isScalar: Bool) throws {
        try create(name, site: site, elementType: .string, count: values.count, isScalar: isScalar) { attribute in
            try StringCodec.write(values, site: site) { H5Awrite(attribute, $0, $1) }
        }
    }

    private func create(
        _ name: String, site: Site, elementType: ElementType, count: Int, isScalar: Bool,
        write: (hid_t) throws -> Void
    ) throws {
        if try site.check(H5Aexists(owner.id, name)) > 0 {
            try site.check(H5Adelete(owner.id, name))
        }
        var extent = hsize_t(count)
        let space = try site.check(isScalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &extent, nil))
        defer { H5Sclose(space) }
        let type = elementType.makeFileType()
        defer { H5Tclose(type) }
        let attribute = try site.check(H5Acreate2(owner.id, name, type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)))
        defer { H5Aclose(attribute) }
        try write(attribute)
    }
}
