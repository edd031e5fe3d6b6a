import ArgumentParser
import DrugDiscovery
import Foundation
import HDF5

/// `galen predict`: efficacy for a whole library, streamed to HDF5 or CSV.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict assay values for a compound library, streaming it in blocks, to HDF5 or (by extension) CSV.",
        discussion: """
            HDF5 output: /predictions/values float32 (float16 with --float16) [rows, tasks] in the assays' units, /predictions/names, \
            /predictions/units, /ids, and for an ensemble /predictions/spread (the members' standard deviation).
            """)

    @OptionGroup var scoring: ScoringArguments
    @OptionGroup var output: OutputFile

    func validate() throws {
        let hdf5Only = [(scoring.float16, "--float16"), (scoring.compress, "--compress")].filter(\.0).map(\.1)
        guard hdf5Only.isEmpty || !output.path.lowercased().hasSuffix(".csv") else {
            throw ValidationError("\(hdf5Only.joined(separator: " and ")) \(hdf5Only.count == 1 ? "is" : "are") for HDF5 output; a CSV file holds the values as text")
        }
        try output.refuseOverwriting([scoring.model, scoring.library])
    }

    func run() throws {
        let model = try EfficacyModel.load(scoring.model)
        let total = try scoring.rows?.range.count ?? LibraryStream(path: scoring.library).count
        let options = scoring.options(progress: StreamProgress("predicted", total: total))
        if output.path.lowercased().hasSuffix(".csv") {
            // The predictions stream to an HDF5 file first, and the CSV is written from it.
            try withTemporaryFile(beside: output.path) { staging in
                do {
                    try model.predictLibrary(modelPath: scoring.model, libraryPath: scoring.library, outputPath: staging, options: options)
                } catch let failure as HDF5Error where failure.file == staging {
                    // Said of the CSV file the user named, not of an HDF5 file they never asked for.
                    throw FileWriteError(path: output.path, message: "its predictions could not be staged beside it: \(failure.message)")
                }
                try writeCSV(from: staging, to: output.path)
            }
        } else {
            try model.predictLibrary(modelPath: scoring.model, libraryPath: scoring.library, outputPath: output.path, options: options)
        }
        print("predictions for \(total) compounds written to \(output.path)")
    }

    /// The predictions file as CSV (id, one column per task, then the spreads), written under a
    /// temporary name and renamed when complete.
    private func writeCSV(from path: String, to csvPath: String) throws {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let names = try file.dataset("predictions/names").read(as: String.self)
        let hasSpread = try file.contains("predictions/spread")
        let ids = try file.dataset("ids"), values = try file.dataset("predictions/values")
        let spread = hasSpread ? try file.dataset("predictions/spread") : nil
        let rows = try ids.shape[0]
        try TextFile.createAtomically(csvPath) { csv in
            let header = ["id"] + names + (hasSpread ? names.map { "\($0)_spread" } : [])
            try csv.write(header.map(csvField).joined(separator: ",") + "\n")
            for start in stride(from: 0, to: rows, by: 65536) {
                let block = start..<Swift.min(start + 65536, rows)
                let blockIDs = try ids.readRows(block, as: String.self)
                let blockValues = try values.readRows(block, as: Float.self)
                let blockSpread = try spread?.readRows(block, as: Float.self)
                var text = ""
                for (row, id) in blockIDs.enumerated() {
                    var fields = [csvField(id)]
                    fields += (0..<names.count).map { "\(blockValues[row * names.count + $0])" }
                    if let blockSpread { fields += (0..<names.count).map { "\(blockSpread[row * names.count + $0])" } }
                    text += fields.joined(separator: ",") + "\n"
                }
                try csv.write(text)
            }
        }
    }
}
