import Foundation
import HDF5
import Testing
import TestSupport

@Suite("galen train and evaluate")
struct TrainEvaluateTests {
    @Test func trainThenEvaluateOnARealLibrary() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("model.h5").path
            let history = folder.appendingPathComponent("history.csv").path
            let train = try galen("train", "--library", smallTarget, "--epochs", "15", "--hidden", "256", "--latent", "32",
                                  "--head", "32", "--seed", "3", "--history", history, "--out", model)
            #expect(train.status == 0, "\(train.errors)")
            #expect(train.errors.contains("split moleculeace: 440 train, 49 validation, 126 test (unused)"))
            #expect(train.errors.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.count >= 1, "one line per epoch in a log")
            #expect(train.output.contains("validation metrics (49 compounds)") && train.output.contains("CHEMBL2835_Ki   pKi  49"))
            #expect(FileManager.default.fileExists(atPath: history))
            let logged = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",") }
            let column = try #require(logged.first?.firstIndex(of: "val_rmse"))
            let rmse = logged.dropFirst().map { Double($0[column])! }
            let best = rmse.indices.min { rmse[$0] < rmse[$1] }! + 1
            #expect(train.output.contains("kept epoch \(best) of \(rmse.count), the lowest validation RMSE"), "\(train.output)")

            let evaluate = try galen("evaluate", "--model", model, "--library", smallTarget)
            #expect(evaluate.status == 0, "\(evaluate.errors)")
            #expect(evaluate.output.hasPrefix("test part of split moleculeace: 126 compounds"))
            let json = try galen("evaluate", "--model", model, "--library", smallTarget, "--split", "validation", "--json")
            let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
            let tasks = report?["tasks"] as? [[String: Any]]
            #expect(report?["compounds"] as? Int == 49 && tasks?.first?["task"] as? String == "CHEMBL2835_Ki")
            #expect((tasks?.first?["rmse"] as? Double).map { $0 > 0 && $0 < 1.5 } == true)

            // Measured values that are all the same have no correlation and no R²: null in JSON, not a string.
            let constant = folder.appendingPathComponent("constant.h5").path
            try FileManager.default.copyItem(atPath: smallTarget, toPath: constant)
            let file = try HDF5File.open(constant, mode: .readWrite)
            let values = try file.dataset("assays/values")
            try values.write([Float](repeating: 7, count: try values.shape.reduce(1, *)))
            try file.close()
            let undefined = try galen("evaluate", "--model", model, "--library", constant, "--json")
            let undefinedTask = try (JSONSerialization.jsonObject(with: Data(undefined.output.utf8)) as? [String: Any])?["tasks"] as? [[String: Any]]
            #expect(undefinedTask?.first?["pearson"] is NSNull && undefinedTask?.first?["rSquared"] is NSNull, "\(undefined.output)")
            #expect((undefinedTask?.first?["rmse"] as? Double).map { $0 > 0 } == true)

            let inspect = try galen("inspect", model)
            #expect(inspect.status == 0 && inspect.output.contains("drug-discovery model, 1 task(s): CHEMBL2835_Ki"))

            let again = try galen("train", "--library", smallTarget, "--out", model)
            #expect(again.status != 0 && again.errors.contains("exists; pass --overwrite to replace it"))
        }
    }

    /// A model records whether its split was one the file stores: ESOL's /splits/random (894/112/111)
    /// is the random split for training and evaluation; a model whose record predates that was
    /// trained on Galen's own shuffle (893/112/112) and is scored on it.
    @Test func aStoredRandomSplitIsRecordedAndEvaluatedAsStored() throws {
        try withTemporaryFolder { folder in
            let esol = TestSupport.preparedData.appendingPathComponent("esol.h5").path
            let model = folder.appendingPathComponent("esol.h5").path
            let train = try galen("train", "--library", esol, "--epochs", "1", "--hidden", "64", "--latent", "16", "--head", "16", "--out", model)
            #expect(train.status == 0 && train.errors.contains("split random: 894 train, 112 validation, 111 test"), "\(train.errors)")
            #expect(try galen("evaluate", "--model", model, "--library", esol).output.hasPrefix("test part of split random: 111 compounds"))
            let older = folder.appendingPathComponent("older.h5").path
            try copyEdited(model, to: older, """
                record = json.loads(f.attrs["training_config"])
                del record["split_stored"]
                f.attrs["training_config"] = json.dumps(record)
                """)
            let old = try galen("evaluate", "--model", older, "--library", esol)
            #expect(old.output.hasPrefix("test part of split random: 112 compounds"), "\(old.output)\(old.errors)")
            let restated = try galen("evaluate", "--model", older, "--library", esol, "--split-method", "random")
            #expect(restated.output.hasPrefix("test part of split random: 112 compounds"), "naming the model's own split keeps it: \(restated.output)")
            // No measured validation value: early stopping has nothing to choose by and keeps the last epoch.
            let unmeasured = folder.appendingPathComponent("unmeasured.h5").path
            try copyEdited(esol, to: unmeasured, "v = f['assays/values'][...]; v[f['splits/random'][...] == 1] = np.nan; f['assays/values'][...] = v")
            let blind = try galen("train", "--library", unmeasured, "--epochs", "2", "--hidden", "64", "--latent", "16", "--head", "16",
                                  "--out", folder.appendingPathComponent("blind.h5").path)
            #expect(blind.output.contains("kept epoch 2 of 2, the last (no validation RMSE to choose by)"), "\(blind.output)\(blind.errors)")
        }
    }

    @Test func badInputGetsOneClearLine() throws {
        try withTemporaryFolder { folder in
            let out = folder.appendingPathComponent("m.h5").path
            try Data("smiles,pIC50\nCCO,5\n".utf8).write(to: folder.appendingPathComponent("mols.csv"))
            let cases: [([String], String)] = [
                (["train", "--library", folder.appendingPathComponent("missing.h5").path, "--out", out], "no such file"),
                (["train", "--library", smallTarget, "--tasks", "CHEMBL9999_Ki", "--out", out], "assays [\"CHEMBL9999_Ki\"] are not in the file"),
                (["train", "--library", smallTarget, "--split", "paper", "--out", out], "split 'paper' is not in the file"),
                (["train", "--library", smallTarget, "--noise", "salt", "--epochs", "1", "--out", out], "The value 'salt' is invalid for '--noise <noise>'"),
                (["train", "--library", smallTarget, "--weight-decay", "nan", "--out", out], "--weight-decay and --reconstruction-weight"),
                (["train", "--library", smallTarget, "--freeze-encoder", "--out", out], "--freeze-encoder is for --mode pretrain"),
                (["train", "--library", folder.appendingPathComponent("mols.csv").path, "--out", out], "is not a compound library (HDF5) but a table; Galen's datasets/prepare.py convert makes a library"),
            ]
            for (arguments, message) in cases {
                let run = try runTool([TestSupport.galen] + arguments)
                #expect(run.status != 0, "\(arguments) should fail")
                let lines = run.errors.split(separator: "\n")
                #expect(lines.count == 1 && lines[0].contains(message), "\(arguments): \(run.errors)")
                #expect(!FileManager.default.fileExists(atPath: out), "no output is written")
            }
        }
    }

    @Test func aDivergedModelIsNotWritten() throws {
        try withTemporaryFolder { folder in
            let out = folder.appendingPathComponent("m.h5").path
            let run = try galen("train", "--library", smallTarget, "--learning-rate", "1e30", "--epochs", "2", "--out", out)
            #expect(run.status != 0, "\(run.output)")
            #expect(run.errors.split(separator: "\n").last?.contains("is NaN or infinite (training diverged") == true, "\(run.errors)")
            #expect(run.errors.contains("val_rmse -nan") || run.errors.contains("val_rmse nan"), "a diverged model's RMSE is no number: \(run.errors)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test func modelAndLibraryWithDifferentFingerprintWidthsAreRefused() throws {
        try withTemporaryFolder { folder in
            let narrow = folder.appendingPathComponent("narrow.h5").path
            let file = try HDF5File.create(narrow)
            try file.attributes.set("galen_contract", "compound-library/1")
            try file.createDataset("ids", elementType: .string, shape: [40]).write((0..<40).map { "c\($0)" })
            let bits = try file.createDataset("fingerprints", elementType: .uint8, shape: [40, 16])
            try bits.write((0..<640).map { UInt8(($0 * 7) % 5 == 0 ? 1 : 0) })
            try bits.attributes.set("n_bits", 16)
            try file.createDataset("assays/values", elementType: .float32, shape: [40, 1]).write((0..<40).map { Float($0 % 7) })
            try file.createDataset("assays/names", elementType: .string, shape: [1]).write(["CHEMBL2835_Ki"])
            try file.close()
            let model = folder.appendingPathComponent("model.h5").path
            let train = try galen("train", "--library", smallTarget, "--epochs", "1", "--hidden", "32", "--latent", "8",
                                  "--head", "8", "--out", model)
            #expect(train.status == 0, "\(train.errors)")
            let run = try galen("evaluate", "--model", model, "--library", narrow, "--split", "all")
            #expect(run.status != 0 && run.errors.contains("fingerprints have 16 bits, the model \(model) expects 2048"), "\(run.errors)")
            // Bits of the same width made another way: refused by the model, and as pre-training data.
            let radius3 = folder.appendingPathComponent("radius3.h5").path
            try copyEdited(smallTarget, to: radius3, "f['fingerprints'].attrs['radius'] = 3")
            let refusal = "radius3.h5: fingerprints are morgan, radius 3"
            for arguments in [["evaluate", "--model", model, "--library", radius3],
                              ["predict", "--model", model, "--library", radius3, "--out", folder.appendingPathComponent("p.h5").path],
                              ["train", "--library", smallTarget, "--mode", "pretrain", "--pretrain", radius3, "--epochs", "1",
                               "--out", folder.appendingPathComponent("m3.h5").path]] {
                let refused = try runTool([TestSupport.galen] + arguments)
                #expect(refused.status == 1 && refused.errors.contains(refusal) && refused.errors.contains("morgan, radius 2"), "\(arguments): \(refused.errors)")
            }
        }
    }
}
