import HDF5

/// Values of an output dataset of encode or predict (embeddings, predictions, ids, task names)
/// in their stored type, for copying and checking them without conversion.
public enum OutputValues: Equatable {
    case strings([String])
    case halves([Float16])
    case floats([Float])

    /// Rows `rows` of `dataset`, or all of it.
    public init(_ dataset: Dataset, rows: Range<Int>? = nil) throws {
        switch try dataset.elementType {
        case .string: self = .strings(try rows.map { try dataset.readRows($0, as: String.self) } ?? dataset.read(as: String.self))
        case .float16: self = .halves(try rows.map { try dataset.readRows($0, as: Float16.self) } ?? dataset.read(as: Float16.self))
        default: self = .floats(try rows.map { try dataset.readRows($0, as: Float.self) } ?? dataset.read(as: Float.self))
        }
    }

    /// Writes them whole to `dataset`, or as its rows from `start`.
    public func write(to dataset: Dataset, at start: Int? = nil) throws {
        switch (self, start) {
        case (.strings(let values), let start?): try dataset.writeRows(values, at: start)
        case (.strings(let values), nil): try dataset.write(values)
        case (.halves(let values), let start?): try dataset.writeRows(values, at: start)
        case (.halves(let values), nil): try dataset.write(values)
        case (.floats(let values), let start?): try dataset.writeRows(values, at: start)
        case (.floats(let values), nil): try dataset.write(values)
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

    /// The first value the output dataset at `path` must not hold: ``firstInvalid``, and for an
    /// ensemble's spread (a standard deviation) anything below zero as well.
    public func firstInvalid(in path: String) -> (index: Int, value: String)? {
        guard path == "predictions/spread" else { return firstInvalid }
        return firstInvalid ?? {
            switch self {
            case .strings: nil
            case .halves(let values): values.firstIndex { $0 < 0 }.map { ($0, "\(values[$0])") }
            case .floats(let values): values.firstIndex { $0 < 0 }.map { ($0, "\(values[$0])") }
            }
        }()
    }
}
