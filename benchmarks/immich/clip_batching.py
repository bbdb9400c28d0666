#!/usr/bin/env python3
"""CLIP image requests served with and without cross-request batching, side by side.

Starts `edgeflow serve-ml` (release build) once per setting of MACHINE_LEARNING_MAX_BATCH_SIZE__CLIP
(default 1 and 2) and drives it with N clients sending Immich's CLIP image request for a window;
the settings alternate for --rounds rounds, so the machine's drift hits both alike. Prints images/s
served per setting and client count, the ratio to batch 1, and the run sizes the server reported.

Standard library only; reuses load_test.py's request layout and client loop.

    python3 benchmarks/immich/clip_batching.py --clients 2,4 --seconds 20 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_test  # noqa: E402


def served(binary: str, models: str, batch: int, clients: int, seconds: float, image: bytes) -> float:
    """Images/s answered by a fresh server with CLIP batch `batch` under `clients` clients."""
    os.environ["MACHINE_LEARNING_MAX_BATCH_SIZE__CLIP"] = str(batch)
    server, port = load_test.start_server(binary, models, None)
    try:
        body = load_test.form(load_test.CLIP, image)
        for _ in range(2):  # warm up: compiles the batch executable on the first start
            status, data = load_test.post(port, body)
            if status != 200:
                sys.exit(f"batch {batch}: {status} {data[:300]!r}")
        report = load_test.load(port, server.pid, [("clip", body)], clients, seconds)
        if report["clip"]["errors"]:
            sys.exit(f"batch {batch}: {report['clip']['errors']} errors")
        return report["clip"]["per_second"]
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", default="1,2", help="values of MACHINE_LEARNING_MAX_BATCH_SIZE__CLIP")
    parser.add_argument("--clients", default="2,4", help="client counts")
    parser.add_argument("--seconds", type=float, default=20, help="one window")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", default=os.path.join(load_test.ROOT, ".build", "release", "edgeflow"))
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    client_counts = [int(c) for c in args.clients.split(",")]
    if not batches or min(batches) < 1 or not client_counts or min(client_counts) < 1 or args.rounds < 1:
        sys.exit("--batches and --clients take positive counts, --rounds at least 1")
    image_path = next(os.path.join(d, f) for d, _, fs in
                      sorted(os.walk(os.path.join(load_test.ROOT, ".testdata", "photos", "library-200")))
                      for f in sorted(fs) if f.endswith(".jpg"))
    image = open(image_path, "rb").read()
    work = tempfile.mkdtemp(prefix="edgeflow-clip-batching-")
    rates: dict[tuple[int, int], list[float]] = {}
    try:
        models = load_test.models_folder(work)
        for round_index in range(args.rounds):
            for clients in client_counts:
                for batch in batches:
                    rate = served(args.binary, models, batch, clients, args.seconds, image)
                    rates.setdefault((clients, batch), []).append(rate)
                    print(f"round {round_index + 1}: {clients} clients, batch {batch}: {rate:.2f} images/s",
                          flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"CPU: {load_test.cpu_name()} ({os.cpu_count()} cores); image {os.path.relpath(image_path, load_test.ROOT)}"
          f"; {args.rounds} rounds of {args.seconds:.0f} s windows")
    print("| clients | MAX_BATCH_SIZE__CLIP | images/s (mean) | windows | ÷ batch 1 |")
    print("|---|---|---|---|---|")
    for clients in client_counts:
        base = sum(rates[(clients, batches[0])]) / args.rounds
        for batch in batches:
            mean = sum(rates[(clients, batch)]) / args.rounds
            windows = ", ".join(f"{r:.2f}" for r in rates[(clients, batch)])
            print(f"| {clients} | {batch} | {mean:.2f} | {windows} | {mean / base:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
