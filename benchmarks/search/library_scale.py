#!/usr/bin/env python3
"""A photo library of N photos at search time: its size on disk and the latency of a text query.

Creates an empty library with `edgeflow photos index` (so the schema is Edgeflow's own), fills
it through Python's sqlite3 with N synthetic photos (paths, dates, a thumbnail of
--thumbnail-bytes random bytes) and N random unit 512-d embeddings for the model folder's name,
then runs `edgeflow photos search "TEXT" --json` several times (fp32 and int8 scans) and prints:

- the database size against the raw vector bytes plus the thumbnails (target <= 1.5x);
- loading the model's towers, and opening the library with its vectors (target <= 1 s);
- the query's embedding (tokenizer and text tower) and the scan of N vectors with the top 50
  (target: embedding + scan <= 50 ms, of which the scan <= 5 ms for 100,000 x 512);
- `photos serve`'s query latency over HTTP, and right after photos were added or removed.

  python3 benchmarks/search/library_scale.py --model .testdata/immich-models/ViT-B-32__openai \
      --photos 100000 --threads 2

Needs a release build (`swift build -c release --product edgeflow`) and numpy.
"""
import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import numpy as np


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def fill(library, model_name, count, thumbnail_bytes, seed, first_id=1):
    """Adds `count` synthetic photos with ids from `first_id`, their embeddings and thumbnails."""
    rng = np.random.default_rng(seed)
    db = sqlite3.connect(library)
    db.execute("INSERT OR IGNORE INTO models (name, dimension, fingerprint) VALUES (?, 512, 'synthetic')",
               (model_name,))
    model_id = db.execute("SELECT id FROM models WHERE name = ?", (model_name,)).fetchone()[0]
    randomizer = random.Random(seed)
    for start in range(0, count, 10000):
        n = min(10000, count - start)
        vectors = rng.standard_normal((n, 512), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        photos, embeddings, thumbnails = [], [], []
        for i in range(n):
            photo_id = first_id + start + i
            year, month, day = randomizer.randint(2005, 2025), randomizer.randint(1, 12), randomizer.randint(1, 28)
            taken = f"{year}-{month:02d}-{day:02d}T12:00:00"
            photos.append((photo_id, f"/photos/{photo_id // 1000:03d}/IMG_{photo_id:06d}.jpg", 3_000_000 + photo_id,
                           1_700_000_000_000_000_000 + photo_id, f"{photo_id:016x}", "jpeg", 4000, 3000, taken,
                           "2026-12-02T00:00:00Z"))
            embeddings.append((photo_id, model_id, vectors[i].astype("<f4").tobytes()))
            if thumbnail_bytes:
                thumbnails.append((photo_id, 256, 192, randomizer.randbytes(thumbnail_bytes)))
        db.executemany("INSERT INTO photos (id, path, size, mtime_ns, content_hash, format, width, height, taken_at, "
                       "added_at, seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", photos)
        db.executemany("INSERT INTO embeddings (photo_id, model_id, vector) VALUES (?, ?, ?)", embeddings)
        db.executemany("INSERT INTO thumbnails (photo_id, width, height, jpeg) VALUES (?, ?, ?, ?)", thumbnails)
        db.commit()
    if first_id == 1:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="CLIP folder in Immich's layout (with a text tower)")
    parser.add_argument("--photos", type=int, default=100000)
    parser.add_argument("--thumbnail-bytes", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="a dog on a beach")
    parser.add_argument("--edgeflow", default=".build/release/edgeflow")
    parser.add_argument("--refresh-only", action="store_true",
                        help="measure only `photos serve` while photos are added and removed")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="library-scale-")
    try:
        model = os.path.join(scratch, os.path.basename(args.model.rstrip("/")))
        shutil.copytree(args.model, model)
        empty = os.path.join(scratch, "empty")
        os.mkdir(empty)
        library = os.path.join(scratch, "library.sqlite")
        # Creates the schema and compiles both towers (the first run's cost, not measured).
        subprocess.run([args.edgeflow, "photos", "index", empty, "--library", library, "--model", model],
                       check=True, capture_output=True)
        fill(library, os.path.basename(model), args.photos, args.thumbnail_bytes, seed=2024)
        if args.refresh_only:
            refresh_latency(args, library, model)
            compressed_refresh_latency(args, library, model)
            return
        size = os.path.getsize(library)
        vectors, thumbnails = args.photos * 512 * 4, args.photos * args.thumbnail_bytes
        print(f"{cpu_name()}, {os.cpu_count()} cores, {args.threads} threads; {args.photos} photos")
        print(f"database {size / 1e6:.1f} MB; vectors {vectors / 1e6:.1f} MB + thumbnails {thumbnails / 1e6:.1f} MB; "
              f"ratio {size / (vectors + thumbnails):.3f} (target <= 1.5)")
        def search(compressed):
            out = subprocess.run([args.edgeflow, "photos", "search", args.query, "--library", library, "--model",
                                  model, "--limit", "50", "--threads", str(args.threads), "--json"]
                                 + (["--compressed"] if compressed else []),
                                 check=True, capture_output=True, text=True).stdout
            return json.loads(out)

        search(False)  # warm-up: the file's pages into the page cache (not counted)
        measured = {False: [], True: []}
        for _ in range(args.runs):  # alternating, so both see the same machine
            for compressed in (False, True):
                measured[compressed].append(search(compressed))
        for compressed in (False, True):
            runs = measured[compressed]
            model_ms = statistics.median(r["modelSeconds"] for r in runs) * 1000
            load = statistics.median(r["librarySeconds"] for r in runs) * 1000
            embed = statistics.median(r["embedSeconds"] for r in runs) * 1000
            scan = statistics.median(r["scanSeconds"] for r in runs) * 1000
            print(f"{'int8 + rescoring' if compressed else 'fp32'} scan: model {model_ms:.0f} ms, "
                  f"library open + vectors {load:.0f} ms, "
                  f"text embedding {embed:.1f} ms, scan + top 50 {scan:.1f} ms, query {embed + scan:.1f} ms "
                  f"(medians of {args.runs})")
        for compressed in (False, True):
            serve_latency(args, library, model, compressed)
        refresh_latency(args, library, model)
        compressed_refresh_latency(args, library, model)
        # The same with the int8 text tower `edgeflow models quantize` makes (written into the copy).
        made = subprocess.run([args.edgeflow, "models", "quantize", model], capture_output=True, text=True)
        print("models quantize: " + " / ".join(made.stdout.strip().splitlines()[:3]))
        if made.returncode == 0:
            for compressed in (False, True):
                serve_latency(args, library, model, compressed, label=" (int8 text tower)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def start_server(args, library, model, options):
    """`photos serve` on a free port with `options`; returns the process and its address."""
    server = subprocess.Popen([args.edgeflow, "photos", "serve", "--library", library, "--model", model, "--port",
                               "0"] + options, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in server.stderr:
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if match:
            return server, match.group(0)
    server.terminate()
    server.wait(timeout=30)
    raise RuntimeError("photos serve did not print its address")


def timed_query(address, i):
    """Milliseconds, timed by the client, of text query number `i` (each a new text) to the server."""
    start = time.perf_counter()
    text = urllib.parse.quote(f"a dog on a beach {i}")
    urllib.request.urlopen(f"{address}api/search?q={text}&limit=50").read()
    return (time.perf_counter() - start) * 1000


def serve_latency(args, library, model, compressed, label=""):
    """Text queries against a running `photos serve` (model loaded, vectors in memory), timed by
    the client over HTTP: what the web page waits for after the first query."""
    server, address = start_server(args, library, model, ["--compressed"] if compressed else [])
    try:
        queries = ["a dog on a beach", "a red car", "mountains at sunset", "a birthday cake", "two cats"]
        url = lambda q: f"{address}api/search?q={urllib.parse.quote(q)}&limit=50"
        for q in queries:  # warm-up: the first query starts the thread pool and the int8 copy
            urllib.request.urlopen(url(q)).read()
        times, embeds, scans = [], [], []
        for i in range(args.runs * 4):
            start = time.perf_counter()
            body = urllib.request.urlopen(url(queries[i % len(queries)] + f" {i}")).read()
            times.append((time.perf_counter() - start) * 1000)
            answer = json.loads(body)
            assert len(answer["results"]) == 50
            embeds.append(answer["embedSeconds"] * 1000)
            scans.append(answer["scanSeconds"] * 1000)
        print(f"photos serve{' --compressed' if compressed else ''}{label}: text query over HTTP, median "
              f"{statistics.median(times):.1f} ms (server: text embedding {statistics.median(embeds):.1f} ms, "
              f"scan + top 50 {statistics.median(scans):.1f} ms), max {max(times):.1f} ms "
              f"({len(times)} queries after 5 warm-up)")
    finally:
        server.terminate()
        server.wait(timeout=30)


def refresh_latency(args, library, model):
    """A running `photos serve` while photos are indexed: the first query after a batch of 64
    new embeddings (the server applies only those rows), after a photo's removal (it reads the
    library's ids and hides the row), and after a removal that freed the newest rowid for a new
    photo (it loads every vector again), each timed by the client, against the query with nothing
    changed."""
    server, address = start_server(args, library, model, ["--refresh", "0.2"])
    try:
        def query(i):
            return timed_query(address, i)
        for i in range(5):
            query(i)
        quiet, appended, removed, reloaded = [], [], [], []
        next_id = args.photos + 1

        def remove(photo_id):
            db = sqlite3.connect(library)
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("DELETE FROM photos WHERE id = ?", (photo_id,))
            db.commit()
            db.close()

        for r in range(args.runs):
            time.sleep(0.3)
            quiet.append(query(100 + r))
            fill(library, os.path.basename(model), 64, args.thumbnail_bytes, seed=5000 + r, first_id=next_id)
            next_id += 64
            time.sleep(0.3)
            appended.append(query(200 + r))
            remove(next_id - 1)
            time.sleep(0.3)
            removed.append(query(300 + r))
            # The newest row's photo goes and a new one takes its rowid: only a full load finds it.
            remove(next_id - 2)
            fill(library, os.path.basename(model), 1, args.thumbnail_bytes, seed=6000 + r, first_id=next_id)
            next_id += 1
            time.sleep(0.3)
            reloaded.append(query(400 + r))
        print(f"photos serve while indexing: text query over HTTP, median {statistics.median(quiet):.1f} ms unchanged, "
              f"{statistics.median(appended):.1f} ms after 64 photos were added (their rows applied), "
              f"{statistics.median(removed):.1f} ms after a photo was removed (its row hidden), "
              f"{statistics.median(reloaded):.1f} ms after a removal freed the newest rowid for a new photo "
              f"(all vectors loaded again); {args.runs} of each")
    finally:
        server.terminate()
        server.wait(timeout=30)


def compressed_refresh_latency(args, library, model):
    """`photos serve --compressed` while photos are indexed: the first query after 64 photos
    were added (the last snapshot's int8 copy is extended by their rows) and after one photo's
    vector was replaced (the tables are copied, that row quantized again), against the query
    with nothing changed."""
    server, address = start_server(args, library, model, ["--refresh", "0.2", "--compressed"])
    try:
        for i in range(5):
            timed_query(address, i)
        quiet, appended, replaced = [], [], []
        next_id = args.photos + 100_000
        rng = np.random.default_rng(77)
        for r in range(args.runs):
            time.sleep(0.3)
            quiet.append(timed_query(address, 500 + r))
            fill(library, os.path.basename(model), 64, args.thumbnail_bytes, seed=7000 + r, first_id=next_id)
            next_id += 64
            time.sleep(0.3)
            appended.append(timed_query(address, 600 + r))
            vector = rng.standard_normal(512).astype("<f4")
            db = sqlite3.connect(library)
            db.execute("INSERT OR REPLACE INTO embeddings (rowid, photo_id, model_id, vector) "
                       "SELECT (SELECT max(rowid) + 1 FROM embeddings), photo_id, model_id, ? FROM embeddings "
                       "WHERE photo_id = ?", ((vector / np.linalg.norm(vector)).tobytes(), 1000 + r))
            db.commit()
            db.close()
            time.sleep(0.3)
            replaced.append(timed_query(address, 700 + r))
        print(f"photos serve --compressed while indexing: median {statistics.median(quiet):.1f} ms unchanged, "
              f"{statistics.median(appended):.1f} ms after 64 photos were added (int8 copy extended), "
              f"{statistics.median(replaced):.1f} ms after a vector was replaced (int8 copy updated); "
              f"{args.runs} of each")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
