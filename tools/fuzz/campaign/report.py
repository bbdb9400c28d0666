"""Running the cases of a campaign and reporting: findings deduplicated and saved as folders
(inputs, command.txt, repro.sh, stderr.txt, info.json, backtrace.txt), summary.txt/.json.
"""

import json
import os
import shlex
import shutil

from .common import CATEGORIES, write
from .runner import classify, crash_site, dedup_text, partial_output, snapshot, telling_line


class Campaign:
    """Runs cases, classifies every command, and keeps the distinct findings as folders."""

    def __init__(self, options, runner):
        self.options, self.runner = options, runner
        self.work = os.path.join(options.out, "work")
        self.findings_dir = os.path.join(options.out, "findings")
        self.stats = {c: {"cases": 0, "commands": 0, "findings": 0} for c in CATEGORIES}
        self.classes = {}
        self.distinct = {}

    def run_case(self, case):
        directory = os.path.join(self.work, f"{case.category}-{case.index:05d}")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, data in case.files.items():
            write(os.path.join(directory, name), data)
        for name, path in case.links.items():
            os.symlink(path, os.path.join(directory, name))
        self.stats[case.category]["cases"] += 1
        previous = 0
        for step in case.steps:
            if step.gated and previous != 0:
                break
            before = snapshot(directory)
            result = self.runner.run(step.args, directory)
            self.stats[case.category]["commands"] += 1
            finding = classify(result) or partial_output(result, before, directory)
            if finding:
                self.record(case, step, result, finding, directory)
                break
            previous = result.code
        shutil.rmtree(directory, ignore_errors=True)

    def record(self, case, step, result, finding, directory):
        self.stats[case.category]["findings"] += 1
        self.classes[finding] = self.classes.get(finding, 0) + 1
        line = telling_line(result.stderr)
        backtrace = ""
        if self.options.backtraces and (finding.startswith("signal") or finding == "timeout"):
            backtrace = self.runner.backtrace(step.args, directory, result.timed_out)
        site = crash_site(backtrace, "EFCLI/" if result.timed_out else "")
        key = (step.verb, finding, dedup_text(line, directory), site)
        if key in self.distinct:
            self.distinct[key]["count"] += 1
            return
        target = os.path.join(self.findings_dir, f"F{len(self.distinct) + 1:03d}-{step.verb}-{finding}")
        self.distinct[key] = {"count": 1, "line": line, "site": site, "path": target,
                              "case": f"{case.category}-{case.index}",
                              "command": self.save(case, step, result, finding, directory, target),
                              "notes": case.notes, "code": result.code, "seconds": round(result.seconds, 2)}
        if backtrace:
            write(os.path.join(target, "backtrace.txt"), backtrace.encode())

    def save(self, case, step, result, finding, directory, target):
        """Copies the case directory (inputs, and whatever the commands left) and writes the command."""
        shutil.copytree(directory, target, symlinks=False)
        argv = [self.runner.binary] + [a if isinstance(a, str) else os.fsdecode(a) for a in step.args]
        command = shlex.join(argv)
        limit_kb = self.runner.address_space // 1024
        write(os.path.join(target, "command.txt"), (command + "\n").encode("utf-8", "surrogateescape"))
        notes = "; ".join(case.notes).replace("\n", " ")
        repro = (f"#!/bin/sh\n# {finding}: {notes}\n"
                 + f"cd \"$(dirname \"$0\")\" && ulimit -v {limit_kb} && SWIFT_BACKTRACE=enable=no exec {command}\n")
        write(os.path.join(target, "repro.sh"), repro.encode("utf-8", "surrogateescape"))
        os.chmod(os.path.join(target, "repro.sh"), 0o755)
        write(os.path.join(target, "stderr.txt"), result.stderr.encode())
        info = {"class": finding, "verb": step.verb, "exit": result.code, "timed_out": result.timed_out,
                "seconds": round(result.seconds, 2), "case": f"{case.category}-{case.index}",
                "seed": self.options.seed, "notes": case.notes}
        write(os.path.join(target, "info.json"), json.dumps(info, indent=2, ensure_ascii=False).encode())
        return command


def summary_text(campaign, elapsed, needs, address_space):
    lines = [f"cases and commands per category ({elapsed / 60:.1f} min):",
             f"  {'category':<10} {'cases':>6} {'commands':>9} {'findings':>9}"]
    for category, stats in campaign.stats.items():
        if stats["cases"]:
            lines.append(f"  {category:<10} {stats['cases']:>6} {stats['commands']:>9} {stats['findings']:>9}")
    total = {k: sum(s[k] for s in campaign.stats.values()) for k in ("cases", "commands", "findings")}
    lines.append(f"  {'total':<10} {total['cases']:>6} {total['commands']:>9} {total['findings']:>9}")
    lines.append("baseline address space: " + ", ".join(f"{v} {n >> 20} MiB" for v, n in needs.items())
                 + f"; limit per run {address_space >> 20} MiB")
    lines.append("findings per class:")
    for finding, count in sorted(campaign.classes.items()):
        distinct = sum(1 for key in campaign.distinct if key[1] == finding)
        lines.append(f"  {finding:<22} {count:>5} runs, {distinct} distinct")
    lines.append(f"distinct findings ({len(campaign.distinct)}):")
    for (verb, finding, _, site), entry in campaign.distinct.items():
        name = os.path.basename(entry["path"])
        lines.append(f"  {name}  x{entry['count']}  [{verb}] {finding}: {entry['line'][:150]}")
        if site:
            lines.append(f"      at {site[:200]}")
        lines.append(f"      {'; '.join(entry['notes'])[:200]}")
    return "\n".join(lines)


def prepare_out(out):
    marker = os.path.join(out, ".cli-campaign")
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(marker):
        raise SystemExit(f"{out} is not empty and not a campaign directory; choose another --out")
    for name in ("work", "findings"):
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    write(marker, b"")


def write_summary(campaign, options, needs, address_space):
    report = {"seed": options.seed, "cases": options.cases, "stats": campaign.stats, "classes": campaign.classes,
              "baseline_bytes": needs, "address_space_limit": address_space,
              "findings": [dict(entry, verb=k[0], cls=k[1], key=k[2]) for k, entry in campaign.distinct.items()]}
    write(os.path.join(options.out, "summary.json"), json.dumps(report, indent=2, ensure_ascii=False).encode())
