// Fast unary float32 kernels: activations and math functions over a buffer, 8 lanes at a
// time, in parallel chunks. Formulas follow `Kernels.applyFloatFunction` (ONNX definitions).

import EFCore

extension FastKernels {
    /// True when `unary` implements `fn`.
    public static func supportsUnary(_ fn: UnaryFunction) -> Bool {
        switch fn {
        case .identity, .relu, .leakyRelu, .clip, .sigmoid, .tanh, .exp, .erf, .gelu, .geluTanh, .hardSwish,
             .hardSigmoid, .elu, .neg, .abs, .sqrt, .reciprocal, .softplus:
            return true
        default:
            return false
        }
    }

    /// output[i] = fn(input[i]) for i in 0..<count (float32). `output` may equal `input`.
    /// Parameters as `Kernels.unary`: leakyRelu/elu use `alpha`; clip clamps to [alpha, beta];
    /// hardSigmoid is max(0, min(1, alpha·x + beta)).
    ///
    /// Bit-identical to `Kernels.unary` for identity, relu, leakyRelu, clip, neg, abs, sqrt,
    /// reciprocal, hardSwish, hardSigmoid (NaN and ±0 behaviour included). The others use the
    /// polynomial approximations of FastMath. Against the reference over a dense sweep of
    /// [-20, 20] (step 1e-4) plus ±0, ±1e-30, ±1e-6, ±88.8, -104, ±100, ±1e30, ±FLT_MAX, ±inf,
    /// NaN and the smallest normals and subnormals (FastUnaryTests), |fast − ref| ≤ e·max(1, |ref|)
    /// with e = 1.2e-7 (about 1 ulp near 1) for exp, sigmoid, tanh, erf, softplus, geluTanh;
    /// 2.3e-7 for gelu; 6e-8·max(1, |alpha|) for elu. exp's relative error is ≤ 2 ulp on
    /// [-87, 88]; it returns 0 below x ≈ -103.9 where libm still gives subnormals (absolute
    /// error < 1e-44). NaN maps to NaN and ±inf to the limits.
    /// - Throws: `EdgeflowError.unsupported` when `supportsUnary(fn)` is false.
    public static func unary(_ fn: UnaryFunction, _ parameters: UnaryParameters,
                             input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) throws {
        guard supportsUnary(fn) else {
            throw EdgeflowError(.unsupported, "FastKernels.unary does not implement \(fn.rawValue)",
                                hint: "check FastKernels.supportsUnary first and use Kernels.unary otherwise")
        }
        if fn == .identity {
            if UnsafePointer(output) != input { output.update(from: input, count: count) }
            return
        }
        forEachVectorChunk(count) { start, end in unaryRange(fn, parameters, input, output, start, end) }
    }

    /// `unary` over start..<end (fn supported, not identity), on the calling thread.
    static func unaryRange(_ fn: UnaryFunction, _ parameters: UnaryParameters, _ input: UnsafePointer<Float>,
                           _ output: UnsafeMutablePointer<Float>, _ start: Int, _ end: Int) {
        switch fn {
        case .exp, .sigmoid, .tanh, .erf, .gelu, .geluTanh, .elu, .softplus:
            #if EDGEFLOW_WIDE_LANES  // the AVX-512 build: 16 lanes (WideTranscendentals.swift, generated)
            wideTranscendentalRange(fn, parameters, input, output, start, end)
            #else
            transcendentalRange(fn, parameters, input, output, start, end)
            #endif
        default:
            piecewiseRange(fn, parameters, input, output, start, end)
        }
    }

    /// The functions made of a few compares and arithmetic, each through `mapLanes` so its lane
    /// function is inlined into the loop (as closures in one large switch, each stayed a call per
    /// 8 floats with a vzeroupper; hardSwish runs in PP-OCR's int8 epilogues).
    @inline(never)
    private static func piecewiseRange(_ fn: UnaryFunction, _ parameters: UnaryParameters,
                                       _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                       _ start: Int, _ end: Int) {
        let c = LaneConstants(alpha: FloatVector(repeating: parameters.alpha),
                              beta: FloatVector(repeating: parameters.beta))
        switch fn {
        case .relu: mapLanes(ReluLanes.self, c, src, dst, start, end)
        case .leakyRelu: mapLanes(LeakyReluLanes.self, c, src, dst, start, end)
        case .clip: mapLanes(ClipLanes.self, c, src, dst, start, end)
        case .neg: mapLanes(NegLanes.self, c, src, dst, start, end)
        case .abs: mapLanes(AbsLanes.self, c, src, dst, start, end)
        case .sqrt:  // a plain loop: SIMD8.squareRoot() compiles to eight sqrtf calls
            for i in start..<end { dst[i] = src[i].squareRoot() }
        case .reciprocal: mapLanes(ReciprocalLanes.self, c, src, dst, start, end)
        case .hardSwish: mapLanes(HardSwishLanes.self, c, src, dst, start, end)
        case .hardSigmoid: mapLanes(HardSigmoidLanes.self, c, src, dst, start, end)
        default: break
        }
    }

