extension Tensor {
    /// A tensor of `shape` with every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor([Float](repeating: value, count: shape.reduce(1, *)), shape: shape)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// The values `start`, `start + step`, ... below `end`, as a rank-1 tensor.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        require(step != 0, "Tensor.arange: step must not be zero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<count).map { start + Float($0) * step })
    }

    /// Normal draws with the given mean and standard deviation.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        Tensor((0..<shape.reduce(1, *)).map { _ in mean + standardDeviation * generator.nextNormal() }, shape: shape)
    }

    /// Uniform draws from [`lowerBound`, `upperBound`).
    public static func randomUniform(
        _ shape: [Int], _ lowerBound: Float = 0, _ upperBound: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        let width = upperBound - lowerBound
        return Tensor((0..<shape.reduce(1, *)).map { _ in lowerBound + width * generator.nextUniform() }, shape: shape)
    }

    /// Ones with probability `probability`, zeros otherwise.
    public static func randomBernoulli(
        _ shape: [Int], probability: Float, using generator: inout RandomGenerator
    ) -> Tensor {
        require((0...1).contains(probability), "Tensor.randomBernoulli: probability \(probability) is not in [0, 1]")
        return Tensor((0..<shape.reduce(1, *)).map { _ in generator.nextUniform() < probability ? 1 : 0 }, shape: shape)
    }
}
