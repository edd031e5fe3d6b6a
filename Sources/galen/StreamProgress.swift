import Foundation

/// Progress of a streaming job on standard error: a redrawn line with the rate and time left on
/// a terminal, a line every tenth of the work otherwise.
final class StreamProgress: @unchecked Sendable {
    private let verb: String
    private let total: Int
    private let start = Date()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastShown = Date.distantPast
    private var lastTenth = 0

    init(_ verb: String, total: Int) {
        self.verb = verb
        self.total = total
    }

    func update(_ done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done) / Swift.max(elapsed, 1e-9)
        let remaining = Double(total - done) / Swift.max(rate, 1e-9)
        let line = "\(verb) \(done)/\(total) compounds, \(Int(rate)) compounds/s, \(Int(remaining.rounded())) s left"
        if isTerminal {
            guard Date().timeIntervalSince(lastShown) > 0.2 || done == total else { return }
            lastShown = Date()
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)\(done == total ? "\n" : "")".utf8))
        } else {
            let tenth = total > 0 ? 10 * done / total : 10
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }
}
