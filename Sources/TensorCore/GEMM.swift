import CBLAS

/// C = alpha · op(A) · op(B) + beta · C on row-major matrices through OpenBLAS, where op
/// transposes when its flag is set; A is m×k after op, B is k×n, C is m×n.
@inline(__always)
func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
    _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                beta, c, Int32(n))
}

/// Runs `body` with OpenBLAS on one thread: for the many small products of a recurrence, waking
/// and synchronising a second thread costs more than the product itself (measured: the LSTM
/// benchmark spent over a third of its time in the scheduler).
func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
    let threads = openblas_get_num_threads()
    openblas_set_num_threads(1)
    defer { openblas_set_num_threads(threads) }
    return try body()
}
