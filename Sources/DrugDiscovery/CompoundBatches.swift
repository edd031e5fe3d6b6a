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

    /// Batches made as they are taken, so only one batch of fingerprints is unpacked at a time.
    public func batches(epoch: Int) -> LazyMapSequence<[ArraySlice<Int>], Batch> {
        order(epoch: epoch).lazy.map { self.batch($0) }
    }

    /// This epoch's batches of rows.
    func order(epoch: Int) -> [ArraySlice<Int>] {
        EpochOrder(rows: rows, batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch).batches
    }

    func batch(_ rows: ArraySlice<Int>) -> Batch {
        let batch = Array(rows)
        return Batch(inputs: library.fingerprints(batch), targets: targets(batch))
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

    /// Every part's batches in one shuffled order, each made only when it is taken.
    public func batches(epoch: Int) -> LazyMapSequence<[(part: Int, batch: Int)], Batch> {
        let orders = parts.map { $0.order(epoch: epoch) }
        var entries = parts.indices.flatMap { part in orders[part].indices.map { (part: part, batch: $0) } }
        var generator = RandomGenerator(seed: mixSeed(parts.first?.seed ?? 0, UInt64(epoch) &+ 0x5EED))
        entries.shuffle(using: &generator)
        return entries.lazy.map { self.parts[$0.part].batch(orders[$0.part][$0.batch]) }
    }
}
