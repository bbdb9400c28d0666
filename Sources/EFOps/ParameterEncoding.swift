// Typed op parameters → their string-keyed form (for graph.json, executables' JSON and text
// dumps), and the op each parameter case belongs to. Defaults are left out, so a decoded and
// re-encoded node reads like the importer wrote it.

import EFCore
import EFKernels

extension OpParameters {
    /// The op these parameters belong to.
    public var op: OpType {
        switch self {
        case .unary: .unary
        case .binary: .binary
        case .select: .where
        case .cast: .cast
        case .bitCast: .bitCast
        case .matMul: .matMul
        case .conv: .conv
        case .convTranspose: .convTranspose
        case .pool: .pool
        case .reduce: .reduce
        case .argReduce: .argReduce
        case .softmax: .softmax
        case .logSoftmax: .logSoftmax
        case .layerNorm: .layerNorm
        case .lrn: .lrn
        case .instanceNorm: .instanceNorm
        case .cumSum: .cumSum
        case .cumProd: .cumProd
        case .topK: .topK
        case .det: .det
        case .reshape: .reshape
        case .transpose: .transpose
        case .expand: .expand
        case .concat: .concat
        case .slice: .slice
        case .pad: .pad
        case .gather: .gather
        case .gatherElements: .gatherElements
        case .gatherND: .gatherND
        case .scatterElements: .scatterElements
        case .scatterND: .scatterND
        case .tile: .tile
        case .depthToSpace: .depthToSpace
        case .spaceToDepth: .spaceToDepth
        case .trilu: .trilu
        case .oneHot: .oneHot
        case .resize: .resize
        case .gridSample: .gridSample
        case .roiAlign: .roiAlign
        case .loop: .loop
        case .deformConv: .deformConv
        case .quantizeLinear: .quantizeLinear
        case .dequantizeLinear: .dequantizeLinear
        case .dynamicQuantizeLinear: .dynamicQuantizeLinear
        case .qlinearConv: .qlinearConv
        case .qlinearMatMul: .qlinearMatMul
        case .matMulInteger: .matMulInteger
        case .convInteger: .convInteger
        case .quantizedConv: .quantizedConv
        case .quantizedMatMul: .quantizedMatMul
        case .fixedPointRequantize: .fixedPointRequantize
        case .lookupSoftmax: .lookupSoftmax
        }
    }

