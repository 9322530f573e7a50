"""Focal and SoftmaxFocal losses in CatBoost: native API and estimators.
=====================================================================

One boostobj loss object is CatBoost's ``loss_function`` as it is. Three ways to train with it:

* native: ``boostobj.catboost.train(params, Pool, loss)`` returns a ``catboost.CatBoost`` model that
  starts from the loss's optimal constant (folded into the model's bias, so a saved model predicts
  alone);
* CatBoost's own estimator: ``CatBoostClassifier(loss_function=loss)`` fitted with
  ``boostobj.catboost.fit`` (the start score again); class posteriors from
  ``boostobj.catboost.predict`` (CatBoost's ``predict_proba`` takes the sigmoid / softmax of a
  focal margin, which is not a log-odds);
* boostobj's estimator: ``BoostClassifier(loss=..., engine="catboost")``.

Data: breast cancer (binary, malignant = positive) and wine (3 classes), both bundled with
scikit-learn. Printed: test log loss and accuracy of the class posteriors, and the mean posterior
against the test base rate (calibration in the large).

    python examples/catboost_focal.py [--rounds 200]
"""
import argparse

import catboost as cb
import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split

import boostobj as bo
import boostobj.catboost as bocb


def report(what, y, p):
    p2 = np.column_stack([1 - p, p]) if p.ndim == 1 else p
    mean = f"mean P(y=1) {p.mean():.3f} vs rate {y.mean():.3f}" if p.ndim == 1 else \
        "mean posteriors " + " ".join(f"{v:.3f}" for v in p.mean(axis=0)) + " vs rates " + \
        " ".join(f"{np.mean(y == c):.3f}" for c in range(p.shape[1]))
    print(f"  {what:<34} log loss {log_loss(y, p2, labels=range(p2.shape[1])):.4f}  "
          f"accuracy {accuracy_score(y, p2.argmax(axis=1)):.3f}  {mean}")


def run(name, loss, X, y, rounds):
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    params = {"learning_rate": 0.05, "depth": 4, "verbose": False, "allow_writing_files": False, "random_seed": 0}
    print(f"{name}: {loss!r}, {len(ytr)} training rows")

    model = bocb.train(params, cb.Pool(Xtr, ytr), loss, rounds)
    report("native (boostobj.catboost.train)", yte, bocb.predict(model, Xte, loss))

    estimator = cb.CatBoostClassifier(loss_function=loss, iterations=rounds, **params)
    bocb.fit(estimator, Xtr, ytr)
    report("CatBoostClassifier + catboost.fit", yte, bocb.predict(estimator, Xte, loss))

    ours = bo.BoostClassifier(loss=loss, engine="catboost", n_estimators=rounds, learning_rate=0.05, max_depth=4,
                              random_state=0).fit(Xtr, ytr)
    p = ours.predict_proba(Xte)
    report("BoostClassifier(engine='catboost')", yte, p[:, 1] if p.shape[1] == 2 else p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    X, target = load_breast_cancer(return_X_y=True)
    run("breast cancer", bo.Focal(gamma=2.0), X, (target == 0).astype(np.float64), args.rounds)
    X, y = load_wine(return_X_y=True)
    run("wine", bo.SoftmaxFocal(gamma=2.0), X, y.astype(np.float64), args.rounds)


if __name__ == "__main__":
    main()
