import TensorCore

/// Seeded uniform values in `range`, pushed at least `margin` away from zero, so that finite
/// differences do not straddle a kink.
func sample(_ shape: [Int], seed: UInt64, in range: ClosedRange<Float> = -2...2, margin: Float = 0) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    let values = Tensor.randomUniform(shape, range.lowerBound, range.upperBound, using: &generator).scalars.map { x in
        abs(x) < margin ? (x < 0 ? x - margin : x + margin) : x
    }
    return Tensor(values, shape: shape)
}

/// Values in (`low`, `high`), for functions defined only there (log, sqrt, division).
func positive(_ shape: [Int], seed: UInt64, _ low: Float = 0.5, _ high: Float = 2) -> Tensor {
    sample(shape, seed: seed, in: low...high)
}

func isClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

/// One step of plain gradient descent on a parameter.
func descend(_ parameter: inout Tensor, learningRate: Float) {
    guard let gradient = parameter.grad else { return }
    parameter.withMutableScalars { values in
        for i in values.indices { values[i] -= learningRate * gradient.scalars[i] }
    }
    parameter.zeroGrad()
}
