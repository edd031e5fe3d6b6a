import DrugDiscovery
import Foundation
import HDF5
import Testing
import TestSupport

/// A quickly trained small model on the smallest real target, in `folder`.
func trainSmallModel(in folder: URL, ensemble: Int = 1, seed: Int = 1) throws -> String {
    let model = folder.appendingPathComponent("model-\(ensemble)-\(seed).h5").path
    let run = try galen("train", "--library", smallTarget, "--epochs", "3", "--hidden", "64", "--latent", "16", "--head", "16",
                        "--ensemble", "\(ensemble)", "--seed", "\(seed)", "--out", model)
    try #require(run.status == 0, "\(run.errors)")
    return model
}

private func floats(_ path: String, _ dataset: String) throws -> [Float] {
    let file = try HDF5File.open(path)
    defer { try? file.close() }
    return try file.dataset(dataset).read(as: Float.self)
}

private func strings(_ path: String, _ dataset: String) throws -> [String] {
    let file = try HDF5File.open(path)
    defer { try? file.close() }
    return try file.dataset(dataset).read(as: String.self)
}

@Suite("galen encode, predict and merge")
struct ScoringTests {
    @Test func blocksAndMergedSlicesGiveIdenticalEmbeddingsInIdOrder() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            func encode(_ name: String, library: String = smallTarget, _ extra: String...) throws -> String {
                let out = folder.appendingPathComponent(name).path
                let run = try runTool([TestSupport.galen, "encode", "--model", model, "--library", library, "--out", out] + extra)
                try #require(run.status == 0, "\(run.errors)")
                return out
            }
            let whole = try encode("whole.h5", "--block-size", "100000")
            let reference = try floats(whole, "embeddings")
            #expect(reference.count == 615 * 16)
            for size in ["1", "7", "64", "615"] {
                #expect(try floats(try encode("b\(size).h5", "--block-size", size, "--compress"), "embeddings") == reference, "block size \(size)")
            }
            let first = try encode("first.h5", "--rows", "0:300", "--block-size", "50", "--compress")
            // The same library by another path (a link to it) is the same library to merge.
            let link = folder.appendingPathComponent("library.h5").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: smallTarget)
            let second = try encode("second.h5", library: link, "--rows", "300:615", "--compress")
            let merged = folder.appendingPathComponent("merged.h5").path
            let merge = try galen("merge", second, first, "--out", merged)
            #expect(merge.status == 0, "\(merge.errors)")
            #expect(try floats(merged, "embeddings") == reference)
            let compression = try HDF5File.open(merged).dataset("embeddings").compression
            #expect(compression.gzipLevel == 4 && compression.shuffle, "merged rows stay compressed like the slices")
            #expect(try strings(merged, "ids") == strings(smallTarget, "ids"), "ids in the library's order")
            let inspect = try galen("inspect", merged)
            #expect(inspect.status == 0 && inspect.output.contains("galen output embeddings/1"), "\(inspect.output)\(inspect.errors)")
            #expect(inspect.output.contains("embeddings  float32 [615, 16]") && inspect.output.contains("row_end"), "\(inspect.output)")
            let json = try JSONSerialization.jsonObject(with: Data(try galen("inspect", merged, "--json").output.utf8)) as? [String: Any]
            let attributes = json?["attributes"] as? [String: Any]
            #expect(attributes?["latent_size"] as? Int == 16 && attributes?["row_end"] as? Int == 615, "numbers, not strings: \(attributes ?? [:])")

            let gap = try galen("merge", first, try encode("third.h5", "--rows", "301:615"), "--out", folder.appendingPathComponent("gap.h5").path)
            #expect(gap.status != 0 && gap.errors.contains("starts at row 301, leaving rows 300..<301 uncovered"), "\(gap.errors)")
            let overlap = try galen("merge", first, try encode("fourth.h5", "--rows", "299:615"), "--out", folder.appendingPathComponent("o.h5").path)
            #expect(overlap.status != 0 && overlap.errors.contains("overlapping rows up to 300"), "\(overlap.errors)")
        }
    }

    @Test func h5pyReadsEmbeddingsAndPredictionsWithTheirAttributes() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder, ensemble: 2)
            let embeddings = folder.appendingPathComponent("e.h5").path, predictions = folder.appendingPathComponent("p.h5").path
            #expect(try galen("encode", "--model", model, "--library", smallTarget, "--out", embeddings).status == 0)
            #expect(try galen("predict", "--model", model, "--library", smallTarget, "--out", predictions).status == 0)
            let script = """
                import h5py, hashlib, sys
                e, p = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
                digest = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
                assert e["embeddings"].shape == (615, 16) and e["embeddings"].dtype == "float32", e["embeddings"]
                assert e.attrs["model_sha256"] == digest and e.attrs["latent_size"] == 16 and e.attrs["source_rows"] == 615
                assert e.attrs["galen_version"] and e.attrs["source_library"].endswith("CHEMBL2835_Ki.h5")
                assert list(p["predictions/names"].asstr()[:]) == ["CHEMBL2835_Ki"] and p["predictions/units"].asstr()[0] == "pKi"
                assert p["predictions/values"].shape == (615, 1) and p["predictions/spread"].shape == (615, 1)
                assert (p["predictions/spread"][:] > 0).all() and p.attrs["ensemble_members"] == 2
                assert 3 < p["predictions/values"][:].mean() < 12
                print("ok")
                """
            let run = try runTool(["python3", "-c", script, embeddings, predictions, model])
            #expect(run.status == 0 && run.output == "ok\n", "\(run.errors)")
        }
    }

    @Test func float16OutputIsTheFloat32OneRoundedAndMergesLikeIt() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder, ensemble: 1)
            func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
            #expect(try galen("encode", "--model", model, "--library", smallTarget, "--out", path("e32.h5")).status == 0)
            for (name, rows) in [("e16.h5", nil), ("a.h5", "0:300"), ("b.h5", "300:615")] as [(String, String?)] {
                let run = try runTool([TestSupport.galen, "encode", "--model", model, "--library", smallTarget, "--float16",
                                       "--out", path(name)] + (rows.map { ["--rows", $0] } ?? []))
                #expect(run.status == 0, "\(run.errors)")
            }
            #expect(try galen("merge", path("a.h5"), path("b.h5"), "--out", path("m16.h5")).status == 0)
            let single = try HDF5File.open(path("e32.h5")).dataset("embeddings").read(as: Float.self)
            let half = try HDF5File.open(path("e16.h5")).dataset("embeddings")
            #expect(try half.elementType == .float16)
            #expect(try half.read(as: Float16.self) == single.map(Float16.init))
            #expect(try HDF5File.open(path("m16.h5")).dataset("embeddings").read(as: Float16.self) == half.read(as: Float16.self))
            // Infinity in float16 is the documented overflow past ±65504: inspect and merge take it.
            let overflow = try runTool(["python3", "-c", "import h5py, sys\nwith h5py.File(sys.argv[1], 'r+') as f: f['embeddings'][3, 0] = float('inf')",
                                        path("b.h5")])
            try #require(overflow.status == 0, "\(overflow.errors)")
            for arguments in [["inspect", path("e16.h5")], ["inspect", path("b.h5")], ["merge", path("a.h5"), path("b.h5"), "--out", path("inf.h5")]] {
                let run = try runTool([TestSupport.galen] + arguments)
                #expect(run.status == 0, "\(arguments): \(run.output)\(run.errors)")
            }
            let csv = try galen("predict", "--model", model, "--library", smallTarget, "--float16", "--out", path("p.csv"))
            #expect(csv.status != 0 && csv.errors.contains("--float16 is for HDF5 output"), "\(csv.errors)")
        }
    }

    @Test func ensembleMembersRepeatSingleModelsAndOneMemberHasNoSpread() throws {
        try withTemporaryFolder { folder in
            let single = try EfficacyModel.load(try trainSmallModel(in: folder, ensemble: 1, seed: 4))
            let pair = try EfficacyModel.load(try trainSmallModel(in: folder, ensemble: 2, seed: 4))
            let library = try CompoundLibrary.load(smallTarget)
            let fingerprints = library.fingerprints(Array(0..<100))
            let alone = single.predict(fingerprints)
            #expect(alone.spread.scalars.allSatisfy { $0 == 0 }, "one member has no spread")
            #expect(pair.members[0].predict(fingerprints).scalars == single.network.predict(fingerprints).scalars,
                    "the first member is trained with the run's own seed, as a single model is")
            let both = pair.predict(fingerprints)
            let streamed = pair.binaryPredictor()(try LibraryStream(path: smallTarget).read(0..<100).onBits(bits: library.bits))
            #expect(streamed.values.scalars == both.values.scalars && streamed.spread.scalars == both.spread.scalars,
                    "streaming predicts from on-bits what the unpacked fingerprints give")
            let second = EfficacyModel(members: [pair.members[1]], taskNames: pair.taskNames, taskUnits: pair.taskUnits,
                                       scaling: pair.scaling, trainingRecord: "{}").predict(fingerprints)
            #expect(zip(both.values.scalars, zip(alone.values.scalars, second.values.scalars)).allSatisfy { abs($0 - ($1.0 + $1.1) / 2) < 1e-4 })
            #expect(zip(both.spread.scalars, zip(alone.values.scalars, second.values.scalars)).allSatisfy { abs($0 - abs($1.0 - $1.1) / 2) < 1e-4 })
        }
    }

    @Test func csvPredictionsMatchTheHDF5Ones() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let csv = folder.appendingPathComponent("p.csv").path, hdf5 = folder.appendingPathComponent("p.h5").path
            #expect(try galen("predict", "--model", model, "--library", smallTarget, "--out", csv).status == 0)
            #expect(try galen("predict", "--model", model, "--library", smallTarget, "--out", hdf5).status == 0)
            let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "id,CHEMBL2835_Ki" && lines.count == 616)
            #expect(lines.dropFirst().map { String($0.split(separator: ",")[0]) } == (try strings(hdf5, "ids")))
            #expect(lines.dropFirst().map { Float($0.split(separator: ",")[1])! } == (try floats(hdf5, "predictions/values")))
            let file = try HDF5File.open(hdf5)
            #expect(try !file.contains("predictions/spread") && file.attributes.get("ensemble_members") == .int(1))
        }
    }

    /// Ctrl-C, and a memory fault (as libhdf5 1.10 makes on some damaged files; here sent by
    /// `kill`), leave no file and the earlier output intact; the fault is one line naming the
    /// files open for reading (the model is read and closed by then).
    @Test(arguments: [SIGINT, SIGSEGV])
    func interruptedEncodeLeavesNoFileAndTheEarlierOutputIntact(_ signalNumber: Int32) throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let out = folder.appendingPathComponent("e.h5").path
            let library = TestSupport.preparedData.appendingPathComponent("moleculeace_multitask.h5").path
            #expect(try galen("encode", "--model", model, "--library", smallTarget, "--out", out).status == 0)
            let before = try Data(contentsOf: URL(fileURLWithPath: out))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestSupport.galen)
            process.arguments = ["encode", "--model", model, "--library", library, "--out", out, "--overwrite", "--block-size", "16"]
            let errors = folder.appendingPathComponent("errors.txt")
            try #require(FileManager.default.createFile(atPath: errors.path, contents: nil))
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            var sawPartial = false
            while Date() < deadline && process.isRunning && !sawPartial {
                sawPartial = try FileManager.default.contentsOfDirectory(atPath: folder.path).contains { $0.contains(".partial") }
                usleep(2000)
            }
            try #require(sawPartial && process.isRunning, "the encode should still be writing when interrupted")
            kill(process.processIdentifier, signalNumber)
            process.waitUntilExit()
            let message = try String(contentsOf: errors, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
            if signalNumber == SIGINT {
                #expect(process.terminationStatus == 130)
            } else {
                #expect(process.terminationStatus == 70)
                #expect(message == "Error: galen stopped on a memory fault with these HDF5 files open: \(library); one of them is most likely "
                        + "damaged (libhdf5 1.10 faults on some damaged files; h5dump or h5py can check them). No output was written.")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains(".partial") })
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == before, "the earlier output is untouched")
        }
    }

    @Test func badScoringInputGetsOneClearLine() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let out = folder.appendingPathComponent("e.h5").path
            // The library with every per-compound dataset cut to no rows.
            let empty = folder.appendingPathComponent("empty.h5").path
            try copyEdited(smallTarget, to: empty, """
                count = f["ids"].shape[0]
                rows = []
                f.visititems(lambda name, item: rows.append(name) if isinstance(item, h5py.Dataset) and item.shape[:1] == (count,) else None)
                for name in rows:
                    data, attributes = f[name][:0], dict(f[name].attrs)
                    del f[name]
                    f.create_dataset(name, data=data).attrs.update(attributes)
                """)
            let cases: [([String], String)] = [
                (["predict", "--model", model, "--library", empty, "--out", out], "empty.h5: holds no compounds"),
                (["encode", "--model", model, "--library", smallTarget, "--rows", "600:700", "--out", out], "rows 600:700 are not a non-empty part of its 615 rows"),
                (["encode", "--model", model, "--library", smallTarget, "--rows", "5", "--out", out], "The value '5' is invalid for '--rows <rows>': it takes A:B with 0 <= A < B, such as 0:5000"),
                (["predict", "--model", smallTarget, "--library", smallTarget, "--out", out], "not a model file (it has no model_config attribute)"),
                (["encode", "--model", model, "--library", model, "--out", out], "root attribute galen_contract is missing"),
            ]
            for (arguments, message) in cases {
                let run = try runTool([TestSupport.galen] + arguments)
                #expect(run.status != 0, "\(arguments)")
                #expect(run.errors.contains(message), "\(arguments): \(run.errors)")
                #expect(!FileManager.default.fileExists(atPath: out))
            }
        }
    }

    /// Outputs that would replace an input, a device or a folder are refused before any work;
    /// a symbolic link is kept and its target replaced.
    @Test func outputsThatWouldDestroySomethingAreRefused() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
            try FileManager.default.copyItem(atPath: smallTarget, toPath: path("library.h5"))
            let library = try Data(contentsOf: URL(fileURLWithPath: path("library.h5")))
            #expect(mkfifo(path("fifo"), 0o644) == 0)
            try FileManager.default.createSymbolicLink(atPath: path("dangling.h5"), withDestinationPath: path("missing.h5"))
            let cases: [([String], String)] = [
                (["encode", "--model", model, "--library", path("library.h5"), "--out", path("library.h5"), "--overwrite"], "is the input"),
                (["predict", "--model", model, "--library", path("library.h5"), "--out", model, "--overwrite"], "is the input"),
                (["encode", "--model", model, "--library", path("library.h5"), "--out", path("fifo"), "--overwrite"], "exists and is not a regular file"),
                (["encode", "--model", model, "--library", path("library.h5"), "--out", folder.path, "--overwrite"], "exists and is not a regular file"),
                (["encode", "--model", model, "--library", path("library.h5"), "--out", path("e.csv")], "writes HDF5, not CSV"),
                (["encode", "--model", model, "--library", path("library.h5"), "--out", path("dangling.h5"), "--overwrite"],
                 "is a symbolic link to a missing file"),
            ]
            for (arguments, message) in cases {
                let run = try runTool([TestSupport.galen] + arguments)
                #expect(run.status != 0 && run.errors.contains(message), "\(arguments): \(run.errors)")
                #expect(run.errors.split(separator: "\n").count == 1, "\(arguments): \(run.errors)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path("library.h5"))) == library)
            var status = stat()
            #expect(stat(path("fifo"), &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
            #expect(!FileManager.default.fileExists(atPath: path("e.csv")))

            try Data("old".utf8).write(to: URL(fileURLWithPath: path("real.h5")))
            try FileManager.default.createSymbolicLink(atPath: path("link.h5"), withDestinationPath: path("real.h5"))
            let run = try galen("encode", "--model", model, "--library", path("library.h5"), "--out", path("link.h5"), "--overwrite")
            #expect(run.status == 0, "\(run.errors)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path("link.h5")) == path("real.h5"))
            #expect(try floats(path("real.h5"), "embeddings").count == 615 * 16)
        }
    }

    /// A slice whose datasets do not have its rows is refused, not merged into a file whose
    /// datasets disagree.
    @Test func mergeRefusesASliceWhoseDatasetsDisagreeWithItsRows() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
            for (name, rows) in [("a.h5", "0:300"), ("b.h5", "300:615")] {
                let run = try galen("encode", "--model", model, "--library", smallTarget, "--rows", rows, "--out", path(name))
                try #require(run.status == 0, "\(run.errors)")
            }
            let cut = try runTool(["python3", "-c", """
                import h5py, sys
                with h5py.File(sys.argv[1], "r+") as f:
                    ids = f["ids"][:10]
                    del f["ids"]
                    f["ids"] = ids
                """, path("b.h5")])
            try #require(cut.status == 0, "\(cut.errors)")
            let run = try galen("merge", path("a.h5"), path("b.h5"), "--out", path("merged.h5"))
            #expect(run.status != 0 && run.errors.contains("ids has shape [10]"), "\(run.errors)")
            #expect(!FileManager.default.fileExists(atPath: path("merged.h5")))
        }
    }

    /// A model file whose configuration or weights are out of range gets one line, not a crash.
    @Test(arguments: [("input_bits", "-5", "'input_bits' should be a whole number"),
                      ("input_bits", "2147483647", "'input_bits' should be a whole number from 0 to 2048"),
                      ("noise_level", "-3", "'noise_level' should be a number in"),
                      ("", "nan", "holds NaN or infinite values"),
                      ("", "3e38", "(its weights are out of range)")])
    func brokenModelFilesGetOneClearLine(_ key: String, _ value: String, _ message: String) throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let broken = try runTool(["python3", "-c", """
                import h5py, re, sys
                with h5py.File(sys.argv[1], "r+") as f:
                    if sys.argv[2]:
                        config = f.attrs["model_config"]
                        changed = re.sub(r'"%s":\\s*[^,}]+' % sys.argv[2], '"%s":%s' % (sys.argv[2], sys.argv[3]), config)
                        assert changed != config, config
                        f.attrs["model_config"] = changed
                    else:
                        weights = []
                        f["model_weights"].visititems(lambda name, item: weights.append(item) if isinstance(item, h5py.Dataset) else None)
                        for weight in weights:
                            weight[...] = float(sys.argv[3])
                """, model, key, value])
            try #require(broken.status == 0, "\(broken.errors)")
            let out = folder.appendingPathComponent("p.h5").path
            let run = try galen("predict", "--model", model, "--library", smallTarget, "--out", out)
            #expect(run.status != 0 && run.errors.contains(message), "\(run.errors)")
            #expect(run.errors.split(separator: "\n").count == 1, "\(run.errors)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// A weight declared larger than memory, with a configuration to match (so the sizes agree),
    /// and a configuration whose sizes are each a dimension of some weight (one declared a
    /// gigabyte long) but whose products no weight holds (a terabyte of them) are both refused
    /// before the layers reserve memory. The declared weights are never written: a few kilobytes on disk.
    @Test(arguments: [("1073741824", "dense1/kernel:0", "(2**30, units)", "its weights need"),
                      ("268435456", "bias:0", "(2**28,)", "layer DenoisingAutoencoder asks for 34359740688 weight values, more than the 268702065 left in the file's weights")])
    func modelWeightsBeyondMemoryGetOneLine(_ inputBits: String, _ weight: String, _ shape: String, _ message: String) throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let broken = try runTool(["python3", "-c", """
                import h5py, re, sys
                with h5py.File(sys.argv[1], "r+") as f:
                    f.attrs["model_config"] = re.sub(r'"input_bits":\\s*2048', '"input_bits":' + sys.argv[2], f.attrs["model_config"])
                    names = []
                    f["model_weights"].visititems(lambda name, item: names.append(name) if name.endswith(sys.argv[3]) else None)
                    name = "model_weights/" + names[0]
                    shape = eval(sys.argv[4], {"units": f[name].shape[-1]})
                    del f[name]
                    f.create_dataset(name, shape=shape, dtype="f4", chunks=True)
                """, model, inputBits, weight, shape])
            try #require(broken.status == 0, "\(broken.errors)")
            for arguments in [["inspect", model], ["evaluate", "--model", model, "--library", smallTarget]] {
                let run = try runTool(["timeout", "60", TestSupport.galen] + arguments)
                #expect(run.status == 1 && run.errors.contains("\(model): ") && run.errors.contains(message), "\(arguments): \(run.errors)")
                #expect(run.errors.split(separator: "\n").count == 1, "\(arguments): \(run.errors)")
            }
        }
    }
}
