import Foundation
import NeuralNet
import Testing
import TensorCore
import TestSupport

/// Collects what a progress display writes.
final class Transcript: @unchecked Sendable {
    var text = ""
}

@Suite("Progress and history callbacks")
struct CallbackTests {
    func run(_ callbacks: [any Callback], epochs: Int = 3) {
        var generator = RandomGenerator(seed: 1)
        let model = Dense(3, 1, generator: &generator)
        let data = TensorBatches(inputs: sample([40, 3], seed: 2), targets: sample([40, 1], seed: 3), batchSize: 8)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.1), callbacks: callbacks)
        trainer.fit(epochs: epochs, training: data, validation: data) { Loss.meanSquaredError(model($0.inputs), $0.targets) }
    }

    @Test func logShowsOnePlainLinePerEpoch() {
        let transcript = Transcript()
        run([ProgressDisplay(isTerminal: false) { transcript.text += $0 }])
        let lines = transcript.text.split(separator: "\n")
        #expect(lines.count == 3 && !transcript.text.contains("\r"))
        #expect(lines[0].hasPrefix("epoch 1/3  learning_rate 0.1  loss ") && lines[0].contains("val_loss"))
    }

    @Test func eachMemberOfAnEnsembleIsAnnounced() {
        let transcript = Transcript()
        let display = ProgressDisplay(isTerminal: false, members: 2) { transcript.text += $0 }
        run([display], epochs: 1)
        run([display], epochs: 1)
        let lines = transcript.text.split(separator: "\n")
        #expect(lines.count == 4 && lines[0] == "member 1 of 2" && lines[2] == "member 2 of 2" && lines[3].hasPrefix("epoch 1/1"))
    }

    /// Pre-training then the head's training: two runs for each member, one announcement.
    @Test func aMemberOfTwoRunsIsAnnouncedOnce() {
        let transcript = Transcript()
        let display = ProgressDisplay(isTerminal: false, members: 2, runsPerMember: 2) { transcript.text += $0 }
        for _ in 0..<4 { run([display], epochs: 1) }
        let lines = transcript.text.split(separator: "\n")
        #expect(lines.count == 6 && lines[0] == "member 1 of 2" && lines[3] == "member 2 of 2")
        #expect(lines.filter { $0.hasPrefix("member") }.count == 2)
    }

    @Test func terminalRedrawsABarWithRateAndTimeLeft() {
        let transcript = Transcript()
        run([ProgressDisplay(isTerminal: true) { transcript.text += $0 }], epochs: 1)
        #expect(transcript.text.contains("\r\u{1B}[2Kepoch 1/1 [========================] 40/40"))
        #expect(transcript.text.contains("samples/s ETA 0:00 loss"))
        #expect(transcript.text.hasSuffix("s)\n"))
    }

    @Test(arguments: ["csv", "json"])
    func historyLoggerSavesEveryEpoch(_ format: String) throws {
        try withTemporaryFile(suffix: ".\(format)") { path in
            let logger = HistoryLogger(url: URL(fileURLWithPath: path))
            run([logger])
            try logger.save()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            if format == "csv" {
                let lines = text.split(separator: "\n")
                #expect(lines.first == "run,epoch,learning_rate,loss,val_loss" && lines.count == 4)
                #expect(lines[3].hasPrefix("1,3,0.1,"), "the rate as given, not float32's 0.10000000149011612: \(lines[3])")
            } else {
                let epochs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Double]]
                #expect(epochs?.count == 3 && epochs?.allSatisfy { $0["val_loss"] != nil } == true)
            }
        }
    }

    /// Training that stops before `save` (interrupted, failed) leaves an earlier history as it was.
    @Test func historyLoggerLeavesTheFileAloneUntilSaved() throws {
        try withTemporaryFile(suffix: ".csv") { path in
            try Data("earlier".utf8).write(to: URL(fileURLWithPath: path))
            let logger = HistoryLogger(url: URL(fileURLWithPath: path))
            run([logger], epochs: 2)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "earlier")
            try logger.save()
            #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 3)
        }
    }

    @Test func oneLoggerKeepsEveryRunsRows() throws {
        try withTemporaryFile(suffix: ".csv") { path in
            let logger = HistoryLogger(url: URL(fileURLWithPath: path))
            run([logger], epochs: 2)
            run([logger], epochs: 3)
            try logger.save()
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 6 && lines[1].hasPrefix("1,1,") && lines[3].hasPrefix("2,1,") && lines[5].hasPrefix("2,3,"))
        }
    }
}
