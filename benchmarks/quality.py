"""Model quality and speed against the engines' built-in objectives (same trees, same rounds).

Part 1, leaf refresh: Quantile (alpha 0.1, 0.5, 0.9) and AbsoluteError vs XGBoost
reg:quantileerror / reg:absoluteerror and LightGBM quantile / l1, at two learning rates, with
boostobj's leaf refresh on (the default) and off: test pinball loss (MAE for L1), mean and spread
over seeds, and the coverage P(y <= q) at alpha = 0.9.

Part 2, other losses vs their built-in counterparts: Huber (LightGBM huber), PseudoHuber (XGBoost
reg:pseudohubererror), Logistic (binary:logistic / binary) and SoftmaxCrossEntropy (multi:softprob /
multiclass): test Huber loss, log-loss and Brier score.

Part 3, seconds per round with refresh, side by side with the built-in round and the unrefreshed
boostobj round (interleaved repeats), at two sizes.

    python benchmarks/quality.py [--train 20000] [--test 10000] [--rounds 300] [--seeds 3]
                                 [--speed-rows 150000 1000000]
"""
import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import interleaved, machine, results_path, write_result  # noqa: E402

import boostobj as bo  # noqa: E402
import boostobj.lightgbm as bol  # noqa: E402
import boostobj.xgboost as box  # noqa: E402

THREADS = 2


