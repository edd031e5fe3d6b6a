import Foundation
import HDF5
import Testing
import TestSupport

private let breastMNIST = TestSupport.preparedData.appendingPathComponent("breastmnist.h5").path

@Suite("galen image")
struct ImageCommandTests {
    @Test func trainEvaluatePredict() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("cnn.h5").path
            let train = try galen("image", "train", "--data", breastMNIST, "--epochs", "3", "--augment", "--out", model)
            #expect(train.status == 0, "\(train.errors)")
            #expect(train.output.contains("validation: accuracy") && train.output.contains("on 78 images"))
            let inspect = try galen("inspect", model)
            #expect(inspect.status == 0 && inspect.output.contains("image classifier, classes: malignant, normal or benign"),
                    "\(inspect.output) \(inspect.errors)")
            let evaluate = try galen("image", "evaluate", "--model", model, "--data", breastMNIST)
            #expect(evaluate.status == 0 && evaluate.output.contains("test part of split medmnist: 156 images"), "\(evaluate.errors)")
            #expect(evaluate.output.contains("confusion matrix") && evaluate.output.contains("normal or benign"))
            let predictions = folder.appendingPathComponent("p.h5").path
            #expect(try galen("image", "predict", "--model", model, "--data", breastMNIST, "--out", predictions).status == 0)
            let file = try HDF5File.open(predictions)
            #expect(try file.dataset("probabilities").shape == [780, 2])
            let sums = try file.dataset("probabilities").read(as: Float.self)
            #expect(stride(from: 0, to: sums.count, by: 2).allSatisfy { abs(sums[$0] + sums[$0 + 1] - 1) < 1e-5 })
            // Class names with a comma or a quote stay one CSV field each.
            let renamed = folder.appendingPathComponent("renamed.h5").path, csv = folder.appendingPathComponent("p.csv").path
            let check = try runTool(["python3", "-c", """
                import csv, h5py, shutil, subprocess, sys
                shutil.copy(sys.argv[1], sys.argv[2])
                names = ['malignant, "M"', "normal or benign"]
                with h5py.File(sys.argv[2], "r+") as f:
                    f.attrs["classes"] = names
                subprocess.run([sys.argv[3], "image", "predict", "--model", sys.argv[2], "--data", sys.argv[4], "--out", sys.argv[5]], check=True)
                rows = list(csv.reader(open(sys.argv[5])))
                assert rows[0] == ["row", "predicted"] + names, rows[0]
                assert len(rows) == 781 and all(len(row) == 4 and row[1] in names for row in rows[1:]), rows[:3]
                """, model, renamed, TestSupport.galen, breastMNIST, csv])
            #expect(check.status == 0, "\(check.errors)")
        }
    }

    /// A set's only split is the one trained on and scored, whatever its name; with two, one must be named.
    @Test func theOnlyStoredSplitIsTheDefault() throws {
        try withTemporaryFolder { folder in
            let renamed = folder.appendingPathComponent("renamed.h5").path, twoSplits = folder.appendingPathComponent("two.h5").path
            let model = folder.appendingPathComponent("cnn.h5").path
            try copyEdited(breastMNIST, to: renamed, "f.move('splits/medmnist', 'splits/mine')")
            try copyEdited(renamed, to: twoSplits, "f['splits/other'] = f['splits/mine'][...]")
            let train = try galen("image", "train", "--data", renamed, "--epochs", "1", "--out", model)
            #expect(train.status == 0 && train.output.contains("on 78 images"), "\(train.errors)")
            let evaluate = try galen("image", "evaluate", "--model", model, "--data", renamed)
            #expect(evaluate.status == 0 && evaluate.output.contains("test part of split mine: 156 images"), "\(evaluate.errors)")
            let unnamed = try galen("image", "train", "--data", twoSplits, "--epochs", "1", "--out", folder.appendingPathComponent("m2.h5").path)
            #expect(unnamed.status == 1 && unnamed.errors.contains("two.h5: name a split; the file has mine, other"), "\(unnamed.errors)")
        }
    }

    @Test func badImageInputGetsOneClearLine() throws {
        try withTemporaryFolder { folder in
            let wrongLabels = folder.appendingPathComponent("labels.h5").path, tiny = folder.appendingPathComponent("tiny.h5").path
            let renamed = folder.appendingPathComponent("renamed.h5").path, verbose = folder.appendingPathComponent("verbose.h5").path
            let breast = ["malignant", "normal or benign"], long = ["x", "y"].map { String(repeating: $0, count: 100_000) }
            for (path, size, label, classes) in [(wrongLabels, 28, Int64(5), breast), (tiny, 12, Int64(1), breast), (renamed, 28, 1, ["a", "b"]),
                                                 (verbose, 28, 1, long)] {
                let file = try HDF5File.create(path)
                try file.attributes.set("galen_contract", "image-set/1")
                try file.createDataset("images", elementType: .uint8, shape: [6, size, size]).write([UInt8](repeating: 9, count: 6 * size * size))
                try file.createDataset("labels", elementType: .int64, shape: [6]).write([0, 1, 0, 1, 0, label])
                try file.createDataset("classes", elementType: .string, shape: [2]).write(classes)
                try file.createDataset("splits/medmnist", elementType: .int8, shape: [6]).write([Int8](repeating: 0, count: 6))
                try file.close()
            }
            let model = folder.appendingPathComponent("m.h5").path
            #expect(try galen("image", "train", "--data", breastMNIST, "--epochs", "1", "--out", model).status == 0)
            // Colour images stored channels-first, as PyTorch holds them.
            let channelsFirst = folder.appendingPathComponent("channels-first.h5").path
            try copyEdited(wrongLabels, to: channelsFirst, "del f['images']; f['images'] = np.full((6, 3, 16, 16), 9, np.uint8)")
            let cases: [([String], String)] = [
                (["image", "train", "--data", channelsFirst, "--out", folder.appendingPathComponent("c.h5").path], "/images [6, 3, 16, 16] would be images 3 pixels high with 16 channels; it looks channels-first"),
                (["image", "train", "--data", wrongLabels, "--out", folder.appendingPathComponent("x.h5").path], "/labels row 5 is 5, not a class index in 0..<2"),
                (["image", "evaluate", "--model", model, "--data", tiny, "--split", "train"], "tiny.h5: images of shape [1, 12, 12] do not match the model's input [1, 28, 28]"),
                (["image", "evaluate", "--model", model, "--data", tiny, "--split", "test"], "the test part of split 'medmnist'"),
                (["image", "evaluate", "--model", model, "--data", breastMNIST, "--split-name", "official"], "split 'official' is not in the file"),
                (["image", "evaluate", "--model", model, "--data", renamed, "--split", "train"], "has classes [\"a\", \"b\"]; the model"),
                // Names of any length: the line keeps its start (the file) and its end, and says what it cut.
                (["image", "evaluate", "--model", model, "--data", verbose, "--split", "train"], "verbose.h5 has classes [\"xxx"),
                (["image", "evaluate", "--model", model, "--data", verbose, "--split", "train"], "characters cut) … "),
                (["image", "train", "--data", breastMNIST, "--batch-size", "0", "--out", folder.appendingPathComponent("y.h5").path], "--batch-size and --ensemble must be positive"),
            ]
            for (arguments, message) in cases {
                let run = try runTool([TestSupport.galen] + arguments)
                #expect(run.status != 0 && run.errors.contains(message), "\(arguments): \(run.errors.prefix(2000))")
                #expect(run.errors.split(separator: "\n").count == 1 && run.errors.count < 1100, "\(arguments): \(run.errors.prefix(2000))")
            }
            // Pixel statistics that would turn every probability into NaN; classes that cannot name the outputs.
            for (name, value) in [("pixel_std", "[0]"), ("pixel_std", "[np.nan]"), ("pixel_std", "[1e-39]"), ("pixel_mean", "[np.inf]"),
                                  ("classes", "['a', 'a']"), ("classes", "[]")] {
                let tampered = folder.appendingPathComponent("tampered.h5").path
                try copyEdited(model, to: tampered, "f.attrs['\(name)'] = np.array(\(value), h5py.string_dtype() if '\(name)' == 'classes' else np.float32)")
                let run = try galen("image", "predict", "--model", tampered, "--data", breastMNIST, "--out", folder.appendingPathComponent("n.h5").path)
                #expect(run.status == 1 && run.errors.contains("tampered.h5: attribute \(name) should be"), "\(name) \(value): \(run.errors)")
            }
            // Architectures changed so that they no longer take the model's images: refused on loading, not stopped mid-run.
            for (change, message) in [("pool", "pool1: layer Pool2D: a 64×64 window (dilation (1, 1)) does not fit a 28×28 input"),
                                      ("flatten", "dense1: layer Dense takes [N, 1152], not [1, 128, 3, 3]"),
                                      ("recurrent", "rnn: layer Recurrent takes [N, T, 28], not [1, 1, 28, 28]"),
                                      ("kernel", "conv1: layer Conv2D: a 1152×1152 window (dilation (1, 1)) reaches past both sides of a 28×28 input")] {
                let tampered = folder.appendingPathComponent("geometry.h5").path
                // A kernel that 'same' padding fits to any image, stored unwritten so that the file stays small.
                try copyEdited(model, to: tampered, """
                    config = json.loads(f.attrs["model_config"])
                    layers = config["config"]["layers"]
                    if sys.argv[3] == "flatten":
                        config["config"]["layers"] = [entry for entry in layers if entry["layer"]["class_name"] != "Flatten"]
                    elif sys.argv[3] == "pool":
                        config = json.loads(json.dumps(config).replace('"pool_size": [2, 2]', '"pool_size": [64, 64]', 1))
                    elif sys.argv[3] == "kernel":
                        layers[0]["layer"]["config"]["kernel_size"] = [1152, 1152]
                        del f["model_weights/conv1/conv1/kernel:0"]
                        f["model_weights/conv1/conv1"].create_dataset("kernel:0", (32, 1, 1152, 1152), "f4", chunks=(1, 1, 64, 64))
                    else:
                        layers.insert(0, {"name": "rnn", "layer": {"class_name": "Recurrent", "config": {"cell": "gru", "input_dim": 28, "units": 28}}})
                        weights = f["model_weights"].create_group("rnn")
                        weights.attrs["weight_names"] = ["rnn/kernel:0", "rnn/recurrent_kernel:0", "rnn/bias:0", "rnn/recurrent_bias:0"]
                        for name, shape in [("kernel", (28, 84)), ("recurrent_kernel", (28, 84)), ("bias", (84,)), ("recurrent_bias", (84,))]:
                            weights[f"rnn/{name}:0"] = np.zeros(shape, np.float32)
                        f["model_weights"].attrs["layer_names"] = list(f["model_weights"].attrs["layer_names"]) + ["rnn"]
                    f.attrs["model_config"] = json.dumps(config)
                    """, arguments: [change])
                let run = try galen("image", "predict", "--model", tampered, "--data", breastMNIST, "--out", folder.appendingPathComponent("g.h5").path)
                #expect(run.status == 1 && run.errors.contains("geometry.h5: the network cannot take its input_shape [1, 28, 28]"), "\(run.errors)")
                #expect(run.errors.contains(message) && run.errors.split(separator: "\n").count == 1, "\(change): \(run.errors)")
            }
            // Prediction needs images only.
            let unlabelled = folder.appendingPathComponent("unlabelled.h5").path
            let file = try HDF5File.create(unlabelled)
            try file.attributes.set("galen_contract", "image-set/1")
            try file.createDataset("images", elementType: .uint8, shape: [6, 28, 28]).write([UInt8](repeating: 9, count: 6 * 28 * 28))
            try file.close()
            let out = folder.appendingPathComponent("u.csv").path
            let predict = try galen("image", "predict", "--model", model, "--data", unlabelled, "--out", out)
            #expect(predict.status == 0, "\(predict.errors)")
            #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 7)
            let evaluate = try galen("evaluate", "--model", model, "--library", smallTarget)
            #expect(evaluate.status == 1 && evaluate.errors.contains("a Galen 'imaging/1' model; this command takes 'drug-discovery/1' models"),
                    "\(evaluate.errors)")
        }
    }
}
