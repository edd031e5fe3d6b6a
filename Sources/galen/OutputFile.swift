import ArgumentParser
import Foundation

/// Where a command writes its result: refused up front if it exists and `--overwrite` was not
/// given, if it is not a regular file (a folder, a device such as /dev/null), or if its folder
/// cannot be written, so that no work is done for an output that cannot be written.
struct OutputFile: ParsableArguments {
    @Option(name: .customLong("out"), help: "The file to write.")
    var path: String

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    func validate() throws { try Self.check(path, overwrite: overwrite, option: "--out") }

    /// Refuses to write over one of the command's inputs, under whatever name it is given.
    func refuseOverwriting(_ inputs: [String?]) throws { try Self.refuse(path, overwriting: inputs) }

    static func refuse(_ path: String, overwriting inputs: [String?]) throws {
        guard let output = fileIdentity(path) else { return }
        if let input = inputs.compactMap({ $0 }).first(where: { fileIdentity($0) == output }) {
            throw ValidationError("\(path) is the input \(input); write the output to another file")
        }
    }

    static func check(_ path: String, overwrite: Bool, option: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option) needs a file name") }
        var status = stat()
        guard lstat(path, &status) != 0 || stat(path, &status) == 0 else {
            throw ValidationError("\(path) is a symbolic link to a missing file")
        }
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else { throw ValidationError("\(path) exists and is not a regular file") }
            guard overwrite else { throw ValidationError("\(path) exists; pass --overwrite to replace it") }
        }
        let folder = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ValidationError("cannot write to the folder \(folder)")
        }
    }
}

/// A file's device and inode (the same file under any name), or nil if there is none.
func fileIdentity(_ path: String) -> [UInt64]? {
    var status = stat()
    return stat(path, &status) == 0 ? [UInt64(truncatingIfNeeded: status.st_dev), UInt64(truncatingIfNeeded: status.st_ino)] : nil
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

/// Prints `value` as standard JSON, in which a figure that is no number (a Pearson correlation of
/// constant values, an infinite R²) is `null`: a string in its place would break readers that
/// expect numbers, and NaN is no JSON.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    // JSONEncoder cannot write null for a Double, so non-finite values become a marker string,
    // replaced afterwards. It is made for this call: no text read from a file can know it.
    let marker = "galen-not-a-number-\(UUID().uuidString)"
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
    let text = String(decoding: try encoder.encode(value), as: UTF8.self)
    print(text.replacingOccurrences(of: "\"\(marker)\"", with: "null"))
}

/// A failure found while running a command (not in its arguments): printed as one line, without usage.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Refuses to score `data` against a model trained on other class names: labels index the names,
/// so the figures would silently mean something else.
func requireSameClasses(_ classes: [String], in data: String, as trained: [String], by model: String) throws {
    guard classes == trained else { throw CommandError("\(data) has classes \(classes); the model \(model) was trained on \(trained)") }
}

/// The split a model was trained on, its seed, and whether it was one the data file stores (even
/// under a method's name, such as random), from the JSON record its file keeps (none of them
/// when it keeps none; records older than `split_stored` say nothing of it). A damaged record is
/// refused: evaluation reads the split and seed from it, and defaults in their place could score
/// the model on the rows it was trained on.
func trainedSplit(_ json: String, of model: String) throws -> (name: String?, seed: UInt64?, stored: Bool?) {
    struct Options: Decodable {
        let split: String?
        let seed: UInt64?
    }
    let damaged = CommandError("\(model): its training_config attribute is damaged, so the split the model was trained on is unknown")
    guard let record = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] else { throw damaged }
    let stored = record["split_stored"].flatMap { Bool($0) }
    guard let text = record["options"] else { return (record["split"], nil, stored) }
    guard let options = try? JSONDecoder().decode(Options.self, from: Data(text.utf8)) else { throw damaged }
    return (record["split"] ?? options.split, options.seed, stored)
}
