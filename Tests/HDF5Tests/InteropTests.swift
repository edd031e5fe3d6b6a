import Foundation
import HDF5
import Testing
import TestSupport

/// Files exchanged with h5py both ways, and shown by h5dump; Fixtures/h5py_interop.py is the h5py side.
@Suite struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures/h5py_interop.py").path

    // The same content as the script's constants.
    static let float32 = (0..<12).map { Float($0) / 4 }
    static let int64: [Int64] = [-(1 << 62), -1, 0, 1, 1 << 62]
    static let uint8 = (0..<256).map { UInt8($0) }
    static let strings = ["alpha", "héllo wörld", "日本語", ""]
    static let gzip = (0..<100_000).map { Float($0 % 251) }
    static let stream = (0..<40).map { Double($0) }

    /// Runs the fixture script; a missing python3 or h5py fails with the reason.
    func runScript(_ command: String, _ path: String) throws {
        let run = try runTool(["python3", Self.script, command, path])
        try #require(run.status == 0, "h5py_interop.py \(command) failed: \(run.errors)")
    }

    /// What Galen reports of libhdf5 (galen doctor) is what pkg-config links against and its build
    /// settings say: streaming relies on thread safety, or takes turns without it.
    @Test func reportsTheLibraryItLinks() throws {
        let version = try runTool(["pkg-config", "--modversion", "hdf5"])
        #expect(HDF5Build.version == version.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let folder = try runTool(["pkg-config", "--libs-only-L", "hdf5"]).output.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2)
        try #require(!folder.isEmpty, "pkg-config gives no library folder for hdf5")
        let settings = try String(contentsOfFile: "\(folder)/libhdf5.settings", encoding: .utf8)
        let threadSafety = try #require(settings.split(separator: "\n").first { $0.contains("Threadsafety:") })
        #expect(threadSafety.hasSuffix("yes") == HDF5Build.isThreadSafe, "\(threadSafety)")
    }

    @Test func readsWhatH5pyWrites() throws {
        try withTemporaryFile { path in
            try runScript("write", path)
            let file = try HDF5File.open(path)
            #expect(try file.dataset("float32").shape == [3, 4])
            #expect(try file.dataset("float32").read(as: Float.self) == Self.float32)
            #expect(try file.dataset("int64").read(as: Int64.self) == Self.int64)
            #expect(try file.dataset("uint8").read(as: UInt8.self) == Self.uint8)
            #expect(try file.dataset("strings").read(as: String.self) == Self.strings)
            #expect(try file.dataset("fixed_strings").read(as: String.self) == ["ab", "cde", ""])
            let gzip = try file.dataset("gzip")
            #expect(try gzip.read(as: Float.self) == Self.gzip)
            #expect(try gzip.readRows(990..<1000, as: Float.self) == Array(Self.gzip[99_000...]))
            #expect(try gzip.compression.gzipLevel == 4 && gzip.compression.shuffle)
            #expect(try file.dataset("float32").compression.gzipLevel == nil && !file.dataset("float32").compression.shuffle)
            #expect(try file.dataset("stream").readRows(1..<3, as: Double.self) == Array(Self.stream[8..<24]))
            let bool = try expectHDF5Error { _ = try file.dataset("bool").read(as: Int8.self) }
            #expect(bool.message == "unsupported element type enum (such as numpy bool)")

            #expect(try file.members() == ["bool", "fixed_strings", "float32", "gzip", "int64", "model", "stream", "strings", "uint8"])
            #expect(try file.attributes.get("name") == "galen interop ü")
            #expect(try file.attributes.get("version") == 3)
            #expect(try file.attributes.get("scale") == 0.5)
            let layers = try file.group("model/layers").attributes
            #expect(try layers.get("layer_names") == .strings(["dense", "dense_1"]))
            #expect(try layers.get("tags") == .strings(["a", "ü"]))
            let attributes = try file.dataset("float32").attributes
            #expect(try attributes.get("units") == "m/s")
            #expect(try attributes.get("float_scale") == .float(1.5))
            #expect(try attributes.get("ints") == .ints([1, 2, 3]))
            #expect(try attributes.get("doubles") == .doubles([0.25, 0.5]))
        }
    }

    @Test func h5pyReadsWhatWeWrite() throws {
        try withTemporaryFile { path in
            try writeReference(path)
            try runScript("check", path)
        }
    }

    @Test func float16GoesBothWaysWithH5py() throws {
        let values: [Float16] = [0, 0.5, -1.25, 1000, 65504, -0.000061035156]
        try withTemporaryFile { path in
            let file = try HDF5File.create(path, ifExists: .truncate)
            try file.createDataset("half", elementType: .float16, shape: [2, 3]).write(values)
            try file.close()
            let check = try runTool(["python3", "-c", """
                import h5py, numpy as np, sys
                f = h5py.File(sys.argv[1], "a")
                d = f["half"]
                assert d.dtype == np.float16, d.dtype
                assert (d[:] == np.array([[0, 0.5, -1.25], [1000, 65504, -2.0**-14]], dtype=np.float16)).all(), d[:]
                f["from_h5py"] = np.array([1.5, -2, 0.099975586], dtype=np.float16)
                f.close()
                """, path])
            try #require(check.status == 0, "h5py: \(check.errors)")
            let back = try HDF5File.open(path)
            #expect(try back.dataset("half").read(as: Float16.self) == values)
            #expect(try back.dataset("from_h5py").elementType == .float16)
            #expect(try back.dataset("from_h5py").read(as: Float16.self) == [1.5, -2, 0.099975586])
        }
    }

    @Test func h5dumpPrintsWhatWeWrite() throws {
        try withTemporaryFile { path in
            try writeReference(path)
            let run = try runTool(["h5dump", "-p", "-H", path])
            try #require(run.status == 0, "h5dump failed: \(run.errors)")
            for expected in [
                "DATASET \"float32\"", "H5T_IEEE_F32LE", "DATASET \"int64\"", "H5T_STD_I64LE", "DATASET \"uint8\"",
                "H5T_STD_U8LE", "DATASET \"strings\"", "CSET H5T_CSET_UTF8", "DATASET \"gzip\"", "CHUNKED ( 100, 100 )",
                "COMPRESSION DEFLATE { LEVEL 4 }", "SHUFFLE", "( 5, 8 ) / ( H5S_UNLIMITED, 8 )", "GROUP \"layers\"",
                "ATTRIBUTE \"units\"",
            ] {
                #expect(run.output.contains(expected), "h5dump output lacks \(expected)")
            }
            let values = try runTool(["h5dump", "-d", "/int64", path])
            #expect(values.output.contains("-4611686018427387904, -1, 0, 1, 4611686018427387904"))
        }
    }

    private func writeReference(_ path: String) throws {
        let file = try HDF5File.create(path)
        try file.createDataset("float32", elementType: .float32, shape: [3, 4]).write(Self.float32)
        try file.createDataset("int64", elementType: .int64, shape: [5]).write(Self.int64)
        try file.createDataset("uint8", elementType: .uint8, shape: [16, 16]).write(Self.uint8)
        try file.createDataset("strings", elementType: .string, shape: [4]).write(Self.strings)
        try file.createDataset(
            "gzip", elementType: .float32, shape: [1000, 100], chunks: [100, 100], gzipLevel: 4, shuffle: true
        ).write(Self.gzip)
        let stream = try file.createDataset("stream", elementType: .float64, shape: [0, 8], unlimitedRows: true, chunks: [4, 8])
        for start in stride(from: 0, to: 40, by: 16) { try stream.append(Array(Self.stream[start..<min(start + 16, 40)])) }
        try file.createGroup("model/layers").attributes.set("tags", .strings(["a", "ü"]))
        try file.attributes.set("name", "galen interop ü")
        try file.attributes.set("version", 3)
        try file.attributes.set("scale", 0.5)
        let attributes = try file.dataset("float32").attributes
        try attributes.set("units", "m/s")
        try attributes.set("float_scale", .float(1.5))
        try attributes.set("ints", .ints([1, 2, 3]))
        try attributes.set("doubles", .doubles([0.25, 0.5]))
        try file.close()
    }
}
