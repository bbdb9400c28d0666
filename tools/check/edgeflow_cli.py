"""Parse and infer a model with the `edgeflow` CLI: what the compare_with_* tools share."""
import json, os, subprocess


def parse_and_infer(edgeflow: str, model: str, work: str, parse_args: list, infer_args: list):
    """Returns {output name: .npy path}, or an error message when parse or infer fails."""
    archive = os.path.join(work, "model.efa")
    run = subprocess.run([edgeflow, "parse", model, "-o", archive] + parse_args, capture_output=True, text=True)
    if run.returncode:
        return f"{model}: parse failed ({run.returncode}): {run.stderr.strip()}"
    run = subprocess.run([edgeflow, "infer", archive, "--output-dir", os.path.join(work, "out"), "--json"]
                         + infer_args, capture_output=True, text=True)
    if run.returncode:
        return f"{model}: infer failed ({run.returncode}): {run.stderr.strip()}"
    return {o["name"]: o["file"] for o in json.loads(run.stdout)["outputs"]}
