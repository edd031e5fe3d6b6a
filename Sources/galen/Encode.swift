import ArgumentParser
import DrugDiscovery
import Foundation
import HDF5

/// `galen encode`: latent codes for a whole library, streamed to HDF5.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the latent codes of a compound library to HDF5, streaming it in blocks.",
        discussion: "Output: /embeddings float32 [rows, latent] (float16 with --float16) and /ids, with the model's SHA-256 and the source recorded as attributes.")

    @OptionGroup var scoring: ScoringArguments
    @OptionGroup var output: OutputFile

    func validate() throws {
        guard !output.path.lowercased().hasSuffix(".csv") else { throw ValidationError("galen encode writes HDF5, not CSV; name the output .h5") }
        try output.refuseOverwriting([scoring.model, scoring.library])
    }

    func run() throws {
        let model = try EfficacyModel.load(scoring.model)
        let total = try scoring.rows?.range.count ?? LibraryStream(path: scoring.library).count
        try model.encodeLibrary(modelPath: scoring.model, libraryPath: scoring.library, outputPath: output.path,
                                options: scoring.options(progress: StreamProgress("encoded", total: total)))
        print("embeddings of \(total) compounds written to \(output.path)")
    }
}
