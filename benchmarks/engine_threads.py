"""Threads for the objective inside an engine's training round.

    python benchmarks/engine_threads.py [--rows 1000000] [--rounds 10] [--repeats 5]

An engine calls the objective between its own OpenMP parallel regions, whose worker threads spin
for a while after each region instead of sleeping (libgomp's default wait policy). A boostobj call
split over all cores then competes with those spinning threads. For each case this trains,
interleaved, with three settings: one thread (``bo.set_num_threads(1)``); all cores split as
outside training (a thread per ``drivers.MIN_ROWS_PER_THREAD`` rows); and the default, all cores
but a thread per ``drivers.ENGINE_MIN_ROWS_PER_THREAD`` rows inside the training loop. It prints
seconds per round and the objective's own time per call inside the round (the engine's call
wrapped in a timer), and the same call outside training with 1 thread and all cores. LightGBM's
leaf refresh (the quantile loss, 150k rows: its tree walk and per-leaf quantiles run between
rounds too) is the last case.
"""
import argparse
import functools
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import interleaved, machine, write_result  # noqa: E402
from training import N_CLASSES, make_data  # noqa: E402

import boostobj as bo  # noqa: E402
import boostobj.lightgbm as bol  # noqa: E402
from boostobj import drivers  # noqa: E402

CASES = [(bo.Logistic(), "binary"), (bo.Focal(gamma=2.0), "binary"), (bo.SoftmaxFocal(gamma=2.0), "class")]
ALL = os.cpu_count() or 1


class Timed:
    """The engine objective ``loss(preds, data)``, timing every call."""

    def __init__(self, loss):
        self.loss, self.seconds = loss, []

    def __deepcopy__(self, memo):
        return self  # lgb.train deep-copies its params: the timings must land here

    def __call__(self, preds, data):
        t0 = time.perf_counter()
        out = self.loss(preds, data)
        self.seconds.append(time.perf_counter() - t0)
        return out


SETTINGS = {  # name: (threads, rows per thread inside the training loop)
    "1 thread": (1, drivers.ENGINE_MIN_ROWS_PER_THREAD),
    f"{ALL} threads, split as outside training": (ALL, drivers.MIN_ROWS_PER_THREAD),
    f"{ALL} threads, default": (ALL, drivers.ENGINE_MIN_ROWS_PER_THREAD),
}


def with_setting(setting, train):
    threads, per_thread = setting

    def run():
        bo.set_num_threads(threads)
        drivers.ENGINE_MIN_ROWS_PER_THREAD = per_thread
        train()
    return run


def measure(engine, name, train_with, outside, rounds, repeats):
    """train_with(objective) trains ``rounds`` rounds; outside() is one objective call outside training."""
    default = drivers.ENGINE_MIN_ROWS_PER_THREAD
    timed = {key: Timed(None) for key in SETTINGS}
    funcs = {key: with_setting(setting, lambda obj=timed[key]: train_with(obj)) for key, setting in SETTINGS.items()}
    try:
        per_round = interleaved(funcs, repeats)
    finally:
        drivers.ENGINE_MIN_ROWS_PER_THREAD = default
    call_out = {}
    outside()  # compiled / loaded from the cache outside the timing
    for n in (1, ALL):
        bo.set_num_threads(n)
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            outside()
            ts.append(time.perf_counter() - t0)
        call_out[n] = statistics.median(ts)
    bo.set_num_threads(ALL)
    row = (engine, name, {key: per_round[key] / rounds for key in SETTINGS},
           {key: statistics.median(t.seconds) if t.seconds else float("nan") for key, t in timed.items()}, call_out)
    print(f"{engine:<9}{name:<24} s/round " + ", ".join(f"{k} {v:.4f}" for k, v in row[2].items()) + "; objective in "
          "round " + " / ".join(f"{v * 1e3:.1f}" for v in row[3].values()) + f" ms; outside {call_out[1] * 1e3:.1f} / "
          f"{call_out[ALL] * 1e3:.1f} ms", flush=True)
    return row


