import Testing
import TensorCore

@Suite("Seeded random numbers")
struct RandomTests {
    @Test func streamMatchesReferenceXoshiro256StarStar() {
        // Reference values from an independent Python implementation of SplitMix64 + xoshiro256**.
        var generator = RandomGenerator(seed: 42)
        #expect([generator.next(), generator.next(), generator.next()]
                == [0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1])
        var uniform = RandomGenerator(seed: 42)
        #expect([uniform.nextUniform(), uniform.nextUniform()] == [0.083_862_960_338_592_53, 0.378_980_219_364_166_26])
    }

    @Test func sameSeedGivesBitwiseIdenticalTensors() {
        func draw(_ seed: UInt64) -> [Float] {
            var generator = RandomGenerator(seed: seed)
            return Tensor.randomNormal([1000], using: &generator).scalars
                + Tensor.randomUniform([1000], -1, 1, using: &generator).scalars
                + Tensor.randomBernoulli([1000], probability: 0.3, using: &generator).scalars
        }
        #expect(draw(7).map(\.bitPattern) == draw(7).map(\.bitPattern))
        #expect(draw(7) != draw(8))
    }

    @Test func distributionsHaveTheirMoments() {
        var generator = RandomGenerator(seed: 1)
        let normal = Tensor.randomNormal([200_000], mean: 2, standardDeviation: 3, using: &generator)
        let mean = normal.mean().item
        let variance = ((normal - mean) * (normal - mean)).mean().item
        #expect(abs(mean - 2) < 0.03 && abs(variance.squareRoot() - 3) < 0.03)
        let uniform = Tensor.randomUniform([200_000], -1, 3, using: &generator)
        #expect(abs(uniform.mean().item - 1) < 0.02 && uniform.min().item >= -1 && uniform.max().item < 3)
        let coin = Tensor.randomBernoulli([200_000], probability: 0.2, using: &generator)
        #expect(abs(coin.mean().item - 0.2) < 0.005)
    }
}
