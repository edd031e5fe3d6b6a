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
        for i in values.indices {
            let g = gradient[i] + l2 * values[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            values[i] = values[i] * shrink - rate * m[i] / (v[i].squareRoot() / rootCorrection2 + eps)
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
