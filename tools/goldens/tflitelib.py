"""Shared helpers for the TFLite golden generators (dev only: needs ai-edge-litert, numpy).

Reading and writing whole .tflite files with LiteRT's schema object API, pruning
unused tensors and operator codes, post-training quantization parameters as
TFLite's converter computes them, and running a model with LiteRT's reference
kernels (OpResolverType.BUILTIN_REF: no XNNPACK, no optimized kernels).
"""

from __future__ import annotations

import ai_edge_litert.schema_py_generated as S
import flatbuffers
import numpy as np

OP = S.BuiltinOperator


def load(path):
    with open(path, "rb") as f:
        return S.ModelT.InitFromObj(S.Model.GetRootAsModel(f.read(), 0))


def pack(model) -> bytes:
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def opcode(model, op) -> int:
    """The builtin code of an operator (old files only fill deprecated_builtin_code)."""
    c = model.operatorCodes[op.opcodeIndex]
    return max(c.builtinCode, c.deprecatedBuiltinCode)


def buffer_array(model, tensor, dtype):
    data = model.buffers[tensor.buffer].data if tensor.buffer else None
    if data is None or len(data) == 0:
        return None
    return np.frombuffer(bytes(np.asarray(data, np.uint8)), dtype).reshape(tensor.shape)


def set_buffer(model, tensor, array):
    model.buffers[tensor.buffer].data = np.frombuffer(np.ascontiguousarray(array).tobytes(), np.uint8)


def prune(model):
    """Drop tensors no operator or graph input/output uses, and unused operator codes; renumber."""
    g = model.subgraphs[0]
    used = sorted({i for op in g.operators for i in list(op.inputs) + list(op.outputs) if i >= 0}
                  | set(g.inputs) | set(g.outputs))
    new = {old: k for k, old in enumerate(used)}
    g.tensors = [g.tensors[i] for i in used]
    g.inputs, g.outputs = [new[i] for i in g.inputs], [new[i] for i in g.outputs]
    codes = sorted({op.opcodeIndex for op in g.operators})
    for op in g.operators:
        op.inputs = [new[i] if i >= 0 else -1 for i in op.inputs]
        op.outputs = [new[i] for i in op.outputs]
        op.opcodeIndex = codes.index(op.opcodeIndex)
    model.operatorCodes = [model.operatorCodes[i] for i in codes]


def round_away(x):
    """std::round: halves away from zero (what TFLite's quantization tools use)."""
    x = np.asarray(x, np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def asymmetric(lo, hi, qmin=-128, qmax=127):
    """Per-tensor int8 (scale, zero point) for the range [lo, hi], extended to contain 0."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / (qmax - qmin) or 1.0
    zero_point = int(np.clip(round_away(qmin - lo / scale), qmin, qmax))
    return float(np.float32(scale)), zero_point


def symmetric_per_channel(w, axis):
    """int8 weights and per-channel scales (max |w| / 127, 1 for an all-zero channel) along `axis`."""
    other = tuple(a for a in range(w.ndim) if a != axis)
    scale = (np.abs(w).max(axis=other) / 127.0).astype(np.float32)
    scale[scale == 0] = 1.0
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(round_away(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def quantize_bias(b, input_scale, weight_scales):
    """int32 bias with scale input_scale * weight_scale[c] (float32 product, as the kernels check it)."""
    scale = (np.float32(input_scale) * np.asarray(weight_scales, np.float32)).astype(np.float32)
    q = np.clip(round_away(np.asarray(b, np.float64) / scale), -2**31, 2**31 - 1).astype(np.int32)
    return q, scale


def quantization(scale, zero_point, axis=0):
    q = S.QuantizationParametersT()
    q.scale, q.zeroPoint, q.quantizedDimension = [float(s) for s in scale], [int(z) for z in zero_point], axis
    return q


def litert(path, feeds, preserve_all_tensors=False, kind="BUILTIN_REF"):
    """Run a model with LiteRT's reference kernels (or the resolver named `kind`, as run_with);
    returns ({output name: array}, interpreter)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=path, experimental_op_resolver_type=getattr(OpResolverType, kind),
                     experimental_preserve_all_tensors=preserve_all_tensors)
    it.allocate_tensors()
    for d in it.get_input_details():
        it.set_tensor(d["index"], feeds[d["name"]])
    it.invoke()
    return {d["name"]: it.get_tensor(d["index"]).copy() for d in it.get_output_details()}, it


def run_with(path, x, kind):
    """Run a one-input model on array `x` with the LiteRT resolver named `kind` (BUILTIN: the
    default kernels with XNNPACK, BUILTIN_REF, BUILTIN_WITHOUT_DEFAULT_DELEGATES)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=path, experimental_op_resolver_type=getattr(OpResolverType, kind))
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return {o["name"]: it.get_tensor(o["index"]).copy() for o in it.get_output_details()}


def transpose_conv_bias_as_builtin(model) -> bool:
    """Rewrites MediaPipe's custom Convolution2DTransposeBias ops in `model` (a ModelT) to
    TFLite's builtin TRANSPOSE_CONV; returns whether there were any.

    MediaPipe's kernel (mediapipe/util/tflite/operations/transpose_conv_bias.cc) reads its
    options as TfLiteTransposeConvParams (int32 padding 1 SAME / 2 VALID, stride width,
    stride height), makes an output of stride*(in-1) + kernel - p with
    p = max(0, kernel - (in-1) % stride - 1) for SAME (0 for VALID), starts p/2 pixels in,
    and adds the bias per output channel. TRANSPOSE_CONV (version 3, with its optional bias
    input) given that output shape pads the same p/2 at the start (ComputePaddingHeightWidth),
    so LiteRT's reference kernel computes the custom op: LiteRT itself has no kernel for it.
    """
    import struct
    graph = model.subgraphs[0]
    custom = [i for i, c in enumerate(model.operatorCodes)
              if c.customCode in (b"Convolution2DTransposeBias", "Convolution2DTransposeBias")]
    if not custom:
        return False
    code = S.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = OP.TRANSPOSE_CONV
    code.version = 3
    model.operatorCodes.append(code)
    for op in graph.operators:
        if op.opcodeIndex not in custom:
            continue
        padding, stride_w, stride_h = struct.unpack("<iii", bytes(bytearray(op.customOptions[:12])))
        shape = S.BufferT()
        shape.data = np.frombuffer(np.asarray(graph.tensors[op.outputs[0]].shape, np.int32).tobytes(), np.uint8)
        model.buffers.append(shape)
        tensor = S.TensorT()
        tensor.shape, tensor.type, tensor.buffer, tensor.name = [4], S.TensorType.INT32, len(model.buffers) - 1, b"shape"
        graph.tensors.append(tensor)
        options = S.TransposeConvOptionsT()
        options.padding = S.Padding.SAME if padding == 1 else S.Padding.VALID
        options.strideW, options.strideH = stride_w, stride_h
        x, weights, bias = op.inputs
        op.opcodeIndex, op.inputs = len(model.operatorCodes) - 1, [len(graph.tensors) - 1, weights, x, bias]
        op.builtinOptionsType, op.builtinOptions = S.BuiltinOptions.TransposeConvOptions, options
        op.customOptions = None
    return True
