// Fast float32 softmax and log-softmax along one axis of an [outer, axisLength, inner] buffer.
// inner == 1 (the last axis) runs each row as 8-lane vectors; other layouts process 8
// neighbouring inner positions at a time, striding along the axis. Three passes per row:
// maximum, exponentials and their sum, scaling.

import EFCore
import Foundation

extension FastKernels {
    /// Softmax (or log-softmax when `log`) over the middle axis of `input` viewed as
    /// [outer, axisLength, inner], float32, into `output` (may equal `input`). As
    /// `Kernels.softmax`: the row maximum is subtracted first, a NaN in a row makes the row NaN,
    /// a fully -inf row gives NaN. Sums are float32 (the reference sums in float64); results
    /// are within 1e-6 · max(1, |y|) of `Kernels.softmax` (FastSoftmaxTests).
    public static func softmax(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                               outer: Int, axisLength: Int, inner: Int, log: Bool = false) {
        guard outer > 0, axisLength > 0, inner > 0 else { return }
        let blocks = (inner + 7) / 8
        let work = outer * blocks
        Parallel.forEachChunk(work, grain: Swift.max(1, streamingGrain / (axisLength * Swift.min(inner, 8)))) { range in
            for item in range {
                let o = item / blocks, first = (item % blocks) * 8
                let base = o * axisLength * inner + first
                if inner == 1 {
                    softmaxRow(input + base, output + base, axisLength, log)
                } else {
                    softmaxLanes(input + base, output + base, axisLength, inner, Swift.min(8, inner - first), log)
                }
            }
        }
    }

    /// Softmax of one contiguous row of `n` elements.
    @inline(__always)
    private static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ log: Bool) {
        let full = n & ~7, rest = n - full
        var peakVector = FloatVector(repeating: -.infinity)
        var i = 0
        while i < full { peakVector = nanMax(peakVector, load(x + i)); i += 8 }
        if rest > 0 { peakVector = nanMax(peakVector, loadPartial(x + full, rest, fill: -.infinity)) }
        var peak = peakVector[0]
        for lane in 1..<8 where peakVector[lane] > peak || peakVector[lane].isNaN { peak = peakVector[lane] }
        let shift = FloatVector(repeating: peak)
        var sums = FloatVector(repeating: 0)
        i = 0
        while i < full {
            let shifted = load(x + i) - shift, e = exp(shifted)
            sums += e
            store(log ? shifted : e, y + i)
            i += 8
        }
        var sum = Double(sums.sum())
        if rest > 0 {
            let shifted = loadPartial(x + full, rest) - shift, e = exp(shifted)
            for lane in 0..<rest { sum += Double(e[lane]) }
            storePartial(log ? shifted : e, y + full, rest)
        }
        let factor = FloatVector(repeating: log ? Float(Foundation.log(sum)) : Float(1 / sum))
        i = 0
        while i < full { store(log ? load(y + i) - factor : load(y + i) * factor, y + i); i += 8 }
        if rest > 0 {
            let v = loadPartial(y + full, rest)
            storePartial(log ? v - factor : v * factor, y + full, rest)
        }
    }

    /// Softmax of `lanes` (≤ 8) neighbouring rows that stride by `inner` along the axis.
    @inline(__always)
    private static func softmaxLanes(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                                     _ inner: Int, _ lanes: Int, _ log: Bool) {
        @inline(__always) func read(_ p: UnsafePointer<Float>) -> FloatVector {
            lanes == 8 ? load(p) : loadPartial(p, lanes)
        }
        @inline(__always) func write(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
            if lanes == 8 { store(v, p) } else { storePartial(v, p, lanes) }
        }
        var peak = read(x)
        for k in 1..<n { peak = nanMax(peak, read(x + k * inner)) }
        var sums = SIMD8<Double>(repeating: 0)
        for k in 0..<n {
            let shifted = read(x + k * inner) - peak, e = exp(shifted)
            for lane in 0..<8 { sums[lane] += Double(e[lane]) }
            write(log ? shifted : e, y + k * inner)
        }
        var factor = FloatVector(repeating: 0)
        for lane in 0..<8 { factor[lane] = log ? Float(Foundation.log(sums[lane])) : Float(1 / sums[lane]) }
        for k in 0..<n {
            let v = read(y + k * inner)
            write(log ? v - factor : v * factor, y + k * inner)
        }
    }
}
