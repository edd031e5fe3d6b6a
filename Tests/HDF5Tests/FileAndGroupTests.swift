import Foundation
import HDF5
import Testing
import TestSupport

@Suite struct FileAndGroupTests {
    @Test func groupsAreCreatedWithIntermediatesListedAndFound() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let leaf = try file.createGroup("model/layers/dense")
            #expect(leaf.name == "/model/layers/dense")
            try file.group("model").createGroup("optimizer")
            try file.createDataset("model/layers/dense/kernel", elementType: .float32, shape: [2, 2])
            try file.createDataset("/data/x", elementType: .uint8, shape: [3])

            #expect(try file.members() == ["data", "model"])
            #expect(try file.group("model").members() == ["layers", "optimizer"])
            #expect(try file.group("/model/layers").group("dense").name == "/model/layers/dense")
            #expect(try leaf.members() == ["kernel"])
            #expect(try leaf.dataset("kernel").name == "/model/layers/dense/kernel")
            #expect(try file.contains("model/layers/dense/kernel"))
            #expect(try file.contains("/data/x"))
            #expect(try file.contains("/"))
            #expect(try file.group("model").contains("layers/dense"))
            #expect(try !file.contains("model/missing/deeper"))
            #expect(try !file.contains("nothing"))
        }
    }

    @Test func createFailsOnAnExistingFileUnlessTruncating() throws {
        try withTemporaryFile { path in
            try HDF5File.create(path).createGroup("old")
            let error = try expectHDF5Error { _ = try HDF5File.create(path) }
            #expect(error.description == "HDF5: cannot create file '\(path)': the file already exists")
            let file = try HDF5File.create(path, ifExists: .truncate)
            #expect(try file.members() == [])
        }
    }

    @Test func readOnlyFilesRefuseWritesAndReadWriteFilesAcceptThem() throws {
        try withTemporaryFile { path in
            try HDF5File.create(path).createDataset("x", elementType: .int32, shape: [2])

            let readOnly = try HDF5File.open(path)
            let error = try expectHDF5Error { try readOnly.createGroup("g") }
            #expect(error.object == "/g")
            #expect(error.action == "create group")
            #expect(throws: HDF5Error.self) { try readOnly.dataset("x").write([Int32(1), 2]) }
            try readOnly.close()

            let readWrite = try HDF5File.open(path, mode: .readWrite)
            try readWrite.dataset("x").write([Int32(1), 2])
            try readWrite.flush()
            #expect(try HDF5File.open(path).dataset("x").read(as: Int32.self) == [1, 2])
        }
    }

    @Test func closingTheFileClosesItsObjectsAndLaterUseThrows() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let dataset = try file.createDataset("x", elementType: .float64, shape: [1])
            let group = try file.createGroup("g")
            try file.close()
            try file.close()

            let error = try expectHDF5Error { _ = try dataset.read(as: Double.self) }
            #expect(error.description == "HDF5: cannot read dataset '/x' in '\(path)': the file is closed")
            #expect(throws: HDF5Error.self) { try group.attributes.set("a", 1) }
            #expect(throws: HDF5Error.self) { try file.flush() }
            // Closed on disk at once: it can be truncated even though objects from it are still referenced.
            _ = try HDF5File.create(path, ifExists: .truncate)
            withExtendedLifetime((dataset, group)) {}
        }
    }
}

@Suite("Removing members")
struct RemoveTests {
    @Test func removedDatasetIsGoneAndItsNameReusable() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            try file.createDataset("a/b", elementType: .int8, shape: [2]).write([Int8(1), 2])
            try file.remove("a/b")
            #expect(try !file.contains("a/b") && file.contains("a"))
            try file.createDataset("a/b", elementType: .float32, shape: [1]).write([Float(3)])
            #expect(try file.dataset("a/b").read(as: Float.self) == [3])
            #expect(throws: HDF5Error.self) { try file.remove("missing") }
        }
    }
}
