"""--replay: every saved finding folder run again against the binary given by --edgeflow, under
the address-space limit recorded in its repro.sh and --timeout, and classified like the campaign
classifies a run; one line per finding, exit status 1 while any still fails.
"""

import json
import os
import re
import shlex
import shutil
import tempfile

from .common import read
from .runner import Runner, classify, measure_baseline, partial_output, snapshot

REPORT_FILES = ("command.txt", "repro.sh", "stderr.txt", "info.json", "backtrace.txt")


def finding_folders(paths):
    """The finding folders (those with a command.txt) among paths and their direct subfolders;
    a campaign's OUT stands for OUT/findings."""
    folders = []
    for path in map(os.path.abspath, paths):
        if os.path.isdir(os.path.join(path, "findings")) and not os.path.exists(os.path.join(path, "command.txt")):
            path = os.path.join(path, "findings")
        if os.path.exists(os.path.join(path, "command.txt")):
            folders.append(path)
        elif os.path.isdir(path):
            folders += [os.path.join(path, name) for name in sorted(os.listdir(path))
                        if os.path.exists(os.path.join(path, name, "command.txt"))]
        else:
            raise SystemExit(f"{path} is not a directory")
    if not folders:
        raise SystemExit("no finding folders (with a command.txt) in " + " ".join(paths))
    return folders


def recorded_limit(folder):
    """The address space (bytes) the finding was recorded under: `ulimit -v KB` in its repro.sh."""
    path = os.path.join(folder, "repro.sh")
    match = re.search(rb"ulimit -v (\d+)", read(path)) if os.path.exists(path) else None
    return int(match.group(1)) * 1024 if match else None


def recorded_class(folder):
    path = os.path.join(folder, "info.json")
    if not os.path.exists(path):
        return "?"
    return json.loads(read(path)).get("class", "?")


def replay_one(runner, folder, directory, fallback_limit):
    """(old class, result, new class or None): the saved command (its binary replaced) run in a
    copy of the folder without the report files."""
    command = read(os.path.join(folder, "command.txt")).decode("utf-8", "surrogateescape")
    args = shlex.split(command)[1:]
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(folder, directory, symlinks=True)
    for name in REPORT_FILES:
        if os.path.exists(os.path.join(directory, name)):
            os.remove(os.path.join(directory, name))
    before = snapshot(directory)
    result = runner.run(args, directory, recorded_limit(folder) or fallback_limit())
    return recorded_class(folder), result, classify(result) or partial_output(result, before, directory)


def replay(options):
    folders = finding_folders(options.replay)
    scratch = tempfile.mkdtemp(prefix="edgeflow-replay-")
    measured = []

    def fallback_limit():
        """For a folder without repro.sh: the campaign's limit, measured for this binary once."""
        if not measured:
            needs = measure_baseline(options.edgeflow, os.path.join(scratch, "seeds"), options.timeout)
            measured.append(max(needs.values()) + (options.memory_mb << 20))
        return measured[0]

    runner = Runner(options.edgeflow, options.timeout, None, os.path.join(scratch, "work"))
    failing, done = 0, 0
    try:
        for folder in folders:
            old, result, new = replay_one(runner, folder, os.path.join(scratch, "case"), fallback_limit)
            failing, done = failing + (new is not None), done + 1
            verdict = "STILL-FAILING" if new else "OK"
            print(f"{folder}  was {old}  now exit {result.code} {new or 'ok'}  {verdict}", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"replayed {done} of {len(folders)} findings against {options.edgeflow}: {failing} still failing")
    return 1 if failing or done < len(folders) else 0
