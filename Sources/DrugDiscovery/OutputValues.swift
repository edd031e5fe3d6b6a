import HDF5

/// Values of an output dataset of encode or predict (embeddings, predictions, ids, task names)
/// in their stored type, for copying and checking them without conversion.
public enum OutputValues: Equatable {
    case strings([String])
    case halves([Float16])
    case floats([Float])

    /// Rows `rows` of `dataset`, or all of it.
    public init(_ dataset: Dataset, rows: Range<Int>? = nil) throws {
        func read<T: HDF5Scalar>(_ type: T.Type) throws -> [T] {
            try rows.map { try dataset.readRows($0, as: type) } ?? dataset.read(as: type)
        }
        switch try dataset.elementType {
        case .string: self = .strings(try rows.map { try dataset.readRows($0, as: String.self) } ?? dataset.read(as: String.self))
        case .float16: self = .halves(try read(Float16.self))
        default: self = .floats(try read(Float.self))
        }
    }

    /// Writes them whole to `dataset`, or as its rows from `start`.
    public func write(to dataset: Dataset, at start: Int? = nil) throws {
        func write<T: HDF5Scalar>(_ values: [T]) throws {
            if let start { try dataset.writeRows(values, at: start) } else { try dataset.write(values) }
        }
        switch self {
        case .strings(let values): if let start { try dataset.writeRows(values, at: start) } else { try dataset.write(values) }
        case .halves(let values): try write(values)
        case .floats(let values): try write(values)
        }
    }

    /// The first value an output must not hold, and how it prints: NaN anywhere, infinity in
    /// float32 (in float16 it is the documented overflow past ±65504).
    public var firstInvalid: (index: Int, value: String)? {
        switch self {
        case .strings: nil
        case .halves(let values): values.firstIndex(where: \.isNaN).map { ($0, "\(values[$0])") }
        case .floats(let values): values.firstIndex(where: { !$0.isFinite }).map { ($0, "\(values[$0])") }
        }
    }
}
