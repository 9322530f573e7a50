"""Threads for the objective inside an engine's training round: 1 thread against all cores.

    python benchmarks/engine_threads.py [--rows 1000000] [--rounds 10] [--repeats 5]

An engine calls the objective between its own OpenMP parallel regions, whose worker threads spin
for a while after each region instead of sleeping (libgomp's default wait policy). A boostobj call
split over all cores then competes with those spinning threads. For each case this trains with
``bo.set_num_threads(1)`` and with all cores, interleaved, and prints seconds per round and the
objective's own time per call inside the round (the engine's call wrapped in a timer), besides the
same call outside training. LightGBM's leaf refresh (the quantile loss, 150k rows: its tree walk
and per-leaf quantiles run between rounds too) is the last case.
"""
import argparse
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


def with_threads(n, train):
    def run():
        bo.set_num_threads(n)
        train()
    return run


def measure(engine, name, train_with, outside, rounds, repeats):
    """train_with(objective) trains ``rounds`` rounds; outside() is one objective call outside training."""
    timed = {1: Timed(None), ALL: Timed(None)}
    funcs = {}
    for n, obj in timed.items():
        funcs[f"{n}"] = with_threads(n, lambda obj=obj: train_with(obj))
    per_round = interleaved(funcs, repeats)
    call_out = {}
    outside()  # compiled / loaded from the cache outside the timing
    for n in timed:
        bo.set_num_threads(n)
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            outside()
            ts.append(time.perf_counter() - t0)
        call_out[n] = statistics.median(ts)
    bo.set_num_threads(ALL)
    inside = {n: statistics.median(t.seconds) if t.seconds else float("nan") for n, t in timed.items()}
    row = (engine, name, per_round["1"] / rounds, per_round[f"{ALL}"] / rounds, inside[1], inside[ALL],
           call_out[1], call_out[ALL])
    print(f"{engine:<9}{name:<24} s/round 1t {row[2]:.4f} {ALL}t {row[3]:.4f} ({row[3] / row[2]:.3f})  objective "
          f"in round {row[4] * 1e3:.1f} / {row[5] * 1e3:.1f} ms, outside {row[6] * 1e3:.1f} / {row[7] * 1e3:.1f} ms",
          flush=True)
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

        xgb_train(Timed(loss))  # compile outside the timing
        results.append(measure("xgboost", loss.name, xgb_train, lambda: loss.grad_hess(labels[kind], margins),
                               rounds, repeats))
        results.append(measure("lightgbm", loss.name, lgb_train, lambda: loss.grad_hess(labels[kind], margins),
                               rounds, repeats))
    # leaf refresh: everything boostobj does between LightGBM's rounds
    n = min(rows, 150_000)
    ds = lgb.Dataset(X[:n], label=labels["real"][:n], free_raw_data=False, params={"verbose": -1}).construct()
    loss = bo.Quantile(alpha=0.9)

    def refresh_train(obj):
        bol.train(lp, ds, loss, rounds)

    refresh_train(None)
    results.append(measure("lightgbm", f"quantile refresh ({n // 1000}k)", refresh_train,
                           lambda: loss.grad_hess(labels["real"][:n], np.zeros(n, np.float32)), rounds, repeats))
    return results


def table(rows):
    lines = [f"| engine | case | s/round, 1 thread | s/round, {ALL} threads | {ALL} / 1 | objective in the round, "
             f"ms per call (1 / {ALL} threads) | same call outside training (1 / {ALL}) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for engine, name, r1, rn, c1, cn, o1, on in rows:
        inside = "-" if np.isnan(c1) else f"{c1 * 1e3:.1f} / {cn * 1e3:.1f}"
        lines.append(f"| {engine} | {name} | {r1:.4f} | {rn:.4f} | {rn / r1:.3f} | {inside} | "
                     f"{o1 * 1e3:.1f} / {on * 1e3:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    result = bench(args.rows, args.rounds, args.repeats)
    text = (f"Objective threads inside training, {args.rows} x 20, depth 6 / 63 leaves, engines on {ALL} threads, "
            f"{args.rounds} rounds, median of {args.repeats} interleaved repeats ({machine()})\n\n{table(result)}\n")
    print("\n" + text)
    write_result("engine_threads.md", text)
