// Max, average and Lp pooling over 1–3 spatial dims (NCHW) with pads, dilations, ceil mode
// and count_include_pad, as ONNX defines them. Per axis, the valid taps of every output
// index are computed once; the window loop then touches only real input elements.

import EFCore
import Foundation

/// What a pooling window computes.
public enum PoolKind: String, Sendable {
    /// Largest input element in the window (padding never wins).
    case max
    /// Mean of the window: over the real elements, or with `countIncludePad` over every position
    /// inside the explicitly padded input (positions added by ceil mode never count).
    case avg
    /// (Σ |x|^p)^(1/p) over the real elements of the window.
    case lp
}

/// Parameters of a pooling op. Empty strides/dilations/pads mean 1/1/0.
public struct PoolParameters: Equatable, Sendable {
    public var kind: PoolKind
    public var kernel: [Int]
    public var window: ConvParameters
    public var ceilMode: Bool
    public var countIncludePad: Bool
    /// The exponent of `lp` pooling.
    public var p: Double

    public init(kind: PoolKind, kernel: [Int], strides: [Int] = [], dilations: [Int] = [], pads: [Int] = [],
                ceilMode: Bool = false, countIncludePad: Bool = false, p: Double = 2) {
        self.kind = kind
        self.kernel = kernel
        window = ConvParameters(strides: strides, dilations: dilations, pads: pads)
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.p = p
    }
}

extension Kernels {
    /// The output spatial sizes of a pooling op: floor (or ceil in ceil mode) of
    /// (in + pads − dilated kernel) / stride, plus 1; in ceil mode a last window that would start
    /// beyond the input and the begin padding is dropped.
    /// - Throws: `EdgeflowError.invalidInput` for malformed parameters or a window larger than
    ///   the padded input.
    public static func poolOutputSpatial(inputSpatial: [Int], _ parameters: PoolParameters) throws -> [Int] {
        try poolGeometry(inputSpatial, parameters).outputSpatial
    }

    static func poolGeometry(_ inputSpatial: [Int], _ parameters: PoolParameters) throws -> WindowGeometry {
        var g = try WindowGeometry(op: "pool", inputSpatial: inputSpatial, kernel: parameters.kernel,
                                   strides: parameters.window.strides, dilations: parameters.window.dilations,
                                   pads: parameters.window.pads)
        try g.setConvOutput(op: "pool")
        if parameters.ceilMode {
            for a in 0..<3 {
                let span = g.input[a] + g.padBegin[a] + g.padEnd[a] - g.dilatedKernel(a)
                var size = (span + g.strides[a] - 1) / g.strides[a] + 1
                if (size - 1) * g.strides[a] >= g.input[a] + g.padBegin[a] { size -= 1 }
                g.output[a] = size
            }
        }
        return g
    }

    /// Pooling over the spatial dims of x [N, C, spatial...] (1–3 spatial dims).
    ///
    /// dtypes: float32 and float64 for every kind (float16 and bfloat16 computed in float32);
    /// max also takes int8 and uint8.
    /// - Returns: [N, C, out...] as `poolOutputSpatial`.
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, rank < 3 or bad parameters.
    public static func pool(_ x: Tensor, _ parameters: PoolParameters) throws -> Tensor {
        guard x.rank >= 3 else {
            throw EdgeflowError(.invalidInput,
                "pool needs x of rank ≥ 3 ([N, C, spatial...]), got \(x.shape.shapeDescription)")
        }
        if isHalfFloat(x.dtype) { return try computingHalfInFloat32(x) { try pool($0, parameters) } }
        let g = try poolGeometry(Array(x.shape.dropFirst(2)), parameters)
        let out = try makeOutput(x.dtype, Array(x.shape.prefix(2)) + g.outputSpatial, "pool")
        let planes = x.shape[0] * x.shape[1]
        switch (x.dtype, parameters.kind) {
        case (.float32, .max): maxPool(x, out, g, planes, lowest: -Float.infinity)
        case (.float64, .max): maxPool(x, out, g, planes, lowest: -Double.infinity)
        case (.int8, .max): maxPool(x, out, g, planes, lowest: Int8.min)
        case (.uint8, .max): maxPool(x, out, g, planes, lowest: UInt8.min)
        case (.float32, _): sumPool(x, out, g, planes, parameters, Float.self)
        case (.float64, _): sumPool(x, out, g, planes, parameters, Double.self)
        default:
            throw EdgeflowError(.invalidInput, "\(parameters.kind.rawValue) pooling does not support \(x.dtype.rawValue)")
        }
        return out
    }

