// The window geometry shared by conv, convTranspose and pool: spatial sizes, kernel, strides,
// dilations and pads, checked and normalized to three spatial dims (missing leading dims have
// size 1) so that every kernel has one 3-D loop nest.

import EFCore

/// Parameters of a convolution window over 1–3 spatial dims. Empty arrays mean the defaults
/// (strides and dilations 1, pads 0).
public struct ConvParameters: Equatable, Sendable {
    public var strides: [Int]
    public var dilations: [Int]
    /// [begin per spatial dim..., end per spatial dim...].
    public var pads: [Int]
    public var group: Int

    public init(strides: [Int] = [], dilations: [Int] = [], pads: [Int] = [], group: Int = 1) {
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
        self.group = group
    }
}

/// The checked geometry of one window operation, with every per-axis array of length 3.
struct WindowGeometry {
    let spatialRank: Int
    let input: [Int]
    let kernel: [Int]
    let strides: [Int]
    let dilations: [Int]
    let padBegin: [Int]
    let padEnd: [Int]
    /// Output spatial sizes (3 entries), set by the caller's output rule.
    var output: [Int] = [1, 1, 1]

    var inputVolume: Int { input.elementCount }
    var kernelVolume: Int { kernel.elementCount }
    var outputVolume: Int { output.elementCount }
    /// The real output spatial dims (without the normalizing leading 1s).
    var outputSpatial: [Int] { Array(output.suffix(spatialRank)) }

