#!/usr/bin/env python3
"""Attacker-style robustness campaign against the `edgeflow` command line (development tool):
the entry point of the package tools/fuzz/campaign/ (options and behaviour in campaign/main.py
and tools/README.md, "tools/fuzz/cli_campaign.py").
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from campaign.main import main  # noqa: E402  (after the path set-up)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
