"""The multiply-accumulates of a fixed-shape ONNX model split by what can make them cheaper: products
with a constant weight (int8 in every runtime), activation × activation products (attention: float
in every runtime), and among the weight products the 3×3 stride-1 dense convs a Winograd transform
could compute with fewer products. Counted by benchmarks/compare/models.py's rules."""

from __future__ import annotations

from typing import Dict, Set

import onnx

import models


def _constants(graph: onnx.GraphProto) -> Set[str]:
    """Initializers, Constant outputs, and outputs of nodes whose inputs are all constant."""
    known = {t.name for t in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant" or (n.input and all(i in known or i == "" for i in n.input)):
            known.update(n.output)
    return known


def _attr(node: onnx.NodeProto, name: str, default):
    for a in node.attribute:
        if a.name == name:
            return list(a.ints) if a.ints else a.i
    return default


def _winograd_eligible(node: onnx.NodeProto, weight_dims) -> bool:
    if node.op_type != "Conv" or _attr(node, "group", 1) != 1 or list(weight_dims[2:]) != [3, 3]:
        return False
    return set(_attr(node, "strides", [1, 1])) == {1} and set(_attr(node, "dilations", [1, 1])) == {1}


def split_macs(onnx_path: str) -> Dict[str, int]:
    """{"weight", "activation", "winograd3x3", "total"}: multiply-accumulates of one run of the model as
    stored (all of its batch)."""
    model = onnx.load(onnx_path)
    counted, shapes = models.product_macs(model)
    constants = _constants(model.graph)
    split = {"weight": 0, "activation": 0, "winograd3x3": 0}
    for node, macs in counted:
        if node.input[1] in constants:
            split["weight"] += macs
            if _winograd_eligible(node, shapes[node.input[1]]):
                split["winograd3x3"] += macs
        else:
            split["activation"] += macs
    split["total"] = split["weight"] + split["activation"]
    return split
