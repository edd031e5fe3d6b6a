// TensorCore's GEMM GFLOP/s and elementwise GB/s; reference/tensorcore_numpy.py measures NumPy the same way.
//
//   Benchmarks/.build/release/tensorcore-bench [repeats]
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
    galen.append(("sgemm \(m)x\(k)x\(n)", 2 * Double(m * n * k) / seconds / 1e9, "GFLOP/s"))
}
let count = 16 * 1024 * 1024
let x = Tensor.randomNormal([count], using: &generator), y = Tensor.randomNormal([count], using: &generator)
galen.append(("add 16M floats", 3 * 4 * Double(count) / medianSeconds { _ = x + y } / 1e9, "GB/s"))
galen.append(("relu 16M floats", 2 * 4 * Double(count) / medianSeconds { _ = x.relu() } / 1e9, "GB/s"))

print("BLAS: \(BLAS.configuration); median of \(repeats) runs")
for (name, value, unit) in galen { print(String(format: "%@ = %.1f %@", name, value, unit)) }
