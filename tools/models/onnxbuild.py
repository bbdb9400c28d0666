"""Small helpers shared by the model generators in tools/models/.

Pure onnx.helper + numpy, no torch. The generators build graphs shaped the
way the PyTorch (legacy, TorchScript-based) ONNX exporter emits them at
opset 17: node names like ``/transformer/resblocks.0/attn/MatMul``, outputs
``<node name>_output_0``, parameters as initializers with their module path
as name, small scalars and shape vectors as ``Constant`` nodes.

Determinism: every weight comes from ``numpy.random.default_rng(seed).random``
(uniform doubles in [0, 1), a stream NumPy keeps stable across versions),
scaled with +, -, * and sqrt only (all correctly rounded in IEEE arithmetic),
then rounded once to float32. No exp/log/sin (their SIMD implementations can
differ by an ulp between machines). The same script, arguments, onnx and numpy
versions therefore give a byte-identical .onnx file on every machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # what torch.onnx.export writes for opset 17
PRODUCER = "edgeflow-tools"
PRODUCER_VERSION = "1"


class Weights:
    """Seeded uniform weights (never numpy 'normal': its algorithm may change)."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def _u(self, shape: Sequence[int]) -> np.ndarray:
        return self.rng.random(size=tuple(int(s) for s in shape))  # float64 in [0, 1)

    def symmetric(self, shape: Sequence[int], bound: float) -> np.ndarray:
        """U(-bound, bound) as float32."""
        u = self._u(shape)
        return ((u * 2.0 - 1.0) * float(bound)).astype(np.float32)

    def fan_in(self, shape: Sequence[int], fan_in: int, gain: float = 1.0) -> np.ndarray:
        """U(-b, b) with b = gain*sqrt(3/fan_in): unit gain keeps the variance of a
        linear map's output equal to the mean square of its input."""
        return self.symmetric(shape, gain * math.sqrt(3.0 / fan_in))

    def between(self, shape: Sequence[int], lo: float, hi: float) -> np.ndarray:
        """U(lo, hi) as float32."""
        u = self._u(shape)
        return (u * (float(hi) - float(lo)) + float(lo)).astype(np.float32)


TensorLike = Union[np.ndarray, float, int, Sequence[int], Sequence[float]]


class GraphBuilder:
    """Builds one ONNX graph with exporter-style names."""

    def __init__(self, name: str):
        self.name = name
        self.nodes: List[onnx.NodeProto] = []
        self.initializers: List[onnx.TensorProto] = []
        self.inputs: List[onnx.ValueInfoProto] = []
        self.outputs: List[onnx.ValueInfoProto] = []
        self._scope: List[str] = []
        self._used_node_names: Dict[str, int] = {}
        self._init_names: set = set()

    # ----- naming -------------------------------------------------------
    @contextlib.contextmanager
    def scope(self, name: str):
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    def _node_name(self, op: str) -> str:
        base = "/" + "/".join(self._scope + [op]) if self._scope else "/" + op
        n = self._used_node_names.get(base, 0)
        self._used_node_names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    # ----- graph I/O ----------------------------------------------------
    def input(self, name: str, elem_type: int, shape: Sequence[Union[int, str]]) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, list(shape)))
        return name

    def output(self, name: str, elem_type: int, shape: Sequence[Union[int, str]]) -> None:
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, list(shape)))

    # ----- values -------------------------------------------------------
    def param(self, name: str, array: np.ndarray) -> str:
        """A model parameter stored as an initializer."""
        if name in self._init_names:
            raise ValueError(f"duplicate initializer {name}")
        self._init_names.add(name)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def const(self, value: TensorLike, dtype=None) -> str:
        """A small constant emitted as a Constant node (scalars, shape vectors)."""
        arr = np.asarray(value, dtype=dtype)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        if arr.dtype == np.int32 and dtype is None:
            arr = arr.astype(np.int64)
        name = self._node_name("Constant")
        out = name + "_output_0"
        self.nodes.append(
            helper.make_node("Constant", [], [out], name=name,
                             value=numpy_helper.from_array(arr, ""))
        )
        return out

    def op(self, op_type: str, inputs: Iterable[str], n_out: int = 1,
           output_names: Optional[Sequence[str]] = None, **attrs):
        name = self._node_name(op_type)
        if output_names is None:
            outs = [f"{name}_output_{i}" for i in range(n_out)]
        else:
            outs = list(output_names)
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, **attrs))
        return outs[0] if len(outs) == 1 else outs

    # ----- common exporter patterns ------------------------------------
    def linear(self, x: str, w_name: str, weight: np.ndarray, b_name: Optional[str],
               bias: Optional[np.ndarray]) -> str:
        """nn.Linear on a 3-D input: MatMul with the transposed weight [in, out],
        then Add of the bias (the legacy exporter's pattern)."""
        y = self.op("MatMul", [x, self.param(w_name, weight)])
        if bias is not None:
            y = self.op("Add", [y, self.param(b_name, bias)])
        return y

    def gelu_erf(self, x: str) -> str:
        """nn.GELU() (exact): x * 0.5 * (1 + erf(x / sqrt(2)))."""
        d = self.op("Div", [x, self.const(np.float32(1.4142135381698608))])
        e = self.op("Erf", [d])
        a = self.op("Add", [e, self.const(np.float32(1.0))])
        m = self.op("Mul", [x, a])
        return self.op("Mul", [m, self.const(np.float32(0.5))])

    def layer_norm(self, x: str, prefix: str, gamma: np.ndarray, beta: np.ndarray,
                   eps: float, decomposed: bool = False) -> str:
        g = self.param(prefix + ".weight", gamma)
        b = self.param(prefix + ".bias", beta)
        if not decomposed:
            return self.op("LayerNormalization", [x, g, b], axis=-1, epsilon=float(eps))
        # what exporters emitted before opset 17
        mean = self.op("ReduceMean", [x], axes=[-1], keepdims=1)
        sub = self.op("Sub", [x, mean])
        pw = self.op("Pow", [sub, self.const(np.float32(2.0))])
        var = self.op("ReduceMean", [pw], axes=[-1], keepdims=1)
        add = self.op("Add", [var, self.const(np.float32(eps))])
        sq = self.op("Sqrt", [add])
        div = self.op("Div", [sub, sq])
        mul = self.op("Mul", [div, g])
        return self.op("Add", [mul, b])

    # ----- finish -------------------------------------------------------
    def model(self, doc: str, metadata: Optional[Dict[str, str]] = None) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                                  initializer=self.initializers)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=PRODUCER, producer_version=PRODUCER_VERSION,
                              doc_string=doc)
        m.ir_version = IR_VERSION
        for k, v in (metadata or {}).items():
            p = m.metadata_props.add()
            p.key, p.value = k, v
        onnx.checker.check_model(m)
        return m


