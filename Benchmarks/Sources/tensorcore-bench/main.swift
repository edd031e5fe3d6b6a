// TensorCore against NumPy on this machine, in one run: GEMM GFLOP/s and elementwise GB/s.
//
//   swift run -c release --package-path Benchmarks tensorcore-bench [repeats]
import Foundation
import TensorCore

let repeats = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10

/// Median wall time of `repeats` calls after one warm-up call.
func medianSeconds(_ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

var generator = RandomGenerator(seed: 0)
var galen: [(String, Double, String)] = []
for (m, k, n) in [(1024, 1024, 1024), (256, 2048, 1024)] {
    let a = Tensor.randomNormal([m, k], using: &generator), b = Tensor.randomNormal([k, n], using: &generator)
    let seconds = medianSeconds { _ = a.matmul(b) }
    galen.append(("gemm \(m)x\(k)x\(n)", 2 * Double(m * n * k) / seconds / 1e9, "GFLOP/s"))
}
let count = 16 * 1024 * 1024
let x = Tensor.randomNormal([count], using: &generator), y = Tensor.randomNormal([count], using: &generator)
galen.append(("add", 3 * 4 * Double(count) / medianSeconds { _ = x + y } / 1e9, "GB/s"))
galen.append(("relu", 2 * 4 * Double(count) / medianSeconds { _ = x.relu() } / 1e9, "GB/s"))

let script = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("reference/tensorcore_numpy.py")
let python = Process()
python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
python.arguments = ["python3", script.path, String(repeats)]
let pipe = Pipe()
python.standardOutput = pipe
try python.run()
let output = pipe.fileHandleForReading.readDataToEndOfFile()
python.waitUntilExit()
let numpy = (try? JSONSerialization.jsonObject(with: output)) as? [String: Double] ?? [:]

print("BLAS: \(BLAS.configuration); median of \(repeats) runs")
print("figure".padding(toLength: 22, withPad: " ", startingAt: 0) + "     Galen     NumPy   Galen/NumPy")
for (name, value, unit) in galen {
    let reference = numpy[name]
    let columns = [
        name.padding(toLength: 22, withPad: " ", startingAt: 0),
        String(format: "%9.1f", value),
        reference.map { String(format: "%9.1f", $0) } ?? "      n/a",
        reference.map { String(format: "%13.2f", value / $0) } ?? "          n/a",
        unit,
    ]
    print(columns.joined(separator: " "))
}