def bench(rows, rounds, repeats):
    import lightgbm as lgb
    import xgboost as xgb

    X, labels = make_data(rows)
    results = []
    xp = {"tree_method": "hist", "max_depth": 6, "nthread": ALL, "verbosity": 0, "disable_default_eval_metric": 1}
    lp = {"num_leaves": 63, "max_depth": 6, "num_threads": ALL, "verbose": -1, "metric": "None"}
    for loss, kind in CASES:
        extra = {"num_class": N_CLASSES} if kind == "class" else {}
        dm = xgb.DMatrix(X, label=labels[kind], nthread=ALL)
        ds = lgb.Dataset(X, label=labels[kind], free_raw_data=False, params={"verbose": -1}).construct()
        shape = (rows, N_CLASSES) if kind == "class" else (rows,)
        margins = np.random.default_rng(1).normal(size=shape).astype(np.float32)

        def xgb_train(obj):
            obj.loss = loss
            xgb.train({**xp, **extra}, dm, rounds, obj=obj)

        def lgb_train(obj):
            obj.loss = loss
            lgb.train({**lp, **extra, "objective": obj}, ds, rounds)

        xgb_train(Timed(loss))  # compile outside the timing (the engines pass different dtypes and layouts)
        lgb_train(Timed(loss))
        name = f"{loss.name}, {rows // 1000}k rows"
        outside = functools.partial(loss.grad_hess, labels[kind], margins)
        results.append(measure("xgboost", name, xgb_train, outside, rounds, repeats))
        results.append(measure("lightgbm", name, lgb_train, outside, rounds, repeats))
    return results


def bench_refresh(X, y, rounds, repeats):
    """LightGBM's leaf refresh: everything boostobj does between LightGBM's rounds."""
    import lightgbm as lgb

    lp = {"num_leaves": 63, "max_depth": 6, "num_threads": ALL, "verbose": -1}
    n = X.shape[0]
    ds = lgb.Dataset(X, label=y, free_raw_data=False, params={"verbose": -1}).construct()
    loss = bo.Quantile(alpha=0.9)

    def refresh_train(obj):
        bol.train(lp, ds, loss, rounds)

    refresh_train(None)
    return measure("lightgbm", f"quantile leaf refresh, {n // 1000}k rows", refresh_train,
                   lambda: loss.grad_hess(y, np.zeros(n, np.float32)), rounds, repeats)


def table(rows):
    names = list(SETTINGS)
    lines = ["| engine | case | " + " | ".join(f"s/round, {k}" for k in names) + " | objective in the round, ms per "
             "call (same order) | same call outside training, 1 / " + f"{ALL} threads |",
             "|---|---|" + "---:|" * (len(names) + 2)]
    for engine, name, per_round, inside, outside in rows:
        base = per_round[names[0]]
        cells = [f"{per_round[k]:.4f}" + ("" if k == names[0] else f" ({per_round[k] / base:.2f})") for k in names]
        calls = "-" if np.isnan(inside[names[0]]) else " / ".join(f"{inside[k] * 1e3:.1f}" for k in names)
        lines.append(f"| {engine} | {name} | " + " | ".join(cells) + f" | {calls} | {outside[1] * 1e3:.1f} / "
                     f"{outside[ALL] * 1e3:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--refresh-rows", type=int, default=150_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    result = []
    for rows in args.rows:
        result += bench(rows, args.rounds, args.repeats)
    X, labels = make_data(args.refresh_rows)
    result.append(bench_refresh(X, labels["real"], args.rounds, args.repeats))
    text = (f"Objective threads inside training, rows x 20, depth 6 / 63 leaves, engines on {ALL} threads, "
            f"{args.rounds} rounds, median of {args.repeats} interleaved repeats; in brackets: s/round relative to "
            f"1 thread ({machine()})\n\n{table(result)}\n")
    print("\n" + text)
    write_result("engine_threads.md", text)
