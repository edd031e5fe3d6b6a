// Write and read a [1,000,000 x 256] UInt8 dataset, chunks [2048, 256], gzip 4 + shuffle.
//
//   Benchmarks/.build/release/hdf5-bench [PATH]
//
// MB/s counts uncompressed bytes (10^6 per MB) over wall time from create/open to close; median of 3 runs.
// Benchmarks/reference/hdf5_h5py.py does the same with h5py, on the same bytes.
import Foundation
import HDF5

let rows = 1_000_000, columns = 256, chunkRows = 2048, runs = 3
let megabytes = Double(rows * columns) / 1e6
let path = CommandLine.arguments.dropFirst().first
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("galen-hdf5-bench.h5").path

/// value[i, j] = (j + 4 hash bits of i*256+j) mod 256: compressible, but not trivially.
func makeData() -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: rows * columns) { buffer, count in
        for k in 0..<(rows * columns) {
            let noise = (UInt64(k) &* 2_654_435_761 & 0xFFFF_FFFF) >> 28
            buffer[k] = UInt8(truncatingIfNeeded: UInt64(k % columns) &+ noise)
        }
        count = rows * columns
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let data = makeData()
var writes: [Double] = [], reads: [Double] = []
for _ in 0..<runs {
    writes.append(try seconds {
        let file = try HDF5File.create(path, ifExists: .truncate)
        try file.createDataset(
            "data", elementType: .uint8, shape: [rows, columns],
            chunks: [chunkRows, columns], gzipLevel: 4, shuffle: true
        ).write(data)
        try file.close()
    })
    var back: [UInt8] = []
    reads.append(try seconds {
        let file = try HDF5File.open(path)
        back = try file.dataset("data").read()
        try file.close()
    })
    precondition(back == data, "Galen read back different data")
}
let fileSize = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

try? FileManager.default.removeItem(atPath: path)

func rate(_ times: [Double]) -> Double { megabytes / median(times) }
print("[\(rows) x \(columns)] UInt8, chunks [\(chunkRows), \(columns)], gzip 4 + shuffle, \(megabytes) MB raw, \(fileSize / 1_000_000) MB on disk")
print(String(format: "hdf5 write = %.1f MB/s", rate(writes)))
print(String(format: "hdf5 read = %.1f MB/s", rate(reads)))
