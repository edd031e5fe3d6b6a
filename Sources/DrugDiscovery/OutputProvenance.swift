import HDF5
import NeuralNet

/// Where an output of `galen encode` or `galen predict` came from, as its root attributes record
/// it: what `galen merge` relies on to join the slices of one library.
public struct OutputProvenance: Sendable {
    let modelPath: String
    let modelDigest: String
    let libraryPath: String
    /// The rows of the whole library.
    public let libraryRows: Int
    /// The rows of the library that the output holds.
    public let rows: Range<Int>

    func write(to file: HDF5File, kind: String) throws {
        for (name, value): (String, AttributeValue) in [
            ("galen_output", .string(kind)), ("galen_version", .string(ModelFile.galenVersion)),
            ("model_path", .string(modelPath)), ("model_sha256", .string(modelDigest)),
            ("source_library", .string(libraryPath)), ("source_rows", .int(libraryRows)),
            ("row_start", .int(rows.lowerBound)), ("row_end", .int(rows.upperBound)),
        ] { try file.attributes.set(name, value) }
    }
}

extension OutputProvenance {
    /// The provenance of `file`, an output of `kind` (embeddings or predictions), checked: the model
    /// and library paths, a 64-digit model digest, rows that are a non-empty slice of the library
    /// as many as the output's values, and for predictions a spread exactly when an ensemble made
    /// them. A ``LibraryError`` lists every problem.
    public init(of file: HDF5File, kind: String) throws {
        func value(_ name: String) throws -> AttributeValue? { try file.attributes.contains(name) ? try file.attributes.get(name) : nil }
        func path(_ name: String) throws -> String? {
            if case .string(let text)? = try value(name), !text.isEmpty { return text }
            return nil
        }
        var problems: [String] = []
        let (modelPath, libraryPath) = (try path("model_path"), try path("source_library"))
        if modelPath == nil { problems.append("the attribute model_path is missing or not a path") }
        if libraryPath == nil { problems.append("the attribute source_library is missing or not a path") }
        var modelDigest: String?
        if case .string(let digest)? = try value("model_sha256"), digest.count == 64, digest.allSatisfy(\.isHexDigit) { modelDigest = digest } else {
            problems.append("the attribute model_sha256 is missing or not 64 hexadecimal digits")
        }
        let isPredictions = kind == EfficacyModel.predictionsKind
        let values = isPredictions ? "predictions/values" : "embeddings"
        let count = try file.contains(values) ? try file.dataset(values).shape.first ?? 0 : nil
        if count == nil { problems.append("/\(values) is missing") }
        var slice: (rows: Range<Int>, total: Int)?
        if case .int(let start)? = try value("row_start"), case .int(let end)? = try value("row_end"), case .int(let total)? = try value("source_rows") {
            if 0 <= start && start < end && end <= total { slice = (start..<end, total) } else {
                problems.append("rows \(start):\(end) are not a non-empty slice of the library's \(total)")
            }
            if let count, end - start != count { problems.append("row_start \(start) and row_end \(end) do not span its \(count) rows") }
        } else {
            problems.append("the attributes row_start, row_end and source_rows must be whole numbers")
        }
        if isPredictions {
            if case .int(let members)? = try value("ensemble_members"), members >= 1 {
                if try file.contains("predictions/spread") != (members > 1) {
                    problems.append(members > 1 ? "/predictions/spread is missing for an ensemble of \(members)" : "/predictions/spread is there for a single model")
                }
            } else {
                problems.append("the attribute ensemble_members is missing or not a positive whole number")
            }
        }
        guard problems.isEmpty, let modelPath, let libraryPath, let modelDigest, let slice else {
            throw LibraryError(path: file.path, problems: problems)
        }
        self.init(modelPath: modelPath, modelDigest: modelDigest, libraryPath: libraryPath, libraryRows: slice.total, rows: slice.rows)
    }
}
