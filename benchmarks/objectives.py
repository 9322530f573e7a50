"""The tables of the new-objective examples (MAPE objective vs squared error and LightGBM's built-in
``mape``, with training seconds; distillation on digits; GHM-C vs focal vs cross-entropy under label
noise), written to results/objectives.md.

    python benchmarks/objectives.py [--seeds 5] [--rows 20000]
"""
import argparse
import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import machine, write_result  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


def example(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    text = ("# New objectives: MAPE, distillation, GHM-C\n\n" + machine() + "\n\n**MAPE objective** "
            "(`examples/mape_objective.py`)\n\n" + example("mape_objective").table(args.seeds, args.rows)
            + "\n\n**Distillation** (`examples/distillation.py`)\n\n" + example("distillation").table(args.seeds)
            + "\n\n**GHM-C under label noise** (`examples/ghm_label_noise.py`)\n\n"
            + example("ghm_label_noise").table(args.seeds, args.rows // 2) + "\n")
    print(text)
    write_result("objectives.md", text)
