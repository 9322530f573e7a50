"""End-to-end training speed, both engines: seconds per round for
  (a) the engine's built-in objective where one exists,
  (b) a trivial numpy custom objective (squared error; squared error to the one-hot for multiclass)
      - the floor of the custom-objective path,
  (c) the boostobj objective,
  (r) a replay of (c)'s own gradients, recorded in a first training: the same trees as (c) with an
      objective that costs nothing. Trees grown from another loss's gradients cost the engine
      another amount of work (XGBoost: focal's trees 8 % more than squared error's), so (c)/(r) is
      what the objective itself adds to a round, and (c)/(b) mixes it with that difference,
interleaved (a b c r a b c r ...) and repeated; prints (c)/(b), (c)/(r) and (c)/(a).

    python benchmarks/training.py [--rows 1000000] [--rounds 10] [--repeats 3] [--losses focal softmax ...]
"""
import argparse
import os
import statistics
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import interleaved_times, machine, write_result  # noqa: E402

import boostobj as bo  # noqa: E402

N_CLASSES = 4
CASES = [  # loss, label kind, xgboost built-in, lightgbm built-in
    (bo.SquaredError(), "real", {"objective": "reg:squarederror"}, {"objective": "l2"}),
    (bo.AbsoluteError(), "real", {"objective": "reg:absoluteerror"}, {"objective": "l1"}),
    (bo.Huber(), "real", None, {"objective": "huber"}),
    (bo.PseudoHuber(), "real", {"objective": "reg:pseudohubererror"}, None),
    (bo.LogCosh(hessian="irls"), "real", None, None),
    (bo.Quantile(alpha=0.9), "real", {"objective": "reg:quantileerror", "quantile_alpha": 0.9},
     {"objective": "quantile", "alpha": 0.9}),
    (bo.Expectile(alpha=0.9), "real", None, None),
    (bo.Fair(), "real", None, {"objective": "fair"}),
    (bo.Logistic(), "binary", {"objective": "binary:logistic"}, {"objective": "binary"}),
    (bo.Focal(gamma=2.0), "binary", None, None),
    (bo.ClassBalanced(beta=0.999, base="focal", counts=[1, 1]), "binary", None, None),
    (bo.Exponential(), "binary", None, None),
    (bo.SmoothHinge(), "binary", None, None),
    (bo.SquaredHinge(), "binary", None, None),
    (bo.SoftmaxCrossEntropy(), "class", {"objective": "multi:softprob"}, {"objective": "multiclass"}),
    (bo.SoftmaxFocal(gamma=2.0), "class", None, None),
]


def make_data(rows, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 20)).astype(np.float32)
    signal = X[:, 0] + 0.5 * X[:, 1] * X[:, 2] + 0.3 * np.sin(X[:, 3])
    labels = {
        "real": (signal + rng.normal(size=rows)).astype(np.float32),
        "binary": (signal + rng.normal(size=rows) > 0.5).astype(np.float32),
        "class": np.digitize(signal + rng.normal(size=rows), [-1.0, 0.0, 1.0]).astype(np.float32),
    }
    return X, labels


def numpy_floor(kind):
    def scalar(preds, data):
        return preds - data.get_label(), np.ones_like(preds)

    def multi(preds, data):
        y = data.get_label().astype(np.int64)
        g = preds.copy()
        g[np.arange(len(y)), y] -= 1.0
        return g, np.ones_like(preds)

    return multi if kind == "class" else scalar


def replay(train, objective):
    """A function training like ``train(obj)`` but with objective ``objective``'s gradients of a
    first, recorded training handed back round by round (copies: the engines may reuse buffers)."""
    rounds = []

    def recording(preds, data):
        g, h = objective(preds, data)
        rounds.append((np.array(g, copy=True), np.array(h, copy=True)))
        return g, h

    train(recording)

    def run():
        recorded = iter(rounds)
        train(lambda preds, data: next(recorded))
    return run


def bench_xgboost(X, labels, rounds, repeats, threads):
    import xgboost as xgb

    dm = {kind: xgb.DMatrix(X, label=y, nthread=threads) for kind, y in labels.items()}
    base = {"tree_method": "hist", "max_depth": 6, "nthread": threads, "verbosity": 0,
            "disable_default_eval_metric": 1, "max_bin": 256}
    rows = []
    for loss, kind, builtin, _ in CASES:
        extra = {"num_class": N_CLASSES} if kind == "class" else {}
        def train(obj):
            xgb.train({**base, **extra}, dm[kind], rounds, obj=obj)
        funcs = {"floor": lambda: train(numpy_floor(kind)), "boostobj": lambda: train(loss),
                 "replay": replay(train, loss)}  # the recording training compiles outside the timing
        if builtin:
            funcs["builtin"] = lambda: xgb.train({**base, **extra, **builtin}, dm[kind], rounds)
        rows.append(("xgboost", loss, _per_round(interleaved_times(funcs, repeats), rounds)))
        report(rows[-1])
    return rows


