// The floating-point element types kernels compute in natively (float32, float64), with the
// elementary functions they need. float16 and bfloat16 are computed in float32 and rounded back.

import EFCore
import Foundation

/// A floating-point type with the math functions the reference kernels use.
public protocol KernelFloat: BinaryFloatingPoint, TensorElement where Self.RawSignificand: FixedWidthInteger {
    static func kExp(_ x: Self) -> Self
    static func kExpm1(_ x: Self) -> Self
    static func kLog(_ x: Self) -> Self
    static func kLog1p(_ x: Self) -> Self
    static func kPow(_ x: Self, _ y: Self) -> Self
    static func kSin(_ x: Self) -> Self
    static func kCos(_ x: Self) -> Self
    static func kTan(_ x: Self) -> Self
    static func kAsin(_ x: Self) -> Self
    static func kAcos(_ x: Self) -> Self
    static func kAtan(_ x: Self) -> Self
    static func kSinh(_ x: Self) -> Self
    static func kCosh(_ x: Self) -> Self
    static func kTanh(_ x: Self) -> Self
    static func kAsinh(_ x: Self) -> Self
    static func kAcosh(_ x: Self) -> Self
    static func kAtanh(_ x: Self) -> Self
    static func kErf(_ x: Self) -> Self
    static func kFmod(_ x: Self, _ y: Self) -> Self
}

extension Float: KernelFloat {
    @inline(__always) public static func kExp(_ x: Float) -> Float { exp(x) }
    @inline(__always) public static func kExpm1(_ x: Float) -> Float { expm1(x) }
    @inline(__always) public static func kLog(_ x: Float) -> Float { log(x) }
    @inline(__always) public static func kLog1p(_ x: Float) -> Float { log1p(x) }
    @inline(__always) public static func kPow(_ x: Float, _ y: Float) -> Float { pow(x, y) }
    @inline(__always) public static func kSin(_ x: Float) -> Float { sin(x) }
    @inline(__always) public static func kCos(_ x: Float) -> Float { cos(x) }
    @inline(__always) public static func kTan(_ x: Float) -> Float { tan(x) }
    @inline(__always) public static func kAsin(_ x: Float) -> Float { asin(x) }
    @inline(__always) public static func kAcos(_ x: Float) -> Float { acos(x) }
    @inline(__always) public static func kAtan(_ x: Float) -> Float { atan(x) }
    @inline(__always) public static func kSinh(_ x: Float) -> Float { sinh(x) }
    @inline(__always) public static func kCosh(_ x: Float) -> Float { cosh(x) }
    @inline(__always) public static func kTanh(_ x: Float) -> Float { tanh(x) }
    @inline(__always) public static func kAsinh(_ x: Float) -> Float { asinh(x) }
    @inline(__always) public static func kAcosh(_ x: Float) -> Float { acosh(x) }
    @inline(__always) public static func kAtanh(_ x: Float) -> Float { atanh(x) }
    @inline(__always) public static func kErf(_ x: Float) -> Float { erf(x) }
    @inline(__always) public static func kFmod(_ x: Float, _ y: Float) -> Float { fmod(x, y) }
}

extension Double: KernelFloat {
    @inline(__always) public static func kExp(_ x: Double) -> Double { exp(x) }
    @inline(__always) public static func kExpm1(_ x: Double) -> Double { expm1(x) }
    @inline(__always) public static func kLog(_ x: Double) -> Double { log(x) }
    @inline(__always) public static func kLog1p(_ x: Double) -> Double { log1p(x) }
    @inline(__always) public static func kPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
    @inline(__always) public static func kSin(_ x: Double) -> Double { sin(x) }
    @inline(__always) public static func kCos(_ x: Double) -> Double { cos(x) }
    @inline(__always) public static func kTan(_ x: Double) -> Double { tan(x) }
    @inline(__always) public static func kAsin(_ x: Double) -> Double { asin(x) }
    @inline(__always) public static func kAcos(_ x: Double) -> Double { acos(x) }
    @inline(__always) public static func kAtan(_ x: Double) -> Double { atan(x) }
    @inline(__always) public static func kSinh(_ x: Double) -> Double { sinh(x) }
    @inline(__always) public static func kCosh(_ x: Double) -> Double { cosh(x) }
    @inline(__always) public static func kTanh(_ x: Double) -> Double { tanh(x) }
    @inline(__always) public static func kAsinh(_ x: Double) -> Double { asinh(x) }
    @inline(__always) public static func kAcosh(_ x: Double) -> Double { acosh(x) }
    @inline(__always) public static func kAtanh(_ x: Double) -> Double { atanh(x) }
    @inline(__always) public static func kErf(_ x: Double) -> Double { erf(x) }
    @inline(__always) public static func kFmod(_ x: Double, _ y: Double) -> Double { fmod(x, y) }
}

