import Foundation

/// A seeded xoshiro256** generator: the same seed gives the same stream on every run and machine.
///
/// The 256-bit state is filled from the 64-bit seed with SplitMix64, as the xoshiro authors
/// recommend. Floats take the top 24 bits of a draw, so they are exact multiples of 2⁻²⁴ in [0, 1).
/// Normal draws use Marsaglia's polar method in `Double`, whose operations (log, sqrt) are
/// correctly rounded in glibc, so they too repeat across machines.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// Creates a generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform draw from [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A draw from the standard normal distribution.
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return Float(spare)
        }
        while true {
            let u = Double(next() >> 11) * 0x1p-52 - 1
            let v = Double(next() >> 11) * 0x1p-52 - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let scale = (-2 * log(s) / s).squareRoot()
                spareNormal = v * scale
                return Float(u * scale)
            }
        }
    }

    /// A new generator whose stream is independent of this one's remaining stream.
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// A seed for a sub-stream (an epoch, a layer, a part of a split) derived from a run's seed, so
/// that each random choice has its own reproducible stream.
public func mixSeed(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    var generator = RandomGenerator(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
    return generator.next()
}
