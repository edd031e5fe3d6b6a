import Foundation
import HDF5
import NeuralNet
import TensorCore

/// How a library is streamed through a model.
public struct ScoringOptions: Sendable {
    /// Rows per block: the unit of reading, computing and writing, and the output's chunk rows.
    public var blockSize = 4096
    /// Only these rows of the library (for splitting a library across jobs); all when nil.
    public var rows: Range<Int>?
    /// Compress outputs with shuffle and gzip (level 4); smaller files, slower writes.
    public var compress = false
    /// Store the values as float16 (half the size; about three significant digits) instead of float32.
    public var halfPrecision = false
    /// Told the number of rows done so far after each block.
    public var progress: @Sendable (Int) -> Void = { _ in }

    public init() {}
}

extension EfficacyModel {
    /// Streams `libraryPath` through the encoder (the first member's) and writes `/embeddings`
    /// [rows, latent] and `/ids` to `outputPath`, atomically.
    public func encodeLibrary(modelPath: String, libraryPath: String, outputPath: String, options: ScoringOptions) throws {
        try stream(modelPath: modelPath, libraryPath: libraryPath, outputPath: outputPath, options: options, kind: Self.embeddingsKind,
                   columns: [latentSize], setup: { file in
            try file.attributes.set("latent_size", .int(self.latentSize))
            return ["embeddings"]
        }, makeCompute: {
            let encode = self.binaryEncoder()
            return { [encode($0)] }
        })
    }

    /// Streams `libraryPath` through the model and writes `/predictions/values` [rows, tasks]
    /// in the assays' units (and `/predictions/spread` for an ensemble), with task names and
    /// `/ids`, to `outputPath`, atomically.
    public func predictLibrary(modelPath: String, libraryPath: String, outputPath: String, options: ScoringOptions) throws {
        let tasks = taskNames.count, ensemble = members.count > 1
        try stream(modelPath: modelPath, libraryPath: libraryPath, outputPath: outputPath, options: options, kind: Self.predictionsKind,
                   columns: ensemble ? [tasks, tasks] : [tasks], setup: { file in
            try file.createDataset("predictions/names", elementType: .string, shape: [tasks]).write(self.taskNames)
            try file.createDataset("predictions/units", elementType: .string, shape: [tasks]).write(self.taskUnits)
            try file.attributes.set("ensemble_members", .int(self.members.count))
            return ensemble ? ["predictions/values", "predictions/spread"] : ["predictions/values"]
        }, makeCompute: {
            let predict = self.binaryPredictor()
            return { fingerprints in
                let prediction = predict(fingerprints)
                return ensemble ? [prediction.values, prediction.spread] : [prediction.values]
            }
        })
    }

    /// The shared streaming: check the library against the model, create the output's
    /// datasets, make the computation (which packs weights, so only once the checks pass), and
    /// run read → compute → write over blocks.
    private func stream(
        modelPath: String, libraryPath: String, outputPath: String, options: ScoringOptions, kind: String,
        columns: [Int], setup: (HDF5File) throws -> [String], makeCompute: () -> (BinaryRows) -> [Tensor]
    ) throws {
        let library = try LibraryStream(path: libraryPath)
        try requireFingerprints(bits: library.bits, method: library.fingerprintMethod, of: libraryPath, like: (fingerprintBits, fingerprintMethod),
                                as: "the model \(modelPath) expects")
        guard library.count > 0 else { throw LibraryError(path: libraryPath, problems: ["holds no compounds"]) }
        let rows = options.rows ?? 0..<library.count
        guard rows.lowerBound >= 0 && rows.upperBound <= library.count && !rows.isEmpty else {
            throw LibraryError(path: libraryPath, problems: ["rows \(rows.lowerBound):\(rows.upperBound) are not a non-empty part of its \(library.count) rows"])
        }
        let provenance = OutputProvenance(modelPath: canonicalPath(modelPath), modelDigest: try sha256Hex(ofFile: modelPath),
                                    libraryPath: canonicalPath(libraryPath), libraryRows: library.count, rows: rows)
        let blockSize = Swift.max(1, options.blockSize)
        // Uncompressed outputs are laid out on the disk in full before the first block is written:
        // an output larger than the free space is refused now, not hours in.
        let outputBytes = Double(rows.count) * Double(columns.reduce(0, +)) * (options.halfPrecision ? 2 : 4)
        if !options.compress, let free = freeDiskBytes(beside: outputPath), outputBytes > free {
            throw FileWriteError(path: outputPath, message: String(format: "its values need %.1f GB; the disk holding it has %.1f GB free", outputBytes / 1e9, free / 1e9))
        }
        let bits = library.bits
        // Every computing thread calls it: it only reads the weights it holds.
        let compute = UncheckedSendable(makeCompute())
        try HDF5File.createAtomically(outputPath) { file in
            try provenance.write(to: file, kind: kind)
            let names = try setup(file)
            let chunkRows = Swift.min(blockSize, rows.count)
            let outputs = try zip(names, columns).map { name, width in
                try file.createDataset(name, elementType: options.halfPrecision ? .float16 : .float32, shape: [rows.count, width], chunks: [chunkRows, width],
                                       gzipLevel: options.compress ? 4 : nil, shuffle: options.compress, allocateChunks: !options.compress)
            }
            let ids = try file.createDataset("ids", elementType: .string, shape: [rows.count], chunks: [chunkRows])
            // The reader thread alone uses the library, the writer thread alone these datasets.
            let source = UncheckedSendable(library)
            let sink = UncheckedSendable((outputs, ids))
            let done = Counter()
            // The reader and the writer call libhdf5 from two threads (taking turns if it is not thread-safe).
            try runPipeline(rows: rows, blockSize: blockSize, read: { rows in
                let block = try HDF5Build.sharing { try source.value.read(rows) }
                return (block.ids, block.onBits(bits: bits))
            }, compute: { ids, fingerprints in
                (ids, compute.value(fingerprints).map(\.scalars))
            }, write: { block, result in try HDF5Build.sharing {
                let (datasets, idDataset) = sink.value
                let start = block.lowerBound - rows.lowerBound
                for (column, values) in result.1.enumerated() {
                    let dataset = datasets[column]
                    // Weights out of range, though finite (so loadable), can overflow.
                    if let (index, value) = OutputValues.floats(values).firstInvalid {
                        throw LibraryError(path: modelPath, problems: [
                            "gives row \(block.lowerBound + index / columns[column]) of \(libraryPath) the \(names[column]) value \(value) (its weights are out of range)",
                        ])
                    }
                    if options.halfPrecision {
                        try dataset.writeRowsUncached(values.map(Float16.init), at: start)
                    } else {
                        try dataset.writeRowsUncached(values, at: start)
                    }
                }
                try idDataset.writeRows(result.0, at: start)
                options.progress(done.add(block.count))
            } })
        }
    }
}

/// A value handed to other threads that alone use it, or that only read it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    func add(_ count: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        total += count
        return total
    }
}
