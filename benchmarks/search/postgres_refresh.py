#!/usr/bin/env python3
"""`photos serve` on a PostgreSQL library of N photos while photos are added and removed.

Starts a throwaway PostgreSQL cluster (Debian's postgresql-15 binaries, as the tests do: initdb
as the postgres user, loopback, trust auth, fsync off), lets `edgeflow photos index` create the
schema on an empty folder, fills it through psql COPY with N synthetic photos and random unit
512-d embeddings for the model folder's name, then times against one running
`photos serve --refresh 0.2` (client side, over HTTP, each query 0.3 s after the change):

- a text query with nothing changed,
- the first query after 64 photos were added (the rows written since are read and appended),
- the first query after a photo was removed (the ids are read and its row hidden),

and, as the reference for loading everything, `photos search --json`'s `librarySeconds` (open
the library and load every vector) on the same database in the same run.

  python3 benchmarks/search/postgres_refresh.py --model .testdata/immich-models/ViT-B-32__openai

Needs a release build and numpy.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time

import numpy as np

from library_scale import cpu_name, start_server, timed_query


def cluster(scratch):
    """A running throwaway cluster; returns (bin folder, data folder, port, run-as prefix)."""
    root = "/usr/lib/postgresql"
    binaries = os.path.join(root, max(os.listdir(root), key=int), "bin")
    as_user = ["/usr/sbin/runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if as_user:
        shutil.chown(scratch, "postgres")
    data = os.path.join(scratch, "data")
    subprocess.run(as_user + [f"{binaries}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync"],
                   check=True, capture_output=True)
    port = random.randint(20000, 60000)
    options = f"-k {scratch} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(as_user + [f"{binaries}/pg_ctl", "-D", data, "-o", options, "-l", f"{scratch}/log", "-w",
                              "start"], check=True, capture_output=True)
    return binaries, data, port, as_user


def psql(port, script):
    """Runs `script` (statements, and COPY data after a COPY ... FROM STDIN line) in database photos."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "photos", "-q",
                    "-v", "ON_ERROR_STOP=1"], input=script, check=True, capture_output=True, text=True)


def fill(port, model_name, first_id, count, seed):
    """Adds `count` photos with ids from `first_id` and their embeddings (COPY text format)."""
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((count, 512), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = range(first_id, first_id + count)
    photos = "".join(f"{i}\t/photos/IMG_{i:06d}.jpg\t{3_000_000 + i}\t{i}\t2015-06-01T12:00:00\tnow\t1\n"
                     for i in ids)
    embeddings = "".join(f"{i}\t\\\\x{v.astype('<f4').tobytes().hex()}\n" for i, v in zip(ids, vectors))
    psql(port, "COPY photos (id, path, size, mtime_ns, taken_at, added_at, seen_run) FROM STDIN;\n"
               + photos + "\\.\n"
               "CREATE TEMP TABLE e (photo_id bigint, vector bytea);\nCOPY e FROM STDIN;\n" + embeddings + "\\.\n"
               f"INSERT INTO embeddings SELECT photo_id, (SELECT id FROM models WHERE name = '{model_name}'), "
               "vector FROM e;\n")


def filled_library(args, scratch, binaries, port, as_user):
    """Database photos with Edgeflow's schema (made by `photos index` of an empty folder with a copy
    of `args.model`) and `args.photos` photos with embeddings, vacuumed; returns (URL, model copy)."""
    subprocess.run(as_user + [f"{binaries}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                              "photos"], check=True, capture_output=True)
    url = f"postgres://postgres@127.0.0.1:{port}/photos"
    model = os.path.join(scratch, os.path.basename(args.model.rstrip("/")))
    shutil.copytree(args.model, model)
    empty = os.path.join(scratch, "empty")
    os.mkdir(empty)
    subprocess.run([args.edgeflow, "photos", "index", empty, "--library", url, "--model", model],
                   check=True, capture_output=True)
    for start in range(1, args.photos + 1, 10000):
        fill(port, os.path.basename(model), start, min(10000, args.photos + 1 - start), seed=start)
    psql(port, "VACUUM ANALYZE;\n")
    return url, model


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="CLIP folder in Immich's layout (with a text tower)")
    parser.add_argument("--photos", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--edgeflow", default=".build/release/edgeflow")
    args = parser.parse_args()
    args.edgeflow = os.path.abspath(args.edgeflow)
    scratch = tempfile.mkdtemp(prefix="pg-refresh-")
    binaries, data, port, as_user = cluster(scratch)
    try:
        url, model = filled_library(args, scratch, binaries, port, as_user)
        name = os.path.basename(model)
        print(f"{cpu_name()}, {os.cpu_count()} cores; {args.photos} photos in PostgreSQL "
              f"({os.path.basename(binaries.rstrip('/bin'))})")
        loads = []
        for _ in range(3):
            out = subprocess.run([args.edgeflow, "photos", "search", "a dog", "--library", url, "--model", model,
                                  "--json"], check=True, capture_output=True, text=True).stdout
            loads.append(json.loads(out)["librarySeconds"] * 1000)
        server, address = start_server(args, url, model, ["--refresh", "0.2"])
        try:
            def query(i):
                return timed_query(address, i)
            for i in range(5):
                query(i)
            quiet, added, removed = [], [], []
            next_id = args.photos + 1
            for r in range(args.runs):
                time.sleep(0.3)
                quiet.append(query(100 + r))
                fill(port, name, next_id, 64, seed=5000 + r)
                next_id += 64
                time.sleep(0.3)
                added.append(query(200 + r))
                psql(port, f"DELETE FROM photos WHERE id = {next_id - 1 - 32};\n")
                time.sleep(0.3)
                removed.append(query(300 + r))
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"photos search: open the library and load every vector, median {statistics.median(loads):.0f} ms "
              f"(3 runs)")
        print(f"photos serve --refresh 0.2: text query over HTTP, median {statistics.median(quiet):.1f} ms unchanged, "
              f"{statistics.median(added):.1f} ms after 64 photos were added (their rows read and appended), "
              f"{statistics.median(removed):.1f} ms after a photo was removed (ids read, its row hidden); "
              f"{args.runs} of each")
    finally:
        subprocess.run(as_user + [f"{binaries}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
