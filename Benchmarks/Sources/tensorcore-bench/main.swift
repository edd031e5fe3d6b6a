// TensorCore's GEMM GFLOP/s and elementwise GB/s; reference/tensorcore_numpy.py measures NumPy the same way.
//
//   Benchmarks/.build/release/tensorcore-bench [repeats]
import BenchmarkTiming
import Foundation
import TensorCore

let repeats = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10

var generator = RandomGenerator(seed: 0)
var galen: [(String, Double, String)] = []
for (m, k, n) in [(1024, 1024, 1024), (256, 2048, 1024)] {
    let a = Tensor.randomNormal([m, k], using: &generator), b = Tensor.randomNormal([k, n], using: &generator)
    let seconds = medianSeconds(runs: repeats) { _ in _ = a.matmul(b) }
    galen.append(("sgemm \(m)x\(k)x\(n)", 2 * Double(m * n * k) / seconds / 1e9, "GFLOP/s"))
}
let count = 16 * 1024 * 1024
let x = Tensor.randomNormal([count], using: &generator), y = Tensor.randomNormal([count], using: &generator)
galen.append(("add 16M floats", 3 * 4 * Double(count) / medianSeconds(runs: repeats) { _ in _ = x + y } / 1e9, "GB/s"))
galen.append(("relu 16M floats", 2 * 4 * Double(count) / medianSeconds(runs: repeats) { _ in _ = x.relu() } / 1e9, "GB/s"))

print("BLAS: \(BLAS.configuration); median of \(repeats) runs")
for (name, value, unit) in galen { print(String(format: "%@ = %.1f %@", name, value, unit)) }