    /// - Throws: `EdgeflowError.invalidInput` naming `op` when the spatial rank is not 1–3, an
    ///   array has the wrong length, a stride or dilation is < 1, or a pad is negative while
    ///   `allowNegativePads` is false.
    init(op: String, inputSpatial: [Int], kernel kernelSpatial: [Int], strides: [Int], dilations: [Int],
         pads: [Int], allowNegativePads: Bool = false) throws {
        let rank = inputSpatial.count
        guard (1...3).contains(rank) else {
            throw EdgeflowError(.invalidInput, "\(op) needs 1 to 3 spatial dims, got \(rank)")
        }
        func resolved(_ values: [Int], _ count: Int, _ fill: Int, _ name: String) throws -> [Int] {
            if values.isEmpty { return [Int](repeating: fill, count: count) }
            guard values.count == count else {
                throw EdgeflowError(.invalidInput, "\(op): \(name) has \(values.count) entries, expected \(count)")
            }
            return values
        }
        let s = try resolved(strides, rank, 1, "strides")
        let d = try resolved(dilations, rank, 1, "dilations")
        let p = try resolved(pads, 2 * rank, 0, "pads")
        guard kernelSpatial.count == rank else {
            throw EdgeflowError(.invalidInput, "\(op): kernel has \(kernelSpatial.count) spatial dims, input has \(rank)")
        }
        guard s.allSatisfy({ $0 >= 1 }), d.allSatisfy({ $0 >= 1 }), kernelSpatial.allSatisfy({ $0 >= 1 }) else {
            throw EdgeflowError(.invalidInput,
                "\(op): strides \(s), dilations \(d) and kernel \(kernelSpatial) must all be ≥ 1")
        }
        // Bounds that keep every size computation far from Int overflow.
        guard (inputSpatial + kernelSpatial + s + d).allSatisfy({ $0 <= 1 << 30 }),
              p.allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }) else {
            throw EdgeflowError(.invalidInput,
                "\(op): sizes, kernel \(kernelSpatial), strides \(s), dilations \(d) or pads \(p) exceed 2^30")
        }
        guard allowNegativePads || p.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidInput, "\(op): pads \(p) must be ≥ 0")
        }
        let lead = [Int](repeating: 1, count: 3 - rank), zeros = [Int](repeating: 0, count: 3 - rank)
        spatialRank = rank
        input = lead + inputSpatial
        kernel = lead + kernelSpatial
        self.strides = lead + s
        self.dilations = lead + d
        padBegin = zeros + p.prefix(rank)
        padEnd = zeros + p.suffix(rank)
    }

    /// Extent of the dilated kernel along axis `a`.
    func dilatedKernel(_ a: Int) -> Int { (kernel[a] - 1) * dilations[a] + 1 }

    /// Sets the convolution output size, floor((in + pads - dilated kernel) / stride) + 1.
    /// - Throws: `EdgeflowError.invalidInput` when the padded input is smaller than the kernel.
    mutating func setConvOutput(op: String) throws {
        for a in 0..<3 {
            let span = input[a] + padBegin[a] + padEnd[a] - dilatedKernel(a)
            guard span >= 0 else {
                throw EdgeflowError(.invalidInput,
                    "\(op): the padded input \(Array(input.suffix(spatialRank))) is smaller than the dilated kernel")
            }
            output[a] = span / strides[a] + 1
        }
    }

    /// For output index `o` along axis `a`, the kernel taps `lo..<hi` whose input index
    /// `o * stride - padBegin + tap * dilation` lies in `0..<limit` (`limit` defaults to the input size).
    @inline(__always)
    func validTaps(axis a: Int, output o: Int, lowerLimit: Int = 0, limit: Int? = nil) -> (lo: Int, hi: Int) {
        let start = o * strides[a] - padBegin[a]
        let upper = limit ?? input[a]
        let d = dilations[a]
        // smallest tap with start + tap*d >= lowerLimit
        var lo = 0
        if start < lowerLimit { lo = (lowerLimit - start + d - 1) / d }
        // largest tap with start + tap*d < upper, plus one
        var hi = kernel[a]
        if start + (hi - 1) * d >= upper { hi = upper - start <= 0 ? 0 : (upper - start + d - 1) / d }
        return (lo, max(lo, min(hi, kernel[a])))
    }

    /// Calls `body` for every kernel tap in row-major kernel order (depth, height, width) with
    /// the output ranges that see the tap inside the input; the walk shared by im2col, col2im
    /// and the depthwise convolution.
    @inline(__always)
    func forEachTap(_ body: (WindowTap) -> Void) {
        for kd in 0..<kernel[0] {
            let depth = validOutputs(axis: 0, tap: kd)
            for kh in 0..<kernel[1] {
                let height = validOutputs(axis: 1, tap: kh)
                for kw in 0..<kernel[2] {
                    body(WindowTap(kd: kd, kh: kh, depth: depth, height: height,
                                   width: validOutputs(axis: 2, tap: kw),
                                   columnOffset: kw * dilations[2] - padBegin[2]))
                }
            }
        }
    }

    /// Input depth read by output depth `od` at `tap`.
    @inline(__always)
    func inputDepth(_ od: Int, _ tap: WindowTap) -> Int { od * strides[0] - padBegin[0] + tap.kd * dilations[0] }

    /// Input row read by output row `y` at `tap`.
    @inline(__always)
    func inputRow(_ y: Int, _ tap: WindowTap) -> Int { y * strides[1] - padBegin[1] + tap.kh * dilations[1] }

    /// For kernel tap `tap` along axis `a`, the output indices `lo..<hi` whose input index
    /// `o * stride - padBegin + tap * dilation` lies in `0..<input[a]`.
    @inline(__always)
    func validOutputs(axis a: Int, tap: Int) -> (lo: Int, hi: Int) {
        let offset = tap * dilations[a] - padBegin[a]
        let lo = max(0, ceilDiv(-offset, strides[a]))
        let hi = min(output[a], floorDiv(input[a] - 1 - offset, strides[a]) + 1)
        return (lo, max(lo, hi))
    }
}

/// One kernel tap of a window walk: its depth and height indices, the output ranges (per axis)
/// whose window reads it inside the input, and the input column of output column 0
/// (`x * stride + columnOffset` for output column `x`).
struct WindowTap {
    let kd: Int, kh: Int
    let depth: (lo: Int, hi: Int)
    let height: (lo: Int, hi: Int)
    let width: (lo: Int, hi: Int)
    let columnOffset: Int
}

@inline(__always) private func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always) private func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }
