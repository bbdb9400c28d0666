#!/usr/bin/env python3
"""Streaming goldens for Home Assistant's microWakeWord detectors (the int8 .tflite files in the
pymicro_wakeword wheel on PyPI). They keep their past frames in TFLite resource variables
(CALL_ONCE of an init subgraph, VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE), so one golden is a
sequence of invocations of one LiteRT interpreter, the state carried from each to the next.

Needs (dev venv): ai-edge-litert, numpy; scripts/setup.sh having unpacked
.testdata/models/microwakeword/{okay_nabu,hey_jarvis}.tflite from pymicro-wakeword==2.5.0. Usage:
  .venv-tflite/bin/python tools/goldens/make_microwakeword_goldens.py

Per model, case microwakeword_<name>: 30 steps of made-up int8 features ([1, 3, 40] each: a
moving log-mel-like ridge plus seeded noise, stacked as [30, 1, 3, 40]), run by LiteRT 2.3.0's
reference kernels (BUILTIN_REF). Outputs stacked per step: the detector's uint8 probability and
every variable's value after the step (the value of its last ASSIGN_VARIABLE, read with
experimental_preserve_all_tensors), named `<variable>:next` as `edgeflow parse --state-io`
names them; inputs also hold each variable's initial value (the init subgraph's constant) under
the variable's name. Tolerance 0: integer models are compared exactly.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, rel, require, write_case  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_microwakeword_goldens.py"
MODELS = os.path.join(TESTDATA, "models", "microwakeword")
ORIGIN = "pymicro_wakeword==2.5.0 wheel (PyPI), pymicro_wakeword/models/"
STEPS = 30


def features(seed):
    """[STEPS, 1, 3, 40] int8: a ridge drifting across the 40 bins, plus noise, quantized."""
    rng = np.random.default_rng(seed)
    frames = np.arange(STEPS * 3)[:, None]
    bins = np.arange(40)[None, :]
    ridge = 14 * np.exp(-((bins - 20 - 12 * np.sin(frames / 9.0)) ** 2) / 30.0)
    values = ridge + 4 + 2 * rng.standard_normal((STEPS * 3, 40))
    q = np.clip(np.round(values / 0.10196078568696976) - 128, -128, 127).astype(np.int8)
    return q.reshape(STEPS, 1, 3, 40)


def variables(path):
    """(initial values by variable name, [(variable, value tensor index)] of subgraph 0's assigns)."""
    with open(path, "rb") as f:
        model = S.ModelT.InitFromPackedBuf(f.read(), 0)
    code = lambda op: model.operatorCodes[op.opcodeIndex].builtinCode  # noqa: E731

    def handles(graph):
        names = {}
        for op in graph.operators:
            if code(op) == S.BuiltinOperator.VAR_HANDLE:
                o = op.builtinOptions
                shared = o.sharedName.decode() if o.sharedName else ""
                container = o.container.decode() if o.container else ""
                names[op.outputs[0]] = f"{container}/{shared}" if container else shared
        return names
    main = model.subgraphs[0]
    init_index = next(op.builtinOptions.initSubgraphIndex for op in main.operators
                      if code(op) == S.BuiltinOperator.CALL_ONCE)
    init = model.subgraphs[init_index]
    init_names, initial = handles(init), {}
    types = {S.TensorType.INT8: np.int8, S.TensorType.UINT8: np.uint8, S.TensorType.FLOAT32: np.float32}
    for op in init.operators:
        if code(op) == S.BuiltinOperator.ASSIGN_VARIABLE:
            t = init.tensors[op.inputs[1]]
            data = np.asarray(model.buffers[t.buffer].data, np.uint8).tobytes()
            initial[init_names[op.inputs[0]]] = np.frombuffer(data, types[t.type]).reshape(t.shape).copy()
    names = handles(main)
    assigns = [(names[op.inputs[0]], op.inputs[1]) for op in main.operators
               if code(op) == S.BuiltinOperator.ASSIGN_VARIABLE]
    return initial, assigns


def stream(path, steps):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=path, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                     experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    initial, assigns = variables(path)
    (inp,), (out,) = it.get_input_details(), it.get_output_details()
    results = {out["name"]: []} | {f"{name}:next": [] for name in initial}
    for x in steps:
        it.set_tensor(inp["index"], x)
        it.invoke()
        results[out["name"]].append(it.get_tensor(out["index"]).copy())
        last = dict(assigns)   # the last assignment of each variable
        for name, index in last.items():
            results[f"{name}:next"].append(it.get_tensor(index).copy())
    return inp["name"], initial, {k: np.stack(v) for k, v in results.items()}


def main():
    import ai_edge_litert
    for seed, name in enumerate(("okay_nabu", "hey_jarvis")):
        path = require(os.path.join(MODELS, f"{name}.tflite"))
        steps = features(seed)
        input_name, initial, outputs = stream(path, steps)
        probability = outputs["StatefulPartitionedCall:0"].ravel()
        print(f"[{name}] {len(initial)} variables; probabilities {probability.tolist()}")
        write_case(f"microwakeword_{name}", description=f"microWakeWord '{name}' (int8 TFLite, streaming state) "
                   f"over {STEPS} steps of made-up features, run by LiteRT's reference kernels", model=rel(path),
                   inputs={input_name: steps} | initial, outputs=outputs, tolerance=0, generator=GENERATOR,
                   model_origin=ORIGIN + f"{name}.tflite",
                   tool_versions={"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__},
                   extra={"steps": STEPS})


if __name__ == "__main__":
    main()
