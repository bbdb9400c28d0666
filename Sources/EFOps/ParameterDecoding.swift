// String-keyed attributes → typed op parameters: the one place the keys documented in
// OpType.swift are read (the ONNX importer and the graph.json reader call it once per node).

import EFCore
import EFKernels

extension OpParameters {
    /// Decodes the parameters of `op` from their string-keyed form.
    /// - Throws: `EdgeflowError.invalidModel` naming a missing or malformed key or an unknown
    ///   function, mode or dtype name.
    public init(_ op: OpType, _ a: Attributes) throws {
        switch op {
        case .unary:
            self = .unary(UnaryOp(try Self.choice(a, "fn", UnaryFunction.self), Self.unaryConstants(a)))
        case .binary: self = .binary(try Self.choice(a, "fn", BinaryFunction.self))
        case .where: self = .select
        case .cast:
            self = .cast(to: try a.requiredDType("to"), saturate: try Self.flag(a, "saturate", true),
                         roundMode: try Self.choice(a, "roundMode", SmallFloatFormat.E8M0Rounding.self, default: .up))
        case .bitCast: self = .bitCast(to: try a.requiredDType("to"))
        case .matMul: self = .matMul(MatMulOp(activation: try Self.activation(a)))
        case .conv:
            self = .conv(ConvOp(window: try Self.window(a), activation: try Self.activation(a),
                                channelsLast: try Self.flag(a, "channelsLast", false)))
        case .convTranspose:
            self = .convTranspose(ConvTransposeOp(window: try Self.window(a),
                                                  outputPadding: try Self.ints(a, "outputPadding"),
                                                  channelsLast: try Self.flag(a, "channelsLast", false)))
        case .pool:
            let window = try Self.window(a)
            let parameters = PoolParameters(kind: try Self.choice(a, "kind", PoolKind.self),
                                            kernel: try a.requiredInts("kernel"), strides: window.strides,
                                            dilations: window.dilations, pads: window.pads,
                                            ceilMode: try Self.flag(a, "ceilMode", false),
                                            countIncludePad: try Self.flag(a, "countIncludePad", false),
                                            p: Double(try Self.float(a, "p", 2)))
            self = .pool(PoolOp(parameters, columnMajorIndices: try Self.flag(a, "storageOrder", false),
                                channelsLast: try Self.flag(a, "channelsLast", false)))
        case .reduce:
            self = .reduce(ReduceOp(try Self.choice(a, "fn", ReduceFunction.self), axes: try Self.ints(a, "axes"),
                                    keepDims: try Self.flag(a, "keepDims", true)))
        case .argReduce:
            let fn = try a.requiredString("fn")
            guard fn == "max" || fn == "min" else { throw EdgeflowError(.invalidModel, "unknown argReduce fn '\(fn)'") }
            self = .argReduce(ArgReduceOp(largest: fn == "max", axis: try a.requiredInt("axis"),
                                          keepDims: try Self.flag(a, "keepDims", true),
                                          selectLastIndex: try Self.flag(a, "selectLastIndex", false)))
        case .softmax: self = .softmax(axis: try a.requiredInt("axis"))
        case .logSoftmax: self = .logSoftmax(axis: try a.requiredInt("axis"))
        case .layerNorm:
            self = .layerNorm(LayerNormOp(axis: try a.requiredInt("axis"), epsilon: try Self.float(a, "epsilon", 1e-5),
                                          statsDType: try Self.dtype(a, "statsDType") ?? .float32))
        case .lrn:
            self = .lrn(LRNOp(size: try a.requiredInt("size"), alpha: try Self.float(a, "alpha", 1e-4),
                              beta: try Self.float(a, "beta", 0.75), bias: try Self.float(a, "bias", 1)))
        case .instanceNorm: self = .instanceNorm(epsilon: try Self.float(a, "epsilon", 1e-5))
        case .cumProd: self = .cumProd(try Self.scan(a))
        case .cumSum:
            self = .cumSum(CumSumOp(axis: try a.requiredInt("axis"), exclusive: try Self.flag(a, "exclusive", false),
                                    reverse: try Self.flag(a, "reverse", false)))
        case .topK:
            self = .topK(TopKOp(k: try a.requiredInt("k"), axis: try a.requiredInt("axis"),
                                largest: try Self.flag(a, "largest", true), sorted: try Self.flag(a, "sorted", true)))
        case .det: self = .det
        case .reshape: self = .reshape(shape: try a.requiredInts("shape"))
        case .transpose: self = .transpose(perm: try a.requiredInts("perm"))
        case .expand: self = .expand(shape: try a.requiredInts("shape"))
        case .concat: self = .concat(axis: try a.requiredInt("axis"))
        case .slice:
            self = .slice(SliceOp(starts: try a.requiredInts("starts"), ends: try a.requiredInts("ends"),
                                  steps: try Self.ints(a, "steps")))
        case .pad:
            self = .pad(PadOp(pads: try a.requiredInts("pads"), mode: try Self.choice(a, "mode", Kernels.PadMode.self,
                                                                                      default: .constant),
                              value: try Self.float(a, "value", 0)))
        case .gather: self = .gather(axis: try a.requiredInt("axis"))
        case .gatherElements: self = .gatherElements(axis: try a.requiredInt("axis"))
        case .gatherND: self = .gatherND(batchDims: try Self.int(a, "batchDims", 0))
        case .scatterElements:
            self = .scatterElements(axis: try a.requiredInt("axis"), reduction: try Self.reduction(a))
        case .scatterND: self = .scatterND(reduction: try Self.reduction(a))
        case .tile: self = .tile(repeats: try a.requiredInts("repeats"))
        case .depthToSpace:
            self = .depthToSpace(blockSize: try a.requiredInt("blockSize"),
                                 mode: try Self.choice(a, "mode", DepthToSpaceMode.self, default: .dcr))
        case .spaceToDepth: self = .spaceToDepth(blockSize: try a.requiredInt("blockSize"))
        case .trilu: self = .trilu(upper: try Self.flag(a, "upper", true), k: try Self.int(a, "k", 0))
        case .oneHot: self = .oneHot(depth: try a.requiredInt("depth"), axis: try a.requiredInt("axis"))
        case .resize: self = .resize(try Self.resize(a))
        case .gridSample: self = .gridSample(try Self.gridSample(a))
        case .roiAlign: self = .roiAlign(try Self.roiAlign(a))
        case .loop: self = .loop(try Self.loop(a))
        case .deformConv:
            self = .deformConv(DeformConvParameters(window: try Self.window(a),
                                                    offsetGroup: try Self.int(a, "offsetGroup", 1)))
        case .quantizeLinear:
            self = .quantizeLinear(QuantizeOp(axis: try Self.int(a, "axis", 1),
                                              blockSize: try Self.int(a, "blockSize", 0),
                                              outputDType: try a.requiredDType("outputDType"),
                                              saturate: try Self.flag(a, "saturate", true)))
        case .dequantizeLinear:
            self = .dequantizeLinear(QuantizeOp(axis: try Self.int(a, "axis", 1),
                                                blockSize: try Self.int(a, "blockSize", 0),
                                                outputDType: try Self.dtype(a, "outputDType")))
        case .dynamicQuantizeLinear: self = .dynamicQuantizeLinear
        case .qlinearConv: self = .qlinearConv(try Self.window(a))
        case .qlinearMatMul: self = .qlinearMatMul
        case .matMulInteger: self = .matMulInteger
        case .convInteger: self = .convInteger(try Self.window(a))
        case .quantizedConv:
            self = .quantizedConv(QuantizedConvOp(window: try Self.window(a),
                                                  channelsLast: try Self.flag(a, "channelsLast", false),
                                                  inputZeroPoint: try Self.code(a, "inputZeroPoint", nil),
                                                  output: try Self.quantizedOutput(a)))
        case .quantizedMatMul:
            self = .quantizedMatMul(QuantizedMatMulOp(inputZeroPoint: try Self.code(a, "inputZeroPoint", nil),
                                                      output: try Self.quantizedOutput(a)))
        case .fixedPointRequantize: self = .fixedPointRequantize(try Self.fixedPointRequantize(a))
        case .lookupSoftmax: self = try Self.lookupSoftmax(a)
        }
    }

