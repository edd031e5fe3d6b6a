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
        guard !((scoring.float16 || scoring.compress) && output.path.lowercased().hasSuffix(".csv")) else {
            throw ValidationError("--float16 and --compress are for HDF5 output; a CSV file holds the values as text")
        }
        try output.refuseOverwriting([scoring.model, scoring.library])
    }

    func run() throws {
        let model = try EfficacyModel.load(scoring.model)
        let total = try scoring.rows?.range.count ?? LibraryStream(path: scoring.library).count
        let options = scoring.options(progress: StreamProgress("predicted", total: total))
        if output.path.lowercased().hasSuffix(".csv") {
            let target = URL(fileURLWithPath: output.path)
            let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).h5")
            PartialFiles.register(staging.path)
            defer {
                try? FileManager.default.removeItem(at: staging)
                PartialFiles.unregister(staging.path)
            }
            try model.predictLibrary(modelPath: scoring.model, libraryPath: scoring.library, outputPath: staging.path, options: options)
            try writeCSV(from: staging.path, to: output.url.path)
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
        let target = URL(fileURLWithPath: csvPath)
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
        PartialFiles.register(partial.path)
        defer { PartialFiles.unregister(partial.path) }
        _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
        let handle = try FileHandle(forWritingTo: partial)
        do {
            let header = ["id"] + names + (hasSpread ? names.map { "\($0)_spread" } : [])
            try handle.write(contentsOf: Data((header.map(csvField).joined(separator: ",") + "\n").utf8))
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
                try handle.write(contentsOf: Data(text.utf8))
            }
            try handle.close()
            guard rename(partial.path, csvPath) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    private func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"\(text.replacingOccurrences(of: "\"", with: "\"\""))\"" : text
    }
}
