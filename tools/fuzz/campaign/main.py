"""Attacker-style robustness campaign against the `edgeflow` command line (development tool).

Feeds the CLI mutated ONNX models, .efa archives, .npy inputs, photos, tokenizer texts and
vocabularies, and hostile option values, each run under a timeout and an address-space limit,
and reports every run that ends in a way a user must never see: a signal (trap, segfault,
abort), exit 70 (internal error) or any undocumented code, a timeout, "Fatal error" /
"Segmentation" on stderr, or an output file left behind by a failing command.

    python3 tools/fuzz/cli_campaign.py --edgeflow .build/release/edgeflow --cases 2000 --seed 1 \\
        --out /tmp/campaign [--only models,archives,npy,images,tokenizer,options] \\
        [--timeout 20] [--memory-mb 4096] [--max-minutes 25] [--no-backtraces]
    python3 tools/fuzz/cli_campaign.py --edgeflow .build/release/edgeflow \\
        --replay /tmp/campaign/findings [MORE_FINDINGS_DIRS ...] [--timeout 20]

Python standard library only; deterministic for a given --seed (and the same binary and seeds).
Each finding is saved under OUT/findings/ with its input files, command.txt (shell-quoted,
run from that directory), repro.sh, stderr.txt and, for crashes and hangs, backtrace.txt.
Findings are deduplicated by (verb, class, first telling line of stderr with paths, quoted
names and digits normalized, crash site). The exit status is 1 when anything was found.
--replay runs saved findings again (see replay.py). See tools/README.md
("tools/fuzz/cli_campaign.py").
"""

import argparse
import os
import time

from .common import CATEGORIES, write
from .plan import Planner, interleave, plan_counts
from .replay import replay
from .report import Campaign, prepare_out, summary_text, write_summary
from .runner import Runner, measure_baseline
from .seeds import Seeds


def parse_options(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edgeflow", required=True, help="the binary to test")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="findings, seeds and summary go here (required unless --replay)")
    parser.add_argument("--only", default=",".join(CATEGORIES),
                        help="comma-separated categories: " + ",".join(CATEGORIES))
    parser.add_argument("--timeout", type=float, default=20, help="seconds per command")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address space on top of the measured baseline")
    parser.add_argument("--max-minutes", type=float, help="stop starting new cases after this long")
    parser.add_argument("--no-backtraces", dest="backtraces", action="store_false",
                        help="do not rerun crashes and hangs with Swift's backtracer (their crash site refines dedup)")
    parser.add_argument("--replay", nargs="+", metavar="FINDINGS_DIR",
                        help="run saved findings (folders, or folders of them) again against --edgeflow, "
                             "under the limit in their repro.sh; exit 1 if any still fails")
    options = parser.parse_args(argv)
    if options.out is None and not options.replay:
        parser.error("the following arguments are required: --out")
    options.only = [c for c in options.only.split(",") if c]
    unknown = set(options.only) - set(CATEGORIES)
    if unknown:
        parser.error(f"unknown categories {sorted(unknown)}")
    options.edgeflow = os.path.abspath(options.edgeflow)
    options.out = options.out and os.path.abspath(options.out)
    return options


def main(argv):
    options = parse_options(argv)
    if options.replay:
        return replay(options)
    prepare_out(options.out)
    log = lambda message: print(message, flush=True)
    started = time.monotonic()
    needs = measure_baseline(options.edgeflow, os.path.join(options.out, "seeds"), options.timeout)
    address_space = max(needs.values()) + (options.memory_mb << 20)
    log("baseline address space: " + ", ".join(f"{v} {n >> 20} MiB" for v, n in needs.items())
        + f" -> limit {address_space >> 20} MiB per run")
    runner = Runner(options.edgeflow, options.timeout, address_space, os.path.join(options.out, "work"))
    seeds = Seeds(runner, os.path.join(options.out, "seeds"), log)
    planner = Planner(options.seed, seeds)
    campaign = Campaign(options, runner)
    plan = interleave(plan_counts(options.cases, options.only))
    try:
        for number, (category, index) in enumerate(plan, 1):
            if options.max_minutes and time.monotonic() - started > options.max_minutes * 60:
                log(f"--max-minutes reached after {number - 1} cases")
                break
            campaign.run_case(planner.build(category, index))
            if number % 100 == 0:
                log(f"{number}/{len(plan)} cases, {time.monotonic() - started:.0f} s, "
                    f"{len(campaign.distinct)} distinct findings")
    except KeyboardInterrupt:
        log("interrupted")
    text = summary_text(campaign, time.monotonic() - started, needs, address_space)
    print(text)
    write(os.path.join(options.out, "summary.txt"), (text + "\n").encode())
    write_summary(campaign, options, needs, address_space)
    return 1 if campaign.distinct else 0
