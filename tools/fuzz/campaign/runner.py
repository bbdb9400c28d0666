"""Running the binary: rlimits (address space, core, file size), timeouts, Swift backtraces for
crashes and hangs, the classification of a run, and the baseline address-space measurement.
"""

import os
import re
import resource
import signal
import subprocess
import time

from .common import GOLDENS, SEED_PARSE_ARGS, VOCAB_GZ, read, write


OK_CODES = (0, 64, 65, 69, 74)
FSIZE_LIMIT = 2 << 30          # a runaway writer is stopped (SIGXFSZ) before it fills the disk
STDERR_KEEP = 64 << 10
BACKTRACE_SECONDS = 30         # for Swift's backtracer to symbolicate and print
HANG_SAMPLE_SECONDS = 5        # a hang is sampled this long after its start


class Result:
    def __init__(self, code, timed_out, stderr, seconds):
        self.code, self.timed_out, self.stderr, self.seconds = code, timed_out, stderr, seconds


def limits(address_space):
    def apply():
        # A shell's background job inherits SIGINT/SIGQUIT ignored; the backtracer needs SIGQUIT back.
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))
    return apply


def run_binary(binary, args, cwd, timeout, address_space, stderr_path, backtrace=False):
    """Runs one command. With backtrace, Swift's backtracer is on and a run still going at the
    timeout gets SIGQUIT (which the backtracer reports like a crash) before it is killed."""
    setting = "enable=yes,interactive=no,color=no" if backtrace else "enable=no"
    env = dict(os.environ, SWIFT_BACKTRACE=setting)
    started = time.monotonic()
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen([binary] + list(args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
                                   preexec_fn=limits(address_space))
        try:
            code, timed_out = process.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            code, timed_out = stop(process, backtrace and stderr_path), True
    with open(stderr_path, "rb") as stderr:
        text = stderr.read(STDERR_KEEP).decode("utf-8", "replace")
    return Result(code, timed_out, text, time.monotonic() - started)


def stop(process, backtrace_path):
    """Ends a run that timed out (its whole process group), after the backtrace a SIGQUIT makes
    Swift's backtracer write to backtrace_path, if given."""
    if backtrace_path:
        process.send_signal(signal.SIGQUIT)
        deadline = time.monotonic() + BACKTRACE_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            with open(backtrace_path, "rb") as report:
                if b"Backtrace took" in report.read():
                    break
            time.sleep(0.2)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return process.wait()


FRAME = re.compile(r"^\s*\d+\s+((?:\[[^\]]*\]\s*)*)0x[0-9a-f]+ (.*?)(?: \+ \d+)?(?: in (\S+))?(?: at (\S+))?$", re.M)


def crash_site(backtrace, module=""):
    """Where a crash happened: the first frame in Edgeflow's own sources (not inlined standard
    library code) whose path starts with `module`, else the top frame (a C library, the runtime).
    A hang is sampled at a random point of its loop, so for a hang pass module="EFCLI/": the
    command's line that made the endless call is stable where the innermost frame is not."""
    frames = []
    for flags, symbol, image, where in FRAME.findall(backtrace.split("\nRegisters:")[0]):
        symbol = symbol.replace("specialized ", "")[:100]
        source = where.split("/Sources/")[-1] if where and "/Sources/" in where else ""
        if source.startswith(module) and source and "[system]" not in flags:
            return f"{symbol} ({source.rsplit(':', 1)[0]})"
        frames.append(f"{symbol} ({image})")
    return frames[0] if frames else ""


def classify(result):
    """None when the run ended the way the documentation says, else the finding class."""
    if result.timed_out:
        return "timeout"
    if result.code < 0:
        return "signal-" + signal.Signals(-result.code).name
    if re.search(r"Fatal error|fatal error|Segmentation", result.stderr):
        return "fatal-error-text"
    if result.code == 70:
        return "exit-70"
    if result.code not in OK_CODES:
        return f"exit-{result.code}"
    return None


def snapshot(directory):
    state = {}
    for root, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            state[os.path.relpath(path, directory)] = (info.st_size, info.st_mtime_ns)
    return state


def telling_line(stderr):
    """The line that names the failure: a 'Fatal error' line if any, else the first non-empty one."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if re.search(r"Fatal error|fatal error|Segmentation", line)]
    return (fatal or lines or ["(no stderr)"])[0][:300]


def dedup_text(line, case_dir):
    """The line without what varies between instances of one bug: paths, quoted names, numbers."""
    line = line.replace(case_dir, "<case>")
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", line)
    line = re.sub(r"0x[0-9a-fA-F]+", "0x#", line)
    return re.sub(r"\d+", "#", line)


def partial_output(result, before, directory):
    """"partial-output" when a failing run left a new or changed file in directory, else None."""
    if result.code == 0:
        return None
    after = snapshot(directory)
    left = sorted(path for path, state in after.items() if before.get(path) != state)
    return "partial-output" if left else None


class Runner:
    """Runs the binary under the limits and counts commands."""

    def __init__(self, binary, timeout, address_space, scratch):
        self.binary, self.timeout, self.address_space = binary, timeout, address_space
        self.stderr_path = os.path.join(scratch, "stderr.txt")
        os.makedirs(scratch, exist_ok=True)

    def run(self, args, cwd, address_space=None):
        return run_binary(self.binary, args, cwd, self.timeout, address_space or self.address_space, self.stderr_path)

    def backtrace(self, args, cwd, timed_out):
        """The run again with Swift's backtracer on; a hang is sampled with SIGQUIT after a few seconds."""
        timeout = min(self.timeout / 2, HANG_SAMPLE_SECONDS) if timed_out else self.timeout + BACKTRACE_SECONDS
        return run_binary(self.binary, args, cwd, timeout, self.address_space, self.stderr_path, backtrace=True).stderr


def measure_baseline(binary, seeds_dir, timeout):
    """The smallest address space (bytes) in which tiny valid runs of infer, preprocess and tokenize
    succeed, found by bisection to 4 MiB; each verb's value is returned for the report."""
    folder = os.path.join(seeds_dir, "baseline")
    os.makedirs(folder, exist_ok=True)
    tiny = os.path.join(GOLDENS, "cli")
    write(os.path.join(folder, "tiny_png.png"), read(os.path.join(GOLDENS, "media-decode", "tiny_png.png")))
    commands = {
        "infer": ["parse", os.path.join(tiny, "tiny.onnx"), "-o", "tiny.efa"] + SEED_PARSE_ARGS["tiny"],
        "preprocess": ["preprocess", "tiny_png.png", "-o", "out.npy"],
        "tokenize": ["tokenize", "a photo of a cat", "--vocab", VOCAB_GZ],
    }
    runner = Runner(binary, timeout, 64 << 30, folder)
    if runner.run(commands["infer"], folder).code != 0:
        raise SystemExit("the baseline `edgeflow parse` of tiny.onnx failed; is --edgeflow a working binary?")
    commands["infer"] = ["infer", "tiny.efa", "--input", "images=" + os.path.join(tiny, "tiny_images.npy"),
                         "--output-dir", "out"]
    needs = {}
    for verb, args in commands.items():
        low, high = 16 << 20, 64 << 30
        if runner.run(args, folder, high).code != 0:
            raise SystemExit(f"the baseline {verb} run failed even without a memory limit")
        while high - low > 4 << 20:
            middle = (low + high) // 2
            low, high = (low, middle) if runner.run(args, folder, middle).code == 0 else (middle, high)
        needs[verb] = high
    return needs
