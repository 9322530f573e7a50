"""Accuracy of boostobj's vectorising exp / expm1 / log1p / log1p_unit, and of exp_excess (e^x - 1 - x)
(boostobj/kernels/_math.py), against mpmath, in ulps of the float64 result, over their whole range; written to results/fast_math.md.

    python benchmarks/fast_math.py [--points 20000]

Points: uniform over the finite range of each function, dense near 0 (where expm1 and log1p must
keep relative precision), in [0.34, 0.5] (expm1's worst case), log-uniform magnitudes from 1e-300
to 1e300, and the range where exp's result is subnormal. Results that round to 0 or overflow count as exact only when the reference
does the same. tests/test_fast_math.py asserts the same bounds on fewer points, plus the special
values (0, -0, +-inf, NaN, -1 for log1p).
"""
import argparse
import math
import os
import sys

import mpmath as mp
import numpy as np
from numba import njit

sys.path.insert(0, os.path.dirname(__file__))
from _common import machine, write_result  # noqa: E402

from boostobj.kernels import _math as M  # noqa: E402

FUNCTIONS = {"exp": (M.exp, mp.exp, -745.2, 709.78), "expm1": (M.expm1, mp.expm1, -745.2, 709.78),
             "log1p": (M.log1p, mp.log1p, -1.0, 1.7e308),
             "log1p_unit": (M.log1p_unit, mp.log1p, 0.0, 1.0),  # its log(1 + x) on [0, 1]; its 1 / (1 + x) is x's own
             # e^x - 1 - x of the log-link losses' values (not vectorised: the value kernels only)
             # (reference x^2/2 1F1(1; 3; x): mpmath's own expm1(x) - x cancels at 40 digits for tiny x)
             "exp_excess": (M.exp_excess, lambda x: x * x / 2 * mp.hyp1f1(1, 3, x), -745.2, 709.78)}


@njit(error_model="numpy")
def _apply_exp(x, out):
    for i in range(x.shape[0]):
        out[i] = M.exp(x[i])


@njit(error_model="numpy")
def _apply_expm1(x, out):
    for i in range(x.shape[0]):
        out[i] = M.expm1(x[i])


@njit(error_model="numpy")
def _apply_log1p(x, out):
    for i in range(x.shape[0]):
        out[i] = M.log1p(x[i])


@njit(error_model="numpy")
def _apply_log1p_unit(x, out):
    for i in range(x.shape[0]):
        out[i] = M.log1p_unit(x[i])[0]


@njit(error_model="numpy")
def _apply_exp_excess(x, out):
    for i in range(x.shape[0]):
        out[i] = M.exp_excess(x[i])


COMPILED = {"exp": _apply_exp, "expm1": _apply_expm1, "log1p": _apply_log1p, "log1p_unit": _apply_log1p_unit,
            "exp_excess": _apply_exp_excess}


def sample(name, points, seed=0):
    rng = np.random.default_rng(seed)
    _, _, lo, hi = FUNCTIONS[name]
    k = points // 6
    parts = [rng.uniform(max(lo, -745.0), min(hi, 709.0), k), rng.uniform(-1e-3, 1e-3, k),
             10.0 ** rng.uniform(-300, 0, k) * rng.choice([-1.0, 1.0], k), rng.uniform(-5.0, 5.0, k),
             rng.uniform(0.34, 0.5, k)]  # expm1's worst case: 2^1 (e^r - 1) + 1 doubles the rounding
    parts.append(rng.uniform(-745.1, -708.4, k) if name != "log1p" else 10.0 ** rng.uniform(0, 300, k))
    x = np.concatenate(parts)
    return x[(x > lo) & (x < hi)]


def ulp_errors(name, x):
    """|ours - exact| / ulp(exact) per point (0 where both give the same 0 or inf)."""
    ours = np.empty_like(x)
    COMPILED[name](x, ours)
    reference = FUNCTIONS[name][1]
    errors = np.empty_like(x)
    for i, (xi, oi) in enumerate(zip(x, ours)):
        exact = reference(mp.mpf(float(xi)))
        nearest = float(exact)
        if nearest == 0.0 or math.isinf(nearest):
            errors[i] = 0.0 if oi == nearest else math.inf
        else:
            errors[i] = float(abs(mp.mpf(float(oi)) - exact) / mp.mpf(float(np.spacing(abs(nearest)))))
    return errors


def table(points):
    mp.mp.dps = 40
    lines = [f"max error in ulps of the float64 result, {points} points per function (see the script's docstring)\n",
             "| function | max ulp | mean ulp | points |", "|---|---:|---:|---:|"]
    for name in FUNCTIONS:
        x = sample(name, points)
        e = ulp_errors(name, x)
        lines.append(f"| {name} | {e.max():.2f} | {e.mean():.3f} | {x.size} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000)
    args = parser.parse_args()
    text = ("# Vectorising exp, expm1, log1p, log1p_unit; exp_excess: accuracy\n\n" + machine() + "\n\n"
            + table(args.points) + "\n")
    print(text)
    write_result("fast_math.md", text)
