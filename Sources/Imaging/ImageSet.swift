import HDF5
import NeuralNet
import TensorCore

/// A labelled image set in Galen's `image-set/1` contract (`datasets/README.md`), in memory.
public struct ImageSet: Sendable {
    public static let contract = "image-set/1"
    public let path: String
    /// Pixels 0...255 as [N, C, H, W] floats.
    public let images: Tensor
    public let labels: [Int]
    public let classes: [String]
    public let splits: [String: [Int8]]

    public var count: Int { labels.count }
    /// [C, H, W].
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    public static func load(_ path: String) throws -> ImageSet {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        func fail(_ problem: String) -> ImageSetError { ImageSetError(path: path, problem: problem) }
        for name in ["images", "labels", "classes"] where try !file.contains(name) { throw fail("/\(name) is missing") }
        let imageData = try file.dataset("images")
        let shape = try imageData.shape
        guard try imageData.elementType == .uint8, shape.count == 3 || shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
            throw fail("/images is \(try imageData.elementType) \(shape), expected uint8 [N, H, W] or [N, H, W, C] with no empty axis")
        }
        let pixels = try imageData.read(as: UInt8.self).map(Float.init)
        // Stored channels-last, as image files are; the convolutions want [N, C, H, W].
        let images = shape.count == 3 ? Tensor(pixels, shape: [shape[0], 1, shape[1], shape[2]])
            : Tensor(pixels, shape: shape).permuted([0, 3, 1, 2])
        let labelData = try file.dataset("labels")
        guard try labelData.elementType == .int64, try labelData.shape == [shape[0]] else {
            throw fail("/labels is \(try labelData.elementType) \(try labelData.shape), expected int64 [\(shape[0])]")
        }
        let labels = try labelData.read(as: Int64.self).map { Int($0) }
        let classes = try file.dataset("classes").read(as: String.self)
        if let bad = labels.firstIndex(where: { !(0..<classes.count).contains($0) }) {
            throw fail("/labels row \(bad) is \(labels[bad]), not a class index in 0..<\(classes.count)")
        }
        var splits: [String: [Int8]] = [:]
        if try file.contains("splits") {
            for name in try file.group("splits").members() {
                let codes = try file.dataset("splits/\(name)").read(as: Int8.self)
                guard codes.count == shape[0], codes.allSatisfy({ (0...2).contains($0) }) else {
                    throw fail("/splits/\(name) must be int8 [\(shape[0])] of 0, 1, 2")
                }
                splits[name] = codes
            }
        }
        return ImageSet(path: path, images: images, labels: labels, classes: classes, splits: splits)
    }

    /// Rows of train, validation and test of a stored split; a validation part is carved from
    /// training with `seed` when the split has none.
    public func partition(_ name: String, seed: UInt64) throws -> (train: [Int], validation: [Int], test: [Int]) {
        var (train, validation) = (try rows(split: name, part: 0), try rows(split: name, part: 1))
        if validation.isEmpty { (train, validation) = carveValidation(from: train, seed: seed) }
        return (train, validation, try rows(split: name, part: 2))
    }

    /// Rows of one part (0 train, 1 validation, 2 test) of a stored split.
    public func rows(split name: String, part: Int8) throws -> [Int] {
        guard let codes = splits[name] else {
            throw ImageSetError(path: path, problem: "split '\(name)' is not in the file (it has \(splits.keys.sorted().joined(separator: ", ")))")
        }
        return codes.indices.filter { codes[$0] == part }
    }
}

public struct ImageSetError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
