import ArgumentParser
import DrugDiscovery

/// `galen merge`: outputs of encode or predict on slices of a library joined into one file.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the outputs of galen encode or predict run on row slices (--rows) of one library.",
        discussion: "The slices must come from the same model and library and cover its rows exactly once.")

    @Argument(help: "The slice files, in any order.")
    var parts: [String]

    @OptionGroup var output: OutputFile

    func validate() throws {
        guard !output.path.lowercased().hasSuffix(".csv") else { throw ValidationError("galen merge writes HDF5, not CSV; name the output .h5") }
        try output.refuseOverwriting(parts)
    }

    func run() throws {
        try mergeSlices(parts, into: output.path)
        print("\(parts.count) slices merged into \(output.path)")
    }
}
