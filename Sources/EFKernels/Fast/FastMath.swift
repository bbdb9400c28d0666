// Vectorisable float32 approximations of exp, tanh, erf and log1p on 8 lanes: range reduction
// plus polynomials, selects instead of branches, integer bit tricks for powers of two. The
// polynomial coefficients are our own least-squares fits (tools/fit_fast_math_coefficients.py:
// numpy, float64, dense grid, Lawson reweighting toward minimax) of the named function on the
// named interval.
// Accuracy against libm is measured by FastUnaryTests over dense sweeps and stated at the
// public entry point (`FastKernels.unary`).

extension FastKernels {
    @inline(__always)
    static func bits(_ v: FloatVector) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }

    @inline(__always)
    static func floats(_ v: SIMD8<Int32>) -> FloatVector { unsafeBitCast(v, to: FloatVector.self) }

    /// |v| (sign bit cleared; NaN stays NaN).
    @inline(__always)
    static func magnitude(_ v: FloatVector) -> FloatVector { floats(bits(v) & SIMD8(repeating: 0x7FFF_FFFF)) }

    /// `magnitude` with the sign bit of `sign`.
    @inline(__always)
    static func withSign(_ magnitude: FloatVector, of sign: FloatVector) -> FloatVector {
        floats(bits(magnitude) | (bits(sign) & SIMD8(repeating: Int32(bitPattern: 0x8000_0000))))
    }

    /// e^x. Range reduction x = n·ln2 + r, |r| ≤ ln2/2; e^r = 1 + r + r²·Q(r); 2^n is applied as
    /// 2^(n/2)·2^(n−n/2) so results reach the subnormals and overflow to +inf exactly as float
    /// does. x is clamped to 88.8 above (+inf beyond); NaN stays NaN. x ≤ -104 gives +0, the
    /// value the formula rounds to there (0.97·2^-150), set by a select instead: the formula's
    /// underflow would cost a microcode assist per vector on Intel CPUs (a causal attention
    /// mask's -inf lanes made softmax 5× slower).
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        let vanishing = x .<= FloatVector(repeating: -104), high = FloatVector(repeating: 88.8)
        let xc = x.replacing(with: 0, where: vanishing).replacing(with: high, where: x .> high)
        let magic = FloatVector(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (xc - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187e-6
        var q = r * 0.001_390_121_97 + 0.008_363_114_56
        q = q * r + 0.041_666_853_57
        q = q * r + 0.166_665_774_83
        q = q * r + 0.499_999_995_53
        let p = 1 + r + r * r * q
        let k = bits(shifted) &- 0x4B40_0000
        let half = k &>> 1
        let scaleA = floats((half &+ 127) &<< 23), scaleB = floats((k &- half &+ 127) &<< 23)
        return (p * scaleA * scaleB).replacing(with: 0, where: vanishing)
    }

    /// tanh x: x + x³·P(x²) for |x| < 0.625, else ±(1 − 2 / (e^{2|x|} + 1)).
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector {
        let a = magnitude(x)
        let s = x * x
        var p = s * 0.002_110_842_64 - 0.008_172_274_43
        p = p * s + 0.021_712_636_61
        p = p * s - 0.053_951_799_63
        p = p * s + 0.133_332_693_38
        p = p * s - 0.333_333_329_21
        let small = x + x * s * p
        let large = withSign(1 - 2 / (exp(a + a) + 1), of: x)
        return large.replacing(with: small, where: a .< 0.625)
    }

    /// erf x: x·P(x²) for |x| < 1; else ±(1 − e^{−x²}·R(t)), t = 1 / (1 + |x|/2), with |x|
    /// clamped to 3.92 (beyond which erf rounds to ±1 in float).
    @inline(__always)
    static func erf(_ x: FloatVector) -> FloatVector {
        let s = x * x
        var p = s * 7.854_212_595e-5 - 8.010_293_579e-4
        p = p * s + 0.005_188_338_307
        p = p * s - 0.026_853_817_11
        p = p * s + 0.112_835_852_6
        p = p * s - 0.376_126_258_3
        p = p * s + 1.128_379_166
        let small = x * p
        let limit = FloatVector(repeating: 3.92)
        var a = magnitude(x)
        a = a.replacing(with: limit, where: a .> limit)
        let t = 1 / (1 + 0.5 * a)
        var r = t * -0.084_419_998_95 + 0.306_488_678_8
        r = r * t - 0.345_917_794_0
        r = r * t - 0.097_825_168_42
        r = r * t + 0.405_269_054_5
        r = r * t - 0.081_776_162_27
        r = r * t + 0.357_908_993_5
        r = r * t + 0.254_221_621_7
        r = r * t + 0.285_949_167_4
        r = r * t - 2.279_227_342e-4
        let large = withSign(1 - exp(-(a * a)) * r, of: x)
        return large.replacing(with: small, where: magnitude(x) .< 1)
    }

    /// log(1 + u) for u in [0, 1]: u·S(u).
    @inline(__always)
    static func log1pUnit(_ u: FloatVector) -> FloatVector {
        var s = u * -0.003_243_771_356 + 0.019_850_077_92
        s = s * u - 0.056_956_417_13
        s = s * u + 0.106_032_774_6
        s = s * u - 0.153_053_251_4
        s = s * u + 0.196_758_264_9
        s = s * u - 0.249_541_062_2
        s = s * u + 0.333_299_588_8
        s = s * u - 0.499_999_022_2
        s = s * u + 0.999_999_995_3
        return u * s
    }
}
