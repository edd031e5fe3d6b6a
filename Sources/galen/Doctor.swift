import ArgumentParser
import Foundation
import HDF5
import TensorCore

/// Checks that this installation computes correctly and fast: the linear-algebra and HDF5
/// libraries in use, a gradient check of the core ops, and the speed of a large matrix product.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the installation: BLAS and HDF5 in use, gradient checks, GEMM speed.")

    @Option(parsing: .unconditional, help: "Matrix size n for the n×n×n GEMM timing.")
    var size = 1024

    func validate() throws {
        guard (1...8192).contains(size) else { throw ValidationError("--size must be from 1 to 8192") }
    }

    func run() throws {
        print("BLAS: \(BLAS.configuration)")
        // Streaming encode and predict read and write on two threads; without thread safety they take turns.
        print("HDF5: libhdf5 \(HDF5Build.version), \(HDF5Build.isThreadSafe ? "thread-safe" : "not thread-safe (reading and writing take turns)")")
        var generator = RandomGenerator(seed: 0)
        let x = Tensor.randomNormal([4, 5], using: &generator), w = Tensor.randomNormal([5, 3], using: &generator)
        let check = checkGradients(at: [x, w]) { ($0[0].matmul($0[1]).gelu().logSoftmax() * $0[0].sum()).tanh() }
        print("Autograd: \(check)")
        let a = Tensor.randomNormal([size, size], using: &generator), b = Tensor.randomNormal([size, size], using: &generator)
        _ = a.matmul(b)
        let repeats = 5
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { _ = a.matmul(b) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repeats)
        print(String(format: "GEMM %d×%d×%d: %.1f GFLOP/s", size, size, size, 2 * pow(Double(size), 3) / seconds / 1e9))
        if !check.passed { throw ExitCode.failure }
    }
}
