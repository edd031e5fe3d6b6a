import Foundation
import HDF5
import Testing
import TestSupport

@Suite struct RowsTests {
    @Test func rowBlocksReadAndWriteInsideTheShape() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let dataset = try file.createDataset("m", elementType: .int32, shape: [6, 3], chunks: [4, 3])
            try dataset.write((0..<18).map(Int32.init))
            #expect(try dataset.readRows(1..<3) == [3, 4, 5, 6, 7, 8] as [Int32])
            #expect(try dataset.readRows(4..<4, as: Int32.self) == [])
            try dataset.writeRows([Int32](repeating: -1, count: 6), at: 4)
            #expect(try dataset.readRows(3..<6, as: Int32.self) == [9, 10, 11, -1, -1, -1, -1, -1, -1])

            let outside = try expectHDF5Error { _ = try dataset.readRows(5..<7, as: Int32.self) }
            #expect(outside.description == "HDF5: cannot read rows of dataset '/m' in '\(path)': rows 5..<7 are out of bounds for 6 rows")
            #expect(throws: HDF5Error.self) { _ = try dataset.readRows(-1..<1, as: Int32.self) }
            #expect(throws: HDF5Error.self) { try dataset.writeRows([Int32](repeating: 0, count: 6), at: 5) }
            let partial = try expectHDF5Error { try dataset.writeRows([Int32(1), 2], at: 0) }
            #expect(partial.message == "2 values do not fill whole rows of shape [6, 3]")
            let whole = try expectHDF5Error { try dataset.write([Int32(1), 2]) }
            #expect(whole.message == "2 values given, 18 expected for shape [6, 3]")
        }
    }

    @Test func growingNeedsUnlimitedRowsAndNeverShrinks() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let fixed = try file.createDataset("fixed", elementType: .float32, shape: [2, 2], chunks: [1, 2])
            let tooMany = try expectHDF5Error { try fixed.append([Float](repeating: 0, count: 2)) }
            #expect(tooMany.message == "at most 2 rows fit; create it with unlimitedRows: true to grow it")
            #expect(try fixed.shape == [2, 2])

            let growing = try file.createDataset("growing", elementType: .float32, shape: [1, 2], unlimitedRows: true, chunks: [8, 2])
            try growing.extend(toRows: 3)
            #expect(try growing.read(as: Float.self) == [0, 0, 0, 0, 0, 0])
            #expect(throws: HDF5Error.self) { try growing.extend(toRows: 2) }
            let mismatch = try expectHDF5Error { try growing.append([Int64(1), 2]) }
            #expect(mismatch.message == "stored as float32, given int64")
            #expect(try growing.shape == [3, 2])

            let scalar = try file.createDataset("scalar", elementType: .int8, shape: [])
            let noRows = try expectHDF5Error { _ = try scalar.readRows(0..<1, as: Int8.self) }
            #expect(noRows.message == "a scalar has no rows")
        }
    }

    @Test func creationOptionsAreChecked() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let unchunked = try expectHDF5Error {
                try file.createDataset("a", elementType: .uint8, shape: [4], unlimitedRows: true)
            }
            #expect(unchunked.message == "unlimited rows, gzip, shuffle and allocated chunks need a chunk shape")
            let compressedAllocation = try expectHDF5Error {
                try file.createDataset("c", elementType: .float32, shape: [4, 2], chunks: [2, 2], gzipLevel: 4, allocateChunks: true)
            }
            #expect(compressedAllocation.message == "allocated chunks have a fixed size: no unlimited rows, gzip or shuffle")
            let rank = try expectHDF5Error {
                try file.createDataset("b", elementType: .uint8, shape: [4, 4], chunks: [4])
            }
            #expect(rank.message == "chunk shape [4] does not fit shape [4, 4]")
            #expect(throws: HDF5Error.self) {
                try file.createDataset("c", elementType: .uint8, shape: [4], chunks: [4], gzipLevel: 10)
            }
            #expect(throws: HDF5Error.self) { try file.createDataset("d", elementType: .uint8, shape: [-1]) }
            try file.createDataset("e", elementType: .uint8, shape: [4])
            #expect(throws: HDF5Error.self) { try file.createDataset("e", elementType: .uint8, shape: [4]) }
        }
    }

    /// 1,000,000 x 64 float32 (256 MB) appended in blocks, then read back in blocks of a different size.
    @Test func streamedAppendOfAMillionRows() throws {
        try withTemporaryFile { path in
            let rows = 1_000_000, columns = 64, appendBlock = 25_000, readBlock = 65_536
            func value(_ row: Int, _ column: Int) -> Float { Float(row) + Float(column) / 64 }

            let file = try HDF5File.create(path)
            let dataset = try file.createDataset(
                "stream", elementType: .float32, shape: [0, columns], unlimitedRows: true,
                chunks: [4096, columns], gzipLevel: 1, shuffle: true)
            var block = [Float](repeating: 0, count: appendBlock * columns)
            for start in stride(from: 0, to: rows, by: appendBlock) {
                block.withUnsafeMutableBufferPointer { buffer in
                    for row in 0..<appendBlock {
                        for column in 0..<columns { buffer[row * columns + column] = value(start + row, column) }
                    }
                }
                try dataset.append(block)
            }
            try file.close()

            let reopened = try HDF5File.open(path).dataset("stream")
            #expect(try reopened.shape == [rows, columns])
            var mismatches = 0
            for start in stride(from: 0, to: rows, by: readBlock) {
                let end = min(start + readBlock, rows)
                let values = try reopened.readRows(start..<end, as: Float.self)
                try #require(values.count == (end - start) * columns)
                values.withUnsafeBufferPointer { buffer in
                    for row in 0..<(end - start) {
                        for column in 0..<columns where buffer[row * columns + column] != value(start + row, column) {
                            mismatches += 1
                        }
                    }
                }
            }
            #expect(mismatches == 0)
        }
    }
}
