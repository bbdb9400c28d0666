"""The attacker-style robustness campaign against the `edgeflow` CLI, split by responsibility:
mutators (mutate_bytes, protobuf, npy, archive, images, bombs), seeds, cases (cases,
tokenizer_cases, option_cases, plan), running (runner), findings (report), replay and the
command line (main). The entry point is tools/fuzz/cli_campaign.py; see tools/README.md.
"""