    /// Max pooling as `pool` with kind max, also returning where each maximum came from (ONNX
    /// MaxPool's Indices): an int64 tensor shaped like the values holding the flat index into x,
    /// counting the N and C dims (plane × plane size + spatial offset), with the spatial offset
    /// row-major, or column-major (first spatial axis fastest) when `columnMajor`. The values
    /// equal `pool`'s; the first maximum in window order wins ties (the window's first element
    /// when none exceeds the dtype's lowest value); a window holding no input element gives the
    /// lowest value and index -1.
    /// - Throws: as `pool`.
    public static func maxPoolWithIndices(_ x: Tensor, _ parameters: PoolParameters, columnMajor: Bool = false)
        throws -> (values: Tensor, indices: Tensor) {
        guard x.rank >= 3 else {
            throw EdgeflowError(.invalidInput,
                "pool needs x of rank ≥ 3 ([N, C, spatial...]), got \(x.shape.shapeDescription)")
        }
        if isHalfFloat(x.dtype) {
            let wide = try maxPoolWithIndices(try cast(x, to: .float32), parameters, columnMajor: columnMajor)
            return (try cast(wide.values, to: x.dtype), wide.indices)
        }
        let g = try poolGeometry(Array(x.shape.dropFirst(2)), parameters)
        let shape = Array(x.shape.prefix(2)) + g.outputSpatial
        let values = try makeOutput(x.dtype, shape, "pool"), indices = try makeOutput(.int64, shape, "pool")
        let planes = x.shape[0] * x.shape[1]
        switch x.dtype {
        case .float32: maxPoolIndices(x, values, indices, g, planes, columnMajor, lowest: -Float.infinity)
        case .float64: maxPoolIndices(x, values, indices, g, planes, columnMajor, lowest: -Double.infinity)
        case .int8: maxPoolIndices(x, values, indices, g, planes, columnMajor, lowest: Int8.min)
        case .uint8: maxPoolIndices(x, values, indices, g, planes, columnMajor, lowest: UInt8.min)
        default: throw EdgeflowError(.invalidInput, "max pooling does not support \(x.dtype.rawValue)")
        }
        return (values, indices)
    }

    private static func maxPoolIndices<T: Comparable & TensorElement>(
        _ x: Tensor, _ values: Tensor, _ indices: Tensor, _ g: WindowGeometry, _ planes: Int, _ columnMajor: Bool,
        lowest: T) {
        let taps = tapRanges(g, padded: false)
        let (d, h, w) = (g.input[0], g.input[1], g.input[2])
        // The reported spatial index of row-major offset `o` in the (d, h, w) plane.
        func spatialIndex(_ o: Int) -> Int {
            columnMajor ? o / (h * w) + (o / w % h) * d + (o % w) * d * h : o
        }
        let px = x.elements(T.self), pv = values.mutableElements(T.self), pi = indices.mutableElements(Int64.self)
        var out = 0
        for plane in 0..<planes {
            let src = px + plane * g.inputVolume
            visitWindows(g, taps) { offsets in
                var best = lowest, at = -1, first = -1
                offsets {
                    if first < 0 { first = $0 }
                    if src[$0] > best { best = src[$0]; at = $0 }
                }
                if at < 0 { at = first }
                pv[out] = best
                pi[out] = at < 0 ? -1 : Int64(plane * g.inputVolume + spatialIndex(at))
                out += 1
            }
        }
    }