def bench_lightgbm(X, labels, rounds, repeats, threads):
    import lightgbm as lgb

    base = {"num_leaves": 63, "max_depth": 6, "num_threads": threads, "verbose": -1, "metric": "None",
            "max_bin": 255}
    ds = {}
    for kind, y in labels.items():
        ds[kind] = lgb.Dataset(X, label=y, free_raw_data=False, params={"max_bin": 255, "verbose": -1}).construct()
    rows = []
    for loss, kind, _, builtin in CASES:
        extra = {"num_class": N_CLASSES} if kind == "class" else {}
        def train(obj):
            lgb.train({**base, **extra, "objective": obj}, ds[kind], rounds)
        funcs = {"floor": lambda: train(numpy_floor(kind)), "boostobj": lambda: train(loss),
                 "replay": replay(train, loss)}
        if builtin:
            funcs["builtin"] = lambda: lgb.train({**base, **extra, **builtin}, ds[kind], rounds)
        rows.append(("lightgbm", loss, _per_round(interleaved_times(funcs, repeats), rounds)))
        report(rows[-1])
    return rows


def _per_round(times, rounds):
    """Median seconds per round of each contender, and the spread of (c)/(b): the ratio of boostobj's
    training to the floor's within each round-robin repeat (the pair measured next to each other)."""
    t = {k: statistics.median(v) / rounds for k, v in times.items()}
    ratios = [c / b for c, b in zip(times["boostobj"], times["floor"])]
    t["spread"] = (min(ratios), max(ratios))
    return t


def report(row):
    engine, loss, t = row
    b = t.get("builtin")
    print(f"{engine:<9}{loss.name:<16} built-in {b if b else float('nan'):7.4f}  floor {t['floor']:7.4f}  "
          f"boostobj {t['boostobj']:7.4f}  replay {t['replay']:7.4f} s/round   (c)/(b) {t['boostobj'] / t['floor']:5.3f}"
          f" [{t['spread'][0]:.3f}-{t['spread'][1]:.3f}]  (c)/(r) {t['boostobj'] / t['replay']:5.3f}"
          + (f"  (c)/(a) {t['boostobj'] / b:5.3f}" if b else ""),
          flush=True)


def table(rows):
    lines = ["| engine | loss | (a) built-in s/round | (b) numpy floor s/round | (r) replay s/round | (c) boostobj s/round "
             "| (c)/(b) | (c)/(b) per repeat | (c)/(r) | (c)/(a) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for engine, loss, t in rows:
        b = t.get("builtin")
        c = t["boostobj"]
        builtin = f"{b:.4f}" if b else "-"
        ratio_a = f"{c / b:.3f}" if b else "-"
        lo, hi = t["spread"]
        lines.append(f"| {engine} | {loss.name} | {builtin} | {t['floor']:.4f} | {t['replay']:.4f} | {c:.4f} | "
                     f"{c / t['floor']:.3f} | {lo:.3f}-{hi:.3f} | {c / t['replay']:.3f} | {ratio_a} |")
    return "\n".join(lines)


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", nargs="+", default=["xgboost", "lightgbm"])
    parser.add_argument("--losses", nargs="+", help="only these losses (by name); results go to training_selected.md")
    args = parser.parse_args()
    if args.losses:
        unknown = set(args.losses) - {case[0].name for case in CASES}
        if unknown:
            parser.error(f"unknown losses {sorted(unknown)}")
        CASES[:] = [case for case in CASES if case[0].name in args.losses]
    X, labels = make_data(args.rows)
    rows = []
    if "xgboost" in args.engines:
        rows += bench_xgboost(X, labels, args.rounds, args.repeats, args.threads)
    if "lightgbm" in args.engines:
        rows += bench_lightgbm(X, labels, args.rounds, args.repeats, args.threads)
    text = (f"Training speed, {args.rows} x 20, depth 6, {args.threads} threads, {args.rounds} rounds, "
            f"median of {args.repeats} interleaved repeats ({machine()})\n\n{table(rows)}\n")
    print("\n" + text)
    write_result("training_selected.md" if args.losses else "training.md", text)
