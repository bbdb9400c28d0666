#!/usr/bin/env python3
"""oneDNN 2.6 (Debian libdnnl) against oneDNN 3.2 (PyPI onednn-cpu-gomp 2023.2.0), side by side.

Fetches the two 3.2 wheels with pip into a temporary directory (nothing is kept), compiles
bench_dnnl.c against each library, then times the same conv and matmul shapes in f32 and int8
(u8 x s8 -> s32; u8 x s8 -> u8 with scales; the same with zero points) at each thread count,
alternating the library order per round and keeping each side's best median. Prints the CPU,
the versions, one markdown table with the ratio 3.2 / 2.6 per row and the thread scaling.

    python3 benchmarks/onednn/compare.py [--threads 1,2] [--rounds 2] [--seconds 0.4] [--quick]

Needs: cc, libdnnl-dev (2.6) and pip (any Python 3). "other load" is the busy time of the whole
machine during a row, minus this script's own children, in cores: above ~0.1 the row is noisy.
"""
import argparse, os, re, resource, subprocess, sys, tempfile, time, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
WHEELS = ["onednn-cpu-gomp==2023.2.0", "onednn-devel-cpu-gomp==2023.2.0"]
CONVS = {  # name: N,C,H,W,OC,K,STRIDE,PAD (ResNet-50 layers, batch 1, channels-last)
    "r50 3x3 64@56": "1,64,56,56,64,3,1,1",
    "r50 1x1 512>128@28": "1,512,28,28,128,1,1,0",
    "r50 3x3 256@14": "1,256,14,14,256,3,1,1",
    "r50 3x3 512@7": "1,512,7,7,512,3,1,1",
}
MATMULS = {  # name: M,K,N (ViT blocks: 50 tokens of ViT-B/32, 197 of a /16 tower)
    "vit 50x768x3072": "50,768,3072",
    "vit 197x768x768": "197,768,768",
    "256x1024x1024": "256,1024,1024",
}
MODES = ["f32", "s32", "u8", "u8zp"]


def cpu_name():
    info = open("/proc/cpuinfo").read()
    get = lambda key: (re.search(rf"^{key}\s*: (.*)$", info, re.M) or [None, "?"])[1]
    flags = set(get("flags").split())
    isa = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8") if f in flags]
    return f'{get("model name")} (family {get("cpu family")} model {get("model")}, ' \
           f'{os.cpu_count()} CPUs, {" ".join(isa)})'


def fetch_and_build(tmp):
    """Downloads the 3.2 wheels, unpacks them and builds one benchmark binary per library."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp] + WHEELS, check=True)
    for name in os.listdir(tmp):
        if name.endswith(".whl"):
            zipfile.ZipFile(os.path.join(tmp, name)).extractall(os.path.join(tmp, "x"))
    root = os.path.join(tmp, "x")
    lib = os.path.join(root, "onednn_cpu_gomp-2023.2.0.data", "data", "lib")
    inc = os.path.join(root, "onednn_devel_cpu_gomp-2023.2.0.data", "data", "include")
    src = os.path.join(HERE, "bench_dnnl.c")
    b26, b32 = os.path.join(tmp, "bench26"), os.path.join(tmp, "bench32")
    subprocess.run(["cc", "-O2", "-fopenmp", src, "-o", b26, "-ldnnl"], check=True)
    subprocess.run(["cc", "-O2", "-fopenmp", src, "-I", inc, "-o", b32, os.path.join(lib, "libdnnl.so.3"),
                    f"-Wl,-rpath,{lib}"], check=True)
    return {"2.6": b26, "3.2": b32}


def busy_jiffies():
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], fields[7] if len(fields) > 7 else 0  # busy (no idle/iowait), steal


def run_one(binary, kind, shape, mode, threads, seconds):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([binary, kind, shape, mode, str(threads), str(seconds)], env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return dict(kv.split("=", 1) for kv in out.stdout.split())


def measure(binaries, cases, threads_list, rounds, seconds):
    hz = os.sysconf("SC_CLK_TCK")
    rows = []
    for kind, name, shape in cases:
        for mode in MODES:
            for threads in threads_list:
                best, other = {}, 0.0
                for r in range(rounds):
                    order = list(binaries) if r % 2 == 0 else list(reversed(list(binaries)))
                    for version in order:
                        b0, t0 = busy_jiffies()[0], time.time()
                        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                        res = run_one(binaries[version], kind, shape, mode, threads, seconds)
                        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                        own = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
                        wall = time.time() - t0
                        other = max(other, ((busy_jiffies()[0] - b0) / hz - own) / wall)
                        prev = best.get(version)
                        if prev is None or ("error" not in res and
                                            ("error" in prev or float(res["ms"]) < float(prev["ms"]))):
                            best[version] = res
                rows.append((kind, name, mode, threads, best, max(other, 0.0)))
                print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows


def cell(res):
    return "error: " + res["error"] if "error" in res else f'{float(res["gops"]):.0f} ({res["impl"]})'


def report(rows, threads_list):
    print("| op | shape | mode | thr | 2.6 GOP/s (impl) | 3.2 GOP/s (impl) | 3.2 ÷ 2.6 | other load |")
    print("|---|---|---|---|---|---|---|---|")
    gops = {}
    for kind, name, mode, threads, best, other in rows:
        a, b = best.get("2.6", {"error": "?"}), best.get("3.2", {"error": "?"})
        ratio = f'{float(b["gops"]) / float(a["gops"]):.2f}×' if "error" not in a and "error" not in b else "–"
        print(f"| {kind} | {name} | {mode} | {threads} | {cell(a)} | {cell(b)} | {ratio} | {other:.2f} |")
        for v, res in best.items():
            if "error" not in res:
                gops[(name, mode, threads, v)] = float(res["gops"])
    lo, hi = min(threads_list), max(threads_list)
    if lo == hi:
        return
    print(f"\nThread scaling ({hi} threads ÷ {lo}):\n\n| shape | mode | 2.6 | 3.2 |\n|---|---|---|---|")
    for kind, name, mode, threads, best, other in rows:
        if threads != lo:
            continue
        s = [gops.get((name, mode, hi, v), 0) / gops[(name, mode, lo, v)] if (name, mode, lo, v) in gops else 0
             for v in ("2.6", "3.2")]
        print(f"| {name} | {mode} | {s[0]:.2f}× | {s[1]:.2f}× |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=0.4, help="timed seconds per measurement")
    ap.add_argument("--quick", action="store_true", help="one round, 0.1 s: checks that everything runs")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 0.1
    threads_list = [int(t) for t in args.threads.split(",")]
    cases = [("conv", n, s) for n, s in CONVS.items()] + [("matmul", n, s) for n, s in MATMULS.items()]
    with tempfile.TemporaryDirectory(prefix="onednn32-") as tmp:
        binaries = fetch_and_build(tmp)
        print(f"CPU: {cpu_name()}")
        print(f"oneDNN: 2.6 = Debian libdnnl (/usr/lib), 3.2 = PyPI {' + '.join(WHEELS)}; both OpenMP (libgomp)")
        print(f"rounds {args.rounds}, {args.seconds} s per measurement, best median per side\n")
        rows = measure(binaries, cases, threads_list, args.rounds, args.seconds)
    report(rows, threads_list)


if __name__ == "__main__":
    main()
