import Dispatch
import Foundation

/// Cuts `0..<count` into one contiguous chunk per core when each gets at least `grain` items
/// (the work must repay the hand-off, about 10 µs), else leaves it whole. For work that keeps a
/// partial result per chunk, with ``parallelForEach(_:_:)``.
public func parallelChunks(_ count: Int, grain: Int = 1 << 16) -> [Range<Int>] {
    let chunks = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, count / grain))
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
