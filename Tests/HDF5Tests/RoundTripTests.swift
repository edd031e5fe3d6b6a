import Foundation
import HDF5
import Testing
import TestSupport

@Suite struct RoundTripTests {
    static let shapes = [[7], [7, 5], [7, 5, 3], [7, 5, 3, 2]]

    @Test(arguments: shapes)
    func everyNumericTypeRoundTripsChunkedWithGzipAndShuffle(shape: [Int]) throws {
        try withTemporaryFile { path in
            let count = shape.reduce(1, *)
            let values = (
                float32: (0..<count).map { Float($0) * 0.37 - 5 },
                float64: (0..<count).map { Double($0) * 1e-3 - 1e300 * Double($0 % 2) },
                int8: (0..<count).map { Int8(truncatingIfNeeded: $0 * 37 - 128) },
                int16: (0..<count).map { Int16(truncatingIfNeeded: $0 * 4099 - 32768) },
                int32: (0..<count).map { Int32(truncatingIfNeeded: $0 * 1_000_003 - Int(Int32.max)) },
                int64: (0..<count).map { Int64($0) * 7_000_000_000_000_001 &+ Int64.min },
                uint8: (0..<count).map { UInt8(truncatingIfNeeded: $0 * 13) })
            let chunks = shape.map { max(1, $0 / 2) }

            let file = try HDF5File.create(path)
            func store<T: HDF5Scalar>(_ values: [T]) throws {
                try file.createDataset(
                    "\(T.elementType)", elementType: T.elementType, shape: shape,
                    chunks: chunks, gzipLevel: 6, shuffle: true
                ).write(values)
            }
            try store(values.float32)
            try store(values.float64)
            try store(values.int8)
            try store(values.int16)
            try store(values.int32)
            try store(values.int64)
            try store(values.uint8)
            try file.close()

            let reopened = try HDF5File.open(path)
            func load<T: HDF5Scalar>(_ type: T.Type) throws -> [T] {
                let dataset = try reopened.dataset("\(T.elementType)")
                #expect(try dataset.shape == shape)
                #expect(try dataset.elementType == T.elementType)
                return try dataset.read()
            }
            #expect(try load(Float.self) == values.float32)
            #expect(try load(Double.self) == values.float64)
            #expect(try load(Int8.self) == values.int8)
            #expect(try load(Int16.self) == values.int16)
            #expect(try load(Int32.self) == values.int32)
            #expect(try load(Int64.self) == values.int64)
            #expect(try load(UInt8.self) == values.uint8)
        }
    }

    @Test func extremeValuesSurvive() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let floats: [Float] = [.infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0]
            let ints: [Int64] = [.min, .max, 0, -1]
            try file.createDataset("f", elementType: .float32, shape: [floats.count]).write(floats)
            try file.createDataset("i", elementType: .int64, shape: [ints.count]).write(ints)
            let nan = try file.createDataset("nan", elementType: .float64, shape: [1])
            try nan.write([Double.nan])
            #expect(try file.dataset("f").read(as: Float.self) == floats)
            #expect(try file.dataset("i").read(as: Int64.self) == ints)
            #expect(try nan.read(as: Double.self)[0].isNaN)
        }
    }

    @Test func scalarAndEmptyDatasets() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let scalar = try file.createDataset("scalar", elementType: .float64, shape: [])
            try scalar.write([2.5])
            #expect(try scalar.shape == [])
            #expect(try scalar.read(as: Double.self) == [2.5])

            let empty = try file.createDataset("empty", elementType: .int16, shape: [0, 4])
            try empty.write([Int16]())
            #expect(try empty.read(as: Int16.self) == [])
        }
    }

    @Test func stringsWithNonASCIITextRoundTrip() throws {
        try withTemporaryFile { path in
            let strings = ["", "hello", "héllo wörld", "日本語のテキスト", "emoji 🎉👩‍🔬", "tab\tand\nnewline", String(repeating: "ü", count: 5000)]
            let file = try HDF5File.create(path)
            try file.createDataset("plain", elementType: .string, shape: [strings.count]).write(strings)
            let grid = try file.createDataset(
                "grid", elementType: .string, shape: [0, 2], unlimitedRows: true, chunks: [4, 2], gzipLevel: 4, shuffle: true)
            try grid.append(Array(strings.prefix(6)))
            try grid.append(["α", "β"])
            try grid.writeRows(["x", "y"], at: 1)
            try file.close()

            let reopened = try HDF5File.open(path)
            let plain = try reopened.dataset("plain")
            #expect(try plain.elementType == .string)
            #expect(try plain.read(as: String.self) == strings)
            #expect(try plain.readRows(2..<4, as: String.self) == ["héllo wörld", "日本語のテキスト"])
            let readGrid = try reopened.dataset("grid")
            #expect(try readGrid.shape == [4, 2])
            #expect(try readGrid.read(as: String.self) == ["", "hello", "x", "y", "emoji 🎉👩‍🔬", "tab\tand\nnewline", "α", "β"])
        }
    }

    @Test func attributesOfEveryKindOnFilesGroupsAndDatasets() throws {
        try withTemporaryFile { path in
            let values: [String: AttributeValue] = [
                "int": 42, "negative": .int(-7), "double": 0.1, "float": .float(1.5), "string": "日本 ü",
                "empty string": "", "ints": .ints([1, -2, .max]), "doubles": .doubles([0.5, -1e-300]),
                "floats": .floats([1, 2.5]), "strings": .strings(["a", "é", ""]), "no ints": .ints([]),
            ]
            let file = try HDF5File.create(path)
            let group = try file.createGroup("g")
            let dataset = try group.createDataset("d", elementType: .uint8, shape: [1])
            for attributes in [file.attributes, group.attributes, dataset.attributes] {
                for (name, value) in values { try attributes.set(name, value) }
            }
            try dataset.attributes.set("int", "now a string")
            try file.close()

            let reopened = try HDF5File.open(path)
            let readDataset = try reopened.dataset("g/d")
            let owners = [("file", reopened.attributes), ("group", try reopened.group("g").attributes), ("dataset", readDataset.attributes)]
            for (owner, attributes) in owners {
                #expect(try attributes.names() == values.keys.sorted())
                #expect(try attributes.contains("float"))
                #expect(try !attributes.contains("missing"))
                for (name, value) in values where !(owner == "dataset" && name == "int") {
                    #expect(try attributes.get(name) == value, "\(owner) attribute \(name)")
                }
            }
            #expect(try readDataset.attributes.get("int") == "now a string")
            let error = try expectHDF5Error { _ = try readDataset.attributes.get("missing") }
            #expect(error.description.hasPrefix("HDF5: cannot read attribute 'missing' of '/g/d' in '\(path)': "))
        }
    }
}
