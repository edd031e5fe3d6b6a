/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        super.init(learningRate: learningRate)
    }

    override public class var name: String { "SGD" }
    override public var slotNames: [String] { momentum == 0 ? [] : ["velocity"] }

    override public func update(_ values: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
                                slots: [UnsafeMutableBufferPointer<Float>]) {
        let (rate, decay, mu) = (learningRate, weightDecay, momentum)
        guard mu != 0 else {
            for i in values.indices { values[i] -= rate * (gradient[i] + decay * values[i]) }
            return
        }
        let velocity = slots[0]
        for i in values.indices {
            let g = gradient[i] + decay * values[i]
            velocity[i] = mu * velocity[i] + g
            values[i] -= rate * (nesterov ? g + mu * velocity[i] : velocity[i])
        }
    }
}
