#!/usr/bin/env python3
"""Small TFLite models, one per operator form the importer handles, with LiteRT goldens.

Needs (dev venv): ai-edge-litert (its schema_py_generated builds the
FlatBuffers), numpy. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_op_goldens.py

Writes Tests/Goldens/tflite_ops/<case>.tflite (committed, a few KB each) and a
golden case tflite_op_<case> per model: seeded random inputs, LiteRT's outputs
(reference kernels, no XNNPACK). Also writes custom_op.tflite (an unsupported
custom op next to an unsupported builtin) and quantized_conv.tflite (an int8
conv), both without goldens (they are refused), and copies every model to
Fuzz/seeds/tflite. Declared output shapes are checked against LiteRT's.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, REPO, write_case  # noqa: E402
import tflitelib  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402
import flatbuffers  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_op_goldens.py"
OUT = os.path.join(GOLDENS, "tflite_ops")
SEEDS = os.path.join(REPO, "Fuzz", "seeds", "tflite")
TYPES = {np.float32: S.TensorType.FLOAT32, np.float16: S.TensorType.FLOAT16, np.int32: S.TensorType.INT32,
         np.int64: S.TensorType.INT64,
         np.int8: S.TensorType.INT8, np.uint8: S.TensorType.UINT8, np.bool_: S.TensorType.BOOL}
OP = S.BuiltinOperator
OPT = S.BuiltinOptions


class Model:
    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [S.BufferT()], [], []

    def tensor(self, name, shape, data=None, dtype=np.float32, scale=None, zero_point=None, axis=0):
        t = S.TensorT()
        t.name, t.shape, t.type, t.buffer = name, list(shape), TYPES[dtype], 0
        if scale is not None:
            q = S.QuantizationParametersT()
            q.scale, q.zeroPoint, q.quantizedDimension = list(scale), list(zero_point), axis
            t.quantization = q
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.asarray(data, dtype).tobytes(), np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def const(self, name, data, dtype=np.float32):
        data = np.asarray(data, dtype)
        return self.tensor(name, data.shape, data, dtype)

    def op(self, code, inputs, outputs, options_type=0, options=None, custom=None, custom_options=None, version=1):
        key = (code, custom)
        if key not in [(c.builtinCode, c.customCode) for c in self.codes]:
            c = S.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version, c.customCode = code, min(code, 127), version, custom
            self.codes.append(c)
        o = S.OperatorT()
        o.opcodeIndex = [(c.builtinCode, c.customCode) for c in self.codes].index(key)
        o.inputs, o.outputs = list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = options_type, options
        if custom_options is not None:
            o.customOptions = np.frombuffer(custom_options, np.uint8)
        self.ops.append(o)

    def bytes(self, inputs, outputs):
        g = S.SubGraphT()
        g.tensors, g.inputs, g.outputs, g.operators, g.name = self.tensors, inputs, outputs, self.ops, "main"
        m = S.ModelT()
        m.version, m.operatorCodes, m.subgraphs, m.buffers, m.description = 3, self.codes, [g], self.buffers, "ops"
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def options(cls, **fields):
    o = cls()
    for k, v in fields.items():
        setattr(o, k, v)
    return o


RNG = np.random.default_rng(14)


def rand(*shape):
    return RNG.uniform(-1, 1, shape).astype(np.float32)


def conv_cases():
    m = Model()
    x = m.tensor("x", [1, 9, 11, 3])
    w, b = m.const("w", rand(4, 3, 3, 3)), m.const("b", rand(4))
    y = m.tensor("y", [1, 5, 6, 4])
    m.op(OP.CONV_2D, [x, w, b], [y], OPT.Conv2DOptions, options(
        S.Conv2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, fusedActivationFunction=3))
    dw = m.const("dw", rand(1, 3, 3, 8).astype(np.float16), np.float16)
    dwf = m.tensor("dw_f32", [1, 3, 3, 8])
    m.op(OP.DEQUANTIZE, [dw], [dwf])
    z = m.tensor("z", [1, 1, 2, 8])
    m.op(OP.DEPTHWISE_CONV_2D, [y, dwf, m.const("dwb", rand(8))], [z], OPT.DepthwiseConv2DOptions, options(
        S.DepthwiseConv2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=1, depthMultiplier=2,
        dilationWFactor=2, dilationHFactor=2, fusedActivationFunction=1))
    yield "conv_depthwise", m, [x], [y, z]

    m = Model()
    x = m.tensor("x", [1, 7, 7, 5])
    a, p = m.tensor("avg", [1, 4, 4, 5]), m.tensor("max", [1, 3, 3, 5])
    m.op(OP.AVERAGE_POOL_2D, [x], [a], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, filterWidth=3, filterHeight=3))
    m.op(OP.MAX_POOL_2D, [x], [p], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.VALID, strideW=2, strideH=2, filterWidth=3, filterHeight=2))
    yield "pools", m, [x], [a, p]

    m = Model()
    x = m.tensor("x", [1, 4, 4, 4])
    shape, w = m.const("output_shape", [1, 8, 8, 2], np.int32), m.const("w", rand(2, 3, 3, 4))
    y = m.tensor("y", [1, 8, 8, 2])
    m.op(OP.TRANSPOSE_CONV, [shape, w, x], [y], OPT.TransposeConvOptions, options(
        S.TransposeConvOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2))
    yield "transpose_conv", m, [x], [y]


def resize_cases():
    m = Model()
    x = m.tensor("x", [1, 5, 7, 3])
    size = m.const("size", [9, 4], np.int32)
    outs = []
    for name, code, cls, opt_type, flags in [
            ("bilinear", OP.RESIZE_BILINEAR, S.ResizeBilinearOptionsT, OPT.ResizeBilinearOptions, {}),
            ("bilinear_half", OP.RESIZE_BILINEAR, S.ResizeBilinearOptionsT, OPT.ResizeBilinearOptions,
             {"halfPixelCenters": True}),
            ("bilinear_align", OP.RESIZE_BILINEAR, S.ResizeBilinearOptionsT, OPT.ResizeBilinearOptions,
             {"alignCorners": True}),
            ("nearest", OP.RESIZE_NEAREST_NEIGHBOR, S.ResizeNearestNeighborOptionsT,
             OPT.ResizeNearestNeighborOptions, {}),
            ("nearest_half", OP.RESIZE_NEAREST_NEIGHBOR, S.ResizeNearestNeighborOptionsT,
             OPT.ResizeNearestNeighborOptions, {"halfPixelCenters": True}),
            ("nearest_align", OP.RESIZE_NEAREST_NEIGHBOR, S.ResizeNearestNeighborOptionsT,
             OPT.ResizeNearestNeighborOptions, {"alignCorners": True})]:
        y = m.tensor(name, [1, 9, 4, 3])
        m.op(code, [x, size], [y], opt_type, options(cls, **flags))
        outs.append(y)
    yield "resize", m, [x], outs


def shape_cases():
    m = Model()
    x = m.tensor("x", [1, 4, 5, 6])
    means = []
    for name, axes, keep, shape in [("mean_hw", [1, 2], False, [1, 6]), ("mean_h", [1], False, [1, 5, 6]),
                                    ("mean_keep", [2], True, [1, 4, 1, 6])]:
        y = m.tensor(name, shape)
        m.op(OP.MEAN, [x, m.const(f"{name}_axes", axes, np.int32)], [y], OPT.ReducerOptions,
             options(S.ReducerOptionsT, keepDims=keep))
        means.append(y)
    s = m.tensor("softmax", [1, 4, 5, 6])
    m.op(OP.SOFTMAX, [x], [s], OPT.SoftmaxOptions, options(S.SoftmaxOptionsT, beta=0.5))
    r = m.tensor("reshaped", [1, 20, 6])
    m.op(OP.RESHAPE, [x, m.const("new_shape", [1, 20, 6], np.int32)], [r], OPT.ReshapeOptions,
         options(S.ReshapeOptionsT, newShape=[1, 20, 6]))
    t = m.tensor("transposed", [1, 6, 4, 5])
    m.op(OP.TRANSPOSE, [x, m.const("perm", [0, 3, 1, 2], np.int32)], [t])
    p = m.tensor("padded", [1, 7, 6, 7])
    m.op(OP.PAD, [x, m.const("paddings", [[0, 0], [1, 2], [0, 1], [1, 0]], np.int32)], [p])
    c = m.tensor("concat", [1, 4, 5, 12])
    m.op(OP.CONCATENATION, [x, s], [c], OPT.ConcatenationOptions,
         options(S.ConcatenationOptionsT, axis=-1))
    yield "shapes", m, [x], means + [s, r, t, p, c]

    m = Model()
    x = m.tensor("x", [1, 2, 3, 4])
    k = m.tensor("fc_keep", [1, 2, 3, 5])
    m.op(OP.FULLY_CONNECTED, [x, m.const("w4", rand(5, 4)), m.const("b5", rand(5))], [k],
         OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT, keepNumDims=True))
    f = m.tensor("fc_flat", [1, 7])
    m.op(OP.FULLY_CONNECTED, [x, m.const("w24", rand(7, 24)), -1], [f], OPT.FullyConnectedOptions,
         options(S.FullyConnectedOptionsT, fusedActivationFunction=1))
    yield "fully_connected", m, [x], [k, f]


def slice_cases():
    """STRIDED_SLICE: masks, negative and clamped bounds, shrink axes, offset (numpy equivalents noted)."""
    m = Model()
    x = m.tensor("x", [1, 6, 7, 8])
    i32 = np.int32

    def strided(name, src, shape, begin, end, strides, **masks):
        out = m.tensor(name, shape)
        m.op(OP.STRIDED_SLICE, [src, m.const(f"{name}_begin", begin, i32), m.const(f"{name}_end", end, i32),
                                m.const(f"{name}_strides", strides, i32)], [out],
             OPT.StridedSliceOptions, options(S.StridedSliceOptionsT, **masks))
        return out
    a = strided("keeps_rank", x, [1, 3, 2, 4], [0, 1, -6, 7], [0, 6, 0, 0], [1, 2, 3, -2],
                beginMask=0b0001, endMask=0b0101)                      # x[:, 1:6:2, -6::3, 7:0:-2]
    b = strided("shrinks", x, [6, 8], [0, 0, 2, 0], [1, 0, 3, 0], [1, 1, 1, -1],
                beginMask=0b1010, endMask=0b1010, shrinkAxisMask=0b0101)  # x[0, :, 2, ::-1]
    y = m.tensor("y", [5, 9])
    c = strided("offset", y, [3, 4], [1, 2], [3, 4], [1, 1], offset=True)  # y[1:4, 2:6]
    d = strided("clamped", y, [5, 3], [-100, 8], [100, -100], [1, -3])     # y[-100:100, 8:-100:-3]
    yield "strided_slice", m, [x, y], [a, b, c, d]

    # MediaPipe's custom Convolution2DTransposeBias, SAME with a 3x3 kernel at stride 2 (the full
    # 11x9 output loses 2 rows, one at each end, and 1 column at the end), and VALID at stride 3.
    # LiteRT runs the model with the op rewritten to TRANSPOSE_CONV
    # (tflitelib.transpose_conv_bias_as_builtin).
    m = Model()
    x = m.tensor("x", [1, 5, 4, 3])
    same = m.tensor("same", [1, 9, 8, 2])
    m.op(OP.CUSTOM, [x, m.const("w", rand(2, 3, 3, 3)), m.const("b", rand(2))], [same],
         custom=b"Convolution2DTransposeBias", custom_options=struct.pack("<iii", 1, 2, 2))
    valid = m.tensor("valid", [1, 14, 11, 4])
    m.op(OP.CUSTOM, [x, m.const("w2", rand(4, 2, 2, 3)), m.const("b2", rand(4))], [valid],
         custom=b"Convolution2DTransposeBias", custom_options=struct.pack("<iii", 2, 3, 3))
    yield "transpose_conv_bias", m, [x], [same, valid]


def sparse(m, name, dense, traversal, block_map, levels):
    """A sparse constant: `levels` per traversal level, ("dense", size) or ("csr", segments,
    indices, numpy index dtype); the stored values are the dense tensor's entries at the
    positions the levels name, in traversal order."""
    vector_types = {np.int32: (S.SparseIndexVector.Int32Vector, S.Int32VectorT),
                    np.uint16: (S.SparseIndexVector.Uint16Vector, S.Uint16VectorT),
                    np.uint8: (S.SparseIndexVector.Uint8Vector, S.Uint8VectorT)}
    p = S.SparsityParametersT()
    p.traversalOrder, p.blockMap, p.dimMetadata = list(traversal), list(block_map), []
    for level in levels:
        d = S.DimensionMetadataT()
        if level[0] == "dense":
            d.format, d.denseSize = S.DimensionType.DENSE, level[1]
        else:
            _, segments, indices, dtype = level
            d.format = S.DimensionType.SPARSE_CSR
            kind, cls = vector_types[dtype]
            for field, values in (("arraySegments", segments), ("arrayIndices", indices)):
                v = cls()
                v.values = np.asarray(values, dtype)
                setattr(d, field + "Type", kind)
                setattr(d, field, v)
        p.dimMetadata.append(d)
    stored = dense[dense != 0]
    t = m.tensor(name, dense.shape, stored, dense.dtype.type)
    m.tensors[t].sparsity = p
    return t


def sparse_cases():
    """DENSIFY of float32 and float16 sparse weights: compressed rows (uint8 indices) for a
    1x1 conv, 1x4 blocks (uint16 segments and indices) for a fully connected layer."""
    m = Model()
    x = m.tensor("x", [1, 3, 3, 8])
    w = rand(4, 1, 1, 8)
    keep = [[0, 3, 4], [], [1, 2, 5, 7], [6]]
    mask = np.zeros_like(w, bool)
    for o, cols in enumerate(keep):
        mask[o, 0, 0, cols] = True
    w = np.where(mask, w, 0).astype(np.float32)
    segments = np.cumsum([0] + [len(c) for c in keep])
    sw = sparse(m, "w_sparse", w, [0, 1, 2, 3], [], [
        ("dense", 4), ("dense", 1), ("dense", 1), ("csr", segments, sum(keep, []), np.uint8)])
    wd = m.tensor("w", [4, 1, 1, 8])
    m.op(OP.DENSIFY, [sw], [wd])
    y = m.tensor("y", [1, 3, 3, 4])
    m.op(OP.CONV_2D, [x, wd, m.const("b", rand(4))], [y], OPT.Conv2DOptions, options(
        S.Conv2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=1))
    v = m.tensor("v", [2, 8])
    fc = rand(6, 8).astype(np.float16)
    blocks = [[1], [0, 1], [], [0], [1], [0]]           # which 1x4 block of each row is stored
    for row in range(6):
        for block in range(2):
            if block not in blocks[row]:
                fc[row, 4 * block:4 * block + 4] = 0
    fc_segments = np.cumsum([0] + [len(b) for b in blocks])
    sfc = sparse(m, "fc_sparse", fc, [0, 1, 2], [1], [
        ("dense", 6), ("csr", fc_segments, sum(blocks, []), np.uint16), ("dense", 4)])
    fcd16, fcd = m.tensor("fc_f16", [6, 8], dtype=np.float16), m.tensor("fc", [6, 8])
    m.op(OP.DENSIFY, [sfc], [fcd16])
    m.op(OP.DEQUANTIZE, [fcd16], [fcd])
    z = m.tensor("z", [2, 6])
    m.op(OP.FULLY_CONNECTED, [v, fcd, -1], [z], OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    yield "densify", m, [x, v], [y, z]


def math_cases():
    """Float math: unary functions on a 4-D value (positive input for LOG/SQRT/RSQRT/POW), broadcasting
    binary ops, LOG_SOFTMAX."""
    m = Model()
    x = m.tensor("x", [1, 4, 5, 6])
    p = m.tensor("p", [1, 4, 5, 6])
    outs = []

    def unary(code, name, src, opt_type=0, opt=None):
        y = m.tensor(name, [1, 4, 5, 6])
        m.op(code, [src], [y], opt_type, opt)
        outs.append(y)
    for code, name in ((OP.EXP, "exp"), (OP.ABS, "abs"), (OP.NEG, "neg"), (OP.FLOOR, "floor"),
                       (OP.CEIL, "ceil"), (OP.ROUND, "round"), (OP.SIN, "sin"), (OP.COS, "cos"),
                       (OP.ELU, "elu"), (OP.SQUARE, "square")):
        unary(code, name, x)
    for code, name in ((OP.LOG, "log"), (OP.SQRT, "sqrt"), (OP.RSQRT, "rsqrt")):
        unary(code, name, p)
    unary(OP.LEAKY_RELU, "leaky_relu", x, OPT.LeakyReluOptions, options(S.LeakyReluOptionsT, alpha=0.3))
    unary(OP.GELU, "gelu", x, OPT.GeluOptions, options(S.GeluOptionsT, approximate=False))
    unary(OP.GELU, "gelu_tanh", x, OPT.GeluOptions, options(S.GeluOptionsT, approximate=True))
    unary(OP.LOG_SOFTMAX, "log_softmax", x, OPT.LogSoftmaxOptions, options(S.LogSoftmaxOptionsT))
    row = m.const("row", rand(6))
    for code, name, a, b in ((OP.MAXIMUM, "maximum", x, row), (OP.MINIMUM, "minimum", row, x),
                             (OP.POW, "pow", p, x), (OP.SQUARED_DIFFERENCE, "squared_difference", x, p),
                             (OP.FLOOR_DIV, "floor_div", x, p)):
        y = m.tensor(name, [1, 4, 5, 6])
        m.op(code, [a, b], [y])
        outs.append(y)
    yield "math", m, [x, p], outs, {"x": (3.0, 0.0), "p": (1.0, 1.2)}   # x in (-3, 3), p in (0.2, 2.2)


def reshaping_cases():
    """SQUEEZE, EXPAND_DIMS, SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, TILE, PADV2, MIRROR_PAD,
    SPACE_TO_DEPTH, BATCH_MATMUL, CAST on 4-D and lower-rank values."""
    m = Model()
    i32 = np.int32
    x = m.tensor("x", [1, 4, 6, 3])
    v = m.tensor("v", [2, 3, 4])
    outs = []

    def op(code, inputs, name, shape, opt_type=0, opt=None, dtype=np.float32):
        y = m.tensor(name, shape, dtype=dtype)
        m.op(code, inputs, [y], opt_type, opt)
        outs.append(y)
        return y
    op(OP.SQUEEZE, [v], "squeeze_noop", [2, 3, 4], OPT.SqueezeOptions, options(S.SqueezeOptionsT, squeezeDims=[]))
    s1 = op(OP.SLICE, [x, m.const("sb", [0, 1, 2, 0], i32), m.const("ss", [1, 1, -1, 2], i32)], "slice",
            [1, 1, 4, 2])                                                          # x[:, 1:2, 2:, 0:2]
    op(OP.SQUEEZE, [s1], "squeeze", [4, 2], OPT.SqueezeOptions, options(S.SqueezeOptionsT, squeezeDims=[0, 1]))
    op(OP.EXPAND_DIMS, [v, m.const("ea", [1], i32)], "expand_dims", [2, 1, 3, 4])
    pieces = [m.tensor(f"split_{k}", [1, 4, 2, 3]) for k in range(3)]
    m.op(OP.SPLIT, [m.const("sa", [2], i32), x], pieces, OPT.SplitOptions, options(S.SplitOptionsT, numSplits=3))
    outs += pieces
    vp = [m.tensor(f"split_v_{k}", [1, 4, 6, n]) for k, n in enumerate([1, 2])]
    m.op(OP.SPLIT_V, [x, m.const("vs", [1, -1], i32), m.const("va", [-1], i32)], vp, OPT.SplitVOptions,
         options(S.SplitVOptionsT, numSplits=2))
    outs += vp
    op(OP.PACK, [v, v], "pack", [2, 3, 2, 4], OPT.PackOptions, options(S.PackOptionsT, valuesCount=2, axis=2))
    up = [m.tensor(f"unpack_{k}", [1, 4, 6]) for k in range(3)]
    m.op(OP.UNPACK, [x], up, OPT.UnpackOptions, options(S.UnpackOptionsT, num=3, axis=3))
    outs += up
    op(OP.GATHER, [x, m.const("gi", [[2, 0], [5, 5]], i32)], "gather", [1, 4, 2, 2, 3], OPT.GatherOptions,
       options(S.GatherOptionsT, axis=2))
    op(OP.TILE, [x, m.const("tm", [1, 2, 1, 2], i32)], "tile", [1, 8, 6, 6])
    op(OP.PADV2, [x, m.const("pp", [[0, 0], [1, 2], [0, 1], [2, 0]], i32), m.const("pv", [0.5])], "padv2",
       [1, 7, 7, 5])
    op(OP.MIRROR_PAD, [x, m.const("mp", [[0, 0], [2, 1], [1, 2], [0, 0]], i32)], "mirror_pad", [1, 7, 9, 3],
       OPT.MirrorPadOptions, options(S.MirrorPadOptionsT, mode=S.MirrorPadMode.REFLECT))
    op(OP.SPACE_TO_DEPTH, [x], "space_to_depth", [1, 2, 3, 12], OPT.SpaceToDepthOptions,
       options(S.SpaceToDepthOptionsT, blockSize=2))
    op(OP.BATCH_MATMUL, [v, m.const("bm", rand(2, 5, 4))], "batch_matmul", [2, 3, 5], OPT.BatchMatMulOptions,
       options(S.BatchMatMulOptionsT, adjY=True))
    op(OP.CAST, [x], "cast", [1, 4, 6, 3], dtype=np.int32)
    yield "reshaping", m, [x, v], outs, {"x": (4.0, 0.0)}   # CAST truncates values in (-4, 4)


def reduce_cases():
    """SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD (with and without keep_dims), ARG_MAX, ARG_MIN."""
    m = Model()
    i32 = np.int32
    x = m.tensor("x", [1, 4, 5, 6])
    outs = []
    for code, name, axes, keep, shape in ((OP.SUM, "sum", [1, 2], False, [1, 6]),
                                          (OP.REDUCE_MAX, "reduce_max", [3], True, [1, 4, 5, 1]),
                                          (OP.REDUCE_MIN, "reduce_min", [-1], False, [1, 4, 5]),
                                          (OP.REDUCE_PROD, "reduce_prod", [1], False, [1, 5, 6])):
        y = m.tensor(name, shape)
        m.op(code, [x, m.const(f"{name}_axes", axes, i32)], [y], OPT.ReducerOptions,
             options(S.ReducerOptionsT, keepDims=keep))
        outs.append(y)
    for code, name, axis, dtype, opt_type, cls in (
            (OP.ARG_MAX, "arg_max", 3, np.int64, OPT.ArgMaxOptions, S.ArgMaxOptionsT),
            (OP.ARG_MIN, "arg_min", 1, np.int32, OPT.ArgMinOptions, S.ArgMinOptionsT)):
        shape = [1, 4, 5, 6]
        del shape[axis]
        y = m.tensor(name, shape, dtype=dtype)
        m.op(code, [x, m.const(f"{name}_axis", [axis], i32)], [y], opt_type,
             options(cls, outputType=S.TensorType.INT64 if dtype == np.int64 else S.TensorType.INT32))
        outs.append(y)
    yield "reductions", m, [x], outs


def elementwise_cases():
    m = Model()
    x, x2 = m.tensor("x", [1, 3, 4, 5]), m.tensor("x2", [1, 3, 4, 5])
    outs = []
    for name, code, inputs, opt in [
            ("add_relu", OP.ADD, [x, x2], (OPT.AddOptions, options(S.AddOptionsT, fusedActivationFunction=1))),
            ("sub_channel", OP.SUB, [x, m.const("c5", rand(5))], (OPT.SubOptions, options(S.SubOptionsT))),
            ("mul_row", OP.MUL, [x, m.const("c45", rand(4, 1))], (OPT.MulOptions, options(S.MulOptionsT))),
            ("hard_swish", OP.HARD_SWISH, [x], (0, None)), ("logistic", OP.LOGISTIC, [x], (0, None)),
            ("relu6", OP.RELU6, [x2], (0, None)), ("tanh", OP.TANH, [x], (0, None)),
            ("prelu", OP.PRELU, [x, m.const("alpha", rand(1, 1, 5))], (0, None))]:
        y = m.tensor(name, [1, 3, 4, 5])
        m.op(code, inputs, [y], *opt)
        outs.append(y)
    yield "elementwise", m, [x, x2], outs


def quant_cases():
    m = Model()
    x = m.tensor("x", [1, 3, 4, 5])
    q8 = m.tensor("q_int8", [1, 3, 4, 5], dtype=np.int8, scale=[0.0125], zero_point=[-3])
    qu = m.tensor("q_uint8", [1, 3, 4, 5], dtype=np.uint8, scale=[0.01], zero_point=[128])
    d8, du = m.tensor("dq_int8", [1, 3, 4, 5]), m.tensor("dq_uint8", [1, 3, 4, 5])
    m.op(OP.QUANTIZE, [x], [q8])
    m.op(OP.QUANTIZE, [x], [qu])
    m.op(OP.DEQUANTIZE, [q8], [d8])
    m.op(OP.DEQUANTIZE, [qu], [du])
    w = m.tensor("w_int8", [5], RNG.integers(-127, 128, 5), np.int8, scale=[0.02], zero_point=[0])
    wf, y = m.tensor("w_f32", [5]), m.tensor("scaled", [1, 3, 4, 5])
    m.op(OP.DEQUANTIZE, [w], [wf])
    m.op(OP.MUL, [d8, wf], [y], OPT.MulOptions, options(S.MulOptionsT))
    yield "quantize_boundary", m, [x], [q8, qu, d8, du, y]


def quantized_conv_model():
    """An int8 convolution (refused: Edgeflow imports float models)."""
    m = Model()
    x = m.tensor("x", [1, 4, 4, 3], dtype=np.int8, scale=[0.02], zero_point=[0])
    w = m.tensor("w", [2, 1, 1, 3], RNG.integers(-127, 128, 6), np.int8, scale=[0.01, 0.02], zero_point=[0, 0])
    y = m.tensor("y", [1, 4, 4, 2], dtype=np.int8, scale=[0.05], zero_point=[1])
    m.op(OP.CONV_2D, [x, w, -1], [y], OPT.Conv2DOptions, options(
        S.Conv2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=1))
    return m.bytes([x], [y])


def custom_op_model():
    m = Model()
    x = m.tensor("x", [1, 4, 4, 3])
    y, z = m.tensor("y", [1, 4, 4, 3]), m.tensor("z", [1, 4, 4, 3])
    m.op(OP.CUSTOM, [x], [y], custom=b"MyCustomOp")
    m.op(OP.SEGMENT_SUM, [y], [z])
    return m.bytes([x], [z])


def litert(path, feeds):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=path,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    for d in it.get_input_details():
        it.set_tensor(d["index"], feeds[d["name"]])
    it.invoke()
    return {d["name"]: it.get_tensor(d["index"]).copy() for d in it.get_output_details()}


def write_model_case(case, m, inputs, outputs, feeds, generator, versions, check_shapes=True):
    """Write Tests/Goldens/tflite_ops/<case>.tflite, its golden case tflite_op_<case> (LiteRT's
    reference kernels on `feeds`, tolerance 1e-4) and its fuzz seed. With `check_shapes`, the
    declared output shapes must be LiteRT's."""
    path = os.path.join(OUT, f"{case}.tflite")
    with open(path, "wb") as f:
        f.write(m.bytes(inputs, outputs))
    result = litert(path, feeds)
    if check_shapes:
        for i in outputs:
            t = m.tensors[i]
            assert list(result[t.name].shape) == t.shape, (case, t.name, result[t.name].shape, t.shape)
    print(f"[{case}] " + ", ".join(f"{k} {list(v.shape)}" for k, v in result.items()))
    write_case(f"tflite_op_{case}", description=f"generated TFLite model '{case}' run by LiteRT",
               model=os.path.relpath(path, REPO), inputs=feeds, outputs=result, tolerance=1e-4,
               generator=generator, model_origin=f"{generator} (committed)", tool_versions=versions)
    shutil.copy(path, os.path.join(SEEDS, f"{case}.tflite"))
    return result


