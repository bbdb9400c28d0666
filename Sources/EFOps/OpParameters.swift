// The typed parameters of every core op, decoded once from the string-keyed form (at the ONNX
// boundary and when graph.json or an executable is read) and used everywhere after: shape
// rules, evaluators, passes, lowering and the executable's steps. OpType.swift documents the
// keys; ParameterCoding.swift maps between the two forms.

import EFCore
import EFKernels

/// A core op with its parameters. The case decides the op (`op`).
public enum OpParameters: Equatable, Sendable {
    case unary(UnaryOp)
    case binary(BinaryFunction)
    case select
    case cast(to: DType, saturate: Bool = true, roundMode: SmallFloatFormat.E8M0Rounding = .up)
    case bitCast(to: DType)
    case matMul(MatMulOp)
    case conv(ConvOp)
    case convTranspose(ConvTransposeOp)
    case pool(PoolOp)
    case reduce(ReduceOp)
    case argReduce(ArgReduceOp)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)
    case layerNorm(LayerNormOp)
    case lrn(LRNOp)
    case instanceNorm(epsilon: Float)
    case cumSum(CumSumOp)
    case cumProd(CumSumOp)
    case topK(TopKOp)
    case det
    case reshape(shape: [Int])
    case transpose(perm: [Int])
    case expand(shape: [Int])
    case concat(axis: Int)
    case slice(SliceOp)
    case pad(PadOp)
    case gather(axis: Int)
    case gatherElements(axis: Int)
    case gatherND(batchDims: Int)
    case scatterElements(axis: Int, reduction: ScatterReduction)
    case scatterND(reduction: ScatterReduction)
    case tile(repeats: [Int])
    case depthToSpace(blockSize: Int, mode: DepthToSpaceMode)
    case spaceToDepth(blockSize: Int)
    case trilu(upper: Bool, k: Int)
    case oneHot(depth: Int, axis: Int)
    case resize(ResizeParameters)
    case gridSample(GridSampleParameters)
    case roiAlign(RoiAlignParameters)
    case deformConv(DeformConvParameters)
    case loop(LoopParameters)
    case quantizeLinear(QuantizeOp)
    case dequantizeLinear(QuantizeOp)
    case dynamicQuantizeLinear
    case qlinearConv(ConvParameters)
    case qlinearMatMul
    case matMulInteger
    case convInteger(ConvParameters)
    case quantizedConv(QuantizedConvOp)
    case quantizedMatMul(QuantizedMatMulOp)
    case fixedPointRequantize(FixedPointRequantizeOp)
    case lookupSoftmax(axis: Int, scale: Float, zeroPoint: Int32)
}

/// A unary function with its constants (alpha, beta, gamma as documented on `OpType.unary`).
public struct UnaryOp: Equatable, Sendable {
    public var fn: UnaryFunction
    public var constants: UnaryParameters
    public init(_ fn: UnaryFunction, _ constants: UnaryParameters = UnaryParameters()) {
        self.fn = fn
        self.constants = constants
    }
}

/// The activation a conv or matMul applies after its bias and residual (alpha and beta only).
public struct FusedActivation: Equatable, Sendable {
    public var fn: UnaryFunction
    public var alpha: Float
    public var beta: Float
    public init(_ fn: UnaryFunction, alpha: Float = 0, beta: Float = 0) {
        self.fn = fn
        self.alpha = alpha
        self.beta = beta
    }
    /// The constants in the unary kernels' form.
    public var constants: UnaryParameters { UnaryParameters(alpha: alpha, beta: beta) }
}

/// matMul: the optional fused activation (bias is input 2).
public struct MatMulOp: Equatable, Sendable {
    public var activation: FusedActivation?
    public init(activation: FusedActivation? = nil) { self.activation = activation }
}

/// conv: window, fused activation and the layout the compiler chose.
public struct ConvOp: Equatable, Sendable {
    public var window: ConvParameters
    public var activation: FusedActivation?
    /// x, y and the residual are [N, spatial..., C] (weights keep their layout).
    public var channelsLast: Bool
    public init(window: ConvParameters = ConvParameters(), activation: FusedActivation? = nil,
                channelsLast: Bool = false) {
        self.window = window
        self.activation = activation
        self.channelsLast = channelsLast
    }
}

/// convTranspose: window, extra output size per spatial dim, layout.
public struct ConvTransposeOp: Equatable, Sendable {
    public var window: ConvParameters
    public var outputPadding: [Int]
    public var channelsLast: Bool
    public init(window: ConvParameters = ConvParameters(), outputPadding: [Int] = [], channelsLast: Bool = false) {
        self.window = window
        self.outputPadding = outputPadding
        self.channelsLast = channelsLast
    }
}

/// pool: the kernel parameters, the index order of max-pool indices, layout.
public struct PoolOp: Equatable, Sendable {
    public var pool: PoolParameters
    /// Indices of a max pool count column-major (ONNX storage_order = 1).
    public var columnMajorIndices: Bool
    public var channelsLast: Bool
    public init(_ pool: PoolParameters, columnMajorIndices: Bool = false, channelsLast: Bool = false) {
        self.pool = pool
        self.columnMajorIndices = columnMajorIndices
        self.channelsLast = channelsLast
    }
}

