#!/usr/bin/env python3
"""Load test of `edgeflow serve-ml` as Immich's server drives it, beside the models alone.

Starts the release binary on a free port with a models folder in Immich's layout, sends
`/predict` requests laid out as Node's FormData writes them (Immich's server) from client
threads for --seconds, while another thread sends `GET /ping` every 0.5 s, and prints per task:
answered requests per second, latency p50/p99, errors; the slowest `/ping`; the server's resident
memory after warm-up and at the end (growth over a long run is a leak). `--task mixed` is
Immich's default job concurrency: 2 CLIP image, 2 face, 1 OCR and 2 CLIP text requests at a time.

In the same run it times the compiled models alone with `edgeflow benchmark` (synthetic input,
no HTTP, no decoding), before and after the load (a busy machine shows as a gap between the
two), so for the one-model tasks (`--task clip`: the image tower; `--task text`: the text
tower) the serving overhead is a ratio measured side by side on one CPU:

    overhead = 1 - (served requests/s) / (the tower's own inferences/s)

On a shared machine the model's own speed drifts between measurements a minute apart, so
`--interleave N` splits the load into N windows and times the model alone right before each
one: the overhead is then 1 − (mean served rate) / (mean model-alone rate) over the N pairs,
each pair taken seconds apart, and every window's own ratio is printed to show the spread.

Standard library only. Needs `swift build -c release` and scripts/setup.sh (.testdata).

    python3 benchmarks/immich/load_test.py --task clip --seconds 60
    python3 benchmarks/immich/load_test.py --task clip --seconds 120 --interleave 6
    python3 benchmarks/immich/load_test.py --task text --seconds 120 --interleave 6
    python3 benchmarks/immich/load_test.py --task mixed --seconds 300 --json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOUNDARY = "----formdata-undici-0123456789ab"

CLIP = '{"clip":{"visual":{"modelName":"ViT-B-32__openai","options":{}}}}'
FACES = ('{"facial-recognition":{"detection":{"modelName":"buffalo_l","options":{"minScore":0.7}},'
         '"recognition":{"modelName":"buffalo_l","options":{}}}}')
OCR = ('{"ocr":{"detection":{"modelName":"PP-OCRv5_mobile","options":{"minScore":0.5,"maxResolution":736}},'
       '"recognition":{"modelName":"PP-OCRv5_mobile","options":{"minScore":0.8}}}}')
TEXT = '{"clip":{"textual":{"modelName":"ViT-B-32__openai","options":{"language":"en"}}}}'
# Immich's job concurrency defaults: smart search 2, face detection 2, OCR 1; and search queries.
MIXED = [CLIP, CLIP, FACES, FACES, OCR, TEXT, TEXT]
TASKS = {"clip": [CLIP], "faces": [FACES], "ocr": [OCR], "text": [TEXT], "mixed": MIXED}
NAMES = {CLIP: "clip", FACES: "faces", OCR: "ocr", TEXT: "text"}
# The one-model tasks and their tower's executable in the models folder (the others run two models).
TOWERS = {"clip": "visual", "text": "textual"}
QUERIES = ["a dog on a beach", "birthday cake with candles", "snowy mountain at sunset", "a red car"]


def form(entries: str, image: bytes | None = None, text: str | None = None) -> bytes:
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="entries"\r\n\r\n{entries}\r\n'.encode()
    if image is not None:
        body += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="blob"\r\n'
                 'Content-Type: application/octet-stream\r\n\r\n').encode() + image + b"\r\n"
    if text is not None:
        body += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{text}\r\n'.encode()
    return body + f"--{BOUNDARY}--\r\n".encode()


def body_for(entries: str, image: bytes, index: int) -> bytes:
    return form(entries, text=QUERIES[index % len(QUERIES)]) if entries == TEXT else form(entries, image)


def cpu_name() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def models_folder(work: str) -> str:
    """A models folder in Immich's layout built from .testdata (links, so compiles are shared)."""
    td = os.path.join(ROOT, ".testdata")
    root = os.path.join(work, "models")
    os.makedirs(root)
    for name, source in (("ViT-B-32__openai", "immich-models/ViT-B-32__openai"),
                         ("buffalo_l", "immich-models/buffalo_l"),
                         ("PP-OCRv5_mobile", "immich-models/PP-OCRv5_mobile")):
        path = os.path.join(td, source)
        if not os.path.isdir(path):
            sys.exit(f"{path} is missing: run scripts/setup.sh")
        os.symlink(path, os.path.join(root, name))
    return root


