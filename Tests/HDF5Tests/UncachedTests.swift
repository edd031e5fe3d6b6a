import Foundation
import HDF5
import Testing
import TestSupport

/// Rows written straight to their chunks' place in the file (`writeRowsUncached`).
@Suite struct UncachedTests {
    /// Chunks of 64 KiB (placed on a page: the whole chunk goes with O_DIRECT), of 13,320 bytes
    /// (unaligned, with whole pages inside and ordinary writes at both ends) and of 280 bytes (no
    /// whole page: ordinary writes only), in float32 and float16, written last chunk first; the
    /// last chunk is partial.
    static let layouts: [(name: String, type: ElementType, rows: Int, width: Int, chunkRows: Int)] = [
        ("aligned", .float32, 2_500, 16, 1_024), ("unaligned", .float32, 1_000, 10, 333),
        ("small", .float32, 95, 7, 10), ("half", .float16, 700, 12, 256),
    ]

    static func value(_ row: Int, _ column: Int, width: Int) -> Float { Float(row * width + column) / 8 - 100 }

    @Test func chunksWrittenPastTheCachesReadBackInHDF5AndH5py() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            for layout in Self.layouts {
                let dataset = try file.createDataset(layout.name, elementType: layout.type, shape: [layout.rows, layout.width],
                                                     chunks: [layout.chunkRows, layout.width], allocateChunks: true)
                for start in stride(from: 0, to: layout.rows, by: layout.chunkRows).reversed() {
                    let rows = start..<min(start + layout.chunkRows, layout.rows)
                    let values = rows.flatMap { row in (0..<layout.width).map { Self.value(row, $0, width: layout.width) } }
                    let direct = layout.type == .float16
                        ? try dataset.writeRowsUncached(values.map(Float16.init), at: start)
                        : try dataset.writeRowsUncached(values, at: start)
                    #expect(direct, "\(layout.name) rows \(rows)")
                }
            }
            try file.close()

            let reopened = try HDF5File.open(path)
            for layout in Self.layouts {
                let expected = (0..<layout.rows).flatMap { row in (0..<layout.width).map { Self.value(row, $0, width: layout.width) } }
                let dataset = try reopened.dataset(layout.name)
                let stored = layout.type == .float16 ? try dataset.read(as: Float16.self).map(Float.init) : try dataset.read(as: Float.self)
                #expect(stored == (layout.type == .float16 ? expected.map { Float(Float16($0)) } : expected), "\(layout.name)")
            }
            try reopened.close()

            let layouts = Self.layouts.map { "\($0.name):\($0.rows):\($0.width)" }.joined(separator: ",")
            let check = try runTool(["python3", "-c", """
                import h5py, numpy as np, sys
                with h5py.File(sys.argv[1], "r") as f:
                    for layout in sys.argv[2].split(","):
                        name, rows, width = layout.split(":")
                        rows, width = int(rows), int(width)
                        data = f[name]
                        expected = (np.arange(rows * width).reshape(rows, width) / 8 - 100).astype(data.dtype)
                        assert np.array_equal(data[:], expected), name
                        if name == "aligned":
                            offsets = [data.id.get_chunk_info(i).byte_offset for i in range(data.id.get_num_chunks())]
                            assert all(offset % 4096 == 0 for offset in offsets), offsets
                print("ok")
                """, path, layouts])
            #expect(check.status == 0 && check.output == "ok\n", "\(check.errors)")
        }
    }

    @Test func rowsThatAreNotOneAllocatedChunkAreWrittenAsUsual() throws {
        try withTemporaryFile { path in
            let file = try HDF5File.create(path)
            let make = { (name: String, gzip: Int?, allocate: Bool) in
                try file.createDataset(name, elementType: .float32, shape: [40, 2], chunks: [10, 2], gzipLevel: gzip, allocateChunks: allocate)
            }
            let whole = try make("whole", nil, true)
            #expect(try !whole.writeRowsUncached((0..<80).map(Float.init), at: 0), "four chunks at once")
            #expect(try whole.read(as: Float.self) == (0..<80).map(Float.init))

            for (dataset, allocated) in [(try make("allocated", nil, true), true), (try make("compressed", 4, false), false),
                                         (try make("unallocated", nil, false), false)] {
                #expect(try !dataset.writeRowsUncached([Float](repeating: -1, count: 10), at: 5), "rows 5..<10 are half a chunk")
                #expect(try dataset.writeRowsUncached([Float](repeating: -2, count: 20), at: 30) == allocated, "rows 30..<40 are the last chunk")
                #expect(try dataset.readRows(5..<10, as: Float.self) == [Float](repeating: -1, count: 10))
                #expect(try dataset.readRows(30..<40, as: Float.self) == [Float](repeating: -2, count: 20))
            }
            let mismatch = try expectHDF5Error { try whole.writeRowsUncached([Int32](repeating: 0, count: 20), at: 0) }
            #expect(mismatch.message == "stored as float32, given int32")
            // A whole chunk's worth of rows that runs past the last row is refused, as writeRows refuses it.
            let short = try file.createDataset("short", elementType: .float32, shape: [25, 2], chunks: [10, 2], allocateChunks: true)
            let past = try expectHDF5Error { try short.writeRowsUncached([Float](repeating: 1, count: 20), at: 20) }
            #expect(past.message == "rows 20..<30 are out of bounds for 25 rows")
            try file.close()

            // A file open for reading only is not written behind HDF5's back.
            let readOnly = try HDF5File.open(path)
            #expect(throws: HDF5Error.self) { try readOnly.dataset("allocated").writeRowsUncached([Float](repeating: 3, count: 20), at: 0) }
            #expect(try readOnly.dataset("allocated").readRows(0..<1, as: Float.self) != [3, 3])
        }
    }
}
