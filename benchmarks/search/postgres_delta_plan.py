#!/usr/bin/env python3
"""How a running search finds the rows written since its stamp in a PostgreSQL library, the three
formats side by side on the same 100,000-row table: by each row's xmin (format 1: a sequential scan
of the heap) and by `written_by` through its index (format 2), each with the count of the model's
rows the delta read too, and by the index with the model's removal count instead (format 3).

Starts a throwaway cluster (postgres_refresh.py's), lets `edgeflow photos index` create the schema,
fills N synthetic photos and 512-d embeddings, runs VACUUM ANALYZE, then EXPLAIN ANALYZE of both
statements with nothing written since the stamp (what nearly every refresh check asks), `--runs`
times each, alternating, and prints the median execution times.

  python3 benchmarks/search/postgres_delta_plan.py --model .testdata/immich-models/ViT-B-32__openai
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile

from library_scale import cpu_name
from postgres_refresh import cluster, filled_library

OLD = """EXPLAIN ANALYZE SELECT t.n, e.photo_id, e.vector
    FROM (SELECT count(*) AS n FROM embeddings WHERE model_id = {model}) t
    LEFT JOIN embeddings e ON e.model_id = {model}
        AND (e.xmin::text::bigint - {since} % 4294967296 + 4294967296) % 4294967296 < 2147483648
    ORDER BY e.photo_id"""
NEW = """EXPLAIN ANALYZE SELECT t.n, e.photo_id, e.vector
    FROM (SELECT count(*) AS n FROM embeddings WHERE model_id = {model}) t
    LEFT JOIN embeddings e ON e.model_id = {model} AND e.written_by >= '{since}'::xid8
    ORDER BY e.photo_id"""
REMOVED = """EXPLAIN ANALYZE SELECT m.removed, e.photo_id, e.vector
    FROM models m
    LEFT JOIN embeddings e ON e.model_id = m.id AND e.written_by >= '{since}'::xid8
    WHERE m.id = {model}
    ORDER BY e.photo_id"""
COUNT = "EXPLAIN ANALYZE SELECT count(*) FROM embeddings WHERE model_id = {model}"


def query(port, sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "photos", "-tA",
                           "-c", sql], check=True, capture_output=True, text=True).stdout


def milliseconds(plan):
    return float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="CLIP folder in Immich's layout")
    parser.add_argument("--photos", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--edgeflow", default=".build/release/edgeflow")
    args = parser.parse_args()
    args.edgeflow = os.path.abspath(args.edgeflow)
    scratch = tempfile.mkdtemp(prefix="pg-delta-plan-")
    binaries, data, port, as_user = cluster(scratch)
    try:
        _, model = filled_library(args, scratch, binaries, port, as_user)
        name = os.path.basename(model)
        model_id = int(query(port, f"SELECT id FROM models WHERE name = '{name}'"))
        since = int(query(port, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
        times = {"xmin": [], "index": [], "count": [], "removed": []}
        for _ in range(args.runs):
            for key, sql in (("xmin", OLD), ("index", NEW), ("count", COUNT), ("removed", REMOVED)):
                times[key].append(milliseconds(query(port, sql.format(model=model_id, since=since))))
        print(f"{cpu_name()}, {os.cpu_count()} cores; {args.photos} embeddings in PostgreSQL "
              f"({os.path.basename(binaries.rstrip('/bin'))}), nothing written since the stamp, "
              f"medians of {args.runs}:")
        print(f"delta by xmin (format 1) {statistics.median(times['xmin']):.2f} ms, by written_by's index (format 2) "
              f"{statistics.median(times['index']):.2f} ms; of which the count alone "
              f"{statistics.median(times['count']):.2f} ms; by the index with the removal count (format 3) "
              f"{statistics.median(times['removed']):.2f} ms")
    finally:
        subprocess.run(as_user + [f"{binaries}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
