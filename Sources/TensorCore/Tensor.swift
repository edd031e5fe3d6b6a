import Foundation

/// An n-dimensional array of `Float` in contiguous row-major order, with value semantics.
///
/// Storage is a Swift array, so copies share memory until one of them is written (copy-on-write).
/// A tensor that requires gradients carries a node of the autograd graph; see ``backward()``.
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis; empty for a scalar.
    public let shape: [Int]
    /// The elements in row-major order.
    public internal(set) var scalars: [Float]
    var node: GradNode?

    /// Creates a tensor from row-major `scalars` and a `shape` whose product is their count.
    public init(_ scalars: [Float], shape: [Int]) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        require(
            shape.reduce(1, *) == scalars.count,
            "Tensor: \(scalars.count) scalars do not fill shape \(shape) (\(shape.reduce(1, *)) needed)")
        self.init(shape: shape, scalars: scalars, node: nil)
    }

    /// Creates a rank-1 tensor.
    public init(_ scalars: [Float]) {
        self.init(scalars, shape: [scalars.count])
    }

    /// Creates a rank-0 (scalar) tensor.
    public init(_ value: Float) {
        self.init([value], shape: [])
    }

    /// Creates a rank-2 tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == width }, "Tensor(rows:): rows have different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    /// Every tensor comes through here, so the process-wide settings are in place before any op.
    init(shape: [Int], scalars: [Float], node: GradNode?) {
        HeapReuse.enabled
        BLASThreads.single
        self.shape = shape
        self.scalars = scalars
        self.node = node
    }

    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The only element of a one-element tensor.
    public var item: Float {
        require(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, not 1")
        return scalars[0]
    }

    /// Gives `body` the elements to change in place, keeping shape and autograd identity:
    /// how optimizers update parameters.
    public mutating func withMutableScalars<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Resolves a possibly negative axis (`-1` is the last) and checks it is in range.
    func axis(_ axis: Int, _ op: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        require(resolved >= 0 && resolved < Swift.max(rank, 1) && (rank > 0 || resolved == 0),
                     "\(op): axis \(axis) is out of range for shape \(shape)")
        return resolved
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

/// Builds a fresh scalar array of `count` elements filled by `body`, without zero-filling first.
@inline(__always)
func makeScalars(_ count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        adviseHugePages(buffer)
        body(buffer)
        initialized = count
    }
}

/// Asks the kernel to back a large, untouched buffer with 2 MiB pages. When a multi-megabyte
/// buffer is fresh memory (the heap's first growth to it; ``HeapReuse`` keeps it afterwards),
/// faulting it in 4 KiB at a time costs more than the arithmetic that fills it (measured here:
/// a 16M-float add went from 7.3 to 19.4 GB/s).
private func adviseHugePages(_ buffer: UnsafeMutableBufferPointer<Float>) {
    let hugePage = 2 << 20
    guard buffer.count * MemoryLayout<Float>.stride >= 2 * hugePage, let base = buffer.baseAddress else { return }
    let start = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
    let end = (Int(bitPattern: base + buffer.count)) & ~(hugePage - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
}
