"""The plan of a run: how many cases of each category, in which order, and the case built for
each (category, index) — deterministic for a given seed.
"""

import os
import random

from .cases import (Case, build_archives_case, build_images_case, build_models_case, build_npy_case,
                    fixed_image_cases, fixed_npy_cases, infer_args)
from .common import CATEGORIES, WEIGHTS
from .npy import npy_bytes, parse_npy
from .option_cases import OPTION_VALUES, option_specs, random_option_case, tiny_archive
from .tokenizer_cases import build_tokenizer_case, fixed_tokenizer_cases


def plan_counts(total, categories):
    weights = [WEIGHTS[c] for c in categories]
    counts = [int(total * w / sum(weights)) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return dict(zip(categories, counts))


def interleave(counts):
    """(category, index) in an order that spreads every category over the whole run."""
    order = [((i + 0.5) / n, c, i) for c, n in counts.items() for i in range(n)]
    return [(c, i) for _, c, i in sorted(order, key=lambda item: (item[0], CATEGORIES.index(item[1])))]


class Planner:
    """Builds the case for a (category, index): the fixed cases first, then random ones; the
    options category walks a seeded shuffle of every (option, value) pair first."""

    def __init__(self, seed, seeds):
        self.seed, self.seeds = seed, seeds
        self.specs = option_specs()
        order = random.Random(f"{seed}/options").sample(range(len(self.specs) * len(OPTION_VALUES)),
                                                        len(self.specs) * len(OPTION_VALUES))
        self.option_grid = [(self.specs[k // len(OPTION_VALUES)], OPTION_VALUES[k % len(OPTION_VALUES)]) for k in order]

    def build(self, category, index):
        case = Case(category, index, self.seed)
        fixed = {"images": fixed_image_cases(self.seeds), "tokenizer": fixed_tokenizer_cases(self.seeds),
                 "npy": fixed_npy_cases()}.get(category, [])
        if index < len(fixed):
            return self.build_fixed(case, fixed[index])
        if category == "options":
            if index < len(self.option_grid):
                (label, make), value = self.option_grid[index]
                case.notes.append(f"{label} {value!r}")
                make(case, self.seeds, value)
            else:
                random_option_case(case, self.seeds, self.specs)
            return case
        builders = {"models": build_models_case, "archives": build_archives_case, "npy": build_npy_case,
                    "images": build_images_case, "tokenizer": build_tokenizer_case}
        builders[category](case, self.seeds)
        return case

    def build_fixed(self, case, fixed):
        if case.category == "images":
            note, path, options = fixed
            case.notes.append(note)
            image = case.add_copy(os.path.basename(path), path)
            case.add_step("preprocess", image, "-o", "out.npy", *options)
        elif case.category == "tokenizer":
            note, args = fixed
            case.notes.append(note)
            case.add_step("tokenize", *args)
        else:
            note, shape = fixed
            case.notes.append(note)
            _, archive, inputs = tiny_archive(self.seeds)
            case.add_file("model.efa", archive)
            body = npy_bytes("<f4", shape, parse_npy(inputs[0][1])[2])
            case.add_step("infer", "model.efa", *infer_args(case, [("images", body)], reference=False))
        return case