def write_cases(makers, versions):
    for make in makers:
        for case, m, inputs, outputs, *scales in make():
            path = os.path.join(OUT, f"{case}.tflite")
            with open(path, "wb") as f:
                f.write(m.bytes(inputs, outputs))
            feeds = {m.tensors[i].name: rand(*m.tensors[i].shape) for i in inputs}
            for name, (scale, shift) in (scales[0] if scales else {}).items():
                feeds[name] = (feeds[name] * scale + shift).astype(np.float32)
            with tempfile.TemporaryDirectory() as workdir:
                reference = tflitelib.load(path)
                if tflitelib.transpose_conv_bias_as_builtin(reference):
                    with open(os.path.join(workdir, "reference.tflite"), "wb") as f:
                        f.write(tflitelib.pack(reference))
                    result = litert(os.path.join(workdir, "reference.tflite"), feeds)
                else:
                    result = litert(path, feeds)
            for i in outputs:
                t = m.tensors[i]
                assert list(result[t.name].shape) == t.shape, (case, t.name, result[t.name].shape, t.shape)
            write_case(f"tflite_op_{case}", description=f"generated TFLite model '{case}' run by LiteRT",
                       model=os.path.relpath(path, REPO), inputs=feeds, outputs=result, tolerance=1e-4,
                       generator=GENERATOR, model_origin=f"{GENERATOR} (committed)", tool_versions=versions)
            shutil.copy(path, os.path.join(SEEDS, f"{case}.tflite"))


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(SEEDS, exist_ok=True)
    write_cases((conv_cases, resize_cases, shape_cases, elementwise_cases, quant_cases), versions)
    for name, data in (("custom_op", custom_op_model()), ("quantized_conv", quantized_conv_model())):
        with open(os.path.join(OUT, f"{name}.tflite"), "wb") as f:
            f.write(data)
        shutil.copy(os.path.join(OUT, f"{name}.tflite"), os.path.join(SEEDS, f"{name}.tflite"))
    # Added later: last, so the random data of the cases above stays as committed.
    write_cases((slice_cases, sparse_cases, math_cases, reshaping_cases, reduce_cases), versions)


if __name__ == "__main__":
    main()