    // MARK: Typed reads with defaults (a present but malformed value is an error, never ignored)

    static func int(_ a: Attributes, _ key: String, _ value: Int) throws -> Int {
        a[key] == nil ? value : try a.requiredInt(key)
    }
    static func float(_ a: Attributes, _ key: String, _ value: Float) throws -> Float {
        a[key] == nil ? value : try a.requiredFloat(key)
    }
    static func ints(_ a: Attributes, _ key: String) throws -> [Int] {
        a[key] == nil ? [] : try a.requiredInts(key)
    }
    static func dtype(_ a: Attributes, _ key: String) throws -> DType? {
        a[key] == nil ? nil : try a.requiredDType(key)
    }
    static func flag(_ a: Attributes, _ key: String, _ value: Bool) throws -> Bool {
        try int(a, key, value ? 1 : 0) != 0
    }

    /// A string parameter read as one of an enum's raw values.
    static func choice<E: RawRepresentable>(_ a: Attributes, _ key: String, _ type: E.Type,
                                            default value: E? = nil) throws -> E where E.RawValue == String {
        if a[key] == nil, let value { return value }
        let name = try a.requiredString(key)
        guard let choice = E(rawValue: name) else {
            throw EdgeflowError(.invalidModel, "parameter '\(key)' has an unknown value '\(name)'")
        }
        return choice
    }

