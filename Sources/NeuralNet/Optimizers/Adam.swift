import Foundation

/// Adam: steps scaled by running estimates of the gradient's first and second moments, with
/// bias correction. `weightDecay` adds an L2 term to the gradient (as in the original Adam).
public class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        super.init(learningRate: learningRate)
    }

    override public class var name: String { "Adam" }
    override public var slotNames: [String] { ["m", "v"] }

    /// The L2 coefficient added to the gradient that the moments see; AdamW keeps decay out of them.
    var gradientDecay: Float { weightDecay }

    /// The fraction of each weight removed directly at every step; none in plain Adam.
    var decoupledDecay: Float { 0 }

    override public func update(_ values: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
                                slots: [UnsafeMutableBufferPointer<Float>]) {
        let (m, v) = (slots[0], slots[1])
        let step = Double(iterations)
        let correction1 = Float(1 - Foundation.pow(Double(beta1), step))
        let correction2 = Float(1 - Foundation.pow(Double(beta2), step))
        let rate = learningRate / correction1
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let (l2, shrink) = (gradientDecay, 1 - learningRate * decoupledDecay)
        let rootCorrection2 = correction2.squareRoot()
        // Eight lanes at a time: the compiler cannot prove the four buffers apart, so it would not
        // vectorise the loop itself, and the square root and division dominate a scalar loop.
        let (pm, pv, pg, px) = (m.baseAddress!, v.baseAddress!, gradient.baseAddress!, values.baseAddress!)
        func lanes(_ pointer: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
            UnsafeRawPointer(pointer + i).loadUnaligned(as: SIMD8<Float>.self)
        }
        func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, _ i: Int) {
            UnsafeMutableRawPointer(pointer + i).storeBytes(of: value, as: SIMD8<Float>.self)
        }
        var i = 0
        while i + 8 <= values.count {
            let g = lanes(pg, i) + l2 * lanes(px, i)
            let first = b1 * lanes(pm, i) + (1 - b1) * g
            let second = b2 * lanes(pv, i) + (1 - b2) * g * g
            store(first, pm, i)
            store(second, pv, i)
            store(lanes(px, i) * shrink - rate * first / (second.squareRoot() / rootCorrection2 + eps), px, i)
            i += 8
        }
        while i < values.count {
            let g = gradient[i] + l2 * values[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            values[i] = values[i] * shrink - rate * m[i] / (v[i].squareRoot() / rootCorrection2 + eps)
            i += 1
        }
    }
}

/// AdamW: Adam with weight decay applied to the weights directly, outside the moments
/// (Loshchilov and Hutter), which regularises as intended under adaptive steps.
public final class AdamW: Adam {
    override public class var name: String { "AdamW" }
    override var gradientDecay: Float { 0 }
    override var decoupledDecay: Float { weightDecay }
}
