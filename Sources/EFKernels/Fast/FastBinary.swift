// Fast binary float32 kernels with numpy broadcasting. A plan (built once per shape triple)
// merges the broadcast into runs where each operand is either contiguous or one repeated
// value; the output is then split into equal element ranges over threads, so same-shape,
// scalar-operand, [N,C,H,W]×[1,C,1,1], [N,H,W,C]×[C] and any other broadcast share one path,
// whose inner loop is an 8-lane vector loop.

import EFCore
import Foundation

extension FastKernels {
    /// True when `binary` implements `fn` (float32 only).
    public static func supportsBinary(_ fn: BinaryFunction) -> Bool {
        switch fn {
        case .add, .sub, .mul, .div, .max, .min, .pow, .prelu: return true
        default: return false
        }
    }

    /// The broadcast iteration of a binary op over fixed shapes; build once, run many times
    /// (`run` allocates no buffers).
    public struct BinaryPlan: Sendable {
        public let function: BinaryFunction
        public let outputCount: Int
        /// Merged iteration dims (at least one) and each operand's stride per merged dim.
        let dims: [Int]
        let stridesA: [Int]
        let stridesB: [Int]

        /// A comparison's plan runs with `runInt32Comparison` only.
        /// - Throws: `EdgeflowError.unsupported` when `supportsBinary(fn)` is false and fn is no
        ///   comparison; `.invalidInput` when `aShape` or `bShape` does not broadcast to `outputShape`.
        public init(_ fn: BinaryFunction, aShape: [Int], bShape: [Int], outputShape: [Int]) throws {
            guard supportsBinary(fn) || fn.isComparison else {
                throw EdgeflowError(.unsupported, "FastKernels.binary does not implement \(fn.rawValue)",
                                    hint: "check FastKernels.supportsBinary first and use Kernels.binary otherwise")
            }
            guard let broadcast = try? broadcastShapes(aShape, bShape), broadcast == outputShape,
                  let count = outputShape.checkedElementCount else {
                throw EdgeflowError(.invalidInput,
                    "binary \(fn.rawValue): operands \(aShape.shapeDescription) and \(bShape.shapeDescription) "
                        + "do not broadcast to \(outputShape.shapeDescription)")
            }
            let plan = BroadcastPlan(outputShape: outputShape, operands: [aShape, bShape])
            function = fn
            outputCount = count
            dims = plan.dims
            stridesA = plan.strides[0]
            stridesB = plan.strides[1]
        }

        /// output = fn(a, b) with the planned shapes. `output` may equal `a` (or `b`) when that
        /// operand has the output's shape. Not for comparisons (their result is bool).
        public func run(a: UnsafePointer<Float>, b: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
            precondition(!function.isComparison, "a comparison's plan runs with runInt32Comparison")
            walk(a, b, output) { segment(function, $0, $1, $2, $3, $4, $5) }
        }

