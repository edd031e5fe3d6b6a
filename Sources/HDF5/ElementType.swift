@preconcurrency import CHDF5

/// The element types Galen reads and writes.
public enum ElementType: Sendable, Hashable, CustomStringConvertible {
    case float16, float32, float64, int8, int16, int32, int64, uint8
    /// Text: written as variable-length UTF-8; fixed-length and ASCII strings are read too.
    case string

    public var description: String {
        switch self {
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .string: "string"
        }
    }

    /// A new copy, for the caller to close, of the type stored in files Galen writes:
    /// little-endian, as h5py and numpy write on every common machine.
    func makeFileType() -> hid_t {
        let stored: hid_t = switch self {
        case .float16: halfPrecisionType
        case .float32: H5T_IEEE_F32LE_g
        case .float64: H5T_IEEE_F64LE_g
        case .int8: H5T_STD_I8LE_g
        case .int16: H5T_STD_I16LE_g
        case .int32: H5T_STD_I32LE_g
        case .int64: H5T_STD_I64LE_g
        case .uint8: H5T_STD_U8LE_g
        case .string: H5T_C_S1_g
        }
        let type = H5Tcopy(stored)
        if self == .string {
            H5Tset_size(type, variableStringSize)
            H5Tset_cset(type, H5T_CSET_UTF8)
        }
        return type
    }

    /// Classifies a stored type; any other type is an error naming it.
    init(storedType type: hid_t, site: Site) throws {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT where size == 2 && H5Tequal(type, halfPrecisionType) > 0: self = .float16
        case H5T_FLOAT where size == 4: self = .float32
        case H5T_FLOAT where size == 8: self = .float64
        case H5T_INTEGER where H5Tget_sign(type) == H5T_SGN_NONE:
            guard size == 1 else { throw site.failure("unsupported element type \(Self.name(of: type))") }
            self = .uint8
        case H5T_INTEGER where size == 1: self = .int8
        case H5T_INTEGER where size == 2: self = .int16
        case H5T_INTEGER where size == 4: self = .int32
        case H5T_INTEGER where size == 8: self = .int64
        case H5T_STRING: self = .string
        default: throw site.failure("unsupported element type \(Self.name(of: type))")
        }
    }

    /// A numpy-like name for any stored type, for error messages.
    static func name(of type: hid_t) -> String {
        let bits = H5Tget_size(type) * 8
        let typeClass = H5Tget_class(type)
        switch typeClass {
        case H5T_FLOAT: return "float\(bits)"
        case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(bits)"
        case H5T_STRING: return "string"
        case H5T_COMPOUND: return "compound"
        case H5T_ENUM: return "enum (such as numpy bool)"
        case H5T_ARRAY: return "array"
        case H5T_VLEN: return "variable-length sequence"
        case H5T_OPAQUE: return "opaque"
        case H5T_REFERENCE: return "reference"
        case H5T_BITFIELD: return "bitfield"
        case H5T_TIME: return "time"
        default: return "type class \(typeClass.rawValue)"
        }
    }
}

/// IEEE 754 binary16, little-endian: HDF5 1.10 has no predefined half type, so it is derived from
/// float32's (h5py stores numpy's float16 the same way). Made once and never closed.
let halfPrecisionType: hid_t = {
    let type = H5Tcopy(H5T_IEEE_F32LE_g)
    H5Tset_fields(type, 15, 10, 5, 0, 10)
    H5Tset_size(type, 2)
    H5Tset_ebias(type, 15)
    return type
}()

/// A number type that moves between Swift arrays and HDF5 without conversion.
public protocol HDF5Scalar: BitwiseCopyable, Sendable {
    static var elementType: ElementType { get }
}

extension HDF5Scalar {
    /// The in-memory type; HDF5 converts only byte order between it and the stored type.
    static var memoryType: hid_t {
        switch elementType {
        case .float16: halfPrecisionType
        case .float32: H5T_NATIVE_FLOAT_g
        case .float64: H5T_NATIVE_DOUBLE_g
        case .int8: H5T_NATIVE_INT8_g
        case .int16: H5T_NATIVE_INT16_g
        case .int32: H5T_NATIVE_INT32_g
        case .int64: H5T_NATIVE_INT64_g
        case .uint8: H5T_NATIVE_UINT8_g
        case .string: preconditionFailure("strings are not scalars")
        }
    }
}

#if !(os(macOS) && arch(x86_64))  // Swift has no Float16 on Intel Macs
extension Float16: HDF5Scalar { public static var elementType: ElementType { .float16 } }
#endif
extension Float: HDF5Scalar { public static var elementType: ElementType { .float32 } }
extension Double: HDF5Scalar { public static var elementType: ElementType { .float64 } }
extension Int8: HDF5Scalar { public static var elementType: ElementType { .int8 } }
extension Int16: HDF5Scalar { public static var elementType: ElementType { .int16 } }
extension Int32: HDF5Scalar { public static var elementType: ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var elementType: ElementType { .int64 } }
extension UInt8: HDF5Scalar { public static var elementType: ElementType { .uint8 } }
