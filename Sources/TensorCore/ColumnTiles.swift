import CKernels

// The C kernels read row starts ([Int]) as int64_t.
#if _pointerBitWidth(_32)
#error("Galen needs a 64-bit platform")
#endif

/// Weights [inputs, outputs] rearranged for sums of their rows (``BinaryRows/matmul(_:adding:)``,
/// ``Tensor/sparseMatmul(_:)``): each run of 64 columns is one contiguous block, so that it stays
/// in cache while every row reads it (see `galen_pack_column_tiles`). Made once, it serves any
/// number of products with the same weights (streaming inference makes one per stream;
/// ``Tensor/sparseMatmul(_:)``, whose weights change every training step, one per product).
public struct ColumnTiles: Sendable {
    public let inputs: Int
    public let outputs: Int
    /// The tiles, from `start` floats in: on a 64-byte boundary, so that the kernel's 32-byte
    /// loads in full tiles never straddle two cache lines (an array's elements are only 16-byte
    /// aligned, and straddling loads made the sums a third slower, measured on real fingerprints).
    private let storage: [Float]
    private let start: Int

    public init(_ weights: Tensor) {
        require(weights.rank == 2, "ColumnTiles: weights of shape \(weights.shape) are not a matrix")
        (inputs, outputs) = (weights.shape[0], weights.shape[1])
        let (inputs, outputs) = (inputs, outputs)
        let tileColumns = Int(GALEN_GATHER_TILE_COLUMNS)
        let tileCount = (outputs + tileColumns - 1) / tileColumns
        guard weights.count > 0 else {
            (storage, start) = ([], 0)
            return
        }
        var start = 0
        storage = makeScalars(weights.count + Self.alignment - 1) { storage in
            start = Self.alignedStart(UnsafePointer(storage.baseAddress!))
            storage.baseAddress!.initialize(repeating: 0, count: start)
            (storage.baseAddress! + start + weights.count).initialize(repeating: 0, count: Self.alignment - 1 - start)
            weights.scalars.withUnsafeBufferPointer { w in
                let (wp, pp) = (w.baseAddress!, storage.baseAddress! + start)
                parallelRanges(tileCount, grain: Swift.max(1, (1 << 16) / Swift.max(1, inputs * tileColumns))) { tiles in
                    galen_pack_column_tiles(wp, Int64(inputs), Int64(outputs), Int64(tiles.lowerBound), Int64(tiles.upperBound), pp)
                }
            }
        }
        self.start = start
    }

    private static let alignment = 64 / MemoryLayout<Float>.size

    /// How many floats from `base` the first 64-byte boundary lies.
    private static func alignedStart(_ base: UnsafePointer<Float>) -> Int {
        (alignment - Int(bitPattern: base) / MemoryLayout<Float>.size % alignment) % alignment
    }

    /// out[r, :] = Σ value_k · weights[column_k, :] (+ bias) over the entries of row r of a
    /// compressed-sparse-rows matrix (value 1 when `values` is nil), rows split between the
    /// cores; in C, so that it runs with AVX2 and FMA where the processor has them.
    func gatherSum(rowStarts: [Int], columns: [Int32], values: [Float]?, bias: Tensor?) -> [Float] {
        let rows = rowStarts.count - 1
        guard rows > 0 && outputs > 0 else { return [] }
        return makeScalars(rows * outputs) { out in
            rowStarts.withUnsafeBufferPointer { starts in
                columns.withUnsafeBufferPointer { c in
                    (values ?? []).withUnsafeBufferPointer { v in
                        (bias?.scalars ?? []).withUnsafeBufferPointer { b in
                            storage.withUnsafeBufferPointer { t in
                                // An empty array still has an address.
                                let (vp, bp) = (values == nil ? nil : v.baseAddress, bias == nil ? nil : b.baseAddress)
                                // Without inputs there are no entries, and the kernel reads no weights.
                                assert(t.isEmpty || Self.alignedStart(t.baseAddress!) == start, "ColumnTiles: tiles not 64-byte aligned")
                                let tp = t.isEmpty ? nil : t.baseAddress! + start
                                let (o, cp) = (out.baseAddress!, c.baseAddress)
                                starts.withMemoryRebound(to: Int64.self) { s64 in
                                    let sp = s64.baseAddress!
                                    parallelRanges(rows, grain: 16) { range in
                                        galen_gather_sum(Int64(range.lowerBound), Int64(range.upperBound), sp, cp, vp, tp, Int64(inputs),
                                                         Int64(outputs), bp, o)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
