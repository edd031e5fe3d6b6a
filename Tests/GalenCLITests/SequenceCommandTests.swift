import Foundation
import HDF5
import Testing
import TestSupport

private let ecg200 = TestSupport.preparedData.appendingPathComponent("ecg200.h5").path
private let physionet = TestSupport.preparedData.appendingPathComponent("physionet2012.h5").path

@Suite("galen sequence")
struct SequenceCommandTests {
    @Test func trainEvaluatePredictOnBothSets() throws {
        try withTemporaryFolder { folder in
            for (data, extra) in [(ecg200, ["--cell", "lstm"]), (physionet, ["--cell", "gru", "--bidirectional", "--hidden", "16"])] {
                let model = folder.appendingPathComponent("m.h5").path
                let train = try runTool([TestSupport.galen, "sequence", "train", "--data", data, "--epochs", "2", "--out", model, "--overwrite"] + extra)
                #expect(train.status == 0, "\(train.errors)")
                let inspect = try galen("inspect", model)
                #expect(inspect.status == 0 && inspect.output.contains("sequence classifier, classes: "), "\(inspect.output) \(inspect.errors)")
                // ECG200 has no stored validation part: evaluation finds the one carved for training.
                let evaluate = try galen("sequence", "evaluate", "--model", model, "--data", data, "--split", "validation", "--json")
                let report = try JSONSerialization.jsonObject(with: Data(evaluate.output.utf8)) as? [String: Any]
                #expect(report?["event1"] is Double && report?["rocAUC"] is Double, "\(evaluate.output) \(evaluate.errors)")
                #expect(report?["count"] as? Int == (data == ecg200 ? 10 : 400))
                let csv = folder.appendingPathComponent("p.csv").path
                #expect(try galen("sequence", "predict", "--model", model, "--data", data, "--out", csv, "--overwrite").status == 0)
                let h5 = folder.appendingPathComponent("p.h5").path
                #expect(try galen("sequence", "predict", "--model", model, "--data", data, "--out", h5, "--overwrite").status == 0)
                let ids = try HDF5File.open(h5).dataset("ids").read(as: String.self)
                #expect(ids == (try HDF5File.open(data).dataset("ids").read(as: String.self)))
            }
        }
    }

    @Test func mismatchedModelAndDataAreRefused() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("ecg.h5").path
            #expect(try galen("sequence", "train", "--data", ecg200, "--epochs", "1", "--out", model).status == 0)
            let run = try galen("sequence", "evaluate", "--model", model, "--data", physionet, "--split-name", "stratified")
            #expect(run.status != 0 && run.errors.contains("the model takes 1 and 0"), "\(run.errors)")
        }
    }
}
