import ArgumentParser
import Foundation
import HDF5

@main
struct Galen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "galen",
        abstract: "Deep learning for medicine and drug discovery.",
        subcommands: [Train.self, Evaluate.self, Encode.self, Predict.self, Merge.self, Inspect.self, Image.self, Sequence.self, Doctor.self])

    /// Runs the command; a problem with the arguments is one line, like every other error, not
    /// the usage text. Numeric options take their value with `parsing: .unconditional`, so that
    /// `--seed -1` is refused for its value, not reported as a missing one.
    static func main() {
        skipHDF5CleanupAtExit()
        FaultHandling.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // Help, and a status alone (inspect's, after its report), go out as ArgumentParser has
            // them; every error is one line, whatever names (tasks, classes, paths) it quotes.
            let code = exitCode(for: error), text = message(for: error)
            guard code != .success, !text.isEmpty else { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(oneLine(text))\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }

    /// `text` as one line that cannot steer the terminal: names read from a damaged file can hold
    /// line breaks (made spaces) and other control characters (shown as escapes, such as `\u{1B}`),
    /// and can be of any length (the middle of a line over `limit` characters is cut; its start
    /// names the file, its end the reason).
    static func oneLine(_ text: String, limit: Int = 1000) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").unicodeScalars
            .map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
        guard line.count > limit else { return line }
        return "\(line.prefix(limit / 2)) … (\(line.count - limit) characters cut) … \(line.suffix(limit / 2))"
    }
}
