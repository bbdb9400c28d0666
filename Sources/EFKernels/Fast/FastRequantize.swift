// The int8 epilogue of the fast int8 kernels, bit-identical to the contract's scalar kernels
// (QuantizedContract.swift): int32 accumulators plus an optional int32 bias (wrapping), then
// either u8 = clamp(rne(Float(acc) · m[c])) + zp or float32 = Float(acc) · s[c]. One float32
// multiply (no FMA), clamp before rounding, ties to even through the 1.5·2^23 shift (exact
// for |t| ≤ 255). Two channel layouts: channel fastest (inner = 1) and planes (inner > 1).

import EFCore

extension FastKernels {
    /// Clamp and zero point of a requantization to u8 (as `Kernels.requantize`).
    public struct RequantizeOutput: Sendable, Equatable {
        /// 0...255.
        public var zeroPoint: Int32
        /// 0 ≤ lower ≤ upper ≤ 255.
        public var lower: Int32
        public var upper: Int32

        public init(zeroPoint: Int32, lower: Int32 = 0, upper: Int32 = 255) {
            self.zeroPoint = zeroPoint
            self.lower = lower
            self.upper = upper
        }

        /// True when zero point and clamp lie in 0...255 and lower ≤ upper.
        public var isValid: Bool { (0...255).contains(zeroPoint) && 0 <= lower && lower <= upper && upper <= 255 }
    }

    /// y[i] = Kernels.requantize(acc[i] &+ bias[c], multiplier: multipliers[c], ...) with
    /// c = (i / inner) % channels.
    ///
    /// - Parameters:
    ///   - accumulators: int32, `count` elements; bias nil or int32 [channels];
    ///     multipliers float32 [channels] (finite, positive: the caller checks them once).
    ///   - inner: 1 for channel-fastest data ([..., C]), the plane size for [N, C, plane].
    ///   - count: a multiple of channels · inner.
    /// - Throws: `EdgeflowError.invalidInput` for an invalid `output` or inconsistent sizes.
    public static func requantize(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                  multipliers: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                                  output: RequantizeOutput, into y: UnsafeMutablePointer<UInt8>) throws {
        try checkEpilogue(channels: channels, inner: inner, count: count, what: "requantize")
        guard output.isValid else {
            throw EdgeflowError(.invalidInput, "requantize: zero point \(output.zeroPoint) and clamp "
                + "\(output.lower)...\(output.upper) must lie in 0...255")
        }
        let lo = FloatVector(repeating: Float(output.lower &- output.zeroPoint))
        let hi = FloatVector(repeating: Float(output.upper &- output.zeroPoint))
        let zp = SIMD8<Int32>(repeating: output.zeroPoint)
        forEachRun(channels: channels, inner: inner, count: count) { start, length, channel in
            let acc = accumulators + start, out = y + start
            var i = 0
            if let channel {
                let m = FloatVector(repeating: multipliers[channel]), b = SIMD8<Int32>(repeating: bias?[channel] ?? 0)
                while i + 8 <= length {
                    storeBytes(requantize(loadInt32(acc + i) &+ b, m, lo, hi, zp), out + i, 8)
                    i += 8
                }
                if i < length {
                    storeBytes(requantize(loadInt32(acc + i, length - i) &+ b, m, lo, hi, zp), out + i, length - i)
                }
            } else {
                for row in stride(from: 0, to: length, by: channels) {
                    i = 0
                    while i + 8 <= channels {
                        let b = bias.map { loadInt32($0 + i) } ?? .zero
                        storeBytes(requantize(loadInt32(acc + row + i) &+ b, load(multipliers + i), lo, hi, zp),
                                   out + row + i, 8)
                        i += 8
                    }
                    if i < channels {
                        let n = channels - i, b = bias.map { loadInt32($0 + i, n) } ?? .zero
                        storeBytes(requantize(loadInt32(acc + row + i, n) &+ b, loadPartial(multipliers + i, n), lo, hi,
                                              zp), out + row + i, n)
                    }
                }
            }
        }
    }

    /// y[i] = Float(acc[i] &+ bias[c]) · scales[c] (as `Kernels.dequantizeAccumulators`), with
    /// c = (i / inner) % channels; parameters as `requantize`. `y` may be the accumulators' memory.
    /// - Throws: `EdgeflowError.invalidInput` for inconsistent sizes.
    public static func dequantizeAccumulators(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                              scales: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                                              into y: UnsafeMutablePointer<Float>) throws {
        try checkEpilogue(channels: channels, inner: inner, count: count, what: "dequantize")
        forEachRun(channels: channels, inner: inner, count: count) { start, length, channel in
            if let channel {
                dequantizeRun(accumulators + start, bias?[channel] ?? 0, scales[channel], length, into: y + start)
            } else {
                for row in stride(from: start, to: start + length, by: channels) {
                    dequantizeRow(accumulators + row, bias, scales, channels, into: y + row)
                }
            }
        }
    }

