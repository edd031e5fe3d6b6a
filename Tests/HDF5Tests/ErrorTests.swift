@preconcurrency import CHDF5
import Foundation
import HDF5
import Testing
import TestSupport

@Suite struct ErrorTests {
    @Test func missingObjectsNameFileObjectAndHDF5sMessage() throws {
        try withTemporaryFile { path in
            try HDF5File.create(path).createGroup("assays")
            let file = try HDF5File.open(path)
            let error = try expectHDF5Error { _ = try file.dataset("/assays/values") }
            #expect(error.file == path)
            #expect(error.object == "/assays/values")
            #expect(error.description == "HDF5: cannot open dataset '/assays/values' in '\(path)': \(error.message)")
            #expect(error.message.contains("doesn't exist"))
            let group = try expectHDF5Error { _ = try file.group("assays").group("nested") }
            #expect(group.object == "/assays/nested")
        }
    }

    /// Bytes that are not UTF-8 (written by h5py, variable- and fixed-length) are refused by
    /// element, not read as U+FFFD, which would make two different ids read alike.
    @Test func stringsThatAreNotUTF8AreRefusedByElement() throws {
        try withTemporaryFile { path in
            let write = try runTool(["python3", "-c", """
                import h5py, numpy as np, sys
                with h5py.File(sys.argv[1], "w") as f:
                    f.create_dataset("variable", data=np.array([b"ok", b"\\xff\\xfe", b"fine"], dtype=object), dtype=h5py.string_dtype("utf-8"))
                    f.create_dataset("fixed", data=np.array([b"ok", b"ab", b"\\xc3("], dtype="S2"))
                """, path])
            try #require(write.status == 0, "\(write.errors)")
            let file = try HDF5File.open(path)
            for (name, element) in [("variable", 1), ("fixed", 2)] {
                #expect(try expectHDF5Error { _ = try file.dataset(name).read(as: String.self) }.message == "element \(element) is not valid UTF-8")
                #expect(try expectHDF5Error { _ = try file.dataset(name).readRows(1..<3, as: String.self) }.message == "element \(element) is not valid UTF-8")
            }
            #expect(try file.dataset("variable").readRows(2..<3, as: String.self) == ["fine"])
        }
    }

