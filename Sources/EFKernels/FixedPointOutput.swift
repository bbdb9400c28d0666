// The element types the fast fixed-point requantization writes (FastFixedPointRequantize.swift),
// declared once here so that every SIMD build of that file shares it.

/// int8, uint8, int16 or int32.
public enum FixedPointOutput: Sendable {
    case int8, uint8, int16, int32
}
