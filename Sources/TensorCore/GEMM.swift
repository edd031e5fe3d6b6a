import CBLAS

/// C = op(A) · op(B) + beta · C on packed row-major matrices, where op transposes when its flag
/// is set; A is m×k after op, B is k×n, C is m×n. Through OpenBLAS, but for a product with one
/// inner term and beta 0 (an outer product), which is written directly: OpenBLAS packs both
/// operands for it, 0.23 ms against 0.10 ms here for 3072×256 (an LSTM's input projections of one
/// feature), with the same single rounding of each element.
///
/// OpenBLAS itself runs on one thread (``BLASThreads``); unless `split` is false (a caller that
/// already runs one product per core), a product large enough to repay the hand-off is cut in
/// two along its longer side, one half per core.
func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
    _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, beta: Float = 0, split: Bool = true
) {
    let (lda, ldb, ldc) = (transposeA ? m : k, transposeB ? k : n, n)
    func product(rows: Range<Int>, columns: Range<Int>) {
        if k == 1 && beta == 0 {
            outerProduct(rows: rows, columns: columns)
            return
        }
        let aStart = transposeA ? rows.lowerBound : rows.lowerBound * lda, bStart = transposeB ? columns.lowerBound * ldb : columns.lowerBound
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(rows.count), Int32(columns.count), Int32(k), 1, a + aStart, Int32(lda), b + bStart, Int32(ldb),
                    beta, c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }
    // With one inner term, A and B are vectors whichever way they are stored.
    func outerProduct(rows: Range<Int>, columns: Range<Int>) {
        for row in rows {
            let (scale, target) = (a[row], c + row * ldc)
            for column in columns { target[column] = scale * b[column] }
        }
    }
    guard split, m * n * k >= BLASThreads.splitWork, Swift.max(m, n) >= 2 else {
        product(rows: 0..<m, columns: 0..<n)
        return
    }
    if m >= n {
        parallelForEach(parallelChunks(m, grain: 1)) { _, rows in product(rows: rows, columns: 0..<n) }
    } else {
        parallelForEach(parallelChunks(n, grain: 1)) { _, columns in product(rows: 0..<m, columns: columns) }
    }
}

/// OpenBLAS on one thread, process-wide, with TensorCore splitting large products itself.
///
/// OpenBLAS's own worker threads spin (`sched_yield`) for about a tenth of a second after each
/// product, and the spin time is read from the environment before `main`, so a library cannot
/// shorten it. Between products TensorCore's own loops run on both cores, and the spinning
/// thread took CPU time from them: 15–25 % of every training profile on this project's 2-core
/// machine. With OpenBLAS single-threaded its workers are never woken, and ``gemm`` cuts each
/// large product in two for the cores instead.
enum BLASThreads {
    /// Products of at least this many multiply-adds are split (OpenBLAS's own threshold is 262,144).
    static let splitWork = 1 << 18
    static let single: Void = { openblas_set_num_threads(1) }()
}
