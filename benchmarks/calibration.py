"""Calibration: class probabilities of focal / class-weighted models, read through the plain link
(sigma / softmax of the margin), through the loss's class posterior (``loss.posterior``) and through
the posterior with the prior shift fitted on the training rows (``loss.prior_shift``, what the
boostobj classifiers' ``predict_proba`` gives), against the engines' built-in logistic / softmax
models on the same split.

    python benchmarks/calibration.py [--rows 30000] [--rounds 200] [--seeds 3]

Binary: a rare positive class (the title gives its rate); multiclass: 5 classes with priors 60/20/10/7/3 %. Metrics on a test set of
the same size: log-loss, Brier score, expected calibration error (15 equal-width bins; multiclass:
top-label) and bias (mean P(y=1) minus the positive rate; multiclass: mean top-label confidence minus
accuracy). Mean over seeds, spread (standard deviation) in brackets. A "built-in, weights of ..." row
trains the engine's logistic / softmax objective with that loss's class weights as sample weights and
reads it through the same posterior: what the weighting itself costs, whoever implements it.
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
    shift = np.quantile(logit, 0.98)  # about 3.6 % positives (the rows below the shift contribute too)
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
    """log-loss, Brier, calibration error, and the bias: mean P(y=1) minus the positive rate (binary),
    mean top-label confidence minus accuracy (multiclass); > 0 over-, < 0 under-confident."""
    if p.ndim == 2:
        py = np.clip(p[np.arange(len(y)), y.astype(int)], 1e-15, 1)
        onehot = np.eye(p.shape[1])[y.astype(int)]
        bias = p.max(1).mean() - (p.argmax(1) == y).mean()
        return -np.mean(np.log(py)), np.mean(np.sum((p - onehot) ** 2, 1)), calibration_error(y, p), bias
    pc = np.clip(p, 1e-15, 1 - 1e-15)
    return (-np.mean(y * np.log(pc) + (1 - y) * np.log1p(-pc)), np.mean((p - y) ** 2), calibration_error(y, p),
            p.mean() - y.mean())


def margins(engine, loss, X, y, Xt, rounds, k):
    if engine == "xgboost":
        import xgboost as xgb

        params = {"max_depth": 4, "eta": 0.1, "nthread": 2, **({"num_class": k} if k else {})}
        booster = box.train(params, xgb.DMatrix(X, label=y), loss, rounds)
        return tuple(booster.predict(xgb.DMatrix(data), output_margin=True) for data in (X, Xt))
    import lightgbm as lgb

    params = {"num_leaves": 15, "learning_rate": 0.1, "num_threads": 2, "verbose": -1,
              **({"num_class": k} if k else {})}
    booster = bol.train(params, lgb.Dataset(X, label=y), loss, rounds)
    return tuple(booster.predict(data, raw_score=True) for data in (X, Xt))


def builtin(engine, X, y, Xt, rounds, k, weight=None, margin=False):
    """The built-in logistic / softmax model's probabilities of Xt, or with ``margin`` the margins of
    X and of Xt; optionally with sample weights."""
    if engine == "xgboost":
        import xgboost as xgb

        objective = {"objective": "multi:softprob", "num_class": k} if k else {"objective": "binary:logistic"}
        b = xgb.train({"max_depth": 4, "eta": 0.1, "nthread": 2, **objective},
                      xgb.DMatrix(X, label=y, weight=weight), rounds)
        if margin:
            return tuple(b.predict(xgb.DMatrix(data), output_margin=True) for data in (X, Xt))
        return b.predict(xgb.DMatrix(Xt))
    import lightgbm as lgb

    objective = {"objective": "multiclass", "num_class": k} if k else {"objective": "binary"}
    b = lgb.train({"num_leaves": 15, "learning_rate": 0.1, "num_threads": 2, "verbose": -1, **objective},
                  lgb.Dataset(X, label=y, weight=weight), rounds)
    return tuple(b.predict(data, raw_score=True) for data in (X, Xt)) if margin else b.predict(Xt)


CLASS_WEIGHTS = {None: [1.0, 10.0], 5: [1.0, 2.0, 4.0, 6.0, 10.0]}


def weighted_loss(k):
    """The class-weighted logistic / softmax loss of the comparison (class weights CLASS_WEIGHTS[k])."""
    if k is None:
        return bo.Logistic(pos_weight=CLASS_WEIGHTS[None][1])
    return bo.SoftmaxCrossEntropy(class_weight=CLASS_WEIGHTS[k])


def posteriors(results, key, loss, y, margin, yt, margin_test):
    """The test scores of the loss's posterior, and of the posterior with the prior shift fitted on
    the training rows' margins."""
    results.setdefault((*key, "posterior"), []).append(scores(yt, loss.predict(margin_test)))
    shift = loss.prior_shift(y, margin)
    results.setdefault((*key, "posterior, prior shift"), []).append(scores(yt, loss.predict(margin_test, prior_shift=shift)))


def run(rows, rounds, seeds):
    setups = [
        ("binary, {rate:.1%} positives", binary_data, None,
         [bo.Focal(gamma=2.0), bo.Focal(gamma=2.0, alpha=0.25), weighted_loss(None),
          bo.ClassBalanced(beta=0.999, base="focal"), bo.Exponential(), bo.GHMC()]),
        ("multiclass, 5 classes", multiclass_data, 5,
         [bo.SoftmaxFocal(gamma=2.0), weighted_loss(5)]),
    ]
    lines = []
    for title, make, k, losses in setups:
        results, rates = {}, []
        for seed in range(seeds):
            X, y, Xt, yt = make(rows, seed)
            rates.append(y.mean())
            for engine in ("xgboost", "lightgbm"):
                results.setdefault((engine, "built-in", ""), []).append(scores(yt, builtin(engine, X, y, Xt, rounds, k)))
                # the weighted loss's own effect: the built-in objective with the same class weights
                # (as sample weights), read through that weighted loss's posterior
                weighted = weighted_loss(k)
                m, mt = builtin(engine, X, y, Xt, rounds, k, weight=np.asarray(CLASS_WEIGHTS[k])[y.astype(int)],
                                margin=True)
                posteriors(results, (engine, f"built-in, weights of {weighted!r}"), weighted, y, m, yt, mt)
                for loss in losses:
                    bound = loss.bind(y)
                    m, mt = margins(engine, bound, X, y, Xt, rounds, k)
                    results.setdefault((engine, repr(loss), "link"), []).append(
                        scores(yt, bound.predict(mt, link_only=True)))
                    posteriors(results, (engine, repr(loss)), bound, y, m, yt, mt)
        lines += [f"\n**{title.format(rate=np.mean(rates))}** ({rows} train / {rows} test rows, {rounds} rounds, "
                  f"{seeds} seeds)\n",
                  "| engine | model | probabilities | log-loss | Brier | calibration error | bias |",
                  "|---|---|---|---:|---:|---:|---:|"]
        for (engine, model, how), vals in results.items():
            v = np.array(vals)
            cells = " | ".join(f"{m:.4f} ({s:.4f})" for m, s in zip(v.mean(0), v.std(0)))
            lines.append(f"| {engine} | {model} | {how or 'engine'} | {cells} |")
    text = "# Calibration of class probabilities\n\n" + machine() + "\n" + "\n".join(lines) + "\n"
    print(text)
    write_result("calibration.md", text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    run(args.rows, args.rounds, args.seeds)
