// A seeded SplitMix64 generator (Steele, Lea, Flood 2014) for tests, so random inputs are the
// same on every run.

import Foundation

public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal sample (Box–Muller).
    public mutating func gaussian() -> Float {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return Float((-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v))
    }
}