    /// Per axis, per output index: the valid kernel taps.
    private static func tapRanges(_ g: WindowGeometry, padded: Bool) -> [[(lo: Int, hi: Int)]] {
        (0..<3).map { a in
            (0..<g.output[a]).map { o in
                padded ? g.validTaps(axis: a, output: o, lowerLimit: -g.padBegin[a], limit: g.input[a] + g.padEnd[a])
                       : g.validTaps(axis: a, output: o)
            }
        }
    }

    private static func maxPool<T: Comparable & TensorElement>(_ x: Tensor, _ out: Tensor, _ g: WindowGeometry,
                                                               _ planes: Int, lowest: T) {
        let taps = tapRanges(g, padded: false)
        let px = x.elements(T.self), py = out.mutableElements(T.self)
        for plane in 0..<planes {
            let src = px + plane * g.inputVolume
            var dst = py + plane * g.outputVolume
            visitWindows(g, taps) { offsets in
                var best = lowest
                offsets { if src[$0] > best { best = src[$0] } }
                dst.pointee = best
                dst += 1
            }
        }
    }

    private static func sumPool<T: GemmScalar>(_ x: Tensor, _ out: Tensor, _ g: WindowGeometry, _ planes: Int,
                                               _ parameters: PoolParameters, _ type: T.Type) {
        let taps = tapRanges(g, padded: false)
        let paddedTaps = tapRanges(g, padded: true)
        let px = x.elements(T.self), py = out.mutableElements(T.self)
        let p = parameters.p
        for plane in 0..<planes {
            let src = px + plane * g.inputVolume
            var dst = py + plane * g.outputVolume
            var index = 0
            visitWindows(g, taps) { offsets in
                var sum = 0.0, count = 0
                switch parameters.kind {
                case .lp: offsets { sum += Foundation.pow(abs(Double(src[$0])), p) }
                default: offsets { sum += Double(src[$0]); count += 1 }
                }
                let value: Double
                if parameters.kind == .lp {
                    value = Foundation.pow(sum, 1 / p)
                } else {
                    if parameters.countIncludePad { count = windowCount(paddedTaps, g, index) }
                    value = count == 0 ? 0 : sum / Double(count)
                }
                dst.pointee = T(value)
                dst += 1
                index += 1
            }
        }
    }

    /// The number of taps of output element `index` that lie in the explicitly padded input.
    private static func windowCount(_ taps: [[(lo: Int, hi: Int)]], _ g: WindowGeometry, _ index: Int) -> Int {
        let ow = index % g.output[2], oh = index / g.output[2] % g.output[1], od = index / (g.output[1] * g.output[2])
        return (taps[0][od].hi - taps[0][od].lo) * (taps[1][oh].hi - taps[1][oh].lo) * (taps[2][ow].hi - taps[2][ow].lo)
    }

    /// Visits the output elements in order; for each, `body` gets an enumerator of the flat input
    /// offsets of its valid taps.
    @inline(__always)
    private static func visitWindows(_ g: WindowGeometry, _ taps: [[(lo: Int, hi: Int)]],
                                     _ body: (((Int) -> Void) -> Void) -> Void) {
        let (ih, iw) = (g.input[1], g.input[2])
        let (sd, sh, sw) = (g.strides[0], g.strides[1], g.strides[2])
        let (dd, dh, dw) = (g.dilations[0], g.dilations[1], g.dilations[2])
        for od in 0..<g.output[0] {
            let dt = taps[0][od], d0 = od * sd - g.padBegin[0]
            for oh in 0..<g.output[1] {
                let ht = taps[1][oh], h0 = oh * sh - g.padBegin[1]
                for ow in 0..<g.output[2] {
                    let wt = taps[2][ow], w0 = ow * sw - g.padBegin[2]
                    body { visit in
                        for kd in dt.lo..<dt.hi {
                            let rowD = (d0 + kd * dd) * ih
                            for kh in ht.lo..<ht.hi {
                                let row = (rowD + h0 + kh * dh) * iw + w0
                                for kw in wt.lo..<wt.hi { visit(row + kw * dw) }
                            }
                        }
                    }
                }
            }
        }
    }
}