    static func unaryConstants(_ a: Attributes) -> UnaryParameters {
        UnaryParameters(alpha: a.float("alpha", default: 0), beta: a.float("beta", default: 0),
                        gamma: a.float("gamma", default: 0))
    }

    static func activation(_ a: Attributes) throws -> FusedActivation? {
        guard a["activation"] != nil else { return nil }
        return FusedActivation(try choice(a, "activation", UnaryFunction.self),
                               alpha: try float(a, "activationAlpha", 0), beta: try float(a, "activationBeta", 0))
    }

    static func window(_ a: Attributes) throws -> ConvParameters {
        ConvParameters(strides: try ints(a, "strides"), dilations: try ints(a, "dilations"), pads: try ints(a, "pads"),
                       group: try int(a, "group", 1))
    }

    static func reduction(_ a: Attributes) throws -> ScatterReduction {
        try choice(a, "reduction", ScatterReduction.self, default: ScatterReduction.none)
    }

    static func resize(_ a: Attributes) throws -> ResizeParameters {
        let scales = a.floats("scales").flatMap { $0.isEmpty ? nil : $0 }
        let roi = a.floats("roi").flatMap { $0.isEmpty ? nil : $0 }
        return ResizeParameters(
            mode: try choice(a, "mode", ResizeMode.self),
            coordinateMode: try choice(a, "coordinateTransformationMode", ResizeCoordinateMode.self,
                                       default: .halfPixel),
            nearestMode: try choice(a, "nearestMode", ResizeNearestMode.self, default: .roundPreferFloor),
            cubicCoeffA: Double(try float(a, "cubicCoeffA", -0.75)),
            excludeOutside: try flag(a, "excludeOutside", false),
            extrapolationValue: Double(try float(a, "extrapolationValue", 0)),
            antialias: try flag(a, "antialias", false),
            sizes: try a.requiredInts("sizes"),
            scales: scales.map { $0.map(Double.init) }, roi: roi.map { $0.map(Double.init) })
    }
}