        /// output = fn(a, b) on int32 for the comparisons (equal, less, lessOrEqual, greater,
        /// greaterOrEqual), with the planned shapes.
        /// - Throws: `EdgeflowError.unsupported` for other functions.
        public func runInt32Comparison(a: UnsafePointer<Int32>, b: UnsafePointer<Int32>,
                                       output: UnsafeMutablePointer<Bool>) throws {
            switch function {
            case .equal: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 == $1 } }
            case .less: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 < $1 } }
            case .lessOrEqual: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 <= $1 } }
            case .greater: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 > $1 } }
            case .greaterOrEqual: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 >= $1 } }
            default:
                throw EdgeflowError(.unsupported, "FastKernels.binary does not compare with \(function.rawValue)")
            }
        }

        /// output = fn(a, b) on int32 with the planned shapes, wrapping as `Kernels.binary` does.
        /// - Throws: `EdgeflowError.unsupported` for functions other than add, sub and mul.
        public func runInt32(a: UnsafePointer<Int32>, b: UnsafePointer<Int32>,
                             output: UnsafeMutablePointer<Int32>) throws {
            switch function {
            case .add: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 &+ $1 } }
            case .sub: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 &- $1 } }
            case .mul: walk(a, b, output) { integerSegment($0, $1, $2, $3, $4, $5) { $0 &* $1 } }
            default:
                throw EdgeflowError(.unsupported, "FastKernels.binary on int32 does not implement \(function.rawValue)")
            }
        }

        /// Splits the output into element ranges over threads; each range walks its runs,
        /// handing each to `segment` (x, x stride, y, y stride, z, count).
        @inline(__always)
        private func walk<T, U>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<U>,
                                _ segment: (UnsafePointer<T>, Int, UnsafePointer<T>, Int, UnsafeMutablePointer<U>,
                                            Int) -> Void) {
            let rank = dims.count, inner = dims[rank - 1]
            let innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
            Parallel.forEachChunk(outputCount, grain: streamingGrain) { range in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
                    // Multi-index of the run holding range.lowerBound, and the operand offsets.
                    var run = range.lowerBound / inner, offsetA = 0, offsetB = 0
                    for axis in stride(from: rank - 2, through: 0, by: -1) {
                        index[axis] = run % dims[axis]
                        run /= dims[axis]
                        offsetA += index[axis] * stridesA[axis]
                        offsetB += index[axis] * stridesB[axis]
                    }
                    var position = range.lowerBound
                    var within = position % inner
                    while position < range.upperBound {
                        let n = Swift.min(inner - within, range.upperBound - position)
                        segment(a + offsetA + within * innerA, innerA, b + offsetB + within * innerB, innerB,
                                out + position, n)
                        position += n
                        within = 0
                        var axis = rank - 2
                        while axis >= 0 {
                            index[axis] += 1
                            offsetA += stridesA[axis]
                            offsetB += stridesB[axis]
                            if index[axis] < dims[axis] { break }
                            offsetA -= stridesA[axis] * dims[axis]
                            offsetB -= stridesB[axis] * dims[axis]
                            index[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
    }

    /// z[i] = f(x[i·sx], y[i·sy]) on int32 for i in 0..<n, strides 0 or 1 (loops the compiler vectorizes).
    @inline(__always)
    static func integerSegment<U>(_ x: UnsafePointer<Int32>, _ sx: Int, _ y: UnsafePointer<Int32>, _ sy: Int,
                                  _ z: UnsafeMutablePointer<U>, _ n: Int, _ f: (Int32, Int32) -> U) {
        switch (sx != 0, sy != 0) {
        case (true, true): for i in 0..<n { z[i] = f(x[i], y[i]) }
        case (true, false): let v = y[0]; for i in 0..<n { z[i] = f(x[i], v) }
        case (false, true): let u = x[0]; for i in 0..<n { z[i] = f(u, y[i]) }
        case (false, false): let value = f(x[0], y[0]); for i in 0..<n { z[i] = value }
        }
    }

    /// z[i] = fn(x[i·sx], y[i·sy]) for i in 0..<n, strides 0 or 1. The switch sits here, per
    /// segment, so each case hands a closure literal to `runSegment` and it inlines.
    static func segment(_ fn: BinaryFunction, _ x: UnsafePointer<Float>, _ sx: Int, _ y: UnsafePointer<Float>,
                        _ sy: Int,
                        _ z: UnsafeMutablePointer<Float>, _ n: Int) {
        switch fn {
        case .add: runSegment(x, sx, y, sy, z, n) { $0 + $1 }
        case .sub: runSegment(x, sx, y, sy, z, n) { $0 - $1 }
        case .mul: runSegment(x, sx, y, sy, z, n) { $0 * $1 }
        case .div: runSegment(x, sx, y, sy, z, n) { $0 / $1 }
        case .prelu: runSegment(x, sx, y, sy, z, n) { u, v in u.replacing(with: u * v, where: u .< 0) }
        case .max:
            runSegment(x, sx, y, sy, z, n) { u, v in
                swiftMax(u, v).replacing(with: u + v, where: (u .!= u) .| (v .!= v))
            }
        case .min:
            runSegment(x, sx, y, sy, z, n) { u, v in
                swiftMin(u, v).replacing(with: u + v, where: (u .!= u) .| (v .!= v))
            }
        default: runSegment(x, sx, y, sy, z, n) { u, v in power(u, v) }
        }
    }

    /// z[i] = f(x[i·sx], y[i·sy]) for i in 0..<n, strides 0 or 1.
    @inline(__always)
    static func runSegment(_ x: UnsafePointer<Float>, _ sx: Int, _ y: UnsafePointer<Float>, _ sy: Int,
                           _ z: UnsafeMutablePointer<Float>, _ n: Int,
                           _ f: (FloatVector, FloatVector) -> FloatVector) {
        @inline(__always) func loop(_ fx: (Int) -> FloatVector, _ fy: (Int) -> FloatVector,
                                    _ px: (Int, Int) -> FloatVector, _ py: (Int, Int) -> FloatVector) {
            var i = 0
            while i + 8 <= n {
                store(f(fx(i), fy(i)), z + i)
                i += 8
            }
            if i < n { storePartial(f(px(i, n - i), py(i, n - i)), z + i, n - i) }
        }
        let u = FloatVector(repeating: x[0]), v = FloatVector(repeating: y[0])
        switch (sx != 0, sy != 0) {
        case (true, true):
            loop({ load(x + $0) }, { load(y + $0) }, { loadPartial(x + $0, $1) }, { loadPartial(y + $0, $1) })
        case (true, false): loop({ load(x + $0) }, { _ in v }, { loadPartial(x + $0, $1) }, { _, _ in v })
        case (false, true): loop({ _ in u }, { load(y + $0) }, { _, _ in u }, { loadPartial(y + $0, $1) })
        case (false, false): loop({ _ in u }, { _ in v }, { _, _ in u }, { _, _ in v })
        }
    }

    /// Lane-wise powf, with x·x for exponent 2 (powf(x, 2) rounds the same way).
    @inline(__always)
    static func power(_ x: FloatVector, _ y: FloatVector) -> FloatVector {
        if all(y .== 2) { return x * x }
        var r = x
        for i in 0..<8 { r[i] = Foundation.powf(x[i], y[i]) }
        return r
    }

    /// fn(a, b) with numpy broadcasting of `aShape` and `bShape` to `outputShape` (float32),
    /// as `Kernels.binary`: bit-identical for add, sub, mul, div, max, min, prelu and pow (NaN
    /// from max/min when either operand is NaN). Builds a `BinaryPlan` (small shape arrays);
    /// keep the plan instead in a loop that must not allocate.
    /// - Throws: as `BinaryPlan.init`.
    public static func binary(_ fn: BinaryFunction, a: UnsafePointer<Float>, aShape: [Int],
                              b: UnsafePointer<Float>, bShape: [Int],
                              output: UnsafeMutablePointer<Float>, outputShape: [Int]) throws {
        try BinaryPlan(fn, aShape: aShape, bShape: bShape, outputShape: outputShape).run(a: a, b: b, output: output)
    }
}
