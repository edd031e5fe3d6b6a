import HDF5
import NeuralNet
import TensorCore

/// A labelled image set in Galen's `image-set/1` contract (`datasets/README.md`), in memory.
public struct ImageSet: Sendable {
    public static let contract = "image-set/1"
    public let path: String
    /// Pixels 0...255 as [N, C, H, W] floats.
    public let images: Tensor
    public let labelled: LabelledRows

    public var labels: [Int] { labelled.labels }
    public var classes: [String] { labelled.classes }
    public var count: Int { labels.count }
    /// [C, H, W].
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    public static func load(_ path: String) throws -> ImageSet {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        let images = try readImages(file)
        return ImageSet(path: path, images: images, labelled: try LabelledRows(file: file, path: path, count: images.shape[0]))
    }

    /// The images of an image-set file, which need no labels: for prediction.
    public static func images(in path: String) throws -> Tensor {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        return try readImages(file)
    }

    private static func readImages(_ file: HDF5File) throws -> Tensor {
        let path = file.path
        if let contract = try contractProblem(of: file, expecting: contract) { throw DataFileError(path: path, problem: contract) }
        guard try file.contains("images") else { throw DataFileError(path: path, problem: "/images is missing") }
        let imageData = try file.dataset("images")
        let shape = try imageData.shape
        guard try imageData.elementType == .uint8, shape.count == 3 || shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
            throw DataFileError(path: path, problem: "/images is \(try imageData.elementType) \(shape), expected uint8 [N, H, W] or [N, H, W, C] with no empty axis")
        }
        // A channels-first array ([N, C, H, W], as PyTorch holds images) would be read as images C
        // pixels high with W channels, and trained on without complaint.
        if shape.count == 4 && shape[1] <= 4 && shape[2] > 4 && shape[3] > 4 {
            throw DataFileError(path: path, problem: "/images \(shape) would be images \(shape[1]) pixels high with \(shape[3]) channels; it looks channels-first [N, C, H, W], and the contract stores [N, H, W, C] (numpy: images.transpose(0, 2, 3, 1))")
        }
        // Bytes read, widened to floats, reordered channels-first, then (in training) gathered into
        // training and validation parts: up to nine bytes a pixel held at once.
        let bytes = shape.reduce(9) { $0 * Double($1) }
        guard bytes <= MachineMemory.bytes else {
            throw DataFileError(path: path, problem: "/images \(shape) as floats, with the copies training makes, needs \(MachineMemory.exceeded(by: bytes))")
        }
        let pixels = try imageData.read(as: UInt8.self).map(Float.init)
        // Stored channels-last, as image files are; the convolutions want [N, C, H, W].
        return shape.count == 3 ? Tensor(pixels, shape: [shape[0], 1, shape[1], shape[2]])
            : Tensor(pixels, shape: shape).permuted([0, 3, 1, 2])
    }
}
