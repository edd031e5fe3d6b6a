import Foundation

/// The learning rate for each epoch (counted from 0), as a function of the epoch alone, so a
/// resumed run picks up exactly where it stopped.
public enum LearningRateSchedule: Sendable {
    case constant(Float)
    /// `initial` multiplied by `factor` every `every` epochs.
    case step(initial: Float, factor: Float, every: Int)
    /// Half a cosine from `initial` down to `minimum` over `epochs` epochs.
    case cosine(initial: Float, minimum: Float, epochs: Int)
    /// A linear ramp from near zero up to the schedule's rate over `epochs` epochs, then the schedule.
    indirect case warmUp(epochs: Int, then: LearningRateSchedule)

    public func learningRate(epoch: Int) -> Float {
        switch self {
        case .constant(let rate):
            return rate
        case .step(let initial, let factor, let every):
            return initial * Foundation.pow(factor, Float(epoch / Swift.max(every, 1)))
        case .cosine(let initial, let minimum, let epochs):
            let progress = Float(Swift.min(epoch, epochs)) / Float(Swift.max(epochs, 1))
            return minimum + (initial - minimum) * 0.5 * (1 + Foundation.cos(Float.pi * progress))
        case .warmUp(let epochs, let then):
            let rate = then.learningRate(epoch: epoch)
            return epoch < epochs ? rate * Float(epoch + 1) / Float(epochs + 1) : rate
        }
    }
}
