import Dispatch
import Foundation

/// Whether TensorCore's operations may share their work between the cores.
public enum Parallelism {
    @TaskLocal static var isSerial = false

    /// The cores this process may use, read once: Foundation reads the cgroup's CPU quota from
    /// files on every `activeProcessorCount`, which cost 3 % of an LSTM training step when every
    /// operation asked.
    public static let cores = ProcessInfo.processInfo.activeProcessorCount
}

/// Runs `body` with every TensorCore operation on the calling thread alone: for callers that
/// keep each core busy with work of its own (one block of a stream per core), where splitting
/// every operation would only make each core wait for the slower half at every join.
public func onThisThreadOnly<R>(_ body: () throws -> R) rethrows -> R {
    try Parallelism.$isSerial.withValue(true, operation: body)
}

/// Cuts `0..<count` into one contiguous chunk per core when each gets at least `grain` items
/// (the work must repay the hand-off, about 10 µs), else leaves it whole; whole as well inside
/// ``onThisThreadOnly(_:)``. For work that keeps a partial result per chunk, with
/// ``parallelForEach(_:_:)``.
public func parallelChunks(_ count: Int, grain: Int = 1 << 16) -> [Range<Int>] {
    let cores = Parallelism.isSerial ? 1 : Parallelism.cores
    let chunks = Swift.max(1, Swift.min(cores, count / grain))
    return (0..<chunks).map { count * $0 / chunks..<count * ($0 + 1) / chunks }
}

/// Runs `body(index, range)` for every range, concurrently when there is more than one. `body`
/// must only write to places that belong to its own range.
public func parallelForEach(_ ranges: [Range<Int>], _ body: (Int, Range<Int>) -> Void) {
    guard ranges.count > 1 else {
        if let only = ranges.first { body(0, only) }
        return
    }
    withoutActuallyEscaping(body) { body in
        // Each call writes to its own range, so sharing the closure across threads is safe.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: ranges.count) { body($0, ranges[$0]) }
    }
}

/// Runs `body` on each of ``parallelChunks(_:grain:)``'s chunks of `0..<count`, concurrently.
@inline(__always)
public func parallelRanges(_ count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    parallelForEach(parallelChunks(count, grain: grain)) { body($1) }
}

/// The sum of what `add(share, sum)` adds into a zeroed buffer of `size` for each share: each
/// core adds its share into its own buffer, then the buffers are added in share order (the
/// same order on every run).
func perShareSums(_ shares: [Range<Int>], size: Int, _ add: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    var sums = [Float](repeating: 0, count: shares.count * size)
    sums.withUnsafeMutableBufferPointer { sum in
        parallelForEach(shares) { index, share in add(share, sum.baseAddress! + index * size) }
    }
    guard shares.count > 1 else { return sums }
    return makeScalars(size) { total in
        for i in 0..<size { total[i] = Swift.stride(from: i, to: sums.count, by: size).reduce(0) { $0 + sums[$1] } }
    }
}
