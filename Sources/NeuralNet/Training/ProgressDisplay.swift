import Foundation
import HDF5

/// Shows training progress on standard error: a live bar with rate and time left when that is
/// a terminal, one plain line per epoch otherwise (logs, CI).
public final class ProgressDisplay: Callback {
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var epochStart = Date()
    private var lastDraw = Date.distantPast
    private var epoch = 0, epochs = 0
    private let members: Int
    private let runsPerMember: Int
    private let heading: String?
    private var runs = 0

    /// Writes to standard error unless given another `write`. The `heading` line comes as the
    /// first run begins, after the inputs have been checked, so that a refusal is the only line.
    /// With `members` above 1 (the training runs of an ensemble), each member's first run starts
    /// with a line saying which member it is; `runsPerMember` is how many runs make one member (2
    /// where pre-training comes before the head's training).
    public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0, heading: String? = nil, members: Int = 1, runsPerMember: Int = 1,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.isTerminal = isTerminal
        self.heading = heading
        self.members = members
        self.runsPerMember = Swift.max(1, runsPerMember)
        self.write = write
    }

    public func trainingWillBegin(_ trainer: Trainer) {
        defer { runs += 1 }
        if runs == 0, let heading { write(heading + "\n") }
        if members > 1 && runs % runsPerMember == 0 { write("member \(runs / runsPerMember + 1) of \(members)\n") }
    }

    public func epochWillBegin(_ trainer: Trainer, epoch: Int, of epochs: Int) {
        self.epoch = epoch
        self.epochs = epochs
        epochStart = Date()
    }

    public func batchDidEnd(_ trainer: Trainer, batch: Int, samples: Int, of total: Int, loss: Double) {
        guard isTerminal, Date().timeIntervalSince(lastDraw) > 0.1 || samples == total else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(epochStart)
        let rate = Double(samples) / Swift.max(elapsed, 1e-9)
        let width = 24
        let filled = total > 0 ? width * samples / total : width
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let left = Double(total - samples) / Swift.max(rate, 1e-9)
        write("\r\u{1B}[2Kepoch \(epoch + 1)/\(epochs) [\(bar)] \(samples)/\(total) \(Int(rate)) samples/s ETA \(clock(left)) loss \(format(loss))")
    }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) {
        let elapsed = Date().timeIntervalSince(epochStart)
        let figures = logs.keys.sorted().map { "\($0) \(format(logs[$0]!))" }.joined(separator: "  ")
        write((isTerminal ? "\r\u{1B}[2K" : "") + "epoch \(epoch + 1)/\(epochs)  \(figures)  (\(String(format: "%.1f", elapsed)) s)\n")
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }

    private func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.isFinite ? seconds : 0)
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}

/// Keeps the history of every epoch, for ``save()`` to write to a CSV or JSON file (by its
/// extension) once training is over: atomically, so that an interrupted or failed run leaves an
/// earlier file as it was. One logger may serve several runs (the members of an ensemble, the
/// phases of pre-training); each row says which run it came from.
public final class HistoryLogger: Callback {
    public let url: URL
    private var rows: [[String: Double]] = []
    private var run = 0

    public init(url: URL) { self.url = url }

    public func trainingWillBegin(_ trainer: Trainer) { run += 1 }

    public func epochDidEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) {
        rows.append(logs.merging(["run": Double(run), "epoch": Double(epoch + 1)]) { $1 })
    }

    /// Writes the epochs so far to `url`, atomically. `then` runs once they are written and before they are moved
    /// into place: a file that belongs with the history (the model it trained) is saved there, so that a failure
    /// to save it leaves the earlier history too.
    public func save(then: () throws -> Void = {}) throws {
        let text = try contents()
        try TextFile.createAtomically(url.path) { file in
            try file.write(text)
            try then()
        }
    }

    /// The epochs so far, as the file's text: CSV or JSON by the extension of `url`.
    private func contents() throws -> String {
        if url.pathExtension.lowercased() == "json" {
            // JSON has no NaN or infinity: a diverged epoch is written as null.
            let finite = rows.map { $0.mapValues { $0.isFinite ? $0 as Any : NSNull() } }
            return String(decoding: try JSONSerialization.data(withJSONObject: finite, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        }
        let columns = ["run", "epoch"] + Set(rows.flatMap(\.keys)).subtracting(["run", "epoch"]).sorted()
        let lines = rows.map { row in
            columns.map { column in row[column].map { column == "run" || column == "epoch" ? "\(Int($0))" : "\($0)" } ?? "" }
                .joined(separator: ",")
        }
        return columns.joined(separator: ",") + "\n" + lines.joined(separator: "\n") + "\n"
    }
}
