"""What machine and software a comparison ran on, and how busy the machine was meanwhile.

`describe()` gathers the CPU (lscpu model name, the SIMD/AMX flags that decide
which kernels the runtimes pick), versions and the git commit. `LoadProbe`
measures, over one timed run, how many cores OTHER processes kept busy
(machine busy time from /proc/stat minus this process's and its children's
CPU time) and the hypervisor's steal time: a run with foreign load is noisy.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from typing import Dict, Optional

FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8")


def _lscpu() -> Dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def _git(repo: str, *args: str) -> Optional[str]:
    try:
        return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def describe(repo: str) -> dict:
    lscpu = _lscpu()
    flags = set(lscpu.get("Flags", "").split())
    commit = _git(repo, "rev-parse", "--short=12", "HEAD")
    dirty = bool(_git(repo, "status", "--porcelain", "--untracked-files=no"))
    versions = {"python": platform.python_version()}
    for module in ("onnxruntime", "openvino", "nncf", "onnx", "numpy"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = None
    return {
        "cpu": lscpu.get("Model name", platform.processor() or "unknown"),
        "vendor": lscpu.get("Vendor ID"),
        "cpus": os.cpu_count(),
        "hypervisor": lscpu.get("Hypervisor vendor"),
        "l2": lscpu.get("L2 cache"), "l3": lscpu.get("L3 cache"),
        "flags": {f: f in flags for f in FLAGS},
        "kernel": platform.release(),
        "git_commit": (commit + ("-dirty" if dirty else "")) if commit else None,
        "versions": versions,
        "loadavg_at_start": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def _proc_stat() -> tuple:
    """(busy seconds, steal seconds) of the whole machine since boot."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    steal = fields[7] if len(fields) > 7 else 0
    return (user + nice + system + irq + softirq) / tick, steal / tick


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class LoadProbe:
    """`with LoadProbe() as p: ...` then p.foreign_cores / p.steal_cores (averaged over the block)."""

    foreign_cores = 0.0
    steal_cores = 0.0

    def __enter__(self) -> "LoadProbe":
        self._t0 = time.perf_counter()
        self._busy0, self._steal0 = _proc_stat()
        self._own0 = _own_cpu()
        return self

    def __exit__(self, *exc) -> None:
        wall = max(time.perf_counter() - self._t0, 1e-9)
        busy, steal = _proc_stat()
        own = _own_cpu() - self._own0
        self.foreign_cores = max(0.0, (busy - self._busy0) - own) / wall
        self.steal_cores = (steal - self._steal0) / wall
