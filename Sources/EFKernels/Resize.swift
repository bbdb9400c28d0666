// ONNX Resize over any rank: one axis plan per resized axis, then either a gather that copies
// element bits (nearest, exact for every dtype) or separable passes in Double (linear, cubic)
// rounded back to the input dtype.

import EFCore

extension Kernels {
    /// Resizes `x` to `parameters.sizes`.
    ///
    /// Nearest works on every dtype; linear and cubic on every numeric dtype (computed in Double,
    /// integers rounded half to even and saturated). Axes whose scale is 1, size unchanged and
    /// roi whole are copied as they are.
    /// - Throws: `EdgeflowError.invalidInput` for malformed parameters or an empty input that
    ///   should produce a non-empty output.
    public static func resize(_ x: Tensor, _ parameters: ResizeParameters) throws -> Tensor {
        guard x.rank >= 1 else { throw EdgeflowError(.invalidInput, "resize needs an input of rank ≥ 1") }
        let scales = try parameters.checkedScales(for: x.shape)
        let out = try makeOutput(x.dtype, parameters.sizes, "resize")
        guard out.count > 0 else { return out }
        guard x.count > 0 else {
            throw EdgeflowError(.invalidInput,
                "resize: cannot resize the empty \(x.shape.shapeDescription) to \(parameters.sizes.shapeDescription)")
        }
        let rank = x.rank
        let roi = parameters.coordinateMode == .tfCropAndResize ? parameters.roi : nil
        var plans: [ResizeAxisPlan?] = []
        for a in 0..<rank {
            let axisRoi = roi.map { ($0[a], $0[a + rank]) } ?? (0, 1)
            let identity = abs(scales[a] - 1) <= 1e-9 * max(abs(scales[a]), 1) && parameters.sizes[a] == x.shape[a]
                && axisRoi.0 == 0 && abs(axisRoi.1 - 1) <= 1e-9
            plans.append(identity ? nil : try ResizeAxisPlan(parameters, inputSize: x.shape[a], outputSize: parameters.sizes[a],
                                                         scale: scales[a], roi: axisRoi))
        }
        if parameters.mode == .nearest {
            let fill = saturatingTensor(from: [parameters.extrapolationValue], shape: [], dtype: x.dtype)
            gatherNearest(x, plans, fill, into: out)
            return out
        }
        guard x.dtype != .bool else {
            throw EdgeflowError(.invalidInput, "resize: \(parameters.mode.rawValue) mode needs a numeric input, got bool")
        }
        var values = x.doubleValues()
        var shape = x.shape
        for a in 0..<rank {
            guard let plan = plans[a] else { continue }
            values = interpolate(values, shape: shape, axis: a, plan: plan, outputSize: parameters.sizes[a],
                                 extrapolation: parameters.extrapolationValue)
            shape[a] = parameters.sizes[a]
        }
        return saturatingTensor(from: values, shape: shape, dtype: x.dtype)
    }

    /// One separable pass: output slice o along `axis` is the weighted sum of the input slices
    /// of its taps.
    private static func interpolate(_ source: [Double], shape: [Int], axis: Int, plan: ResizeAxisPlan,
                                    outputSize: Int, extrapolation: Double) -> [Double] {
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let inputSize = shape[axis], width = plan.width
        var result = [Double](repeating: 0, count: outer * outputSize * inner)
        source.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                for o in 0..<outputSize {
                    if plan.extrapolated[o] {
                        for b in 0..<outer {
                            (dst.baseAddress! + (b * outputSize + o) * inner).update(repeating: extrapolation, count: inner)
                        }
                        continue
                    }
                    for t in 0..<width {
                        let w = plan.weights[o * width + t], index = plan.indices[o * width + t]
                        for b in 0..<outer {
                            let s = src.baseAddress! + (b * inputSize + index) * inner
                            let d = dst.baseAddress! + (b * outputSize + o) * inner
                            for i in 0..<inner { d[i] += w * s[i] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Nearest resize as a gather of element bits; outputs extrapolated on any axis get `fill`.
    private static func gatherNearest(_ x: Tensor, _ plans: [ResizeAxisPlan?], _ fill: Tensor, into out: Tensor) {
        switch x.dtype.byteSize {
        case 1: gather(x, plans, fill, out, UInt8.self)
        case 2: gather(x, plans, fill, out, UInt16.self)
        case 4: gather(x, plans, fill, out, UInt32.self)
        default: gather(x, plans, fill, out, UInt64.self)
        }
    }

    private static func gather<W: FixedWidthInteger>(_ x: Tensor, _ plans: [ResizeAxisPlan?], _ fill: Tensor,
                                                     _ out: Tensor, _ word: W.Type) {
        let rank = x.rank, outShape = out.shape
        let inStrides = x.shape.contiguousStrides
        // Per axis and output index: the input offset along that axis, or nil when extrapolated.
        let offsets: [[Int?]] = (0..<rank).map { a in
            (0..<outShape[a]).map { o in
                guard let plan = plans[a] else { return o * inStrides[a] }
                return plan.extrapolated[o] ? nil : plan.indices[o] * inStrides[a]
            }
        }
        let src = x.storage.pointer.bindMemory(to: W.self, capacity: x.count)
        let dst = out.storage.pointer.bindMemory(to: W.self, capacity: out.count)
        let fillWord = fill.storage.pointer.bindMemory(to: W.self, capacity: 1).pointee
        let last = offsets[rank - 1]
        let rowCount = out.count / outShape[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var written = 0
        for _ in 0..<rowCount {
            var base: Int? = 0
            for a in 0..<(rank - 1) {
                guard let b = base, let offset = offsets[a][index[a]] else { base = nil; break }
                base = b + offset
            }
            for (j, offset) in last.enumerated() {
                if let base, let offset { dst[written + j] = src[base + offset] } else { dst[written + j] = fillWord }
            }
            written += last.count
            var a = rank - 2
            while a >= 0 {
                index[a] += 1
                if index[a] < outShape[a] { break }
                index[a] = 0
                a -= 1
            }
        }
    }
}
