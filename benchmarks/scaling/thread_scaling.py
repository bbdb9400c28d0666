#!/usr/bin/env python3
"""fp32 thread scaling of Edgeflow against onnxruntime on one model, in one run.

Times `edgeflow benchmark MODEL.efa --threads N` for one or more Edgeflow binaries (e.g. the
build before and after a change) and onnxruntime (intra_op_num_threads = N, sequential, the
settings of benchmarks/compare) at each thread count, rounds alternating the order, keeping each
side's best median. Prints img/s, the ratio to onnxruntime at the same thread count, the
scaling max threads ÷ min threads, and the load other processes put on the machine.

    .venv/bin/python benchmarks/scaling/thread_scaling.py \\
        --edgeflow before=/tmp/edgeflow-before --edgeflow after=.build/release/edgeflow [--rounds 3]

The archive is made once with `edgeflow parse` into --cache (default /tmp/edgeflow-scaling).
Extra environment for one binary: --edgeflow 'name=PATH:OMP_PROC_BIND=close,OMP_PLACES=cores'.
--busy 1 adds a process that wants a core all the time; `chrt -f 1` in front shields the run from
other processes instead (the isolated case).
"""
import argparse, os, re, resource, subprocess, sys, time, json
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu_name():
    info = open("/proc/cpuinfo").read()
    get = lambda key: (re.search(rf"^{key}\s*: (.*)$", info, re.M) or [None, "?"])[1]
    return f'{get("model name")} (family {get("cpu family")} model {get("model")}, {os.cpu_count()} CPUs)'


class Load:
    """Cores kept busy by other processes between start() and stop() (machine busy − our children)."""
    def start(self):
        self.t, self.busy, self.own = time.time(), self._busy(), self._own()

    def stop(self):
        hz = os.sysconf("SC_CLK_TCK")
        return max(0.0, ((self._busy() - self.busy) / hz - (self._own() - self.own)) / (time.time() - self.t))

    @staticmethod
    def _busy():
        f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return sum(f) - f[3] - f[4]

    @staticmethod
    def _own():
        c, s = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
        return c.ru_utime + c.ru_stime + s.ru_utime + s.ru_stime


def edgeflow_ips(binary, env_extra, archive, threads, iterations, warmup):
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no", **env_extra)
    out = subprocess.run([binary, "benchmark", archive, "--threads", str(threads), "--iterations", str(iterations),
                          "--warmup", str(warmup), "--json"], env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["threads"] == threads, result["threads"]
    return result["batch"] / (result["latencyMs"]["p50"] / 1e3)


def ort_session(model, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def ort_ips(session, iterations, warmup):
    inp = session.get_inputs()[0]
    x = np.random.default_rng(123).uniform(0, 1, [1] + list(inp.shape[1:])).astype(np.float32)
    for _ in range(warmup):
        session.run(None, {inp.name: x})
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        session.run(None, {inp.name: x})
        times.append(time.perf_counter() - t0)
    return 1 / float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edgeflow", action="append", default=[], help="NAME=PATH[:VAR=VALUE,...] (repeatable)")
    ap.add_argument("--model", default=os.path.join(ROOT, ".testdata/models/generated/resnet50.onnx"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--cache", default="/tmp/edgeflow-scaling")
    ap.add_argument("--busy", type=int, default=0, help="start N busy-looping processes: another program wanting "
                    "a core, made reproducible (they count as other load)")
    args = ap.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        run(args)
    finally:
        for process in busy:
            process.kill()
            process.wait()


def run(args):
    threads_list = [int(t) for t in args.threads.split(",")]
    binaries = {}
    for spec in args.edgeflow or [f"edgeflow={ROOT}/.build/release/edgeflow"]:
        name, rest = spec.split("=", 1)
        path, _, extra = rest.partition(":")
        binaries[name] = (path, dict(kv.split("=", 1) for kv in extra.split(",") if kv))
    os.makedirs(args.cache, exist_ok=True)
    archive = os.path.join(args.cache, os.path.basename(args.model).replace(".onnx", ".efa"))
    if not os.path.exists(archive):
        subprocess.run([next(iter(binaries.values()))[0], "parse", args.model, "-o", archive], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
    import onnxruntime
    sessions = {t: ort_session(args.model, t) for t in threads_list}
    sides = list(binaries) + ["onnxruntime"]
    best, load = {}, {}
    for r in range(args.rounds):
        for threads in threads_list:
            for side in (sides if r % 2 == 0 else list(reversed(sides))):
                meter = Load()
                meter.start()
                if side == "onnxruntime":
                    ips = ort_ips(sessions[threads], args.iterations, args.warmup)
                else:
                    path, env = binaries[side]
                    ips = edgeflow_ips(path, env, archive, threads, args.iterations, args.warmup)
                load[(side, threads)] = max(load.get((side, threads), 0), meter.stop())
                best[(side, threads)] = max(best.get((side, threads), 0), ips)
                print(f"round {r + 1} {side} {threads}T {ips:.1f} img/s", file=sys.stderr)
    print(f"CPU: {cpu_name()}; onnxruntime {onnxruntime.__version__}; model {os.path.basename(args.model)}, batch 1")
    print(f"{args.rounds} rounds × {args.iterations} iterations (after {args.warmup} warm-up), best median per side; "
          f"{args.busy} busy-looping processes; scheduling policy {os.sched_getscheduler(0)} (0 normal, 1 FIFO)\n")
    print("| runtime | " + " | ".join(f"{t}T img/s (÷ ORT)" for t in threads_list)
          + f" | {max(threads_list)}T ÷ {min(threads_list)}T | other load (cores, max) |")
    print("|---|" + "---|" * (len(threads_list) + 2))
    for side in sides:
        cells = [f"{best[(side, t)]:.1f} ({best[(side, t)] / best[('onnxruntime', t)]:.2f}×)" for t in threads_list]
        scaling = best[(side, max(threads_list))] / best[(side, min(threads_list))]
        other = max(load[(side, t)] for t in threads_list)
        print(f"| {side} | " + " | ".join(cells) + f" | {scaling:.2f}× | {other:.2f} |")


if __name__ == "__main__":
    main()
