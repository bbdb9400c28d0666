// The int8 side of the oneDNN tests: random u8/s8 operands and quantization parameters, the
// reference real values from the reference integer kernels, and the u8 comparison that allows
// ±1 only where the exact value lies at a rounding tie (oneDNN rounds a float32 product, the
// reference a float64 one).

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

extension SeededValues {
    mutating func uint8Tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: integers(shape.elementCount, in: 0...255).map { UInt8($0) })
    }

    /// Full-range int8, or 7-bit (−64...64: the range oneDNN's fast kernels take on CPUs without VNNI).
    mutating func int8Tensor(_ shape: [Int], sevenBit: Bool = false) -> Tensor {
        Tensor(shape: shape, scalars: integers(shape.elementCount, in: sevenBit ? -64...64 : -128...127).map { Int8($0) })
    }

    mutating func int32Tensor(_ shape: [Int], in range: ClosedRange<Int>) -> Tensor {
        Tensor(shape: shape, scalars: integers(shape.elementCount, in: range).map { Int32($0) })
    }

    mutating func scales(_ count: Int, from low: Float, to high: Float) -> [Float] {
        floats(count).map { low + (high - low) * ($0 + 1) / 2 }
    }
}

/// Real values sx·sw[c]·acc[i] (c = channel of element i: (i / inner) % channels), float32.
func dequantizedAccumulators(_ acc: Tensor, sourceScale: Float, weightScales: [Float], inner: Int) -> Tensor {
    let values = acc.scalars(as: Int32.self)
    let channels = weightScales.count
    let real = values.indices.map { i -> Float in
        let scale = sourceScale * weightScales[channels == 1 ? 0 : (i / inner) % channels]
        return Float(Double(values[i]) * Double(scale))
    }
    return Tensor(shape: acc.shape, scalars: real)
}

/// Compares u8 results. Exact matches are required except ±1 where the exact value
/// `real / scale + zeroPoint` is within `tieWindow` of a .5 tie (float32 vs float64 rounding).
/// Returns the number of ±1 differences.
@discardableResult
func assertQuantizedMatch(_ actual: Tensor, _ expected: Tensor, exact: [Double], tieWindow: Double, _ what: String,
                          file: StaticString = #filePath, line: UInt = #line) -> Int {
    XCTAssertEqual(actual.shape, expected.shape, what, file: file, line: line)
    let a = actual.scalars(as: UInt8.self), e = expected.scalars(as: UInt8.self)
    var offByOne = 0, bad = 0
    for i in a.indices where a[i] != e[i] {
        let v = exact[i], distanceToTie = abs(v - v.rounded(.down) - 0.5)
        if abs(Int(a[i]) - Int(e[i])) == 1 && distanceToTie <= tieWindow { offByOne += 1 } else {
            if bad < 5 { XCTFail("\(what): element \(i) is \(a[i]), expected \(e[i]) (exact \(v))", file: file, line: line) }
            bad += 1
        }
    }
    XCTAssertEqual(bad, 0, "\(what): \(bad) of \(a.count) elements differ beyond a rounding tie", file: file, line: line)
    return offByOne
}

/// The exact requantization input y / scale + zeroPoint for float32 real outputs y.
func exactQuantizedValues(_ y: Tensor, scale: Float, zeroPoint: Int32) -> [Double] {
    y.scalars(as: Float.self).map { Double($0) / Double(scale) + Double(zeroPoint) }
}

/// Quantizes float32 real values to u8 (round half to even, saturate) with the reference kernel.
func quantizeReference(_ y: Tensor, scale: Float, zeroPoint: Int32) throws -> Tensor {
    try Kernels.quantizeLinear(y, scale: Tensor(scalar: scale), zeroPoint: Tensor(scalar: UInt8(zeroPoint)), outputDType: .uint8)
}

/// u8 [..] values dequantized: scale · (q − zeroPoint), float32.
func dequantizeReference(_ q: Tensor, scale: Float, zeroPoint: Int32) -> Tensor {
    Tensor(shape: q.shape, scalars: q.scalars(as: UInt8.self).map { scale * Float(Int32($0) - zeroPoint) })
}