    /// output[i] = F.apply(input[i]) for i in start..<end; the tail goes through `F` as a partial
    /// vector, so every element sees the same arithmetic. `output` may equal `input`.
    @inline(__always)
    private static func mapLanes<F: LaneFunction>(_: F.Type, _ c: LaneConstants, _ input: UnsafePointer<Float>,
                                                  _ output: UnsafeMutablePointer<Float>, _ start: Int, _ end: Int) {
        var i = start
        while i + 8 <= end {
            store(F.apply(load(input + i), c), output + i)
            i += 8
        }
        if i < end { storePartial(F.apply(loadPartial(input + i, end - i), c), output + i, end - i) }
    }

    /// The functions built on FastMath's polynomials, through `mapLanes` like `piecewiseRange`.
    @inline(never)
    static func transcendentalRange(_ fn: UnaryFunction, _ parameters: UnaryParameters,
                                            _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                            _ start: Int, _ end: Int) {
        let c = LaneConstants(alpha: FloatVector(repeating: parameters.alpha),
                              beta: FloatVector(repeating: parameters.beta))
        switch fn {
        case .exp: mapLanes(ExpLanes.self, c, src, dst, start, end)
        case .sigmoid: mapLanes(SigmoidLanes.self, c, src, dst, start, end)
        case .tanh: mapLanes(TanhLanes.self, c, src, dst, start, end)
        case .erf: mapLanes(ErfLanes.self, c, src, dst, start, end)
        case .gelu: mapLanes(GeluLanes.self, c, src, dst, start, end)
        case .geluTanh: mapLanes(GeluTanhLanes.self, c, src, dst, start, end)
        case .elu: mapLanes(EluLanes.self, c, src, dst, start, end)
        case .softplus: mapLanes(SoftplusLanes.self, c, src, dst, start, end)
        default: break
        }
    }
}

/// The parameters of a unary function as vectors: leakyRelu and elu use alpha; clip clamps to
/// [alpha, beta]; hardSigmoid is max(0, min(1, alpha·x + beta)).
struct LaneConstants {
    let alpha: FloatVector, beta: FloatVector
}

/// One lane-wise function of `piecewiseRange` or `transcendentalRange`, always inlined into its
/// loop.
protocol LaneFunction {
    static func apply(_ x: FloatVector, _ c: LaneConstants) -> FloatVector
}

private typealias Lanes = FloatVector

private enum ReluLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        x.replacing(with: 0, where: x .<= 0)
    }
}

private enum LeakyReluLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        x.replacing(with: c.alpha * x, where: x .< 0)
    }
}

private enum ClipLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        let low = x.replacing(with: c.alpha, where: x .< c.alpha)
        return low.replacing(with: c.beta, where: low .> c.beta)
    }
}

private enum NegLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.floats(FastKernels.bits(x) ^ SIMD8(repeating: Int32(bitPattern: 0x8000_0000)))
    }
}

private enum AbsLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.magnitude(x)
    }
}

private enum ReciprocalLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes { 1 / x }
}

private enum HardSwishLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        x * FastKernels.swiftMax(Lanes(repeating: 0), FastKernels.swiftMin(Lanes(repeating: 1), x / 6 + 0.5))
    }
}

private enum HardSigmoidLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.swiftMax(Lanes(repeating: 0), FastKernels.swiftMin(Lanes(repeating: 1), c.alpha * x + c.beta))
    }
}

// MARK: transcendental lanes — tools/gen_wide_math.py copies everything below for 16 lanes.

private enum ExpLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.exp(x)
    }
}

private enum SigmoidLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        1 / (1 + FastKernels.exp(-x))
    }
}

private enum TanhLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.tanh(x)
    }
}

private enum ErfLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.erf(x)
    }
}

/// x·(1 + erf(x/√2))/2.
private enum GeluLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        x * (1 + FastKernels.erf(x * 0.707_106_781_186_547_52)) / 2
    }
}

/// x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2.
private enum GeluTanhLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        x * (1 + FastKernels.tanh(0.797_884_560_802_865_36 * (x + 0.044715 * x * x * x))) / 2
    }
}

/// x for x ≥ 0, alpha·(e^x − 1) below.
private enum EluLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        x.replacing(with: c.alpha * (FastKernels.exp(x) - 1), where: x .< 0)
    }
}

/// max(x, 0) + log(1 + e^−|x|).
private enum SoftplusLanes: LaneFunction {
    @inline(__always) static func apply(_ x: Lanes, _ c: LaneConstants) -> Lanes {
        FastKernels.swiftMax(x, Lanes(repeating: 0)) + FastKernels.log1pUnit(FastKernels.exp(-FastKernels.magnitude(x)))
    }
}
