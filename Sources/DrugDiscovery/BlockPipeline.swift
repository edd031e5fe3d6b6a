import Foundation
import TensorCore

/// Runs `read`, `compute` and `write` over `rows` in blocks of `blockSize` (the last may be
/// shorter; made one at a time, as a library's claimed size can be any) so that the three
/// overlap: one thread reads blocks in order, one computing thread per core takes the next
/// block as it comes free and computes it on its own thread alone
/// (``TensorCore/onThisThreadOnly(_:)``: no core waits at a join for the other, and a core that
/// the reader or writer holds up simply takes fewer blocks), and one thread writes results in
/// the order they are done. At most two blocks wait
/// between stages, so memory stays flat however many blocks there are. The first error stops
/// the pipeline and is rethrown. `compute` runs on threads of its own, which do not see the
/// caller's task-local values (gradient recording, training mode): it sets what it needs.
func runPipeline<Input: Sendable, Output: Sendable>(
    rows: Range<Int>, blockSize: Int,
    read: @escaping @Sendable (Range<Int>) throws -> Input,
    compute: @escaping @Sendable (Input) throws -> Output,
    write: @escaping @Sendable (Range<Int>, Output) throws -> Void
) throws {
    let inputs = Channel<(Range<Int>, Input)>(capacity: 2)
    let outputs = Channel<(Range<Int>, Output)>(capacity: 2)
    let failure = FirstError()
    let threads = DispatchGroup()
    func start(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread {
            body()
            threads.leave()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    start {
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: blockSize) {
            let block = start..<Swift.min(start + blockSize, rows.upperBound)
            do {
                guard inputs.send((block, try read(block))) else { break }
            } catch {
                failure.record(error)
                break
            }
        }
        inputs.close()
    }
    let computing = DispatchGroup()
    for _ in 0..<Parallelism.cores {
        computing.enter()
        start {
            onThisThreadOnly {
                while failure.error == nil, let (block, input) = inputs.receive() {
                    do {
                        guard outputs.send((block, try compute(input))) else { break }
                    } catch {
                        failure.record(error)
                        inputs.close()
                    }
                }
            }
            computing.leave()
        }
    }
    start {
        while let (block, output) = outputs.receive() {
            do { try write(block, output) } catch {
                failure.record(error)
                inputs.close()
                break
            }
        }
        outputs.close()
    }
    computing.wait()
    outputs.close()
    inputs.close()
    threads.wait()
    if let error = failure.error { throw error }
}

/// A bounded queue between two threads; `send` waits while it is full, `receive` while it is
/// empty, and both give up once it is closed.
private final class Channel<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// False when the channel was closed and the item dropped.
    func send(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Nil once the channel is closed and drained.
    func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var error: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func record(_ error: any Error) {
        lock.lock()
        if stored == nil { stored = error }
        lock.unlock()
    }
}
