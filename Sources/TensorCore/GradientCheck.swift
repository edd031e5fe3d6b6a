/// The outcome of comparing autograd's gradients with central finite differences.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// The largest |analytic - numeric| / (absoluteTolerance + relativeTolerance·|numeric|) seen; at most 1 passes.
    public let worstRatio: Double
    /// Where the worst element was and its two values.
    public let worst: String

    public var passed: Bool { worstRatio <= 1 }
    public var description: String { "gradient check \(passed ? "passed" : "FAILED"): worst \(worst)" }
}

/// Checks the gradients that ``Tensor/backward()`` gives for every input of `function` against
/// central finite differences.
///
/// The output is projected onto fixed random weights, L = Σ w·f(x), so that errors which cancel
/// in a plain sum (softmax's gradient sums to zero) still show. L is accumulated in `Double`, and
/// the step is taken as the difference of the two perturbed `Float` inputs, so rounding of the
/// inputs does not count as error. Inputs should stay `step` away from kinks (relu at 0, ties in max).
public func checkGradients(
    at inputs: [Tensor],
    step: Float = 1e-2,
    absoluteTolerance: Double = 1e-3,
    relativeTolerance: Double = 1e-2,
    seed: UInt64 = 0,
    _ function: ([Tensor]) -> Tensor
) -> GradientCheckResult {
    let leaves = inputs.map { input -> Tensor in
        var leaf = input.detached
        leaf.requiresGrad = true
        return leaf
    }
    let output = function(leaves)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.randomNormal(output.shape, using: &generator)
    (output * weights).sum().backward()

    func projected(_ values: [Tensor]) -> Double {
        let y = withoutGrad { function(values) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    var worstRatio = 0.0
    var worst = "no elements"
    for (inputIndex, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.count)
        for element in 0..<leaf.count {
            var values = leaves.map(\.detached)
            let center = values[inputIndex].scalars[element]
            values[inputIndex].scalars[element] = center + step
            let upperInput = values[inputIndex].scalars[element]
            let upper = projected(values)
            values[inputIndex].scalars[element] = center - step
            let lowerInput = values[inputIndex].scalars[element]
            let lower = projected(values)
            let numeric = (upper - lower) / (Double(upperInput) - Double(lowerInput))
            let ratio = Swift.abs(Double(analytic[element]) - numeric)
                / (absoluteTolerance + relativeTolerance * Swift.abs(numeric))
            if ratio.isNaN || ratio > worstRatio {
                worstRatio = ratio.isNaN ? .infinity : ratio
                worst = "input \(inputIndex) element \(element): analytic \(analytic[element]), numeric \(numeric)"
            }
        }
    }
    return GradientCheckResult(worstRatio: worstRatio, worst: worst)
}
