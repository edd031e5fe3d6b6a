import Foundation
import TensorCore

/// Random changes to training images that keep their label: flips, rotation, shift, zoom,
/// brightness and contrast. Drawn from a seeded generator, so a seed repeats them exactly.
public struct Augmentation: Sendable, Equatable, Codable {
    public var horizontalFlip = true
    public var verticalFlip = false
    /// Largest rotation either way, in degrees.
    public var rotation: Float = 10
    /// Largest shift either way, as a fraction of the side.
    public var shift: Float = 0.1
    /// Largest zoom in or out, as a fraction.
    public var zoom: Float = 0.1
    /// Largest brightness change, in pixel levels (0...255 scale).
    public var brightness: Float = 20
    /// Largest contrast change, as a fraction.
    public var contrast: Float = 0.2

    public init() {}

    /// Augmented copies of [N, C, H, W] images in 0...255; bilinear sampling, edges repeated.
    public func apply(_ images: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        var output = [Float](repeating: 0, count: images.count)
        let source = images.scalars
        for index in 0..<n {
            func uniform(_ limit: Float) -> Float { (generator.nextUniform() * 2 - 1) * limit }
            let angle = uniform(rotation) * .pi / 180, scale = 1 + uniform(zoom)
            let (dx, dy) = (uniform(shift) * Float(w), uniform(shift) * Float(h))
            let flipX: Float = horizontalFlip && generator.nextUniform() < 0.5 ? -1 : 1
            let flipY: Float = verticalFlip && generator.nextUniform() < 0.5 ? -1 : 1
            let gain = 1 + uniform(contrast), offset = uniform(brightness)
            let (cosine, sine) = (Foundation.cos(angle) / scale, Foundation.sin(angle) / scale)
            let (cx, cy) = (Float(w - 1) / 2, Float(h - 1) / 2)
            for channel in 0..<c {
                let plane = (index * c + channel) * h * w
                var mean: Float = 0
                for k in 0..<(h * w) { mean += source[plane + k] }
                mean /= Float(h * w)
                for y in 0..<h {
                    for x in 0..<w {
                        // Where this output pixel comes from: the inverse of flip, rotate, zoom and shift.
                        let u = (Float(x) - cx - dx) * flipX, v = (Float(y) - cy - dy) * flipY
                        let sx = Swift.min(Swift.max(cosine * u + sine * v + cx, 0), Float(w - 1))
                        let sy = Swift.min(Swift.max(-sine * u + cosine * v + cy, 0), Float(h - 1))
                        let (x0, y0) = (Int(sx), Int(sy))
                        let (x1, y1) = (Swift.min(x0 + 1, w - 1), Swift.min(y0 + 1, h - 1))
                        let (fx, fy) = (sx - Float(x0), sy - Float(y0))
                        let top = source[plane + y0 * w + x0] * (1 - fx) + source[plane + y0 * w + x1] * fx
                        let bottom = source[plane + y1 * w + x0] * (1 - fx) + source[plane + y1 * w + x1] * fx
                        let value = top * (1 - fy) + bottom * fy
                        output[plane + y * w + x] = Swift.min(Swift.max((value - mean) * gain + mean + offset, 0), 255)
                    }
                }
            }
        }
        return Tensor(output, shape: images.shape)
    }
}