public struct ReduceOp: Equatable, Sendable {
    public var fn: ReduceFunction
    /// Normalized and sorted; empty means every axis.
    public var axes: [Int]
    public var keepDims: Bool
    public init(_ fn: ReduceFunction, axes: [Int], keepDims: Bool = true) {
        self.fn = fn
        self.axes = axes
        self.keepDims = keepDims
    }
}

public struct ArgReduceOp: Equatable, Sendable {
    /// argmax when true, argmin when false.
    public var largest: Bool
    public var axis: Int
    public var keepDims: Bool
    public var selectLastIndex: Bool
    public init(largest: Bool, axis: Int, keepDims: Bool = true, selectLastIndex: Bool = false) {
        self.largest = largest
        self.axis = axis
        self.keepDims = keepDims
        self.selectLastIndex = selectLastIndex
    }
}

public struct LayerNormOp: Equatable, Sendable {
    public var axis: Int
    public var epsilon: Float
    /// The dtype of the mean and invStdDev outputs.
    public var statsDType: DType
    public init(axis: Int, epsilon: Float = 1e-5, statsDType: DType = .float32) {
        self.axis = axis
        self.epsilon = epsilon
        self.statsDType = statsDType
    }
}

public struct LRNOp: Equatable, Sendable {
    public var size: Int
    public var alpha: Float, beta: Float, bias: Float
    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, bias: Float = 1) {
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.bias = bias
    }
}

public struct CumSumOp: Equatable, Sendable {
    public var axis: Int
    public var exclusive: Bool, reverse: Bool
    public init(axis: Int, exclusive: Bool = false, reverse: Bool = false) {
        self.axis = axis
        self.exclusive = exclusive
        self.reverse = reverse
    }
}

public struct TopKOp: Equatable, Sendable {
    public var k: Int, axis: Int
    public var largest: Bool, sorted: Bool
    public init(k: Int, axis: Int, largest: Bool = true, sorted: Bool = true) {
        self.k = k
        self.axis = axis
        self.largest = largest
        self.sorted = sorted
    }
}

/// slice: one start, end and step per input axis (clamped by the importer). Empty steps = all 1.
public struct SliceOp: Equatable, Sendable {
    public var starts: [Int], ends: [Int], steps: [Int]
    public init(starts: [Int], ends: [Int], steps: [Int] = []) {
        self.starts = starts
        self.ends = ends
        self.steps = steps
    }
    /// The steps with the all-ones default spelled out for a rank-`rank` input.
    public func steps(rank: Int) -> [Int] { steps.isEmpty ? [Int](repeating: 1, count: rank) : steps }
}

public struct PadOp: Equatable, Sendable {
    /// [begin per axis..., end per axis...]; negative crops.
    public var pads: [Int]
    public var mode: Kernels.PadMode
    public var value: Float
    public init(pads: [Int], mode: Kernels.PadMode = .constant, value: Float = 0) {
        self.pads = pads
        self.mode = mode
        self.value = value
    }
}

public enum DepthToSpaceMode: String, Equatable, Sendable {
    case dcr = "DCR", crd = "CRD"
}

/// quantizeLinear / dequantizeLinear.
public struct QuantizeOp: Equatable, Sendable {
    public var axis: Int
    public var blockSize: Int
    /// Required for quantizeLinear; nil for dequantizeLinear means the scale's dtype.
    public var outputDType: DType?
    /// quantizeLinear to float8: overflow gives the largest finite value (ONNX `saturate`).
    public var saturate: Bool
    public init(axis: Int = 1, blockSize: Int = 0, outputDType: DType?, saturate: Bool = true) {
        self.axis = axis
        self.blockSize = blockSize
        self.outputDType = outputDType
        self.saturate = saturate
    }
}

extension OpParameters {
    /// Whether a conv, convTranspose, pool or quantizedConv stores x and y channels-last ([N, spatial..., C]).
    public var isChannelsLast: Bool {
        switch self {
        case .conv(let p): p.channelsLast
        case .convTranspose(let p): p.channelsLast
        case .pool(let p): p.channelsLast
        case .quantizedConv(let p): p.channelsLast
        default: false
        }
    }

    /// The window of a conv, convTranspose, convInteger, qlinearConv or quantizedConv.
    public var convWindow: ConvParameters? {
        switch self {
        case .conv(let p): p.window
        case .convTranspose(let p): p.window
        case .convInteger(let window), .qlinearConv(let window): window
        case .quantizedConv(let p): p.window
        default: nil
        }
    }

    /// The fused activation of a conv or matMul.
    public var fusedActivation: FusedActivation? {
        switch self {
        case .conv(let p): p.activation
        case .matMul(let p): p.activation
        default: nil
        }
    }
}