    // MARK: Pieces

    static func checkEpilogue(channels: Int, inner: Int, count: Int, what: String) throws {
        guard channels > 0, inner > 0, count >= 0 else {
            throw EdgeflowError(.invalidInput, "\(what): channels \(channels) and inner \(inner) must be positive")
        }
        let (block, overflow) = channels.multipliedReportingOverflow(by: inner)
        guard !overflow, count % block == 0 else {
            throw EdgeflowError(.invalidInput,
                                "\(what): \(count) elements are not whole blocks of \(channels)·\(inner)")
        }
    }

    /// One row of `channels` accumulators, channel = position in the row.
    @inline(__always)
    static func dequantizeRow(_ acc: UnsafePointer<Int32>, _ bias: UnsafePointer<Int32>?,
                              _ scales: UnsafePointer<Float>, _ channels: Int, into out: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 8 <= channels {
            let b = bias.map { loadInt32($0 + i) } ?? .zero
            store(FloatVector(loadInt32(acc + i) &+ b) * load(scales + i), out + i)
            i += 8
        }
        if i < channels {
            let n = channels - i, b = bias.map { loadInt32($0 + i, n) } ?? .zero
            storePartial(FloatVector(loadInt32(acc + i, n) &+ b) * loadPartial(scales + i, n), out + i, n)
        }
    }

    /// `length` accumulators of one channel.
    @inline(__always)
    static func dequantizeRun(_ acc: UnsafePointer<Int32>, _ bias: Int32, _ scale: Float, _ length: Int,
                              into out: UnsafeMutablePointer<Float>) {
        let s = FloatVector(repeating: scale), b = SIMD8<Int32>(repeating: bias)
        var i = 0
        while i + 8 <= length {
            store(FloatVector(loadInt32(acc + i) &+ b) * s, out + i)
            i += 8
        }
        if i < length { storePartial(FloatVector(loadInt32(acc + i, length - i) &+ b) * s, out + i, length - i) }
    }

    /// u8 code (as Int32 lanes) of accumulators already biased: clamp(rne(Float(acc)·m), lo, hi) + zp.
    @inline(__always)
    static func requantize(_ acc: SIMD8<Int32>, _ m: FloatVector, _ lo: FloatVector, _ hi: FloatVector,
                           _ zp: SIMD8<Int32>) -> SIMD8<Int32> {
        let t = swiftMin(swiftMax(FloatVector(acc) * m, lo), hi)
        return roundedIntegers(t) &+ zp
    }

    /// rne(t) for |t| < 2^22: adding 1.5·2^23 rounds to an integer (ties to even) in float32.
    @inline(__always)
    static func roundedIntegers(_ t: FloatVector) -> SIMD8<Int32> { bits(t + 12_582_912) &- 0x4B40_0000 }

    /// Calls `body(start, length, channel)` over parallel runs: when inner is 1, whole rows of
    /// `channels` elements (channel nil: the channel is the position in each row; a call takes
    /// many rows, as a call per row of 16 cost more than its arithmetic), else planes of `inner`
    /// elements of one channel.
    @inline(__always)
    private static func forEachRun(channels: Int, inner: Int, count: Int, _ body: (Int, Int, Int?) -> Void) {
        let run = inner == 1 ? channels : inner
        Parallel.forEachChunk(count / run, grain: max(1, streamingGrain / run)) { range in
            if inner == 1 {
                body(range.lowerBound * run, range.count * run, nil)
            } else {
                for r in range { body(r * run, run, r % channels) }
            }
        }
    }

    @inline(__always)
    static func loadInt32(_ p: UnsafePointer<Int32>) -> SIMD8<Int32> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int32>.self)
    }

    /// The first `count` (< 8) values at `p`, other lanes 0.
    @inline(__always)
    static func loadInt32(_ p: UnsafePointer<Int32>, _ count: Int) -> SIMD8<Int32> {
        var v = SIMD8<Int32>.zero
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the low byte of the first `count` (≤ 8) lanes.
    @inline(__always)
    static func storeBytes(_ v: SIMD8<Int32>, _ p: UnsafeMutablePointer<UInt8>, _ count: Int) {
        if count == 8 {
            let packed = SIMD8<UInt8>(truncatingIfNeeded: v)
            UnsafeMutableRawPointer(p).storeBytes(of: packed, as: SIMD8<UInt8>.self)
        } else {
            for i in 0..<count { p[i] = UInt8(truncatingIfNeeded: v[i]) }
        }
    }
}
