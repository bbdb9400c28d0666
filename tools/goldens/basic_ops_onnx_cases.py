#!/usr/bin/env python3
"""Convert ONNX backend node test cases for the elementwise, reduction and movement ops into
plain files Swift tests can read without a protobuf parser.

Cases come from the node, pytorch-operator, pytorch-converted and simple folders of the suite
(the last three use old opsets, 6 to 12); a case is chosen when every node of its model is one
of OPS and its data fits the size limit. For each chosen case this writes
Tests/Goldens/basic-ops/<case>/ (cases outside node/ are prefixed with their folder name):
  case.json     opset, the graph's nodes (op type, inputs, outputs, attributes), graph
                inputs/outputs, initializer names and the element type of each stored array
  input_<i>.npy, output_<j>.npy, initializer_<k>.npy   the test's data (bfloat16 stored as
                its uint16 bits)

The expected outputs are the ONNX test suite's own (an independent reference).
Usage: tools/goldens/basic_ops_onnx_cases.py [--data /work/onnx-data] [--out Tests/Goldens/basic-ops]
Needs the onnx and numpy packages (development only; tests never run Python).
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper, TensorProto

# ONNX op types whose importers live in the elementwise, reduction and movement groups.
OPS = set("""
Add Sub Mul Div Pow Max Min Sum Mean Mod BitShift And Or Xor Not Equal Less LessOrEqual Greater
GreaterOrEqual Where Cast CastLike Relu Sigmoid Tanh Exp Log Sqrt Neg Abs Erf Floor Ceil Round
Reciprocal Sign Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh Softplus Softsign Mish Gelu
HardSwish HardSigmoid LeakyRelu PRelu Elu Selu Celu ThresholdedRelu Clip IsNaN IsInf BitwiseAnd
BitwiseOr BitwiseXor BitwiseNot Swish
ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp
ReduceSumSquare ArgMax ArgMin Softmax LogSoftmax Hardmax LayerNormalization GlobalAveragePool
GlobalMaxPool LRN InstanceNormalization BatchNormalization MeanVarianceNormalization CumSum TopK
Reshape Flatten Squeeze Unsqueeze Transpose Expand Concat Split Slice Pad Gather GatherElements
GatherND ScatterElements ScatterND Scatter Tile DepthToSpace SpaceToDepth Trilu OneHot
""".split())

# Element types the Swift side can hold.
DTYPES = {
    TensorProto.FLOAT: "float32", TensorProto.DOUBLE: "float64", TensorProto.FLOAT16: "float16",
    TensorProto.BFLOAT16: "bfloat16", TensorProto.INT8: "int8", TensorProto.UINT8: "uint8",
    TensorProto.INT16: "int16", TensorProto.UINT16: "uint16", TensorProto.INT32: "int32",
    TensorProto.UINT32: "uint32", TensorProto.INT64: "int64", TensorProto.UINT64: "uint64",
    TensorProto.BOOL: "bool",
}
MAX_CASE_BYTES = 200_000


def attribute_json(attribute):
    kind = attribute.type
    A = onnx.AttributeProto
    if kind == A.INT:
        return {"int": attribute.i}
    if kind == A.INTS:
        return {"ints": list(attribute.ints)}
    if kind == A.FLOAT:
        return {"float": attribute.f}
    if kind == A.FLOATS:
        return {"floats": list(attribute.floats)}
    if kind == A.STRING:
        return {"string": attribute.s.decode("utf-8")}
    return None


def tensor_array(tensor):
    """The tensor as a numpy array to save, and its Edgeflow dtype name."""
    dtype = DTYPES.get(tensor.data_type)
    if dtype is None:
        return None, None
    if tensor.data_type == TensorProto.BFLOAT16:
        if tensor.raw_data:
            bits = np.frombuffer(tensor.raw_data, dtype="<u2").copy()
        else:
            bits = np.array(tensor.int32_data, dtype=np.uint16)
        return bits.reshape(tuple(tensor.dims)), dtype
    return numpy_helper.to_array(tensor), dtype


def convert(case_dir, out_dir):
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    graph = model.graph
    if not graph.node or any(n.op_type not in OPS or n.domain not in ("", "ai.onnx") for n in graph.node):
        return "ops"
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    nodes = []
    for n in graph.node:
        attributes = {}
        for a in n.attribute:
            value = attribute_json(a)
            if value is None:
                return "attribute"
            attributes[a.name] = value
        nodes.append({"op": n.op_type, "name": n.name, "inputs": list(n.input),
                      "outputs": list(n.output), "attributes": attributes})
    data_dir = os.path.join(case_dir, "test_data_set_0")
    initializer_names = [t.name for t in graph.initializer]
    inputs = [v.name for v in graph.input if v.name not in initializer_names]
    arrays, dtypes = {}, {}
    total = 0
    for k, tensor in enumerate(graph.initializer):
        array, dtype = tensor_array(tensor)
        if array is None:
            return "dtype"
        total += array.nbytes
        arrays[f"initializer_{k}"] = array
        dtypes[f"initializer_{k}"] = dtype
    for kind, count in (("input", len(inputs)), ("output", len(graph.output))):
        for i in range(count):
            path = os.path.join(data_dir, f"{kind}_{i}.pb")
            if not os.path.exists(path):
                return "data"
            tensor = onnx.TensorProto()
            with open(path, "rb") as f:
                tensor.ParseFromString(f.read())
            array, dtype = tensor_array(tensor)
            if array is None:
                return "dtype"
            total += array.nbytes
            arrays[f"{kind}_{i}"] = array
            dtypes[f"{kind}_{i}"] = dtype
    if total > MAX_CASE_BYTES:
        return "size"
    os.makedirs(out_dir, exist_ok=True)
    for name, array in arrays.items():
        np.save(os.path.join(out_dir, name + ".npy"), np.array(array, order="C", copy=True))
    description = {
        "opset": opset, "nodes": nodes,
        "inputs": inputs, "outputs": [v.name for v in graph.output], "initializers": initializer_names,
        "dtypes": dtypes,
    }
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(description, f, indent=1, sort_keys=True)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/work/onnx-data")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../Tests/Goldens/basic-ops"))
    args = parser.parse_args()
    out_root = os.path.abspath(args.out)
    if os.path.isdir(out_root):
        for name in os.listdir(out_root):
            if not name.startswith("ort--"):  # those come from basic_ops_ort_cases.py
                shutil.rmtree(os.path.join(out_root, name))
    skipped = {}
    written = 0
    for folder in ("node", "pytorch-operator", "pytorch-converted", "simple"):
        root = os.path.join(args.data, folder)
        for case in sorted(os.listdir(root)):
            name = case if folder == "node" else f"{folder}--{case}"
            reason = convert(os.path.join(root, case), os.path.join(out_root, name))
            if reason is None:
                written += 1
            elif reason != "ops":
                skipped.setdefault(reason, []).append(name)
    print(f"wrote {written} cases to {out_root}")
    for reason, cases in sorted(skipped.items()):
        print(f"skipped ({reason}): {' '.join(cases)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
