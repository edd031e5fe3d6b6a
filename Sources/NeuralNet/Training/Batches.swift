import TensorCore

/// Inputs and targets for one step, with any further per-sample tensors a model needs
/// (a sequence mask, static descriptors) by name.
public struct Batch: Sendable {
    public var inputs: Tensor
    public var targets: Tensor
    public var auxiliary: [String: Tensor]

    public init(inputs: Tensor, targets: Tensor, auxiliary: [String: Tensor] = [:]) {
        self.inputs = inputs
        self.targets = targets
        self.auxiliary = auxiliary
    }

    public var count: Int { inputs.shape.first ?? 0 }
}

/// Where a training loop gets its batches: an in-memory dataset, or rows streamed from a file.
/// The order for an epoch must be a function of the epoch alone, so runs repeat and resume.
public protocol BatchSource {
    associatedtype Batches: Sequence where Batches.Element == Batch
    /// The number of samples in one epoch.
    var sampleCount: Int { get }
    func batches(epoch: Int) -> Batches
}

/// Batches drawn from tensors in memory, reshuffled each epoch from a seed.
public struct TensorBatches: BatchSource {
    public let inputs: Tensor
    public let targets: Tensor
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    public init(inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0) {
        require(inputs.shape.first == targets.shape.first,
                "TensorBatches: \(inputs.shape.first ?? 0) inputs but \(targets.shape.first ?? 0) targets")
        require(batchSize > 0, "TensorBatches: batch size \(batchSize) must be positive")
        self.inputs = inputs
        self.targets = targets
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    public var sampleCount: Int { inputs.shape.first ?? 0 }

    public func batches(epoch: Int) -> [Batch] {
        EpochOrder(rows: Array(0..<sampleCount), batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch).batches.map { rows in
            Batch(inputs: inputs.gather(Array(rows)), targets: targets.gather(Array(rows)))
        }
    }
}

/// One epoch's order of rows cut into batches, shuffled from the seed and the epoch when asked,
/// so that every batch source repeats and resumes the same way. The generator, past the
/// shuffle, serves the epoch's other random choices (augmentation).
public struct EpochOrder {
    public let batches: [ArraySlice<Int>]
    public var generator: RandomGenerator

    public init(rows: [Int], batchSize: Int, shuffle: Bool, seed: UInt64, epoch: Int) {
        generator = RandomGenerator(seed: mixSeed(seed, UInt64(epoch)))
        let order = shuffle ? rows.shuffled(using: &generator) : rows
        batches = stride(from: 0, to: order.count, by: batchSize).map { order[$0..<Swift.min($0 + batchSize, order.count)] }
    }
}

/// Training rows with a validation part carved out at random (a tenth, by default) for data
/// whose split has none: early stopping and tuning then never look at test rows. The same seed
/// carves the same rows, so evaluation can find the part again.
public func carveValidation(from train: [Int], fraction: Double = 0.1, seed: UInt64) -> (train: [Int], validation: [Int]) {
    var generator = RandomGenerator(seed: mixSeed(seed, 1))
    let shuffled = train.shuffled(using: &generator)
    let cut = Int((Double(train.count) * fraction).rounded())
    return (Array(shuffled[cut...]).sorted(), Array(shuffled[..<cut]).sorted())
}