def save(model: onnx.ModelProto, path: str) -> str:
    """Serialise to one file (no external data) and return its sha256."""
    data = model.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


def count_params(model: onnx.ModelProto) -> int:
    return int(sum(int(np.prod(t.dims)) for t in model.graph.initializer))


def count_macs(model: onnx.ModelProto) -> int:
    """Multiply-accumulates of Conv, MatMul and Gemm, from inferred shapes."""
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    shapes: Dict[str, List[int]] = {}

    def add(vi):
        t = vi.type.tensor_type
        if t.HasField("shape"):
            shapes[vi.name] = [d.dim_value if d.HasField("dim_value") else 1 for d in t.shape.dim]

    for vi in list(inferred.graph.input) + list(inferred.graph.value_info) + list(inferred.graph.output):
        add(vi)
    for init in inferred.graph.initializer:
        shapes[init.name] = list(init.dims)
    macs = 0
    for n in inferred.graph.node:
        if n.op_type == "Conv":
            w = shapes[n.input[1]]
            out = shapes[n.output[0]]
            macs += int(np.prod(out)) * int(np.prod(w[1:]))
        elif n.op_type == "MatMul":
            a = shapes[n.input[0]]
            out = shapes[n.output[0]]
            macs += int(np.prod(out)) * a[-1]
        elif n.op_type == "Gemm":
            a = shapes[n.input[0]]
            out = shapes[n.output[0]]
            trans_a = next((at.i for at in n.attribute if at.name == "transA"), 0)
            k = a[0] if trans_a else a[1]
            macs += int(np.prod(out)) * k
    return macs


def describe(model: onnx.ModelProto, path: str, sha: str) -> str:
    ops: Dict[str, int] = {}
    for n in model.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    macs = count_macs(model)
    size = len(model.SerializeToString())
    lines = [
        f"wrote {path}",
        f"  sha256 {sha}",
        f"  size {size} B, params {count_params(model):,}, MACs {macs:,} ({macs / 1e9:.3f} GMAC)",
        "  ops " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))),
    ]
    return "\n".join(lines)


def config_json(cfg: dict) -> str:
    return json.dumps(cfg, sort_keys=True)


def write_model(g: "GraphBuilder", cfg: dict, output: str, doc: str, generator: str) -> onnx.ModelProto:
    """Serializes the built graph to `output` (creating its folder) and prints a summary."""
    import os
    model = g.model(doc, {"edgeflow.generator": generator, "edgeflow.config": config_json(cfg)})
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    sha = save(model, output)
    print(describe(model, output, sha))
    return model


def config_main(build, configs, title: str, generator: str, doc: str, argv=None) -> None:
    """The command line of a generator with one `--config` choice: build and write the model."""
    import argparse
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(configs), default="small")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    g, cfg = build(a.config)
    write_model(g, cfg, a.output,
                f"Edgeflow test model: {title} ({a.config}), random weights, "
                f"generated by {generator} --config {a.config}", generator)
