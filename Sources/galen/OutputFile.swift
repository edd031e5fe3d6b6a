import ArgumentParser
import Foundation

/// Where a command writes its result: refused up front if it exists and `--overwrite` was not
/// given, so that no work is done for an output that cannot be written.
struct OutputFile: ParsableArguments {
    @Option(name: .customLong("out"), help: "The file to write.")
    var path: String

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    func validate() throws {
        if FileManager.default.fileExists(atPath: path) && !overwrite {
            throw ValidationError("\(path) exists; pass --overwrite to replace it")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationError("cannot write to the folder \(folder)")
        }
    }
}

/// Prints rows under a header, each column as wide as its widest cell; numbers right-aligned.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let padding = String(repeating: " ", count: pair.1 - pair.0.count)
            return index == 0 ? pair.0 + padding : padding + pair.0
        }.joined(separator: "  ")
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}

func format(_ value: Double?, _ digits: Int = 3) -> String {
    guard let value else { return "-" }
    return value.isNaN ? "nan" : String(format: "%.\(digits)f", value)
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A failure found while running a command (not in its arguments): printed as one line, without usage.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The options a model was trained with, from the JSON record its file keeps, and the record.
func trainingRecord<Options: Decodable>(_ json: String, as type: Options.Type) -> (options: Options?, record: [String: String]) {
    let record = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
    return (record["options"].flatMap { try? JSONDecoder().decode(Options.self, from: Data($0.utf8)) }, record)
}