def regression_data(n, seed):
    """Heteroscedastic: the conditional quantiles fan out with |x1|."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 10)).astype(np.float32)
    y = X[:, 0] + np.sin(2 * X[:, 2]) + 0.5 * X[:, 3] * X[:, 4] + 3.0 * np.abs(X[:, 1]) * rng.normal(size=n)
    return X, y.astype(np.float32)


def class_data(n, seed, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 10)).astype(np.float32)
    signal = X[:, 0] + 0.5 * X[:, 1] * X[:, 2] + 0.3 * np.sin(X[:, 3]) + rng.logistic(size=n)
    y = (signal > 0.5) if k == 2 else np.digitize(signal, [-1.0, 0.0, 1.0])
    return X, y.astype(np.float32)


def pinball(y, q, alpha):
    r = y - q
    return float(np.mean(np.maximum(alpha * r, (alpha - 1) * r)))


def fit_predict(engine, objective, params, X, y, Xt, rounds, leaf_refresh=None):
    """Test predictions (means / probabilities) of a built-in objective (a dict of engine params)
    or a boostobj loss."""
    import lightgbm as lgb
    import xgboost as xgb

    if engine == "xgboost":
        d, dt = xgb.DMatrix(X, label=y, nthread=THREADS), xgb.DMatrix(Xt, nthread=THREADS)
        p = {"tree_method": "hist", "max_depth": 6, "nthread": THREADS, "verbosity": 0, **params}
        if isinstance(objective, dict):
            return xgb.train({**p, **objective}, d, rounds).predict(dt)
        booster = box.train(p, d, objective, rounds, leaf_refresh=leaf_refresh)
        return box.predict(booster, dt, objective)
    p = {"num_leaves": 31, "num_threads": THREADS, "verbose": -1, **params}
    if isinstance(objective, dict):
        return lgb.train({**p, **objective}, lgb.Dataset(X, label=y), rounds).predict(Xt)
    booster = bol.train(p, lgb.Dataset(X, label=y), objective, rounds, leaf_refresh=leaf_refresh)
    return bol.predict(booster, Xt, objective)


def mean_sd(values):
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}"


REFRESH_CASES = [  # name, loss, level, xgboost built-in, lightgbm built-in
    ("quantile 0.1", bo.Quantile(alpha=0.1), 0.1, {"objective": "reg:quantileerror", "quantile_alpha": 0.1},
     {"objective": "quantile", "alpha": 0.1}),
    ("quantile 0.5", bo.Quantile(alpha=0.5), 0.5, {"objective": "reg:quantileerror", "quantile_alpha": 0.5},
     {"objective": "quantile", "alpha": 0.5}),
    ("quantile 0.9", bo.Quantile(alpha=0.9), 0.9, {"objective": "reg:quantileerror", "quantile_alpha": 0.9},
     {"objective": "quantile", "alpha": 0.9}),
    ("absolute error", bo.AbsoluteError(), 0.5, {"objective": "reg:absoluteerror"}, {"objective": "l1"}),
]


def refresh_quality(args):
    lines = ["| engine | loss | lr | built-in | boostobj, refresh | refresh / built-in | boostobj, no refresh | "
             "no refresh / built-in | coverage built-in / refresh |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for engine in ("xgboost", "lightgbm"):
        for name, loss, level, xgb_builtin, lgb_builtin in REFRESH_CASES:
            builtin = xgb_builtin if engine == "xgboost" else lgb_builtin
            for lr in (0.05, 0.3):
                params = {"eta": lr} if engine == "xgboost" else {"learning_rate": lr}
                scores = {"builtin": [], "refresh": [], "plain": []}
                cover = {"builtin": [], "refresh": []}
                for seed in range(args.seeds):
                    X, y = regression_data(args.train + args.test, seed)
                    Xtr, ytr, Xt, yt = X[:args.train], y[:args.train], X[args.train:], y[args.train:]
                    preds = {"builtin": fit_predict(engine, builtin, params, Xtr, ytr, Xt, args.rounds),
                             "refresh": fit_predict(engine, loss, params, Xtr, ytr, Xt, args.rounds),
                             "plain": fit_predict(engine, loss, params, Xtr, ytr, Xt, args.rounds, leaf_refresh=False)}
                    for key, q in preds.items():
                        scores[key].append(pinball(yt, q, level))
                    for key in cover:
                        cover[key].append(float(np.mean(yt <= preds[key])))
                ratio = np.array(scores["refresh"]) / np.array(scores["builtin"])
                ratio_plain = np.array(scores["plain"]) / np.array(scores["builtin"])
                coverage = f"{np.mean(cover['builtin']):.3f} / {np.mean(cover['refresh']):.3f}" if level == 0.9 else "-"
                lines.append(f"| {engine} | {name} | {lr} | {mean_sd(scores['builtin'])} | {mean_sd(scores['refresh'])} "
                             f"| {ratio.mean():.3f} | {mean_sd(scores['plain'])} | {ratio_plain.mean():.3f} | {coverage} |")
                print(lines[-1], flush=True)
    return "\n".join(lines)


def log_loss(y, p, k):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    if k == 2:
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return float(-np.mean(np.log(p[np.arange(len(y)), y.astype(int)])))


def brier(y, p, k):
    if k == 2:
        return float(np.mean((p - y) ** 2))
    onehot = np.eye(k)[y.astype(int)]
    return float(np.mean(np.sum((p - onehot) ** 2, axis=1)))


def huber(y, m, delta):
    r = np.abs(y - m)
    return float(np.mean(np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta))))


def other_quality(args):
    cases = [  # engine, name, loss, built-in, (metric name, metric), data kind
        ("lightgbm", "huber (delta 1)", bo.Huber(delta=1.0), {"objective": "huber", "alpha": 1.0},
         ("Huber", lambda y, m: huber(y, m, 1.0)), "reg"),
        ("xgboost", "pseudo-Huber (delta 1)", bo.PseudoHuber(delta=1.0), {"objective": "reg:pseudohubererror"},
         ("Huber", lambda y, m: huber(y, m, 1.0)), "reg"),
    ]
    for engine in ("xgboost", "lightgbm"):
        cases.append((engine, "logistic", bo.Logistic(), {"objective": "binary:logistic" if engine == "xgboost"
                                                          else "binary"}, None, "bin"))
        cases.append((engine, "softmax (k=4)", bo.SoftmaxCrossEntropy(),
                      {"objective": "multi:softprob", "num_class": 4} if engine == "xgboost"
                      else {"objective": "multiclass", "num_class": 4}, None, "multi"))
    lines = ["| engine | loss | metric | built-in | boostobj | boostobj / built-in |", "|---|---|---|---:|---:|---:|"]
    rounds = max(1, args.rounds // 3 * 2)
    for engine, name, loss, builtin, metric, kind in cases:
        k = {"reg": 0, "bin": 2, "multi": 4}[kind]
        params = {"eta": 0.1} if engine == "xgboost" else {"learning_rate": 0.1}
        results = {}
        for seed in range(args.seeds):
            X, y = regression_data(args.train + args.test, seed) if kind == "reg" else class_data(
                args.train + args.test, seed, k)
            Xtr, ytr, Xt, yt = X[:args.train], y[:args.train], X[args.train:], y[args.train:]
            pred_b = fit_predict(engine, builtin, params, Xtr, ytr, Xt, rounds)
            pred_o = fit_predict(engine, loss, params, Xtr, ytr, Xt, rounds)
            metrics = [metric] if metric else [("log-loss", lambda y_, p: log_loss(y_, p, k)),
                                               ("Brier", lambda y_, p: brier(y_, p, k))]
            for mname, fn in metrics:
                results.setdefault(mname, ([], []))
                results[mname][0].append(fn(yt, pred_b))
                results[mname][1].append(fn(yt, pred_o))
        for mname, (b, o) in results.items():
            lines.append(f"| {engine} | {name} | {mname} | {mean_sd(b)} | {mean_sd(o)} | "
                         f"{np.mean(np.array(o) / np.array(b)):.3f} |")
            print(lines[-1], flush=True)
    return "\n".join(lines)


def speed(args):
    import lightgbm as lgb
    import xgboost as xgb

    lines = ["| engine | loss | rows | built-in s/round | boostobj refresh s/round | refresh / built-in | "
             "boostobj no refresh s/round |", "|---|---|---:|---:|---:|---:|---:|"]
    for rows in args.speed_rows:
        X, y = regression_data(rows, 0)
        d = xgb.DMatrix(X, label=y, nthread=THREADS)
        ds = lgb.Dataset(X, label=y, free_raw_data=False, params={"verbose": -1}).construct()
        xp = {"tree_method": "hist", "max_depth": 6, "nthread": THREADS, "verbosity": 0}
        lp = {"num_leaves": 63, "max_depth": 6, "num_threads": THREADS, "verbose": -1}
        for name, loss, _, xgb_builtin, lgb_builtin in (REFRESH_CASES[2], REFRESH_CASES[3]):
            funcs = {"xgboost": {"builtin": lambda: xgb.train({**xp, **xgb_builtin}, d, args.speed_rounds),
                                 "refresh": lambda: box.train(xp, d, loss, args.speed_rounds),
                                 "plain": lambda: box.train(xp, d, loss, args.speed_rounds, leaf_refresh=False)},
                     "lightgbm": {"builtin": lambda: lgb.train({**lp, **lgb_builtin}, ds, args.speed_rounds),
                                  "refresh": lambda: bol.train(lp, ds, loss, args.speed_rounds),
                                  "plain": lambda: bol.train(lp, ds, loss, args.speed_rounds, leaf_refresh=False)}}
            for engine, f in funcs.items():
                f["refresh"]()  # compile outside the timing
                t = {k: v / args.speed_rounds for k, v in interleaved(f, args.repeats).items()}
                lines.append(f"| {engine} | {name} | {rows} | {t['builtin']:.4f} | {t['refresh']:.4f} | "
                             f"{t['refresh'] / t['builtin']:.3f} | {t['plain']:.4f} |")
                print(lines[-1], flush=True)
    return "\n".join(lines)


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=20_000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--speed-rows", type=int, nargs="+", default=[150_000, 1_000_000])
    parser.add_argument("--speed-rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parts", nargs="+", default=["refresh", "other", "speed"])
    args = parser.parse_args()
    head = (f"{args.train} train / {args.test} test rows, {args.rounds} rounds (part 2: 2/3 of them, lr 0.1), "
            f"{args.seeds} seeds, {THREADS} threads; XGBoost depth 6, LightGBM 31 leaves ({machine()})")
    titles = {"refresh": "Leaf refresh: test pinball loss (MAE for absolute error), mean ± sd over seeds",
              "other": "Other losses vs their built-in counterparts (test metric, mean ± sd over seeds)",
              "speed": "Seconds per round"}
    parts = {}
    if "refresh" in args.parts:
        parts["refresh"] = titles["refresh"] + "\n\n" + refresh_quality(args)
    if "other" in args.parts:
        parts["other"] = titles["other"] + "\n\n" + other_quality(args)
    if "speed" in args.parts:
        parts["speed"] = (f"{titles['speed']} ({args.speed_rounds} rounds, median of {args.repeats} interleaved "
                          f"repeats; XGBoost depth 6, LightGBM 63 leaves depth 6; {machine()})\n\n" + speed(args))
    text = head + "\n\n" + "\n\n".join(parts.values()) + "\n"
    print("\n" + text)
    if len(parts) < len(titles) and os.path.exists(results_path("quality.md")):
        # a partial run replaces its own parts of the results and keeps the others (and their header)
        with open(results_path("quality.md")) as f:
            old = f.read()
        starts = sorted((old.find(title), key) for key, title in titles.items() if old.find(title) >= 0)
        if not starts:
            starts = [(len(old), None)]
        sections = {key: old[a:b].rstrip() for (a, key), (b, _) in zip(starts, starts[1:] + [(len(old), None)])}
        sections.update(parts)
        text = old[:starts[0][0]] + "\n\n".join(sections[key] for key in titles if key in sections) + "\n"
    write_result("quality.md", text)
