import ArgumentParser
import DrugDiscovery

/// What `galen encode` and `galen predict` share: the model, the library, which rows, how.
struct ScoringArguments: ParsableArguments {
    @Option(help: "The model file from galen train.")
    var model: String

    @Option(help: "The compound library to stream through it.")
    var library: String

    @Option(parsing: .unconditional, help: "Only rows A:B (A included, B not) of the library, for splitting a library across jobs.",
            transform: RowRange.init(parsing:))
    var rows: RowRange?

    @Option(parsing: .unconditional, help: "Rows per block read, computed and written at a time.")
    var blockSize = 4096

    @Flag(help: "Compress the output with shuffle and gzip (smaller, slower).")
    var compress = false

    @Flag(help: "Store the values as float16 (half the size, about three significant digits, beyond ±65504 infinite); HDF5 output only.")
    var float16 = false

    func validate() throws {
        guard blockSize >= 1 else { throw ValidationError("--block-size must be positive") }
    }

    func options(progress: StreamProgress) -> ScoringOptions {
        var options = ScoringOptions()
        options.blockSize = blockSize
        options.rows = rows?.range
        options.compress = compress
        options.halfPrecision = float16
        options.progress = { progress.update($0) }
        return options
    }
}

/// A row range written A:B.
struct RowRange {
    let range: Range<Int>

    init(parsing argument: String) throws {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0]), let end = Int(parts[1]), start >= 0, end > start else {
            throw ValidationError("it takes A:B with 0 <= A < B, such as 0:5000")
        }
        range = start..<end
    }
}
