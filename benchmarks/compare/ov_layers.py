#!/usr/bin/env python3
"""Where OpenVINO spends its time, layer by layer: OpenVINO's own per-node profiling counters
(PERF_COUNT) over a few runs of one model, for comparison with `edgeflow profile --json`.

  benchmarks/.venv/bin/python benchmarks/compare/ov_layers.py MODEL.xml|MODEL.onnx [--threads 1] \
      [--runs 8] [--top 40]

compare.py's cache holds the NNCF int8 IRs (MODEL-bB.ov-int8.xml) after a `compare.py --int8`
run. Prints the total of the node times, the slowest nodes (name, type, kernel) and the time per
(type, kernel). Random input of the model's shape (dynamic dims as 1). Writes nothing.
"""

from __future__ import annotations

import argparse
import collections

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    import openvino as ov
    core = ov.Core()
    compiled = core.compile_model(core.read_model(args.model), "CPU", {
        "INFERENCE_NUM_THREADS": args.threads, "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1,
        "INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": True})
    request = compiled.create_infer_request()
    shape = [d if d > 0 else 1 for d in compiled.input(0).get_partial_shape().get_min_shape()]
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    per_node: dict = collections.defaultdict(float)
    for run in range(args.runs + 2):
        request.infer({0: x})
        if run < 2:
            continue  # warm-up
        for p in request.get_profiling_info():
            per_node[(p.node_name, p.node_type, p.exec_type)] += p.real_time.total_seconds() * 1e3 / args.runs
    print(f"OpenVINO {ov.get_version()}, {args.threads} thread(s), {args.runs} runs: "
          f"node times sum to {sum(per_node.values()):.2f} ms")
    for (name, kind, kernel), ms in sorted(per_node.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"{ms:7.2f} ms  {name[:50]:50s} {kind:24s} {kernel}")
    by_kind: dict = collections.defaultdict(float)
    for (_, kind, kernel), ms in per_node.items():
        by_kind[(kind, kernel)] += ms
    print("per type and kernel:")
    for (kind, kernel), ms in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        if ms >= 0.01:
            print(f"{ms:7.2f} ms  {kind} [{kernel}]")


if __name__ == "__main__":
    main()
