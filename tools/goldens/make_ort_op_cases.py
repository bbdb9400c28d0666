#!/usr/bin/env python3
"""Make extra single-op test cases whose expected outputs come from onnxruntime, for paths the
ONNX suite does not exercise: old-opset attribute forms (Softmax < 13 coercion, Reduce* and
Squeeze/Unsqueeze/Split axes as attributes, Clip/Pad/Slice attributes, TopK's k attribute) and
edge cases (integer division and modulo signs, half-to-even rounding, cast truncation and
wrapping, NaN in Max/Min, negative gather indices, negative slice steps, negative pads, empty
tensors, broadcasting across ranks, allowzero, ties in TopK/ArgMax).

Writes Tests/Goldens/ort-op-cases/<name>/ in the layout of the ONNX backend suite, so the
conformance runner's case player reads them: model.onnx (one node; operands that decide shapes
are initializers) and test_data_set_0/input_<i>.pb (graph inputs, from a seeded generator) and
output_<j>.pb (onnxruntime's outputs), TensorProtos.
Usage: tools/goldens/make_ort_op_cases.py [--out Tests/Goldens/ort-op-cases]   (needs onnx, onnxruntime)
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

rng = np.random.default_rng(20240611)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def i64(*values):
    return np.array(values, dtype=np.int64)



# name: (opset, op, attributes, inputs {name: array}, initializers {name: array}, input order, output count)
CASES = []


def case(name, opset, op, inputs, attributes=None, initializers=None, order=None, outputs=1):
    CASES.append((name, opset, op, attributes or {}, inputs, initializers or {}, order, outputs))


x234 = f32(2, 3, 4)
case("softmax_opset11_axis1", 11, "Softmax", {"x": x234}, {"axis": 1})
case("softmax_opset11_default_axis", 11, "Softmax", {"x": x234})
case("logsoftmax_opset11_axis0", 11, "LogSoftmax", {"x": x234}, {"axis": 0})
case("hardmax_opset11_axis1", 11, "Hardmax", {"x": x234}, {"axis": 1})
case("hardmax_opset13_ties", 13, "Hardmax", {"x": np.array([[1, 3, 3], [2, 2, 1]], np.float32)})
masked = f32(2, 5)
masked[0, 3:] = -1e9
masked[1, :2] = -np.inf
case("softmax_large_negative_mask", 13, "Softmax", {"x": masked})
case("reducemax_opset13_axes_attr", 13, "ReduceMax", {"x": x234}, {"axes": [0, -1], "keepdims": 0})
case("reducesum_opset11_axes_attr", 11, "ReduceSum", {"x": x234}, {"axes": [1]})
case("reducemean_opset13_all_axes", 13, "ReduceMean", {"x": x234}, {"keepdims": 0})
case("reducel2_opset18_axes_input", 18, "ReduceL2", {"x": x234}, initializers={"axes": i64(-2)})
case("reducelogsumexp_large", 18, "ReduceLogSumExp", {"x": (x234 * 100).astype(np.float32)},
     initializers={"axes": i64(2)})
case("reducesum_int32", 13, "ReduceSum", {"x": np.arange(-12, 12, dtype=np.int32).reshape(2, 3, 4)},
     initializers={"axes": i64(0, 2)}, order=["x", "axes"])
case("unsqueeze_opset11_axes_attr", 11, "Unsqueeze", {"x": f32(3, 4)}, {"axes": [0, -1]})
case("squeeze_opset11_axes_attr", 11, "Squeeze", {"x": f32(3, 1, 4, 1)}, {"axes": [1]})
case("squeeze_opset11_all", 11, "Squeeze", {"x": f32(1, 3, 1, 4)})
case("split_opset11_split_attr", 11, "Split", {"x": f32(2, 6)}, {"axis": 1, "split": [1, 2, 3]}, outputs=3)
case("split_opset13_equal", 13, "Split", {"x": f32(6, 2)}, outputs=3)
case("split_opset18_uneven", 18, "Split", {"x": f32(2, 7)}, {"axis": -1, "num_outputs": 3}, outputs=3)
case("topk_opset9_k_attr", 9, "TopK", {"x": f32(3, 5)}, {"k": 2}, outputs=2)
case("topk_opset11_smallest_ties", 11, "TopK",
     {"x": np.array([[3, 1, 2, 1, 3], [5, 5, 5, 4, 4]], np.float32)}, {"largest": 0, "axis": 1},
     initializers={"k": i64(3)}, order=["x", "k"], outputs=2)
case("topk_opset11_largest_ties_axis0", 11, "TopK", {"x": np.array([[1, 2], [1, 0], [3, 2]], np.float32)},
     {"axis": 0}, initializers={"k": i64(2)}, order=["x", "k"], outputs=2)
case("clip_opset6_attrs", 6, "Clip", {"x": f32(3, 4)}, {"min": -0.5, "max": 0.5})
case("clip_opset11_max_only", 11, "Clip", {"x": f32(3, 4), "max": np.array(0.25, np.float32)},
     order=["x", "", "max"])
case("clip_opset13_int32", 13, "Clip", {"x": np.arange(-6, 6, dtype=np.int32)},
     initializers={"min": np.array(-2, np.int32), "max": np.array(3, np.int32)}, order=["x", "min", "max"])
case("pad_opset2_reflect_attr", 2, "Pad", {"x": f32(1, 2, 3, 4)}, {"mode": "reflect", "pads": [0, 0, 2, 1, 0, 0, 1, 3]})
case("pad_opset2_constant_value", 2, "Pad", {"x": f32(2, 3)}, {"pads": [1, 0, 0, 2], "value": 1.5})
case("pad_opset11_edge_negative", 11, "Pad", {"x": f32(3, 5)}, {"mode": "edge"},
     initializers={"pads": i64(2, -1, -1, 3)}, order=["x", "pads"])
case("pad_opset11_constant_crop", 11, "Pad", {"x": f32(4, 5)}, initializers={"pads": i64(-1, 2, 1, -2), "v": np.array(-3, np.float32)},
     order=["x", "pads", "v"])
case("pad_opset11_runtime_value", 11, "Pad", {"x": f32(2, 3), "v": np.array(7, np.float32)},
     initializers={"pads": i64(1, 1, 0, 2)}, order=["x", "pads", "v"])
case("pad_opset19_wrap", 19, "Pad", {"x": f32(2, 3)}, {"mode": "wrap"}, initializers={"pads": i64(1, 2, 2, 4)},
     order=["x", "pads"])
case("slice_opset9_attrs", 9, "Slice", {"x": f32(4, 5, 6)}, {"starts": [1, -4], "ends": [1000, -1], "axes": [0, 2]})
case("slice_opset13_negative_steps", 13, "Slice", {"x": f32(5, 6)},
     initializers={"s": i64(-1, 4), "e": i64(-9223372036854775807, 0), "a": i64(0, 1), "st": i64(-2, -3)},
     order=["x", "s", "e", "a", "st"])
case("slice_opset13_clamped_empty", 13, "Slice", {"x": f32(3, 4)},
     initializers={"s": i64(10, 0), "e": i64(20, 4)}, order=["x", "s", "e"])
for source, target, values in [
    ("float32", "int32", [1.9, -1.9, 0.5, -0.5, 1e9, -2.7e9]),
    ("float32", "uint8", [300.7, -1.5, 255.9, 0.2]),
    ("float32", "int8", [127.9, -128.9, 200.0, -3.99]),
    ("float32", "int64", [1e12, -7.9, 3.5]),
    ("float32", "float16", [65504.0, 65520.0, 1e-8, 0.1, -2.5e-5, 3.14159]),
    ("float32", "bool", [0.0, -0.0, 2.0, np.nan]),
    ("bool", "float32", [True, False]),
    ("int64", "uint8", [-1, 256, 300, 255]),
    ("int32", "int8", [128, -129, 127, 1000]),
    ("float64", "float32", [1e-40, 3.4e38, 0.1]),
    ("float16", "int32", [1.5, -2.5, 100.0]),
    ("uint8", "int8", [0, 127, 128, 255]),
    ("int64", "float16", [2049, 70000, -3]),
]:
    data = np.array(values, dtype=np.dtype(source))
    to = helper.np_dtype_to_tensor_dtype(np.dtype(target))
    case(f"cast_{source}_to_{target}", 19, "Cast", {"x": data}, {"to": to})
a_int = np.array([7, -7, 7, -7, 0, 5], np.int32)
b_int = np.array([2, 2, -2, -2, 3, -3], np.int32)
case("div_int32_truncates", 14, "Div", {"a": a_int, "b": b_int})
case("mod_int32_python_sign", 13, "Mod", {"a": a_int, "b": b_int})
case("mod_int32_fmod", 13, "Mod", {"a": a_int, "b": b_int}, {"fmod": 1})
case("mod_float_fmod", 13, "Mod", {"a": np.array([5.5, -5.5, 5.5, -5.5], np.float32),
                                   "b": np.array([2, 2, -2, -2], np.float32)}, {"fmod": 1})
case("pow_int32_int_exponent", 15, "Pow", {"a": np.array([2, -3, 5, 0, 1], np.int32),
                                           "b": np.array([10, 3, 0, 4, 7], np.int32)})
case("pow_float_int64_exponent", 15, "Pow", {"a": f32(2, 3), "b": np.array([2, 3, 0], np.int64)})
case("round_half_to_even", 22, "Round", {"x": np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 3.5001], np.float32)})
nan_a = np.array([1, np.nan, 3, np.nan], np.float32)
nan_b = np.array([np.nan, 2, 1, np.nan], np.float32)
case("max_nan_propagates", 13, "Max", {"a": nan_a, "b": nan_b})
case("min_nan_propagates", 13, "Min", {"a": nan_a, "b": nan_b})
case("mean_three_inputs", 13, "Mean", {"a": f32(3, 1), "b": f32(4), "c": f32(1, 4)})
case("sum_one_input", 13, "Sum", {"a": f32(3, 4)})
case("gather_negative_indices", 13, "Gather", {"x": f32(5, 4), "i": np.array([[-1, 0], [-5, 2]], np.int64)}, {"axis": 0})
case("gather_axis1_int32_indices", 13, "Gather", {"x": f32(2, 5, 3), "i": np.array([4, -2, 0], np.int32)}, {"axis": 1})
case("gather_scalar_index", 13, "Gather", {"x": f32(4, 3), "i": np.array(-2, np.int64)})
case("gathernd_batch_dims1", 13, "GatherND", {"x": f32(2, 3, 4), "i": np.array([[[1, 2]], [[0, -1]]], np.int64)}, {"batch_dims": 1})
case("reshape_allowzero_empty", 14, "Reshape", {"x": np.zeros((0, 3), np.float32)}, {"allowzero": 1},
     initializers={"s": i64(3, 0)}, order=["x", "s"])
case("reshape_zero_copies_and_infers", 14, "Reshape", {"x": f32(2, 3, 4)}, initializers={"s": i64(0, -1)}, order=["x", "s"])
case("expand_bidirectional", 13, "Expand", {"x": f32(3, 1)}, initializers={"s": i64(2, 1, 6)}, order=["x", "s"])
case("argmax_select_last_index_ties", 13, "ArgMax", {"x": np.array([[1, 5, 5], [2, 2, 0]], np.float32)},
     {"axis": 1, "select_last_index": 1})
case("argmin_ties_first", 13, "ArgMin", {"x": np.array([[1, 0, 0], [2, 2, 2]], np.float32)}, {"axis": 1, "keepdims": 0})
case("cumsum_int64_exclusive_reverse", 14, "CumSum", {"x": np.arange(1, 13, dtype=np.int64).reshape(3, 4)},
     {"exclusive": 1, "reverse": 1}, initializers={"axis": np.array(1, np.int64)}, order=["x", "axis"])
case("cumsum_float_axis0", 14, "CumSum", {"x": f32(3, 4)}, initializers={"axis": np.array(-2, np.int32)}, order=["x", "axis"])
case("layernorm_axis1_y_only", 17, "LayerNormalization", {"x": f32(2, 3, 4), "s": f32(3, 4), "b": f32(3, 4)},
     {"axis": 1, "epsilon": 1e-3})
case("layernorm_no_bias", 17, "LayerNormalization", {"x": f32(4, 8), "s": f32(8)})
case("batchnorm_opset9_constants", 9, "BatchNormalization", {"x": f32(2, 3, 4, 5)},
     initializers={"s": f32(3), "b": f32(3), "m": f32(3), "v": (np.abs(f32(3)) + 0.5).astype(np.float32)},
     order=["x", "s", "b", "m", "v"])
case("batchnorm_opset15_runtime_stats", 15, "BatchNormalization",
     {"x": f32(2, 3, 4), "s": f32(3), "b": f32(3), "m": f32(3), "v": (np.abs(f32(3)) + 0.5).astype(np.float32)},
     {"epsilon": 1e-3})
case("add_empty_broadcast", 14, "Add", {"a": np.zeros((0, 3), np.float32), "b": f32(3)})
case("add_rank_difference", 14, "Add", {"a": f32(2, 1, 4), "b": f32(3, 1)})
case("where_three_way_broadcast", 16, "Where", {"c": rng.random((3, 1)) > 0.5, "x": f32(1, 4), "y": f32(2, 1, 1)})
case("reducesum_over_empty_axis", 13, "ReduceSum", {"x": np.zeros((2, 0, 3), np.float32)},
     initializers={"axes": i64(1)}, order=["x", "axes"])
case("concat_with_empty_input", 13, "Concat", {"a": f32(2, 3), "b": np.zeros((2, 0), np.float32), "c": f32(2, 1)}, {"axis": -1})
case("transpose_5d", 13, "Transpose", {"x": f32(2, 3, 1, 4, 2)}, {"perm": [4, 1, 3, 0, 2]})
case("tile_with_zero_repeat", 13, "Tile", {"x": f32(2, 3)}, initializers={"r": i64(2, 0)}, order=["x", "r"])
case("tile_3d", 13, "Tile", {"x": f32(2, 1, 3)}, initializers={"r": i64(1, 3, 2)}, order=["x", "r"])
case("onehot_negative_and_out_of_range", 11, "OneHot", {"i": np.array([[1.0, -1], [0, 5]], np.float32)},
     {"axis": 1}, initializers={"d": np.array(4, np.float32), "v": np.array([-1, 2], np.float32)}, order=["i", "d", "v"])
case("trilu_lower_large_negative_k", 14, "Trilu", {"x": f32(3, 4)}, {"upper": 0},
     initializers={"k": np.array(-9223372036854775807, np.int64)}, order=["x", "k"])
case("prelu_channel_slope", 16, "PRelu", {"x": f32(2, 3, 2, 2)}, initializers={"s": f32(3, 1, 1)}, order=["x", "s"])
case("global_average_pool_3d", 13, "GlobalAveragePool", {"x": f32(1, 2, 3, 4, 2)})
case("instancenorm_1d", 13, "InstanceNormalization", {"x": f32(2, 3, 5), "s": f32(3), "b": f32(3)})
case("gelu_tanh", 20, "Gelu", {"x": f32(3, 4)}, {"approximate": "tanh"})
case("less_int64_broadcast", 13, "Less", {"a": np.arange(6, dtype=np.int64).reshape(2, 3), "b": np.array([2], np.int64)})
case("equal_bool", 13, "Equal", {"a": np.array([True, False, True]), "b": np.array([True, True, False])})
case("scatterelements_negative_index_add", 18, "ScatterElements",
     {"x": f32(3, 3), "i": np.array([[-1, 0], [1, -3]], np.int64), "u": f32(2, 2)}, {"axis": 1, "reduction": "add"})
case("depthtospace_crd", 13, "DepthToSpace", {"x": f32(1, 8, 2, 3)}, {"blocksize": 2, "mode": "CRD"})
case("flatten_axis0", 13, "Flatten", {"x": f32(2, 3, 4)}, {"axis": 0})
case("flatten_negative_axis", 13, "Flatten", {"x": f32(2, 3, 4)}, {"axis": -1})


# GroupNormalization in its opset-18 form: scale and bias per group (opset 21 has them per channel).
case("groupnorm_opset18_per_group", 18, "GroupNormalization", {"x": f32(2, 6, 3, 3), "s": f32(3), "b": f32(3)},
     {"num_groups": 3, "epsilon": 1e-3})

def build(name, opset, op, attributes, inputs, initializers, order, outputs):
    order = order or list(inputs) + list(initializers)
    output_names = [f"y{k}" for k in range(outputs)]
    node = helper.make_node(op, order, output_names, name=name, **attributes)
    graph_inputs = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
                    for n, a in inputs.items()]
    graph_outputs = [onnx.ValueInfoProto(name=n) for n in output_names]
    init = [numpy_helper.from_array(a, n) for n, a in initializers.items()]
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {v.name: v.type for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for output in model.graph.output:
        output.type.tensor_type.elem_type = types[output.name].tensor_type.elem_type if output.name in types else 0
        if output.type.tensor_type.elem_type == 0:   # not inferred (GroupNormalization-18): the first input's type
            output.type.tensor_type.elem_type = helper.np_dtype_to_tensor_dtype(next(iter(inputs.values())).dtype)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    results = session.run(None, {n: a for n, a in inputs.items()})
    return model, output_names, results


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.array(array, order="C", copy=True), name).SerializeToString())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../Tests/Goldens/ort-op-cases"))
    args = parser.parse_args()
    for spec in CASES:
        name, inputs = spec[0], spec[4]
        model, output_names, results = build(*spec)
        folder = os.path.join(os.path.abspath(args.out), name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, "test_data_set_0"))
        onnx.save(model, os.path.join(folder, "model.onnx"))
        for i, (input_name, array) in enumerate(inputs.items()):
            write_tensor(os.path.join(folder, "test_data_set_0", f"input_{i}.pb"), array, input_name)
        for j, (output_name, array) in enumerate(zip(output_names, results)):
            write_tensor(os.path.join(folder, "test_data_set_0", f"output_{j}.pb"), array, output_name)
    print(f"wrote {len(CASES)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
