#!/usr/bin/env python3
"""Brute-force vector scan: Edgeflow (edgeflow-search-bench) beside FAISS IndexFlatIP.

Generates seeded L2-normalized float32 vectors (random, and clustered, which is harder for
the int8 pass) and queries into benchmarks/search/cache/, then for each data set alternates
FAISS and the Swift bench at 1 and 2 threads for several rounds (the machine is shared and
noisy) and reports the median over rounds of each run's median ms per query.

    benchmarks/.venv/bin/pip install faiss-cpu numpy
    swift build -c release --product edgeflow-search-bench
    benchmarks/.venv/bin/python benchmarks/search/compare_faiss.py [--sizes 100000,1000000]

FAISS is timed one query per call (nq=1, what a photo search does) and, for context, all
queries in one call (its BLAS path). Writes results/DATE-scan.md (or --name) and prints the same table.
"""
import argparse, datetime, json, os, pathlib, statistics, subprocess, sys, time
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def cpu_description():
    model, flags = "unknown", set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name") and model == "unknown":
            model = line.split(":", 1)[1].strip()
        elif line.startswith("flags") and not flags:
            flags = set(line.split(":", 1)[1].split())
    avx512 = sorted(f for f in flags if f.startswith("avx512"))
    return f"{model}, {os.cpu_count()} cores, AVX-512: " + (" ".join(avx512) if avx512 else "no")


def normalize(x):
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def generate(kind, n, d, nq, seed):
    """Rows and queries of `kind` (cached as .npy): random unit vectors, or unit vectors around
    n/100 centres at about 0.9 cosine to their centre, queries drawn from the same clusters."""
    cache = HERE / "cache"
    cache.mkdir(exist_ok=True)
    rows_path = cache / f"{kind}-{n}x{d}-s{seed}.npy"
    queries_path = cache / f"{kind}-{n}x{d}-s{seed}-q{nq}.npy"
    if rows_path.exists() and queries_path.exists():
        return rows_path, queries_path
    rng = np.random.default_rng(seed)
    if kind == "random":
        rows = np.empty((n, d), np.float32)
        for start in range(0, n, 100_000):
            rows[start:start + 100_000] = normalize(rng.standard_normal((min(100_000, n - start), d), np.float32))
        queries = normalize(rng.standard_normal((nq, d), np.float32))
    else:
        centres = normalize(rng.standard_normal((max(1, n // 100), d), np.float32))
        noise = np.float32(0.5 / np.sqrt(d))
        def points(count):
            out = np.empty((count, d), np.float32)
            for start in range(0, count, 100_000):
                m = min(100_000, count - start)
                out[start:start + m] = centres[rng.integers(0, len(centres), m)]
                out[start:start + m] += noise * rng.standard_normal((m, d), np.float32)
                normalize(out[start:start + m])
            return out
        rows, queries = points(n), points(nq)
    np.save(rows_path, rows)
    np.save(queries_path, queries)
    return rows_path, queries_path


def faiss_run(index, queries, k, repeats):
    """Median and per-query batched ms of IndexFlatIP on the current thread count."""
    index.search(queries[:1], k)
    times = []
    for _ in range(repeats):
        for q in queries:
            start = time.perf_counter()
            index.search(q[None, :], k)
            times.append((time.perf_counter() - start) * 1e3)
    start = time.perf_counter()
    _, ids = index.search(queries, k)
    batched = (time.perf_counter() - start) * 1e3 / len(queries)
    return statistics.median(times), batched, ids


def swift_run(bench, rows, queries, k, repeats, threads, ids_path):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), SWIFT_BACKTRACE="enable=no")
    out = subprocess.run([str(bench), "--vectors", str(rows), "--queries", str(queries), "--k", str(k),
                          "--repeat", str(repeats), "--ids", str(ids_path)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--kinds", default="random,clustered")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the queries per run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating FAISS/Swift runs per setting")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--name", default=None, help="results file stem (default: DATE-scan)")
    parser.add_argument("--bench", default=str(ROOT / ".build/release/edgeflow-search-bench"))
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    import faiss

    bench = pathlib.Path(args.bench)
    if not bench.exists():
        sys.exit(f"{bench} is missing: swift build -c release --product edgeflow-search-bench")
    threads = [int(t) for t in args.threads.split(",")]
    lines = ["| data | N × d | threads | FAISS nq=1 ms | EF fp32 ms | EF/FAISS | EF int8 ms | int8 recall@10 "
             "| EF fp32 = FAISS ids | FAISS batched ms/q |", "|---|---|---|---|---|---|---|---|---|---|"]
    for n in [int(s) for s in args.sizes.split(",")]:
        for kind in args.kinds.split(","):
            rows_path, queries_path = generate(kind, n, args.dim, args.queries, args.seed)
            rows, queries = np.load(rows_path), np.load(queries_path)
            index = faiss.IndexFlatIP(args.dim)
            index.add(rows)
            ids_path = HERE / "cache" / "ef-ids.npy"
            samples = {t: {"faiss": [], "batched": [], "fp32": [], "int8": [], "recall": [], "same": []}
                       for t in threads}
            for _ in range(args.rounds):
                for t in threads:
                    faiss.omp_set_num_threads(t)
                    f_ms, f_batched, f_ids = faiss_run(index, queries, args.k, args.repeat)
                    report = swift_run(bench, rows_path, queries_path, args.k, args.repeat, t, ids_path)
                    ef_ids = np.load(ids_path)
                    same = np.mean([len(set(a) & set(b)) / args.k for a, b in zip(ef_ids, f_ids)])
                    s = samples[t]
                    s["faiss"].append(f_ms); s["batched"].append(f_batched)
                    s["fp32"].append(report["fp32"]["medianMs"]); s["int8"].append(report["int8"]["medianMs"])
                    s["recall"].append(report["int8RecallAtK"]); s["same"].append(same)
                    print(f"{kind} {n} t={t}: faiss {f_ms:.2f} ms, ef fp32 {report['fp32']['medianMs']:.2f} ms, "
                          f"int8 {report['int8']['medianMs']:.2f} ms", file=sys.stderr)
            del index
            for t in threads:
                s = {key: statistics.median(v) for key, v in samples[t].items()}
                lines.append(f"| {kind} | {n} × {args.dim} | {t} | {s['faiss']:.2f} | {s['fp32']:.2f} | "
                             f"{s['fp32'] / s['faiss']:.2f} | {s['int8']:.2f} | {s['recall']:.4f} | "
                             f"{s['same']:.4f} | {s['batched']:.2f} |")
    header = [f"# Brute-force scan: Edgeflow vs FAISS IndexFlatIP ({datetime.date.today()})", "",
              f"CPU: {cpu_description()}", f"FAISS {faiss.__version__}, numpy {np.__version__}; "
              f"{args.queries} queries, k = {args.k}, {args.rounds} alternating rounds × {args.repeat} passes; "
              "medians over rounds of each run's median ms per query.", ""]
    text = "\n".join(header + lines) + "\n"
    print(text)
    out = HERE / "results" / f"{args.name or f'{datetime.date.today()}-scan'}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
