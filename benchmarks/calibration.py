"""Calibration: class probabilities of focal / class-weighted models, read through the plain link
(sigma / softmax of the margin) and through the loss's class posterior (``loss.posterior``), against
the engines' built-in logistic / softmax models on the same split.

    python benchmarks/calibration.py [--rows 50000] [--rounds 200] [--seeds 3]

Binary: 2 % positives; multiclass: 5 classes with priors 60/20/10/7/3 %. Metrics on a test set of
the same size: log-loss, Brier score, expected calibration error (15 equal-width bins; multiclass:
top-label). Mean over seeds, spread (standard deviation) in brackets.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import machine, write_result  # noqa: E402

import boostobj as bo  # noqa: E402
import boostobj.lightgbm as bol  # noqa: E402
import boostobj.xgboost as box  # noqa: E402


def binary_data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n, 10))
    logit = 1.5 * X[:, 0] - X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4])
    shift = np.quantile(logit, 0.98)  # about 2 % positives
    y = (rng.uniform(size=2 * n) < 1 / (1 + np.exp(-(logit - shift) * 1.5))).astype(np.float64)
    return X[:n], y[:n], X[n:], y[n:]


def multiclass_data(n, seed, priors=(0.6, 0.2, 0.1, 0.07, 0.03)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n, 10))
    scores = np.stack([X[:, j] - 0.5 * X[:, j + 5] ** 2 for j in range(len(priors))], axis=1) + np.log(priors)
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = (p.cumsum(1) > rng.uniform(size=(2 * n, 1))).argmax(1).astype(np.float64)
    return X[:n], y[:n], X[n:], y[n:]


def calibration_error(y, p, bins=15):
    """Expected calibration error: binary on P(y=1), multiclass on the top label."""
    if p.ndim == 2:
        conf, hit = p.max(1), (p.argmax(1) == y).astype(np.float64)
    else:
        conf, hit = p, y
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(conf[m].mean() - hit[m].mean())
    return total


def scores(y, p):
    if p.ndim == 2:
        py = np.clip(p[np.arange(len(y)), y.astype(int)], 1e-15, 1)
        onehot = np.eye(p.shape[1])[y.astype(int)]
        return -np.mean(np.log(py)), np.mean(np.sum((p - onehot) ** 2, 1)), calibration_error(y, p)
    pc = np.clip(p, 1e-15, 1 - 1e-15)
    return (-np.mean(y * np.log(pc) + (1 - y) * np.log1p(-pc)), np.mean((p - y) ** 2), calibration_error(y, p))


def margins(engine, loss, X, y, Xt, rounds, k):
    if engine == "xgboost":
        import xgboost as xgb

        params = {"max_depth": 4, "eta": 0.1, "nthread": 2, **({"num_class": k} if k else {})}
        booster = box.train(params, xgb.DMatrix(X, label=y), loss, rounds)
        return booster.predict(xgb.DMatrix(Xt), output_margin=True)
    import lightgbm as lgb

    params = {"num_leaves": 15, "learning_rate": 0.1, "num_threads": 2, "verbose": -1,
              **({"num_class": k} if k else {})}
    return bol.train(params, lgb.Dataset(X, label=y), loss, rounds).predict(Xt, raw_score=True)


def builtin(engine, X, y, Xt, rounds, k):
    if engine == "xgboost":
        import xgboost as xgb

        objective = {"objective": "multi:softprob", "num_class": k} if k else {"objective": "binary:logistic"}
        b = xgb.train({"max_depth": 4, "eta": 0.1, "nthread": 2, **objective}, xgb.DMatrix(X, label=y), rounds)
        return b.predict(xgb.DMatrix(Xt))
    import lightgbm as lgb

    objective = {"objective": "multiclass", "num_class": k} if k else {"objective": "binary"}
    return lgb.train({"num_leaves": 15, "learning_rate": 0.1, "num_threads": 2, "verbose": -1, **objective},
                     lgb.Dataset(X, label=y), rounds).predict(Xt)


def run(rows, rounds, seeds):
    setups = [
        ("binary, 2 % positives", binary_data, None,
         [bo.Focal(gamma=2.0), bo.Focal(gamma=2.0, alpha=0.25), bo.Logistic(pos_weight=10.0),
          bo.ClassBalanced(beta=0.999, base="focal")]),
        ("multiclass, 5 classes", multiclass_data, 5,
         [bo.SoftmaxFocal(gamma=2.0), bo.SoftmaxCrossEntropy(class_weight=[1, 2, 4, 6, 10])]),
    ]
    lines = []
    for title, make, k, losses in setups:
        results = {}
        for seed in range(seeds):
            X, y, Xt, yt = make(rows, seed)
            for engine in ("xgboost", "lightgbm"):
                results.setdefault((engine, "built-in", ""), []).append(scores(yt, builtin(engine, X, y, Xt, rounds, k)))
                for loss in losses:
                    bound = loss.bind(y)
                    m = margins(engine, bound, X, y, Xt, rounds, k)
                    results.setdefault((engine, repr(loss), "link"), []).append(
                        scores(yt, bound.predict(m, link_only=True)))
                    results.setdefault((engine, repr(loss), "posterior"), []).append(scores(yt, bound.predict(m)))
        lines += [f"\n**{title}** ({rows} train / {rows} test rows, {rounds} rounds, {seeds} seeds)\n",
                  "| engine | model | probabilities | log-loss | Brier | calibration error |",
                  "|---|---|---|---:|---:|---:|"]
        for (engine, model, how), vals in results.items():
            v = np.array(vals)
            cells = " | ".join(f"{m:.4f} ({s:.4f})" for m, s in zip(v.mean(0), v.std(0)))
            lines.append(f"| {engine} | {model} | {how or 'engine'} | {cells} |")
    text = "# Calibration of class probabilities\n\n" + machine() + "\n" + "\n".join(lines) + "\n"
    print(text)
    write_result("calibration.md", text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    run(args.rows, args.rounds, args.seeds)
