import ArgumentParser
import NeuralNet

/// A part of a stored split of an image or sequence set, as `--split` names it.
enum SplitPart: String, ExpressibleByArgument, CaseIterable, CustomStringConvertible {
    case train, validation, test

    var description: String { rawValue }
}

extension LabelledRows {
    /// The rows of `part` of the stored split `name` (validation carved from training when the
    /// split has none, as training did with `seed`); an empty part is an error naming the file.
    func rows(_ part: SplitPart, of name: String, seed: UInt64, noun: String) throws -> [Int] {
        let parts = try partition(name, seed: seed)
        let rows = switch part {
        case .train: parts.train
        case .validation: parts.validation
        case .test: parts.test
        }
        guard !rows.isEmpty else { throw CommandError("the \(part) part of split '\(name)' in \(path) has no \(noun)") }
        return rows
    }
}
