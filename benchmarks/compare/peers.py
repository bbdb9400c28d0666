"""The peers, in process through their Python APIs, and the timing loop they share.

onnxruntime: CPUExecutionProvider, intra_op_num_threads = N, inter_op 1,
sequential execution, all graph optimizations (ORT_ENABLE_ALL, the default).
OpenVINO: compile_model('CPU') with INFERENCE_NUM_THREADS = N, the LATENCY hint,
one stream, one synchronous infer request, and an explicit inference precision
(f32 for the comparison; bf16 only as a labelled context row). The precision the
compiled model reports back is recorded, since OpenVINO's CPU plugin silently
runs f32 where the CPU has no bf16 support.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, List

import numpy as np

from machine import LoadProbe


@dataclass
class Measurement:
    runtime: str          # "edgeflow", "onnxruntime", "openvino"
    precision: str        # what actually ran, e.g. "f32"
    threads: int
    batch: int
    warmup: int
    iterations: int
    latency_ms: dict      # p50, p90, mean, min (one batch)
    foreign_cores: float  # other processes' load during the timed loop
    steal_cores: float
    extra: dict = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        """Samples per second from the MEDIAN batch latency (the same formula for every runtime)."""
        return self.batch * 1000.0 / self.latency_ms["p50"]


def latency_summary(times_ms: List[float]) -> dict:
    t = np.asarray(times_ms, dtype=np.float64)
    return {"p50": float(np.percentile(t, 50)), "p90": float(np.percentile(t, 90)),
            "mean": float(t.mean()), "min": float(t.min())}


def time_loop(run: Callable[[], object], warmup: int, iterations: int) -> tuple:
    """Runs `run` warmup times untimed, then `iterations` times timed; returns (ms list, LoadProbe)."""
    for _ in range(warmup):
        run()
    times = []
    with LoadProbe() as probe:
        for _ in range(iterations):
            t0 = time.perf_counter_ns()
            run()
            times.append((time.perf_counter_ns() - t0) / 1e6)
    return times, probe


def _ort_session(path: str, threads: int):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def measure_onnxruntime(path: str, input_name: str, x: np.ndarray, threads: int, warmup: int,
                        iterations: int, column: str = "onnxruntime", precision: str = "f32") -> Measurement:
    """Times an ONNX file (fp32, or an int8 QDQ model: then column/precision label it)."""
    t0 = time.perf_counter()
    session = _ort_session(path, threads)
    load_s = time.perf_counter() - t0
    feed = {input_name: x}
    times, probe = time_loop(lambda: session.run(None, feed), warmup, iterations)
    del session
    return Measurement(column, precision, threads, x.shape[0], warmup, iterations, latency_summary(times),
                       probe.foreign_cores, probe.steal_cores, {"session_load_s": round(load_s, 2)})


def _ov_compiled(path: str, threads: int, precision: str = "f32"):
    import openvino as ov
    core = ov.Core()
    return core.compile_model(core.read_model(path), "CPU", {
        "INFERENCE_NUM_THREADS": threads,
        "PERFORMANCE_HINT": "LATENCY",
        "NUM_STREAMS": 1,
        "INFERENCE_PRECISION_HINT": precision,
    })


def measure_openvino(path: str, x: np.ndarray, threads: int, warmup: int, iterations: int,
                     precision: str = "f32", column: str = "openvino") -> Measurement:
    """Times an ONNX file or, for the int8 column, NNCF's IR: its int8 layers run in int8, and the
    precision hint (f32) applies to the layers NNCF left in float, as Edgeflow keeps them in fp32."""
    t0 = time.perf_counter()
    compiled = _ov_compiled(path, threads, precision)
    load_s = time.perf_counter() - t0
    hint = compiled.get_property("INFERENCE_PRECISION_HINT")
    actual = hint.get_type_name() if hasattr(hint, "get_type_name") else str(hint)
    request = compiled.create_infer_request()
    times, probe = time_loop(lambda: request.infer({0: x}, share_inputs=True), warmup, iterations)
    del request, compiled
    label = actual if precision == "f32" else f"{precision} hint (ran {actual})"
    if column != "openvino":
        label = f"int8 + {label}"
    return Measurement(column, label, threads, x.shape[0], warmup, iterations, latency_summary(times),
                       probe.foreign_cores, probe.steal_cores,
                       {"compile_s": round(load_s, 2), "precision_hint_read_back": actual})


def onnxruntime_outputs(path: str, input_name: str, xs: np.ndarray) -> List[np.ndarray]:
    """The first output of an ONNX file for each sample of xs [M, 1, ...] (2 threads)."""
    session = _ort_session(path, 2)
    return [session.run(None, {input_name: x})[0] for x in xs]


def openvino_outputs(path: str, xs: np.ndarray) -> List[np.ndarray]:
    """The first output of an ONNX file or IR in OpenVINO (f32 hint, 2 threads) for each sample."""
    compiled = _ov_compiled(path, 2)
    request = compiled.create_infer_request()
    return [np.array(request.infer({0: x})[compiled.output(0)]) for x in xs]
