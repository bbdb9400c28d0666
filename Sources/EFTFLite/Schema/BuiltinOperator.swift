// TFLite's BuiltinOperator codes: the names of all of them (for messages) and constants for
// the ones Edgeflow imports.

/// BuiltinOperator codes of schema.fbs.
public enum BuiltinOperator {
    public static let add: Int32 = 0, averagePool2D: Int32 = 1, concatenation: Int32 = 2, conv2D: Int32 = 3
    public static let depthwiseConv2D: Int32 = 4, depthToSpace: Int32 = 5, dequantize: Int32 = 6
    public static let fullyConnected: Int32 = 9, logistic: Int32 = 14, maxPool2D: Int32 = 17, mul: Int32 = 18
    public static let relu: Int32 = 19, reluN1To1: Int32 = 20, relu6: Int32 = 21, reshape: Int32 = 22
    public static let resizeBilinear: Int32 = 23, softmax: Int32 = 25, tanh: Int32 = 28, custom: Int32 = 32
    public static let pad: Int32 = 34, transpose: Int32 = 39, mean: Int32 = 40, sub: Int32 = 41, div: Int32 = 42
    public static let prelu: Int32 = 54, transposeConv: Int32 = 67, resizeNearestNeighbor: Int32 = 97
    public static let quantize: Int32 = 114, hardSwish: Int32 = 117, densify: Int32 = 124
    public static let stridedSlice: Int32 = 45
    // Float math (MathTranslators).
    public static let floor: Int32 = 8, exp: Int32 = 47, logSoftmax: Int32 = 50, maximum: Int32 = 55
    public static let minimum: Int32 = 57, neg: Int32 = 59, sin: Int32 = 66, log: Int32 = 73, sqrt: Int32 = 75
    public static let rsqrt: Int32 = 76, pow: Int32 = 78, floorDiv: Int32 = 90, square: Int32 = 92
    public static let leakyRelu: Int32 = 98, squaredDifference: Int32 = 99, abs: Int32 = 101, ceil: Int32 = 104
    public static let cos: Int32 = 108, elu: Int32 = 111, round: Int32 = 116, gelu: Int32 = 150
    // Shapes, gathers and reductions (ReshapingTranslators, ReduceTranslators).
    public static let spaceToDepth: Int32 = 26, gather: Int32 = 36, squeeze: Int32 = 43, split: Int32 = 49
    public static let cast: Int32 = 53, argMax: Int32 = 56, padV2: Int32 = 60, slice: Int32 = 65, tile: Int32 = 69
    public static let expandDims: Int32 = 70, sum: Int32 = 74, argMin: Int32 = 79, reduceProd: Int32 = 81
    public static let reduceMax: Int32 = 82, pack: Int32 = 83, unpack: Int32 = 88, reduceMin: Int32 = 89
    public static let mirrorPad: Int32 = 100, splitV: Int32 = 102, batchMatMul: Int32 = 126
    // Shapes, comparisons and selection.
    public static let shape: Int32 = 77, equal: Int32 = 71, notEqual: Int32 = 72, less: Int32 = 58
    public static let lessEqual: Int32 = 63, greater: Int32 = 61, greaterEqual: Int32 = 62, select: Int32 = 64
    public static let selectV2: Int32 = 123, logicalOr: Int32 = 84, logicalAnd: Int32 = 86, logicalNot: Int32 = 87
    // Spatial and normalization (SpatialTranslators), constants and the rest (FillTranslators).
    public static let l2Normalization: Int32 = 11, l2Pool2D: Int32 = 12, localResponseNormalization: Int32 = 13
    public static let batchToSpaceND: Int32 = 37, spaceToBatchND: Int32 = 38, zerosLike: Int32 = 93
    public static let fill: Int32 = 94, range: Int32 = 96, reverseV2: Int32 = 105, addN: Int32 = 106
    public static let cumsum: Int32 = 128, broadcastTo: Int32 = 130, relu0To1: Int32 = 152, sign: Int32 = 158
    // Complex values (ComplexTranslators).
    public static let rfft2D: Int32 = 131, imag: Int32 = 133, real: Int32 = 134, complexAbs: Int32 = 135
    // Resource variables (VariableTranslators).
    public static let callOnce: Int32 = 129, varHandle: Int32 = 142, readVariable: Int32 = 143
    public static let assignVariable: Int32 = 144
    // Recurrent layers (RecurrentTranslators).
    public static let unidirectionalSequenceRNN: Int32 = 35, unidirectionalSequenceLSTM: Int32 = 44
    public static let bidirectionalSequenceLSTM: Int32 = 52
    // Index operators and 3-D convolution (IndexingTranslators, Conv3DTranslator).
    public static let embeddingLookup: Int32 = 7, topKV2: Int32 = 48, oneHot: Int32 = 85, floorMod: Int32 = 95
    public static let gatherND: Int32 = 107, scatterND: Int32 = 122, conv3D: Int32 = 132
    public static let dynamicUpdateSlice: Int32 = 151
    // Control flow over subgraphs (ControlFlowTranslators).
    public static let ifBranch: Int32 = 118, whileLoop: Int32 = 119

    /// The schema's name of `code` (`CONV_2D`), or `BUILTIN_<code>` for codes newer than this table.
    public static func name(_ code: Int32) -> String {
        code >= 0 && Int(code) < names.count ? names[Int(code)] : "BUILTIN_\(code)"
    }

    /// Names indexed by code.
    private static let names: [String] = [
        "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE",
        "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D",
        "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU",
        "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH",
        "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
        "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN",
        "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN",
        "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU",
        "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT",
        "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
        "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK",
        "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
        "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU",
        "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND",
        "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
        "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
        "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE",
        "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND",
        "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE",
        "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL",
        "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",
        "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
        "STABLEHLO_LOGISTIC", "STABLEHLO_ADD", "STABLEHLO_DIVIDE", "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM",
        "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE", "STABLEHLO_BROADCAST_IN_DIM",
        "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE", "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE", "STABLEHLO_ABS",
        "STABLEHLO_AND", "STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR", "STABLEHLO_LOG",
        "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR", "STABLEHLO_POWER", "STABLEHLO_REMAINDER",
        "STABLEHLO_RSQRT", "STABLEHLO_SELECT", "STABLEHLO_SUBTRACT", "STABLEHLO_TANH", "STABLEHLO_SCATTER",
        "STABLEHLO_COMPARE", "STABLEHLO_CONVERT", "STABLEHLO_DYNAMIC_SLICE", "STABLEHLO_DYNAMIC_UPDATE_SLICE",
        "STABLEHLO_PAD", "STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW", "STABLEHLO_SORT",
        "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE", "STABLEHLO_RNG_BIT_GENERATOR",
        "REDUCE_WINDOW", "STABLEHLO_COMPOSITE", "STABLEHLO_SHIFT_LEFT", "STABLEHLO_CBRT", "STABLEHLO_CASE"
    ]
}
