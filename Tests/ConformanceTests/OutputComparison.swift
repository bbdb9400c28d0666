// Compares a computed output with the suite's expected one, as the ONNX backend tests do:
// floats within |actual - expected| <= atol + rtol * |expected| (rtol 1e-3, atol 1e-7), NaN
// at the same positions, infinities equal; integers and bools exactly; dtype and shape equal.

import EFCore
import Foundation

enum OutputComparison {
    static let rtol = 1e-3
    static let atol = 1e-7

    /// nil when `actual` matches `expected`, else what differs ("max abs diff 3.2e-02 ...").
    static func problem(actual: Tensor, expected: Tensor) -> String? {
        guard actual.dtype == expected.dtype else {
            return "dtype \(actual.dtype.rawValue), expected \(expected.dtype.rawValue)"
        }
        guard actual.shape == expected.shape else {
            return "shape \(actual.shape.shapeDescription), expected \(expected.shape.shapeDescription)"
        }
        guard actual.dtype.isFloatingPoint else {
            if actual.isBitwiseEqual(to: expected) { return nil }
            let a = actual.doubleValues(), e = expected.doubleValues()
            let wrong = zip(a, e).filter { $0 != $1 }.count
            return "differs in \(max(wrong, 1)) of \(a.count) elements"
        }
        let a = actual.doubleValues(), e = expected.doubleValues()
        var wrong = 0, worst = 0.0, nanMismatch = false
        for (x, y) in zip(a, e) {
            if x.isNaN || y.isNaN {
                if x.isNaN != y.isNaN { nanMismatch = true; wrong += 1 }
                continue
            }
            if x.isInfinite || y.isInfinite {
                if x != y { wrong += 1; worst = .infinity }
                continue
            }
            let difference = abs(x - y)
            if difference > atol + rtol * abs(y) {
                wrong += 1
                worst = max(worst, difference)
            }
        }
        guard wrong > 0 else { return nil }
        if nanMismatch { return "NaN positions differ (\(wrong) of \(a.count) elements wrong)" }
        return String(format: "max abs diff %.1e (%d of %d elements out of tolerance)", worst, wrong, a.count)
    }
}
