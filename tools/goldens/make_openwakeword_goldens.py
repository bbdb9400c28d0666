#!/usr/bin/env python3
"""Goldens for openWakeWord's models (the openwakeword==0.5.1 wheel ships each as .tflite and .onnx),
chained as openWakeWord's AudioFeatures chains them.

Needs (dev venv): ai-edge-litert, onnxruntime, numpy; scripts/setup.sh having unpacked
.testdata/models/openwakeword/. Usage: .venv/bin/python tools/goldens/make_openwakeword_goldens.py

3.6 seconds of made-up audio at 16 kHz (a gliding voiced tone with formant-like bands and noise,
int16-ranged float32 as openWakeWord feeds it) → melspectrogram [1, 57600] → its frames /10 + 2
(openWakeWord's transform) → 34 windows of 76 frames, 8 apart → embedding_model [34, 76, 32, 1].
Each stage is a case per format, the .tflite run by LiteRT's reference kernels (no XNNPACK) and
the .onnx by onnxruntime, the embedding stage fed the melspectrogram stage's output of its own
runtime: openwakeword_<model>_tflite and openwakeword_<model>_onnx. The melspectrogram's input is
declared with placeholder lengths (a shape signature of −1, an ONNX dim 'samples') and the
embedding model's batch too: the cases set them.

The wake word models (alexa, hey_jarvis, hey_mycroft, hey_rhasspy: 16 embeddings; weather 22;
timer 34) score the made-up audio's embeddings at 0 (sigmoid underflow: no wake word was said),
which would test nothing, so their cases take [1, n, 96] embeddings drawn per dimension around the
mean of the TFLite case's 34 with a spread of k standard deviations, k the first that puts the
reference's score away from saturation (informative_embeddings). Tolerance 1e-4 of each output's magnitude.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, ort_run, require, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_openwakeword_goldens.py"
ORIGIN = "openwakeword==0.5.1 wheel: openwakeword/resources/models/{} (scripts/setup.sh)"
RATE, SECONDS, WINDOW, STEP, WINDOWS = 16000, 3.6, 76, 8, 34
WAKE_WORDS = ["alexa", "hey_jarvis", "hey_mycroft", "hey_rhasspy", "timer", "weather"]
TOL = 1e-4


def audio() -> np.ndarray:
    """[1, 57600] float32 in int16's range: a voiced tone gliding 120 → 220 Hz with harmonics
    shaped by two moving formant bands, an onset and decay, and a little noise."""
    t = np.arange(int(RATE * SECONDS)) / RATE
    pitch = 120 + 100 * t / SECONDS
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    formants = (700 + 300 * np.sin(2 * np.pi * 1.5 * t), 1800 - 500 * t / SECONDS)
    voice = np.zeros_like(t)
    for k in range(1, 25):
        frequency = k * pitch
        gain = sum(np.exp(-((frequency - f) / 180.0) ** 2) for f in formants) + 0.05
        voice += gain * np.sin(k * phase) / k
    envelope = np.minimum(t / 0.2, 1) * np.exp(-np.maximum(t - 1.4, 0) * 3)
    noise = np.random.default_rng(3).standard_normal(t.size) * 0.02
    signal = (voice * envelope + noise) / np.abs(voice).max()
    return (signal * 12000).astype(np.int16).astype(np.float32)[None]


def model_path(name: str, kind: str) -> str:
    return require(os.path.join(TESTDATA, "models", "openwakeword", f"{name}.{kind}"))


def run_tflite(path: str, feeds):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    interpreter = Interpreter(model_path=path,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    details = interpreter.get_input_details()
    for detail in details:
        if list(detail["shape"]) != list(feeds[detail["name"]].shape):
            interpreter.resize_tensor_input(detail["index"], feeds[detail["name"]].shape)
    interpreter.allocate_tensors()
    for detail in details:
        interpreter.set_tensor(detail["index"], feeds[detail["name"]])
    interpreter.invoke()
    return {d["name"]: interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()}


def input_name(path: str, kind: str) -> str:
    if kind == "tflite":
        from ai_edge_litert.interpreter import Interpreter
        return Interpreter(model_path=path).get_input_details()[0]["name"]
    import onnxruntime
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"]).get_inputs()[0].name


def onnx_input_shape(path: str):
    import onnx
    dims = onnx.load(path).graph.input[0].type.tensor_type.shape.dim
    return [d.dim_value for d in dims]


def stage(name: str, kind: str, value: np.ndarray, versions, what: str) -> np.ndarray:
    """Runs model `name` of format `kind` on `value`, writes its case and returns its only output."""
    path = model_path(name, kind)
    feeds = {input_name(path, kind): value}
    outputs = run_tflite(path, feeds) if kind == "tflite" else ort_run(path, feeds)
    write_case(f"openwakeword_{name.replace('_v0.1', '')}_{kind}",
               description=f"openWakeWord's {name}.{kind} on {what}, run by "
                           + ("LiteRT's reference kernels" if kind == "tflite" else "onnxruntime"),
               model=f".testdata/models/openwakeword/{name}.{kind}", inputs=feeds, outputs=outputs,
               tolerance=TOL, generator=GENERATOR, model_origin=ORIGIN.format(f"{name}.{kind}"),
               tool_versions=versions[kind], tolerance_kind="max_abs_scaled")
    (only,) = outputs.values()
    return only


def main():
    import ai_edge_litert
    import onnx
    import onnxruntime
    versions = {"tflite": {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__},
                "onnx": {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__,
                         "numpy": np.__version__}}
    sound = audio()
    embeddings = {}
    for kind in ("tflite", "onnx"):
        mel = stage("melspectrogram", kind, sound, versions, "3.6 s of made-up voiced audio at 16 kHz")
        frames = np.squeeze(mel) / 10 + 2
        assert frames.shape[0] >= WINDOW + STEP * (WINDOWS - 1), frames.shape
        windows = np.stack([frames[i * STEP:i * STEP + WINDOW] for i in range(WINDOWS)])[..., None]
        embeddings[kind] = stage("embedding_model", kind, windows.astype(np.float32), versions,
                                 f"{WINDOWS} windows of the melspectrogram case's frames (/10 + 2)")
    features = embeddings["tflite"].reshape(WINDOWS, 96)
    for word in WAKE_WORDS:
        for kind in ("tflite", "onnx"):
            drawn, spread = informative_embeddings(word, kind, features)
            score = stage(f"{word}_v0.1", kind, drawn, versions,
                          f"{drawn.shape[1]} embeddings drawn around the TFLite embedding case's mean "
                          f"(± {spread} standard deviations)")
            print(f"[openwakeword] {kind} {word}: {np.round(score, 4).tolist()}")


def informative_embeddings(word: str, kind: str, features: np.ndarray):
    """[1, n, 96] embeddings for `word`'s model of format `kind`, drawn as mean + spread · std · N(0, 1)
    per dimension (seeded), the spread growing 1, 2, 3, … until the reference's score is away from
    saturation (every score below 0.98, the largest above 0.02), so the case tests more than an
    underflowed sigmoid. (hey_rhasspy's .tflite and .onnx are different models: their scores differ.)"""
    path = model_path(f"{word}_v0.1", kind)
    count = onnx_input_shape(model_path(f"{word}_v0.1", "onnx"))[1]
    rng = np.random.default_rng(17)
    for spread in range(1, 40):
        drawn = (features.mean(axis=0) + spread * features.std(axis=0) * rng.standard_normal((1, count, 96)))
        drawn = drawn.astype(np.float32)
        feeds = {input_name(path, kind): drawn}
        (score,) = (run_tflite(path, feeds) if kind == "tflite" else ort_run(path, feeds)).values()
        if 0.02 < score.max() and score.max() < 0.98:
            return drawn, spread
    raise SystemExit(f"no informative input found for {word}")


if __name__ == "__main__":
    main()
