import CBLAS

/// C = alpha · op(A) · op(B) + beta · C on row-major matrices through OpenBLAS, where op
/// transposes when its flag is set; A is m×k after op, B is k×n, C is m×n. Each matrix's rows
/// (as stored) are `rowStride` apart when given (rows of a larger matrix), else packed.
///
/// OpenBLAS itself runs on one thread (``BLASThreads``); unless `split` is false (a caller that
/// already runs one product per core), a product large enough to repay the hand-off is cut in
/// two along its longer side, one half per core.
func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
    _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0, split: Bool = true,
    rowStrideA: Int? = nil, rowStrideB: Int? = nil, rowStrideC: Int? = nil
) {
    let (lda, ldb, ldc) = (rowStrideA ?? (transposeA ? m : k), rowStrideB ?? (transposeB ? k : n), rowStrideC ?? n)
    func product(rows: Range<Int>, columns: Range<Int>) {
        if k == 1 && beta == 0 {
            outerProduct(rows: rows, columns: columns)
            return
        }
        let aStart = transposeA ? rows.lowerBound : rows.lowerBound * lda, bStart = transposeB ? columns.lowerBound * ldb : columns.lowerBound
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(rows.count), Int32(columns.count), Int32(k), alpha, a + aStart, Int32(lda), b + bStart, Int32(ldb),
                    beta, c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
    }
    // One inner term is an outer product, which OpenBLAS packs both operands for: written
    // directly it took 0.10 ms against OpenBLAS's 0.23 ms for 3072×256 (an LSTM's input
    // projections of one feature), with the same single rounding of each element.
    func outerProduct(rows: Range<Int>, columns: Range<Int>) {
        for row in rows {
            let scale = alpha * a[transposeA ? row : row * lda], target = c + row * ldc
            if transposeB {
                for column in columns { target[column] = scale * b[column * ldb] }
            } else {
                for column in columns { target[column] = scale * b[column] }
            }
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