    @Test func elementTypesAreNeverConvertedSilently() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let floats = try file.createDataset("floats", elementType: .float32, shape: [2])
            try floats.write([Float(1), 2])
            let error = try expectHDF5Error { _ = try floats.read(as: Int64.self) }
            #expect(error.description == "HDF5: cannot read dataset '/floats' in '\(path)': stored as float32, requested int64")
            // One closure list: three separate #expect(throws:) closures over `floats` crash swiftc 6.3.1.
            let wrongUses: [() throws -> Void] = [
                { _ = try floats.read(as: Double.self) },
                { _ = try floats.read(as: String.self) },
                { try floats.write(["a", "b"]) },
            ]
            for use in wrongUses { #expect(throws: HDF5Error.self, performing: use) }
            let strings = try file.createDataset("strings", elementType: .string, shape: [1])
            let reverse = try expectHDF5Error { _ = try strings.readRows(0..<1, as: Float.self) }
            #expect(reverse.message == "stored as string, requested float32")
        }
    }

    /// A small file can declare a shape whose values no memory holds; a read refuses it before
    /// allocating (a failed allocation would stop the process).
    @Test func readsTooLargeForMemoryAreRefused() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let huge = try file.createDataset("fingerprints", elementType: .uint8, shape: [615, 1 << 31], chunks: [1, 1 << 20])
            let whole = try expectHDF5Error { _ = try huge.read(as: UInt8.self) }
            #expect(whole.description.hasPrefix("HDF5: cannot read dataset '/fingerprints' in '\(path)': [615, 2147483648] values need 1320.7 GB"))
            #expect(whole.message.hasSuffix("more than this machine's memory (\(String(format: "%.1f", Double(ProcessInfo.processInfo.physicalMemory) / 1e9)) GB)"))
            let rows = try expectHDF5Error { _ = try huge.readRows(0..<600, as: UInt8.self) }
            #expect(rows.message.hasPrefix("[600, 2147483648] values need"))
            let names = try file.createDataset("ids", elementType: .string, shape: [1 << 40], chunks: [1 << 20])
            #expect(try expectHDF5Error { _ = try names.read(as: String.self) }.message.contains("more than this machine's memory"))
        }
    }

    @Test func missingEmptyAndForeignFilesAreNotHDF5() throws {
        try withTemporaryFile { path in
            let missing = try expectHDF5Error { _ = try HDF5File.open(path) }
            #expect(missing.description == "HDF5: cannot open file '\(path)': no such file")

            try Data().write(to: URL(fileURLWithPath: path))
            let empty = try expectHDF5Error { _ = try HDF5File.open(path) }
            #expect(empty.description == "HDF5: cannot open file '\(path)': not an HDF5 file")

            try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: path))
            let text = try expectHDF5Error { _ = try HDF5File.open(path, mode: .readWrite) }
            #expect(text.message == "not an HDF5 file")
        }
    }

    @Test func truncatedFilesFailToOpen() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            try file.createDataset("x", elementType: .float64, shape: [10_000]).write([Double](repeating: 1, count: 10_000))
            try file.close()
            let whole = try Data(contentsOf: URL(fileURLWithPath: path))
            for length in [8, 100, 1000, whole.count / 2, whole.count - 1] {
                try whole.prefix(length).write(to: URL(fileURLWithPath: path))
                let error = try expectHDF5Error { _ = try HDF5File.open(path).dataset("x").read(as: Double.self) }
                #expect(!error.message.isEmpty, "length \(length)")
            }
        }
    }

    /// A valid signature followed by garbage must fail cleanly, never crash or hang.
    @Test(arguments: 0..<16)
    func randomBytesAfterAValidSignatureFail(seed: Int) throws {
        try withTemporaryFile { path in
            var generator = SplitMix64(seed: UInt64(seed))
            let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]
            let length = [64, 512, 4096, 65_536][seed % 4]
            var bytes = signature + (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Also try a plausible superblock version so parsing goes deeper before failing.
            if seed % 2 == 1 { bytes[8] = UInt8(seed % 4 == 1 ? 0 : 2) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = try expectHDF5Error {
                let file = try HDF5File.open(path)
                for name in try file.members() { _ = try file.dataset(name).read(as: UInt8.self) }
            }
            #expect(!error.message.isEmpty)
        }
    }

    @Test func unsupportedStoredTypesAreNamed() throws {
        try withTemporaryFile { path in
            // A uint16 dataset as other tools write it, made with the C API directly.
            let id = H5Fcreate(path, 0x0002, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            var dims: hsize_t = 3
            let space = H5Screate_simple(1, &dims, nil)
            H5Dclose(H5Dcreate2(id, "u16", H5T_STD_U16LE_g, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)))
            H5Sclose(space)
            H5Fclose(id)

            let dataset = try HDF5File.open(path).dataset("u16")
            let error = try expectHDF5Error { _ = try dataset.elementType }
            #expect(error.message == "unsupported element type uint16")
            #expect(throws: HDF5Error.self) { _ = try dataset.read(as: UInt8.self) }
        }
    }

    /// libhdf5 keeps its error-printing switch per thread; a fresh thread must print nothing either.
    @Test func hdf5StopsPrintingErrorStacksOnEveryThread() throws {
        try withTemporaryFile { path in
            let printing = PrintingSwitch()
            let thread = Thread {
                _ = try? HDF5File.open(path)
                var function: H5E_auto2_t?
                var data: UnsafeMutableRawPointer?
                H5Eget_auto2(hid_t(H5E_DEFAULT), &function, &data)
                printing.isOn = function != nil
                printing.done.signal()
            }
            thread.start()
            printing.done.wait()
            #expect(!printing.isOn)
        }
    }
}

/// Written by one thread and read by another only after `done` is signalled.
final class PrintingSwitch: @unchecked Sendable {
    var isOn = true
    let done = DispatchSemaphore(value: 0)
}

/// A small seeded generator, so corrupt-file cases are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
