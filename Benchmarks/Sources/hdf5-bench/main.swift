// Galen vs h5py: write and read a [1,000,000 x 256] UInt8 dataset, chunks [2048, 256], gzip 4 + shuffle.
//
//   swift run -c release hdf5-bench [PATH]
//
// MB/s counts uncompressed bytes (10^6 per MB) over wall time from create/open to close; median of 3 runs.
// Both sides use the same file path and the same bytes; the h5py side is Benchmarks/reference/hdf5_h5py.py.
import Foundation
import HDF5

let rows = 1_000_000, columns = 256, chunkRows = 2048, runs = 3
let megabytes = Double(rows * columns) / 1e6
let path = CommandLine.arguments.dropFirst().first
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("galen-hdf5-bench.h5").path
let script = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("reference/hdf5_h5py.py").path

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

let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", script, path, "\(runs)"]
let pipe = Pipe()
process.standardOutput = pipe
try process.run()
let output = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0,
      let h5py = try JSONSerialization.jsonObject(with: output) as? [String: Any],
      let h5pyWrites = h5py["write"] as? [Double], let h5pyReads = h5py["read"] as? [Double]
else { fatalError("hdf5_h5py.py failed (needs python3 with h5py)") }

// Galen must also read what h5py wrote on the same path.
let h5pyData = try HDF5File.open(path).dataset("data").read(as: UInt8.self)
precondition(h5pyData == data, "h5py's file differs")
try? FileManager.default.removeItem(atPath: path)

func rate(_ times: [Double]) -> Double { megabytes / median(times) }
print("[\(rows) x \(columns)] UInt8, chunks [\(chunkRows), \(columns)], gzip 4 + shuffle, \(megabytes) MB raw, \(fileSize / 1_000_000) MB on disk")
print("h5py \(h5py["h5py"] ?? "?") on HDF5 \(h5py["hdf5"] ?? "?"); median of \(runs) runs, MB/s of uncompressed data")
for (name, galen, reference) in [("write", writes, h5pyWrites), ("read", reads, h5pyReads)] {
    let ratio = rate(galen) / rate(reference)
    print(String(format: "%@  Galen %7.1f MB/s   h5py %7.1f MB/s   Galen/h5py %.3f", name.padding(toLength: 5, withPad: " ", startingAt: 0), rate(galen), rate(reference), ratio))
}
