import NeuralNet
import TensorCore

/// Batches of a library's rows: unpacked fingerprints as inputs, standardised assay values
/// (NaN where unmeasured, or for unlabelled rows) as targets. Shuffled per epoch from a seed.
public struct CompoundBatches: BatchSource {
    public let library: CompoundLibrary
    public let rows: [Int]
    /// Assay columns to use as targets; rows of a library without them get NaN targets.
    public let columns: [Int]?
    public let taskCount: Int
    public let scaling: TargetScaling
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    public init(library: CompoundLibrary, rows: [Int], columns: [Int]?, taskCount: Int, scaling: TargetScaling,
                batchSize: Int, shuffle: Bool, seed: UInt64) {
        self.library = library
        self.rows = rows
        self.columns = columns
        self.taskCount = taskCount
        self.scaling = scaling
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    public var sampleCount: Int { rows.count }

    public func batches(epoch: Int) -> [Batch] {
        var order = rows
        if shuffle {
            var generator = RandomGenerator(seed: mixSeed(seed, UInt64(epoch)))
            order.shuffle(using: &generator)
        }
        return stride(from: 0, to: order.count, by: batchSize).map { start in
            let batch = Array(order[start..<Swift.min(start + batchSize, order.count)])
            return Batch(inputs: library.fingerprints(batch), targets: targets(batch))
        }
    }

    /// Standardised targets [rows, tasks].
    public func targets(_ batch: [Int]) -> Tensor {
        guard let columns else {
            return Tensor([Float](repeating: .nan, count: batch.count * taskCount), shape: [batch.count, taskCount])
        }
        let raw = library.values(batch, columns: columns)
        return Tensor(scaling.standardized(raw.scalars, tasks: taskCount), shape: raw.shape)
    }
}

/// Batches from several sources in turn (a labelled library and an unlabelled one for
/// pre-training), each shuffled on its own.
public struct ConcatenatedBatches: BatchSource {
    public let parts: [CompoundBatches]

    public init(_ parts: [CompoundBatches]) { self.parts = parts }

    public var sampleCount: Int { parts.reduce(0) { $0 + $1.sampleCount } }

    public func batches(epoch: Int) -> [Batch] {
        var all = parts.flatMap { $0.batches(epoch: epoch) }
        var generator = RandomGenerator(seed: mixSeed(parts.first?.seed ?? 0, UInt64(epoch) &+ 0x5EED))
        all.shuffle(using: &generator)
        return all
    }
}
