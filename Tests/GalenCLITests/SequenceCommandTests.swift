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
            // The convolutional network keeps the default --hidden 64, which no weight of it has.
            for (data, extra) in [(ecg200, ["--cell", "lstm"]), (physionet, ["--cell", "gru", "--bidirectional", "--hidden", "16"]),
                                  (ecg200, ["--layers", "0", "--convolution", "8"])] {
                let model = folder.appendingPathComponent("m.h5").path
                let train = try runTool([TestSupport.galen, "sequence", "train", "--data", data, "--epochs", "2", "--out", model, "--overwrite"] + extra)
                #expect(train.status == 0, "\(train.errors)")
                if extra.first == "--layers" {
                    // A convolution-only network pools over the valid steps by default: its last step sees one window.
                    let config = try HDF5File.open(model).attributes.get("model_config")
                    guard case .string(let text) = config else { Issue.record("model_config is \(config)"); continue }
                    #expect(text.contains(#"\"pooling\":\"mean\""#), "\(text)")
                }
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
                let csvRows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",") }
                #expect(csvRows.first?.prefix(2) == ["row", "id"] && csvRows.count == ids.count + 1)
                #expect(csvRows.dropFirst().map { String($0[1]) } == ids, "the CSV names each sequence as the HDF5 output does")
            }
        }
    }

    @Test func mismatchedModelAndDataAreRefused() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("ecg.h5").path
            #expect(try galen("sequence", "train", "--data", ecg200, "--epochs", "1", "--out", model).status == 0)
            let run = try galen("sequence", "evaluate", "--model", model, "--data", physionet, "--split-name", "stratified")
            #expect(run.status != 0 && run.errors.contains("the model takes 1 and 0"), "\(run.errors)")
            // The same set with its class names swapped, a model whose threshold is no probability, and
            // one whose weights, finite, overflow.
            let swapped = folder.appendingPathComponent("swapped.h5").path, skewed = folder.appendingPathComponent("skewed.h5").path
            let huge = folder.appendingPathComponent("huge.h5").path
            let edit = try runTool(["python3", "-c", """
                import h5py, numpy as np, shutil, sys
                shutil.copy(sys.argv[1], sys.argv[2])
                with h5py.File(sys.argv[2], "r+") as f:
                    names = list(f["classes"].asstr()[...])
                    del f["classes"]
                    f.create_dataset("classes", data=names[::-1], dtype=h5py.string_dtype())
                shutil.copy(sys.argv[3], sys.argv[4])
                with h5py.File(sys.argv[4], "r+") as f:
                    f.attrs["threshold"] = np.float32(5.0)
                shutil.copy(sys.argv[3], sys.argv[5])
                with h5py.File(sys.argv[5], "r+") as f:
                    f["model_weights"].visititems(lambda name, item: item.__setitem__(Ellipsis, 3e38) if isinstance(item, h5py.Dataset) else None)
                """, ecg200, swapped, model, skewed, huge])
            try #require(edit.status == 0, "\(edit.errors)")
            let reversed = try galen("sequence", "evaluate", "--model", model, "--data", swapped)
            #expect(reversed.status != 0 && reversed.errors.contains("swapped.h5 has classes [\"myocardial infarction\", \"normal\"]; the model"),
                    "\(reversed.errors)")
            // The same values under another feature name, or standardised with other statistics (a new
            // cohort's own), are other inputs: refused. A model from before the inputs were recorded takes them.
            let renamed = folder.appendingPathComponent("renamed.h5").path, restandardised = folder.appendingPathComponent("restandardised.h5").path
            let older = folder.appendingPathComponent("older.h5").path, damaged = folder.appendingPathComponent("damaged.h5").path
            try copyEdited(ecg200, to: renamed, "del f['feature_names']; f['feature_names'] = np.array(['voltage'], dtype=h5py.string_dtype())")
            try copyEdited(ecg200, to: restandardised, "f['feature_mean'][0] += 1")
            try copyEdited(model, to: older, "for name in ['feature_names', 'feature_mean', 'feature_std']: del f.attrs[name]")
            try copyEdited(model, to: damaged, "f.attrs['feature_std'] = np.array([1, 2], np.float32)")
            for (modelFile, data, message) in [(model, renamed, "renamed.h5: has features [\"voltage\"]; the model was trained on [\"ecg\"]"),
                                               (model, restandardised, "restandardised.h5: its feature ecg is standardised with mean 1.0"),
                                               (damaged, ecg200, "damaged.h5: attribute feature_std should be 1 float32 values, one per column")] {
                let refused = try galen("sequence", "evaluate", "--model", modelFile, "--data", data)
                #expect(refused.status == 1 && refused.errors.contains(message) && refused.errors.split(separator: "\n").count == 1, "\(refused.errors)")
            }
            #expect(try galen("sequence", "evaluate", "--model", older, "--data", renamed).status == 0)
            // Prediction needs the records only: new patients have no labels or splits yet.
            let unlabelled = folder.appendingPathComponent("unlabelled.h5").path
            try copyEdited(ecg200, to: unlabelled, "del f['labels']; del f['classes']; del f['splits']")
            let (full, bare) = (folder.appendingPathComponent("full.h5").path, folder.appendingPathComponent("bare.h5").path)
            for (data, out) in [(ecg200, full), (unlabelled, bare)] {
                let run = try galen("sequence", "predict", "--model", model, "--data", data, "--out", out)
                #expect(run.status == 0, "\(run.errors)")
            }
            #expect(try HDF5File.open(bare).dataset("probabilities").read(as: Float.self) == HDF5File.open(full).dataset("probabilities").read(as: Float.self))
            let threshold = try galen("sequence", "predict", "--model", skewed, "--data", ecg200, "--out", folder.appendingPathComponent("p.h5").path)
            #expect(threshold.status != 0 && threshold.errors.contains("skewed.h5: attribute threshold should be a probability, 0 to 1"), "\(threshold.errors)")
            let overflow = try galen("sequence", "predict", "--model", huge, "--data", ecg200, "--out", folder.appendingPathComponent("p.csv").path)
            #expect(overflow.status == 1 && overflow.errors.contains("huge.h5: gives row 0 of") && overflow.errors.contains("(its weights are out of range)"),
                    "\(overflow.errors)")
            // Layers a gigabyte wide, which one weight declared that long (never written) lets through
            // the size check, are refused before memory is reserved for them.
            let wide = folder.appendingPathComponent("wide.h5").path
            try copyEdited(model, to: wide, """
                config = json.loads(f.attrs["model_config"])
                settings = json.loads(config["config"]["settings"])
                settings["hidden"] = 2**28
                config["config"]["settings"] = json.dumps(settings)
                f.attrs["model_config"] = json.dumps(config)
                biases = []
                f["model_weights"].visititems(lambda name, item: biases.append(name) if name.endswith("bias:0") else None)
                del f["model_weights/" + biases[0]]
                f.create_dataset("model_weights/" + biases[0], shape=(2**28,), dtype="f4", chunks=(2**20,))
                """)
            let widened = try runTool(["timeout", "60", TestSupport.galen, "sequence", "evaluate", "--model", wide, "--data", ecg200])
            #expect(widened.status == 1 && widened.errors.contains("layer SequenceNetwork asks for "), "\(widened.errors)")
            #expect(widened.errors.split(separator: "\n").count == 1, "\(widened.errors)")
        }
    }

    /// A copy of ECG200 or PhysioNet 2012 changed by one line of h5py breaks the sequence-set
    /// contract in one way; training refuses it with one line and writes nothing.
    @Test(arguments: [
        (ecg200, "f['mask'][0, 0] = 2", "/mask holds 2"),
        (ecg200, "del f['feature_std']", "/feature_std is missing"),
        (ecg200, "f['feature_std'][0] = 0", "/feature_std holds a value that is not a finite number above 0"),
        (ecg200, "f.attrs['galen_contract'] = 'image-set/1'", "galen_contract is 'image-set/1', not sequence-set/1"),
        (ecg200, "del f['splits']", "/splits holds no split"),
        (ecg200, "del f['classes']; f.create_dataset('classes', data=['normal'], dtype=h5py.string_dtype())", "/classes holds 1 name; a classifier needs at least two"),
        (ecg200, "del f['classes']; f.create_dataset('classes', data=[str(i) for i in range(4001)], dtype=h5py.string_dtype())",
         "/classes holds 4001 names; a model file keeps at most 4000 (HDF5's limit on an attribute)"),
        (ecg200, "f['sequences'].attrs['unobserved'] = 'banana'", "/sequences needs the string attribute unobserved"),
        (ecg200, "f['static'] = np.full((200, 2), np.nan, np.float32); f['static_mask'] = np.ones((200, 2), np.uint8)", "/static holds nan"),
        (ecg200, "f['times'] = np.zeros((200, 95), np.float32)", "/times is float32 [200, 95], expected float32 [200, 96]"),
        (physionet, "f['times'][0, 0] = np.nan", "/times holds nan"),
        (physionet, "f['static_std'][0] = 0", "/static_std holds a value that is not a finite number above 0"),
        (physionet, "f['static_mask'][0, 0] = 0; f['static'][0, 0] = 1.5", "/static row 0 column 0 is unknown in /static_mask but holds 1.5, not 0"),
        (physionet, "f['mask'][0, 0, 0] = 0; f['sequences'][0, 0, 0] = 0.5",
         "/sequences row 0 step 0 feature 0 is masked and holds 0.5, not 0.0 (unobserved = \"carried\")"),
        (physionet, "ids = f['ids'].asstr()[:]; ids[1] = ids[0]; del f['ids']; f['ids'] = ids.astype(object)", "/ids row 1 repeats '132539'"),
        (ecg200, "del f['classes']; f.create_dataset('classes', data=['a', 'a'], dtype=h5py.string_dtype())", "/classes row 1 repeats 'a'"),
        (ecg200, "f['labels'][...] = 0", "the training part of split 'ucr' holds only class 'normal'; a classifier needs examples of two or more"),
    ])
    func contractBreachesAreRefused(_ source: String, _ change: String, _ message: String) throws {
        try withTemporaryFolder { folder in
            let data = folder.appendingPathComponent("broken.h5").path, out = folder.appendingPathComponent("m.h5").path
            try copyEdited(source, to: data, change)
            let run = try galen("sequence", "train", "--data", data, "--epochs", "1", "--out", out)
            #expect(run.status != 0 && run.errors.contains(message), "\(run.errors)")
            #expect(run.errors.split(separator: "\n").count == 1, "\(run.errors)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }
}
