import Foundation
import HDF5
import Testing
import TestSupport

/// Failures a user meets outside the data contracts: a full disk, a pipe where a file belongs,
/// model files of the wrong kind, absurd sizes, files beside the output.
@Suite("galen under failure")
struct FailureTests {
    /// A small model trained quickly on the smallest real target.
    /// Runs galen with files limited to 8 KiB (sh counts 512-byte blocks): the kernel refuses writes
    /// past that as it does on a full disk, once the signal it would send is ignored.
    private func galenWithSmallFiles(_ arguments: [String]) throws -> ToolRun {
        try runTool(["sh", "-c", "ulimit -f 16; trap '' XFSZ; exec timeout 120 \"$@\"", "sh", TestSupport.galen] + arguments)
    }

    /// Every verb that writes gives one line naming the file it was asked to write, exits 1 (not
    /// a crash in libhdf5's exit handler), leaves no temporary file and keeps the earlier output.
    @Test func aFullDiskIsOneLineNamingTheOutput() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let outputs = folder.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: false)
            let history = folder.appendingPathComponent("history.csv").path
            try Data("earlier".utf8).write(to: URL(fileURLWithPath: history))
            let cases: [(String, [String])] = [
                ("e.h5", ["encode", "--model", model, "--library", smallTarget]),
                ("p.csv", ["predict", "--model", model, "--library", smallTarget]),
                ("m.h5", ["train", "--library", smallTarget, "--epochs", "1", "--history", history]),
            ]
            for (name, arguments) in cases {
                let out = outputs.appendingPathComponent(name).path
                try Data("earlier".utf8).write(to: URL(fileURLWithPath: out))
                let run = try galenWithSmallFiles(arguments + ["--out", out, "--overwrite"])
                #expect(run.status == 1, "\(name): status \(run.status), \(run.errors)")
                let lines = run.errors.split(separator: "\n").filter { !$0.hasPrefix("galen train:") && !$0.contains("compounds/s") && !$0.contains("epoch") }
                #expect(lines.count == 1 && lines[0].contains("'\(out)'") && lines[0].contains("File too large"), "\(name): \(run.errors)")
                // The CSV's predictions are staged in HDF5 first; the line speaks of the CSV file.
                #expect(!name.hasSuffix(".csv") || lines.first?.hasPrefix("Error: cannot write '\(out)'") == true, "\(name): \(run.errors)")
                #expect(try String(contentsOfFile: out, encoding: .utf8) == "earlier", "\(name): the earlier output is kept")
                #expect(try FileManager.default.contentsOfDirectory(atPath: outputs.path) == [name], "\(name): no temporary file is left")
                try FileManager.default.removeItem(atPath: out)
            }
            #expect(try String(contentsOfFile: history, encoding: .utf8) == "earlier", "the history moves into place only with the model")
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial") }
            #expect(left.isEmpty, "no temporary history is left: \(left)")
        }
    }

    /// A named pipe would block opening it for ever; it is refused at once.
    @Test func aPipeGivenAsAnInputIsRefused() throws {
        try withTemporaryFolder { folder in
            let pipe = folder.appendingPathComponent("pipe.h5").path
            #expect(mkfifo(pipe, 0o644) == 0)
            for arguments in [["inspect", pipe], ["train", "--library", pipe, "--out", folder.appendingPathComponent("m.h5").path]] {
                let run = try runTool(["timeout", "60", TestSupport.galen] + arguments)
                #expect(run.status == 1 && run.errors.contains("cannot open file '\(pipe)': not a regular file"), "\(arguments): \(run.errors)")
            }
        }
    }

    /// A model of another kind, or one whose weights are gone, gets one line saying so.
    @Test func modelFilesOfAnotherKindOrWithoutWeightsAreRefused() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let bare = folder.appendingPathComponent("bare.h5").path
            try FileManager.default.copyItem(atPath: model, toPath: bare)
            let strip = try runTool(["python3", "-c", "import h5py, sys\nwith h5py.File(sys.argv[1], 'r+') as f: del f['model_weights']", bare])
            try #require(strip.status == 0, "\(strip.errors)")
            let ecg200 = TestSupport.preparedData.appendingPathComponent("ecg200.h5").path
            let damaged = folder.appendingPathComponent("damaged.h5").path, hollow = folder.appendingPathComponent("hollow.h5").path
            let unitless = folder.appendingPathComponent("unitless.h5").path
            let huge = folder.appendingPathComponent("huge.h5").path, narrow = folder.appendingPathComponent("narrow.h5").path
            let escape = folder.appendingPathComponent("escape.h5").path
            let edit = try runTool(["python3", "-c", """
                import h5py, json, shutil, sys
                def copy(target):
                    shutil.copy(sys.argv[1], target)
                    return h5py.File(target, "r+")
                with copy(sys.argv[2]) as f:
                    f.attrs["training_config"] = "{bad"
                with copy(sys.argv[3]) as f:
                    f.attrs["model_config"] = json.dumps({"class_name": "Ensemble", "config": {"members": []}})
                with copy(sys.argv[4]) as f:
                    del f.attrs["task_units"]
                with copy(sys.argv[5]) as f:
                    # Finite, so loadable, but every output overflows.
                    f["model_weights"].visititems(lambda name, item: item.__setitem__(..., 3e38) if isinstance(item, h5py.Dataset) else None)
                with copy(sys.argv[6]) as f:
                    f.attrs["fingerprint_bits"] = 1024
                with copy(sys.argv[7]) as f:
                    f["model_weights"].attrs["layer_names"] = list(f["model_weights"].attrs["layer_names"]) + ["bogus\\x1b[2K"]
                """, model, damaged, hollow, unitless, huge, narrow, escape])
            try #require(edit.status == 0, "\(edit.errors)")
            let cases: [([String], String)] = [
                (["sequence", "evaluate", "--model", model, "--data", ecg200], "a Galen 'drug-discovery/1' model; this command takes 'sequences/1' models"),
                (["evaluate", "--model", damaged, "--library", smallTarget], "damaged.h5: its training_config attribute is damaged"),
                (["inspect", hollow], "hollow.h5: invalid model configuration: layer Ensemble: needs at least one member"),
                (["predict", "--model", unitless, "--library", smallTarget, "--out", damaged + ".csv"],
                 "unitless.h5: attribute task_units should be one string per task, of which the model has 1"),
                (["evaluate", "--model", bare, "--library", smallTarget], "bare.h5: the model file has no /model_weights group"),
                (["inspect", bare], "bare.h5: the model file has no /model_weights group"),
                (["evaluate", "--model", huge, "--library", smallTarget], "huge.h5: gives row"),
                (["evaluate", "--model", huge, "--library", smallTarget], "CHEMBL2835_Ki value inf (its weights are out of range)"),
                (["inspect", narrow], "narrow.h5: attribute fingerprint_bits should be the network's input width, 2048"),
                // A control character read from the file is shown escaped, not sent to the terminal.
                (["inspect", escape], "escape.h5: layer 'bogus\\u{1B}[2K' in the file is not in the model"),
            ]
            for (arguments, message) in cases {
                let run = try runTool([TestSupport.galen] + arguments)
                #expect(run.status == 1 && run.errors.contains(message), "\(arguments): \(run.errors)")
                #expect(run.errors.split(separator: "\n").count == 1, "\(arguments): \(run.errors)")
            }
        }
    }

    /// Absurd widths, depths and ensemble sizes are refused before any work, not by a failed allocation, and
    /// negative numbers for their value, not as missing ones.
    @Test func absurdSizesAreRefusedUpFront() throws {
        try withTemporaryFolder { folder in
            let out = folder.appendingPathComponent("m.h5").path
            let ecg200 = TestSupport.preparedData.appendingPathComponent("ecg200.h5").path
            let cases: [([String], String)] = [
                (["train", "--library", smallTarget, "--latent", "100000000000", "--out", out], "--latent 100000000000 is too large (at most 65536)"),
                (["sequence", "train", "--data", ecg200, "--convolution", "8", "100000000", "--out", out], "--convolution 100000000 is too large"),
                (["sequence", "train", "--data", ecg200, "--layers", "1000000", "--out", out], "--layers 1000000 is too large (at most 64)"),
                (["image", "train", "--data", ecg200, "--ensemble", "100000", "--out", out], "--ensemble 100000 is too large (at most 1000)"),
                (["train", "--library", smallTarget, "--seed", "-1", "--out", out], "The value '-1' is invalid for '--seed <seed>'"),
                (["train", "--library", smallTarget, "--epochs", "-3", "--out", out], "--epochs, --batch-size, --latent, --hidden and --head must be positive"),
            ]
            for (arguments, message) in cases {
                let run = try runTool(["timeout", "60", TestSupport.galen] + arguments)
                #expect(run.status == 64 && run.errors.contains(message), "\(arguments): \(run.errors)")
            }
            // Sizes each within bounds whose weights together exceed memory are refused once the data's shape is known.
            let products: [[String]] = [
                ["train", "--library", smallTarget, "--hidden", "65536", "--latent", "65536", "--head", "65536", "--out", out],
                ["sequence", "train", "--data", ecg200, "--hidden", "65536", "--out", out],
            ]
            for arguments in products {
                let run = try runTool(["timeout", "60", TestSupport.galen] + arguments)
                #expect(run.status == 1 && run.errors.contains("(its weights, gradients and Adam's moments) needs"), "\(arguments): \(run.errors)")
                #expect(run.errors.contains("more than this machine's memory"), "\(arguments): \(run.errors)")
            }
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// A library that claims ten trillion rows (stored unwritten, so a few kilobytes): an output
    /// laid out in full is refused for the disk space it would need, before any is taken; a
    /// compressed one starts, and stops at the first block's empty ids, its blocks made one at a time.
    @Test func aLibraryClaimingTrillionsOfRowsIsOneLine() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let library = folder.appendingPathComponent("endless.h5").path
            try copyClaimingRows(10_000_000_000_000, of: smallTarget, to: library, in: ["fingerprints", "ids"])
            let out = folder.appendingPathComponent("e.h5").path
            for (extra, message) in [([String](), "its values need 640000.0 GB; the disk holding it has"), (["--compress"], "/ids row 0 is empty")] {
                let run = try runTool(["timeout", "60", TestSupport.galen, "encode", "--model", model, "--library", library, "--out", out] + extra)
                #expect(run.status == 1 && run.errors.contains(message), "\(extra): \(run.errors)")
                #expect(run.errors.split(separator: "\n").count == 1, "\(extra): \(run.errors)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }.isEmpty, "no partial file is left")
        }
    }

    /// A small file whose datasets declare shapes no memory holds (never written, so a few
    /// kilobytes on disk) is refused with one line, not a failed allocation; so are images whose
    /// bytes fit in memory but not as floats (a quarter of memory in bytes).
    @Test func datasetsTooLargeForMemoryAreOneLine() throws {
        try withTemporaryFolder { folder in
            let library = folder.appendingPathComponent("wide.h5").path, images = folder.appendingPathComponent("huge.h5").path
            let large = folder.appendingPathComponent("large.h5").path
            let make = try runTool(["python3", "-c", """
                import h5py, math, os, shutil, sys
                shutil.copy(sys.argv[1], sys.argv[2])
                with h5py.File(sys.argv[2], "r+") as f:
                    del f["fingerprints"]
                    f.create_dataset("fingerprints", shape=(f["ids"].shape[0], 2**31), dtype="u1", chunks=(1, 2**20)).attrs["n_bits"] = 2**31
                shutil.copy(sys.argv[3], sys.argv[4])
                with h5py.File(sys.argv[4], "r+") as f:
                    del f["images"]
                    f.create_dataset("images", shape=(780, 2**17, 2**17), dtype="u1", chunks=(1, 256, 256))
                shutil.copy(sys.argv[3], sys.argv[5])
                side = math.ceil(math.sqrt(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 4 / 780))
                with h5py.File(sys.argv[5], "r+") as f:
                    del f["images"]
                    f.create_dataset("images", shape=(780, side, side), dtype="u1", chunks=(1, 256, 256))
                """, smallTarget, library, TestSupport.preparedData.appendingPathComponent("breastmnist.h5").path, images, large])
            try #require(make.status == 0, "\(make.errors)")
            let out = folder.appendingPathComponent("m.h5").path
            for arguments in [["inspect", library], ["train", "--library", library, "--out", out], ["image", "train", "--data", images, "--out", out],
                              ["image", "train", "--data", large, "--out", out]] {
                let run = try runTool(["timeout", "60", TestSupport.galen] + arguments)
                #expect(run.status == 1 && run.errors.contains("more than this machine's memory"), "\(arguments): \(run.errors)")
                #expect(!arguments.contains(large) || run.errors.contains("as floats"), "\(run.errors)")
                #expect(run.errors.split(separator: "\n").count == 1, "\(arguments): \(run.errors)")
            }
            // Under an address-space limit (ulimit -v, 4 GB) the limit is the memory there is: 20 million
            // fingerprints (5 GB) fit this machine but not the process.
            let tall = folder.appendingPathComponent("tall.h5").path
            try copyClaimingRows(20_000_000, of: smallTarget, to: tall, in: ["fingerprints", "ids", "smiles", "scaffolds", "assays/values"])
            let limited = try runTool(["sh", "-c", "ulimit -v 4000000; exec timeout 60 \"$@\"", "sh", TestSupport.galen, "inspect", tall])
            #expect(limited.status == 1 && limited.errors.contains("more than the memory limit this process runs under (4.1 GB)"), "\(limited.errors)")
            #expect(limited.errors.split(separator: "\n").count == 1, "\(limited.errors)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// Predictions to CSV pass through temporary files of their own, and leave files that merely
    /// share the output's name alone.
    @Test func csvPredictionsLeaveNeighbouringFilesAlone() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let neighbours = [".p.csv.h5", ".p.csv.partial"].map { folder.appendingPathComponent($0).path }
            for path in neighbours { try Data("mine".utf8).write(to: URL(fileURLWithPath: path)) }
            let out = folder.appendingPathComponent("p.csv").path
            let run = try galen("predict", "--model", model, "--library", smallTarget, "--out", out)
            #expect(run.status == 0, "\(run.errors)")
            #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 616)
            for path in neighbours { #expect(try String(contentsOfFile: path, encoding: .utf8) == "mine") }
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial-") }
            #expect(left.isEmpty, "\(left)")
        }
    }

    /// Streaming checks each block's ids as it reads them.
    @Test func encodeRefusesAnEmptyId() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let library = folder.appendingPathComponent("library.h5").path, out = folder.appendingPathComponent("e.h5").path
            try copyEdited(smallTarget, to: library, #"f["ids"][300] = """#)
            let run = try galen("encode", "--model", model, "--library", library, "--out", out, "--block-size", "100")
            #expect(run.status == 1 && run.errors.contains("/ids row 300 is empty"), "\(run.errors)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// Scoring one part of a split needs rows in that part only.
    @Test func evaluatingTheTestPartNeedsNoTrainingRows() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            let onlyTest = folder.appendingPathComponent("only-test.h5").path
            try copyEdited(smallTarget, to: onlyTest, #"f["splits/moleculeace"][...] = 2"#)
            let run = try galen("evaluate", "--model", model, "--library", onlyTest, "--split", "test")
            #expect(run.status == 0 && run.output.contains("test part of split moleculeace: 615 compounds"), "\(run.output)\(run.errors)")
        }
    }

    /// Slices with non-finite values, other task names or impossible rows are refused by name, and
    /// inspect finds what breaks the output contract.
    @Test func mergeRefusesSlicesThatCannotBeJoined() throws {
        try withTemporaryFolder { folder in
            let model = try trainSmallModel(in: folder)
            func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
            for (name, rows) in [("a.h5", "0:300"), ("b.h5", "300:615")] {
                let run = try galen("predict", "--model", model, "--library", smallTarget, "--rows", rows, "--out", path(name))
                try #require(run.status == 0, "\(run.errors)")
            }
            let cases: [(String, String, String?)] = [
                ("f['predictions/values'][5, 0] = float('nan')", "predictions/values row 305 of the library holds nan", "/predictions/values row 5 holds nan"),
                ("f['predictions/names'][0] = 'other'", "predictions/names differs from", nil),
                ("f.attrs['ensemble_members'] = 3", "/predictions/spread is missing for an ensemble of 3", "/predictions/spread is missing for an ensemble of 3"),
                ("f.attrs['row_start'] = 700", "rows 700:615 are not a non-empty slice of the library's 615", "row_start 700 and row_end 615 do not span its 315 rows"),
                ("del f.attrs['row_start']", "row_start, row_end and source_rows must be whole numbers", "row_start, row_end and source_rows must be whole numbers"),
                ("f.attrs['source_rows'] = -5", "rows 300:615 are not a non-empty slice of the library's -5", "rows 300:615 are not a non-empty slice of the library's -5"),
                ("del f.attrs['model_sha256']", "model_sha256 is missing or not 64 hexadecimal digits", "model_sha256 is missing or not 64 hexadecimal digits"),
                ("f.attrs['galen_output'] = 'sequence-predictions/1'", "its galen_output attribute says neither", "/probabilities is missing"),
                ("f.attrs['source_rows'] = 700", "differs from \(path("a.h5")) in source_rows", nil),
                ("del f['predictions/values']", "/predictions/values is missing", "/predictions/values is missing"),
            ]
            for (change, message, inspection) in cases {
                try copyEdited(path("b.h5"), to: path("c.h5"), change)
                let run = try galen("merge", path("a.h5"), path("c.h5"), "--out", path("m.h5"))
                #expect(run.status == 1 && run.errors.contains(message) && run.errors.contains("c.h5"), "\(change): \(run.errors)")
                #expect(!FileManager.default.fileExists(atPath: path("m.h5")))
                let inspect = try galen("inspect", path("c.h5"))
                #expect(inspection.map { inspect.status == 1 && inspect.output.contains($0) } ?? (inspect.status == 0), "\(change): \(inspect.output)")
            }
            // An ensemble's spread is a standard deviation, never below zero.
            let ensemble = try trainSmallModel(in: folder, ensemble: 2)
            for (name, rows) in [("a.h5", "0:300"), ("b.h5", "300:615")] {
                let run = try galen("predict", "--model", ensemble, "--library", smallTarget, "--rows", rows, "--out", path(name), "--overwrite")
                try #require(run.status == 0, "\(run.errors)")
            }
            try copyEdited(path("b.h5"), to: path("c.h5"), "f['predictions/spread'][3, 0] = -1")
            let merge = try galen("merge", path("a.h5"), path("c.h5"), "--out", path("m.h5"))
            #expect(merge.status == 1 && merge.errors.contains("predictions/spread row 303 of the library holds -1.0"), "\(merge.errors)")
            let inspect = try galen("inspect", path("c.h5"))
            #expect(inspect.status == 1 && inspect.output.contains("/predictions/spread row 3 holds -1.0"), "\(inspect.output)")
        }
    }
}

/// A copy of the library `source` at `target` whose `datasets` claim `rows` rows: each replaced by
/// an unwritten one of the same type, attributes and row width, so the file stays a few kilobytes.
private func copyClaimingRows(_ rows: Int, of source: String, to target: String, in datasets: [String]) throws {
    try copyEdited(source, to: target, """
        for name in sys.argv[4:]:
            old = f[name]
            shape, dtype, attributes = (int(sys.argv[3]),) + old.shape[1:], old.dtype, dict(old.attrs)
            del f[name]
            f.create_dataset(name, shape=shape, dtype=dtype, chunks=(4096,) + shape[1:]).attrs.update(attributes)
        """, arguments: ["\(rows)"] + datasets)
}
