"""GHM-C vs focal loss vs cross-entropy on imbalanced labels with label noise (the case GHM is for).
=================================================================================================

Seeded synthetic data, about 10 % positives; in the training half a fraction of the labels
(0, 3 % and 10 %) is flipped at random, the test half stays clean. Models: the
plain cross-entropy (Logistic), Focal (gamma = 2), GHM-C (10 bins, with and without momentum 0.75),
both engines, 200 rounds. Scores on the clean test half, mean (std) over seeds: ROC AUC and
average precision (ranking: what GHM and focal are meant to improve) and log-loss of the loss's
class posterior (``loss.posterior``: calibrated for Logistic and Focal; for GHM-C it is
sigma(margin), which the harmonizing weights bias, so its log-loss says how far off it is).

    python examples/ghm_label_noise.py [--seeds 5] [--rows 10000]
"""
import argparse

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box

ROUNDS, LEARNING_RATE = 200, 0.05
LOSSES = [("Logistic", bo.Logistic()), ("Focal(gamma=2)", bo.Focal(gamma=2.0)),
          ("GHMC(bins=10)", bo.GHMC(bins=10)), ("GHMC(bins=10, momentum=0.75)", bo.GHMC(bins=10, momentum=0.75))]


def data(seed, rows, noise):
    """Train and test halves; ``noise`` of the training labels flipped (test labels clean)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * rows, 10))
    signal = 1.5 * X[:, 0] - X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4]) + 0.5 * X[:, 5] ** 2
    logit = 2.0 * (signal - np.quantile(signal, 0.9)) / signal.std()  # ~10 % positives
    y = (rng.uniform(size=2 * rows) < 1 / (1 + np.exp(-4 * logit))).astype(np.float64)
    y_train = y[:rows].copy()
    flip = rng.uniform(size=rows) < noise
    y_train[flip] = 1.0 - y_train[flip]
    return X[:rows], y_train, X[rows:], y[rows:]


def test_margins(engine, loss, Xtr, ytr, Xte):
    if engine == "xgboost":
        params = {"eta": LEARNING_RATE, "max_depth": 5, "nthread": 2}
        booster = box.train(params, xgb.DMatrix(Xtr, label=ytr), loss, ROUNDS)
        return booster.predict(xgb.DMatrix(Xte), output_margin=True)
    params = {"learning_rate": LEARNING_RATE, "num_leaves": 31, "num_threads": 2, "verbose": -1}
    return bol.train(params, lgb.Dataset(Xtr, label=ytr), loss, ROUNDS).predict(Xte, raw_score=True)


def table(seeds=5, rows=10000, noises=(0.0, 0.03, 0.1)):
    """The markdown table: test ROC AUC, average precision and log-loss per model (mean (std))."""
    scores: dict[tuple, list[tuple[float, float, float]]] = {}
    for noise in noises:
        for seed in range(seeds):
            Xtr, ytr, Xte, yte = data(seed, rows, noise)
            for engine in ("xgboost", "lightgbm"):
                for name, loss in LOSSES:
                    raw = test_margins(engine, loss, Xtr, ytr, Xte)
                    p = np.clip(loss.posterior(raw), 1e-15, 1 - 1e-15)
                    scores.setdefault((noise, engine, name), []).append(
                        (roc_auc_score(yte, raw), average_precision_score(yte, raw), log_loss(yte, p)))
    lines = [f"{rows} train / {rows} test rows (~10 % positives), training labels flipped at the given rate, clean "
             f"test labels; {ROUNDS} rounds, learning rate {LEARNING_RATE}, {seeds} seeds: mean (std)\n",
             "| label noise | engine | loss | test ROC AUC | test average precision | test log-loss |",
             "|---:|---|---|---:|---:|---:|"]
    for (noise, engine, name), values in scores.items():
        v = np.array(values)
        cells = " | ".join(f"{v[:, j].mean():.4f} ({v[:, j].std():.4f})" for j in range(3))
        lines.append(f"| {noise:.0%} | {engine} | {name} | {cells} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__ and __doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    print(table(args.seeds, args.rows))


if __name__ == "__main__":
    main()