    /// The string-keyed form (keys as documented on `OpType`).
    public var attributes: Attributes {
        var a = Attributes()
        switch self {
        case .unary(let p):
            a["fn"] = .string(p.fn.rawValue)
            Self.put(&a, "alpha", p.constants.alpha, 0)
            Self.put(&a, "beta", p.constants.beta, 0)
            Self.put(&a, "gamma", p.constants.gamma, 0)
        case .binary(let fn): a["fn"] = .string(fn.rawValue)
        case .select, .dynamicQuantizeLinear, .qlinearMatMul, .matMulInteger, .det: break
        case .cast(let dtype, let saturate, let roundMode):
            a["to"] = .string(dtype.rawValue)
            Self.put(&a, "saturate", saturate, true)
            if roundMode != .up { a["roundMode"] = .string(roundMode.rawValue) }
        case .matMul(let p): Self.put(&a, p.activation)
        case .conv(let p):
            Self.put(&a, p.window)
            Self.put(&a, p.activation)
            Self.put(&a, "channelsLast", p.channelsLast, false)
        case .convTranspose(let p):
            Self.put(&a, p.window)
            if !p.outputPadding.isEmpty { a["outputPadding"] = .ints(p.outputPadding) }
            Self.put(&a, "channelsLast", p.channelsLast, false)
        case .pool(let p):
            a["kind"] = .string(p.pool.kind.rawValue)
            a["kernel"] = .ints(p.pool.kernel)
            var window = p.pool.window
            window.group = 1
            Self.put(&a, window)
            Self.put(&a, "ceilMode", p.pool.ceilMode, false)
            Self.put(&a, "countIncludePad", p.pool.countIncludePad, false)
            Self.put(&a, "p", Float(p.pool.p), 2)
            Self.put(&a, "storageOrder", p.columnMajorIndices, false)
            Self.put(&a, "channelsLast", p.channelsLast, false)
        case .reduce(let p):
            a["fn"] = .string(p.fn.rawValue)
            a["axes"] = .ints(p.axes)
            a["keepDims"] = .int(p.keepDims ? 1 : 0)
        case .argReduce(let p):
            a["fn"] = .string(p.largest ? "max" : "min")
            a["axis"] = .int(p.axis)
            a["keepDims"] = .int(p.keepDims ? 1 : 0)
            Self.put(&a, "selectLastIndex", p.selectLastIndex, false)
        case .softmax(let axis), .logSoftmax(let axis), .concat(let axis), .gather(let axis),
             .gatherElements(let axis):
            a["axis"] = .int(axis)
        case .layerNorm(let p):
            a["axis"] = .int(p.axis)
            a["epsilon"] = .float(p.epsilon)
            if p.statsDType != .float32 { a["statsDType"] = .string(p.statsDType.rawValue) }
        case .lrn(let p):
            a["size"] = .int(p.size)
            a["alpha"] = .float(p.alpha)
            a["beta"] = .float(p.beta)
            a["bias"] = .float(p.bias)
        case .instanceNorm(let epsilon): a["epsilon"] = .float(epsilon)
        case .cumSum(let p), .cumProd(let p):
            a["axis"] = .int(p.axis)
            Self.put(&a, "exclusive", p.exclusive, false)
            Self.put(&a, "reverse", p.reverse, false)
        case .topK(let p):
            a["k"] = .int(p.k)
            a["axis"] = .int(p.axis)
            a["largest"] = .int(p.largest ? 1 : 0)
            a["sorted"] = .int(p.sorted ? 1 : 0)
        case .reshape(let shape), .expand(let shape): a["shape"] = .ints(shape)
        case .transpose(let perm): a["perm"] = .ints(perm)
        case .slice(let p):
            a["starts"] = .ints(p.starts)
            a["ends"] = .ints(p.ends)
            if !p.steps.isEmpty { a["steps"] = .ints(p.steps) }
        case .pad(let p):
            a["pads"] = .ints(p.pads)
            a["mode"] = .string(p.mode.rawValue)
            a["value"] = .float(p.value)
        case .gatherND(let batchDims): a["batchDims"] = .int(batchDims)
        case .scatterElements(let axis, let reduction):
            a["axis"] = .int(axis)
            a["reduction"] = .string(reduction.rawValue)
        case .scatterND(let reduction): a["reduction"] = .string(reduction.rawValue)
        case .tile(let repeats): a["repeats"] = .ints(repeats)
        case .depthToSpace(let blockSize, let mode):
            a["blockSize"] = .int(blockSize)
            a["mode"] = .string(mode.rawValue)
        case .spaceToDepth(let blockSize): a["blockSize"] = .int(blockSize)
        case .trilu(let upper, let k):
            a["upper"] = .int(upper ? 1 : 0)
            a["k"] = .int(k)
        case .oneHot(let depth, let axis):
            a["depth"] = .int(depth)
            a["axis"] = .int(axis)
        case .resize(let p): a = Self.resizeAttributes(p)
        case .gridSample(let p): a = Self.gridSampleAttributes(p)
        case .roiAlign(let p): a = Self.roiAlignAttributes(p)
        case .loop(let p): a = Self.loopAttributes(p)
        case .deformConv(let p):
            Self.put(&a, p.window)
            if p.offsetGroup != 1 { a["offsetGroup"] = .int(p.offsetGroup) }
        case .bitCast(let dtype): a["to"] = .string(dtype.rawValue)
        case .quantizeLinear(let p), .dequantizeLinear(let p):
            a["axis"] = .int(p.axis)
            Self.put(&a, "blockSize", p.blockSize, 0)
            if let dtype = p.outputDType { a["outputDType"] = .string(dtype.rawValue) }
            Self.put(&a, "saturate", p.saturate, true)
        case .qlinearConv(let window), .convInteger(let window): Self.put(&a, window)
        case .quantizedConv(let p):
            Self.put(&a, p.window)
            Self.put(&a, "channelsLast", p.channelsLast, false)
            a["inputZeroPoint"] = .int(Int(p.inputZeroPoint))
            Self.put(&a, p.output)
        case .quantizedMatMul(let p):
            a["inputZeroPoint"] = .int(Int(p.inputZeroPoint))
            Self.put(&a, p.output)
        case .fixedPointRequantize(let p): a = Self.fixedPointRequantizeAttributes(p)
        case .lookupSoftmax(let axis, let scale, let zeroPoint):
            a = ["axis": .int(axis), "scale": .float(scale), "zeroPoint": .int(Int(zeroPoint))]
        }
        return a
    }

    private static func put(_ a: inout Attributes, _ key: String, _ value: Float, _ absent: Float) {
        if value != absent { a[key] = .float(value) }
    }
    private static func put(_ a: inout Attributes, _ key: String, _ value: Int, _ absent: Int) {
        if value != absent { a[key] = .int(value) }
    }
    private static func put(_ a: inout Attributes, _ key: String, _ value: Bool, _ absent: Bool) {
        if value != absent { a[key] = .int(value ? 1 : 0) }
    }
    static func put(_ a: inout Attributes, _ activation: FusedActivation?) {
        guard let activation else { return }
        a["activation"] = .string(activation.fn.rawValue)
        put(&a, "activationAlpha", activation.alpha, 0)
        put(&a, "activationBeta", activation.beta, 0)
    }
    static func put(_ a: inout Attributes, _ window: ConvParameters) {
        if !window.strides.isEmpty { a["strides"] = .ints(window.strides) }
        if !window.dilations.isEmpty { a["dilations"] = .ints(window.dilations) }
        if !window.pads.isEmpty { a["pads"] = .ints(window.pads) }
        put(&a, "group", window.group, 1)
    }

    private static func resizeAttributes(_ p: ResizeParameters) -> Attributes {
        var a: Attributes = ["mode": .string(p.mode.rawValue), "sizes": .ints(p.sizes),
                             "coordinateTransformationMode": .string(p.coordinateMode.rawValue),
                             "nearestMode": .string(p.nearestMode.rawValue)]
        put(&a, "cubicCoeffA", Float(p.cubicCoeffA), -0.75)
        put(&a, "excludeOutside", p.excludeOutside, false)
        put(&a, "extrapolationValue", Float(p.extrapolationValue), 0)
        put(&a, "antialias", p.antialias, false)
        if let scales = p.scales { a["scales"] = .floats(scales.map { Float($0) }) }
        if let roi = p.roi { a["roi"] = .floats(roi.map { Float($0) }) }
        return a
    }
}
