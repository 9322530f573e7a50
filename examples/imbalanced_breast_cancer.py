"""Logistic vs Focal vs ClassBalanced on an imbalanced real data set, both engines.
================================================================================

Breast cancer (bundled with scikit-learn), positive class = malignant, positives subsampled so that
they are 5 % of the data (357 benign + 19 malignant). Stratified 50/50 splits, repeated over seeds
because the test set holds only ~10 positives: mean and standard deviation are printed. Every
model starts from its loss's init_score (boostobj.xgboost / boostobj.lightgbm helpers).

Also compares Focal's Hessian policies (default "upper" bound, "exact", floor 1e-3).

    python examples/imbalanced_breast_cancer.py [--seeds 10]
"""
import argparse
import warnings

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import average_precision_score, log_loss
from sklearn.model_selection import train_test_split

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box

LOSSES = {
    "Logistic": bo.Logistic(),
    "Logistic(pos_weight=19)": bo.Logistic(pos_weight=19.0),
    "Focal(gamma=2)": bo.Focal(gamma=2.0),
    "Focal(gamma=2, hessian=exact)": bo.Focal(gamma=2.0, hessian="exact"),
    "Focal(gamma=2, hessian=1e-3)": bo.Focal(gamma=2.0, hessian=1e-3),
    "ClassBalanced(0.99, logistic)": bo.ClassBalanced(beta=0.99, base="logistic"),
    "ClassBalanced(0.99, focal)": bo.ClassBalanced(beta=0.99, base="focal"),
}


def imbalanced_data(seed):
    X, target = load_breast_cancer(return_X_y=True)
    y = (target == 0).astype(np.float64)  # malignant = positive
    rng = np.random.default_rng(seed)
    pos = np.flatnonzero(y == 1)
    keep_pos = rng.choice(pos, size=int(round(0.05 / 0.95 * (y == 0).sum())), replace=False)
    idx = np.concatenate([np.flatnonzero(y == 0), keep_pos])
    return train_test_split(X[idx], y[idx], test_size=0.5, stratify=y[idx], random_state=seed)


def fit_predict(engine, loss, X_tr, y_tr, X_te):
    if engine == "xgboost":
        booster = box.train({"max_depth": 3, "eta": 0.1, "nthread": 2}, xgb.DMatrix(X_tr, label=y_tr), loss, 100)
        return booster.predict(xgb.DMatrix(X_te), output_margin=True)
    booster = bol.train({"num_leaves": 8, "learning_rate": 0.1, "min_data_in_leaf": 5, "verbose": -1,
                         "num_threads": 2}, lgb.Dataset(X_tr, label=y_tr), loss, 100)
    return booster.predict(X_te, raw_score=True)


def main(seeds):
    warnings.filterwarnings("ignore")
    focal_metric = bo.Focal(gamma=2.0).metric()
    rows = {}
    for seed in range(seeds):
        X_tr, X_te, y_tr, y_te = imbalanced_data(seed)
        for name, loss in LOSSES.items():
            loss = loss.bind(y_tr)  # ClassBalanced: fix the training class counts (its posterior needs them)
            for engine in ("xgboost", "lightgbm"):
                margin = fit_predict(engine, loss, X_tr, y_tr, X_te)
                p = loss.predict(margin)  # the class posterior of the margin
                rows.setdefault((name, engine), []).append((
                    average_precision_score(y_te, p),
                    log_loss(y_te, np.clip(p, 1e-15, 1 - 1e-15)),
                    focal_metric(y_te, np.log(np.clip(p, 1e-15, 1)) - np.log(np.clip(1 - p, 1e-15, 1))),
                    float(np.max(np.abs(margin))),
                ))
    print(f"{seeds} seeds; mean (std) on the test halves; |margin| = largest test margin\n")
    print(f"{'loss':<32}{'engine':<10}{'PR-AUC':>16}{'log-loss':>16}{'focal loss':>16}{'|margin|':>10}")
    for (name, engine), vals in rows.items():
        v = np.array(vals)
        m, s = v.mean(0), v.std(0)
        print(f"{name:<32}{engine:<10}{m[0]:>9.3f} ({s[0]:.3f}){m[1]:>9.3f} ({s[1]:.3f})"
              f"{m[2]:>9.4f} ({s[2]:.3f}){m[3]:>10.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    main(parser.parse_args().seeds)