def start_server(binary: str, models: str, threads: int | None) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, MACHINE_LEARNING_PRELOAD__CLIP__VISUAL="ViT-B-32__openai",
               MACHINE_LEARNING_PRELOAD__FACIAL_RECOGNITION__DETECTION="buffalo_l",
               MACHINE_LEARNING_PRELOAD__FACIAL_RECOGNITION__RECOGNITION="buffalo_l",
               MACHINE_LEARNING_PRELOAD__OCR__DETECTION="PP-OCRv5_mobile")
    if threads:
        env["MACHINE_LEARNING_REQUEST_THREADS"] = str(threads)
    server = subprocess.Popen([binary, "serve-ml", "--models", models, "--host", "127.0.0.1", "--port", "0"],
                              env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 900  # the first start compiles the models
    while time.time() < deadline:
        line = server.stderr.readline()
        if not line:
            break
        match = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
        if match:
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return server, int(match.group(1))
    server.kill()
    sys.exit("serve-ml did not start")


def post(port: int, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("POST", "/predict", body,
                       {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, data


def ping_watch(port: int, stop: float, worst: list, pid: int, rss: list) -> None:
    """GET /ping every 0.5 s until `stop`; keeps the slowest answer (seconds) and failures, and
    samples the server's RSS (MiB) every 30 s."""
    next_sample = time.monotonic()
    while time.monotonic() < stop:
        if time.monotonic() >= next_sample:
            rss.append(round(rss_kib(pid) / 1024))
            next_sample += 30
        start = time.monotonic()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/ping")
            ok = connection.getresponse().read() == b"pong"
            connection.close()
        except OSError:
            ok = False
        worst[0] = max(worst[0], time.monotonic() - start)
        worst[1] += 0 if ok else 1
        time.sleep(0.5)


def load(port: int, pid: int, bodies: list[tuple[str, bytes]], clients: int, seconds: float) -> dict:
    results: dict[str, list] = {name: [] for name, _ in bodies}
    errors: dict[str, int] = {name: 0 for name, _ in bodies}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    ping, rss = [0.0, 0], []
    watcher = threading.Thread(target=ping_watch, args=(port, stop, ping, pid, rss))
    watcher.start()

    def client(index: int) -> None:
        name, body = bodies[index % len(bodies)]
        while time.monotonic() < stop:
            start = time.monotonic()
            try:
                status, _ = post(port, body)
            except OSError:
                status = 0
            with lock:
                if status == 200:
                    results[name].append(time.monotonic() - start)
                else:
                    errors[name] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    watcher.join()
    report = {"ping": {"slowest_s": round(ping[0], 3), "failed": ping[1]}, "rss_mib_every_30s": rss}
    for name, latencies in results.items():
        latencies.sort()
        pick = (lambda q: round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1))
        report[name] = {"answered": len(latencies), "per_second": round(len(latencies) / seconds, 2),
                        "p50_ms": pick(0.5) if latencies else None, "p99_ms": pick(0.99) if latencies else None,
                        "errors": errors[name]}
    return report


def model_alone(binary: str, efx: str, threads: int) -> float:
    out = subprocess.run([binary, "benchmark", efx, "--threads", str(threads), "--iterations", "100", "--json"],
                         check=True, capture_output=True, text=True).stdout
    return float(json.loads(out)["throughputPerSecond"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=sorted(TASKS), default="clip")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--clients", type=int, help="client threads (default: 2, or one per mix entry)")
    parser.add_argument("--request-threads", type=int, help="MACHINE_LEARNING_REQUEST_THREADS (default: cores)")
    parser.add_argument("--image", default=None, help="the photo sent (default: a library-200 JPEG)")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "edgeflow"))
    parser.add_argument("--interleave", type=int, default=1,
                        help="windows of load, each after a model-alone measurement (--task clip or text)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.interleave < 1 or (args.interleave > 1 and args.task not in TOWERS):
        sys.exit("--interleave takes a count of at least 1, with --task clip or text")
    image_path = args.image or next(os.path.join(d, f) for d, _, fs in
                                    sorted(os.walk(os.path.join(ROOT, ".testdata", "photos", "library-200")))
                                    for f in sorted(fs) if f.endswith(".jpg"))
    image = open(image_path, "rb").read()
    work = tempfile.mkdtemp(prefix="edgeflow-load-")
    try:
        models = models_folder(work)
        server, port = start_server(args.binary, models, args.request_threads)
        try:
            clients = args.clients or (len(MIXED) if args.task == "mixed" else 2)
            bodies = [(NAMES[e], body_for(e, image, i)) for i, e in enumerate(TASKS[args.task])]
            for name, body in dict(bodies).items():  # warm up: the first use of each model
                status, data = post(port, body)
                if status != 200:
                    sys.exit(f"{name}: {status} {data[:300]!r}")
            cores = os.cpu_count() or 1
            tower = TOWERS.get(args.task, "visual")
            efx = os.path.join(models, "ViT-B-32__openai", tower, "model.efx")
            alone_before = model_alone(args.binary, efx, cores)
            rss_start = rss_kib(server.pid)
            report = load(port, server.pid, bodies, clients, args.seconds / args.interleave)
            windows = [(alone_before, report[args.task]["per_second"])] if args.task in TOWERS else []
            for _ in range(args.interleave - 1):
                alone = model_alone(args.binary, efx, cores)
                window = load(port, server.pid, bodies, clients, args.seconds / args.interleave)
                windows.append((alone, window[args.task]["per_second"]))
            rss_end = rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
        alone_after = model_alone(args.binary, efx, cores)
        alone = {tower + "_before": alone_before, tower + "_after": alone_after}
        ping = report.pop("ping")
        rss_trend = report.pop("rss_mib_every_30s")
        result = {"cpu": cpu_name(), "cores": cores, "task": args.task, "seconds": args.seconds,
                  "clients": clients, "image": os.path.relpath(image_path, ROOT), "image_bytes": len(image),
                  "served": report, "ping": ping, "rss_kib": {"after_warmup": rss_start, "end": rss_end}, "rss_mib_every_30s": rss_trend,
                  "model_alone_per_second": alone}
        if args.task in TOWERS and args.interleave > 1:
            result["windows"] = [{"model_alone_per_second": a, "served_per_second": s,
                                  "overhead": round(1 - s / a, 3)} for a, s in windows]
            mean_alone = sum(a for a, _ in windows) / len(windows)
            mean_served = sum(s for _, s in windows) / len(windows)
            result["overhead"] = round(1 - mean_served / mean_alone, 3)
        elif args.task in TOWERS:
            result["overhead"] = round(1 - report[args.task]["per_second"] / max(alone_before, alone_after), 3)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print(f"CPU: {result['cpu']} ({cores} cores); {args.task} for {args.seconds:.0f} s, "
                  f"{clients} clients; image {result['image']} ({len(image)} B)")
            for name, row in report.items():
                print(f"  {name:6} {row['per_second']:7.2f} req/s  p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms"
                      f"  answered {row['answered']}  errors {row['errors']}")
            print(f"  CLIP {tower} model alone (edgeflow benchmark, {cores} threads): {alone_before:.2f} "
                  f"inferences/s before the load, {alone_after:.2f} after")
            print(f"  /ping: slowest {ping['slowest_s']} s, {ping['failed']} failed")
            for window in result.get("windows", []):
                print(f"  window: model alone {window['model_alone_per_second']:.2f}/s, "
                      f"served {window['served_per_second']:.2f}/s, overhead {100 * window['overhead']:.1f} %")
            if "overhead" in result:
                print(f"  serving overhead: {100 * result['overhead']:.1f} %"
                      + (" (mean served over mean model-alone rate)" if "windows" in result else ""))
            print(f"  server RSS: {rss_start / 1024:.0f} MiB after warm-up, {rss_end / 1024:.0f} MiB at the end; "
                  f"every 30 s: {rss_trend}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
