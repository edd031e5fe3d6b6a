import Dispatch
import Foundation

/// Splits `0..<count` into one contiguous chunk per core when the work is large enough to
/// repay the hand-off (about 10 µs), and runs `body` on each chunk, concurrently. `body` must
/// only write to places that belong to its own chunk.
@inline(__always)
public func parallelRanges(_ count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let chunks = min(ProcessInfo.processInfo.activeProcessorCount, count / grain)
    guard chunks > 1 else {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        // Each chunk writes a disjoint range, so sharing the closure across threads is safe.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(count * chunk / chunks..<count * (chunk + 1) / chunks)
        }
    }
}
