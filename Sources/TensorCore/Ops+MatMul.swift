extension Tensor {
    /// The matrix product of the last two axes, op(self) · op(other), where op transposes when
    /// its flag is set: 2-D by 2-D, or batched 3-D by 3-D with equal batch sizes. Runs on
    /// OpenBLAS's `cblas_sgemm` (through `gemm`, which splits large products over the cores and
    /// writes outer products itself).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        require((rank == 2 && other.rank == 2) || (rank == 3 && other.rank == 3 && shape[0] == other.shape[0]),
                     "matmul: shapes \(shape) and \(other.shape) are not two matrices or two equal batches of matrices")
        let (m, k) = transposeSelf ? (shape[rank - 1], shape[rank - 2]) : (shape[rank - 2], shape[rank - 1])
        let (otherK, n) = transposeOther
            ? (other.shape[rank - 1], other.shape[rank - 2]) : (other.shape[rank - 2], other.shape[rank - 1])
        require(k == otherK, "matmul: inner extents differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")")
        let batch = rank == 3 ? shape[0] : 1
        let output = makeScalars(batch * m * n) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for index in 0..<batch {
                        gemm(a.baseAddress! + index * m * k, transposeA: transposeSelf, b.baseAddress! + index * k * n,
                             transposeB: transposeOther, out.baseAddress! + index * m * n, m: m, n: n, k: k)
                    }
                }
            }
        }
        let outputShape = rank == 3 ? [batch, m, n] : [m, n]
        // With C = A'·B' (A' = op(A), B' = op(B)): dA' = dC·B'ᵀ and dB' = A'ᵀ·dC.
        return .recorded(
            outputShape, output,
            (self, { g in
                transposeSelf
                    ? other.matmul(g, transposeSelf: transposeOther, transposeOther: true)
                    : g.matmul(other, transposeOther: !transposeOther)
            }),
            (other, { g in
                transposeOther
                    ? g.matmul(self, transposeSelf: true, transposeOther: transposeSelf)
                    : self.matmul(g, transposeSelf: !transposeSelf)
            }))
    }
}
