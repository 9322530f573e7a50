"""Knowledge distillation into gradient-boosted trees: hard labels vs a teacher's soft targets.
============================================================================================

Digits (bundled with scikit-learn, 1797 images, 10 classes). A teacher (an RBF-kernel SVM,
sigmoid-calibrated, fitted on the training half as in Hinton et al.) gives class probabilities for
the training rows;
student GBDTs are trained on the same rows with (a) the hard labels (SoftmaxCrossEntropy) and
(b) the teacher's probabilities (SoftTargetCrossEntropy) at temperatures 1 and 3, and (c) half
and half (cross-entropy is linear in the targets, so targets 0.5 one-hot + 0.5 teacher are exactly
the mixed hard + soft loss at T = 1). Test log-loss and
accuracy on the held-out half, over several seeds (stratified 50/50 splits): mean (std).

The soft-target loss takes row indices into its targets as labels (``loss.row_labels()``), so the
targets travel with the rows whatever order or subset the engine trains on.

    python examples/distillation.py [--seeds 5]
"""
import argparse

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score, log_loss
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box

ROUNDS = 150


def student_margins(engine, loss, X, labels, X_test):
    if engine == "xgboost":
        params = {"num_class": 10, "max_depth": 3, "eta": 0.1, "nthread": 2}
        booster = box.train(params, xgb.DMatrix(X, label=labels), loss, ROUNDS)
        return booster.predict(xgb.DMatrix(X_test), output_margin=True)
    params = {"num_class": 10, "num_leaves": 7, "learning_rate": 0.1, "num_threads": 2, "verbose": -1,
              "min_data_in_leaf": 5}
    return bol.train(params, lgb.Dataset(X, label=labels), loss, ROUNDS).predict(X_test, raw_score=True)


def table(seeds=5):
    """The markdown table: test log-loss and accuracy of the teacher and every student (mean (std))."""
    X, y = load_digits(return_X_y=True)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for seed in range(seeds):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
        teacher = CalibratedClassifierCV(SVC(gamma=0.001), ensemble=False)
        teacher.fit(X_train, y_train)
        soft, p_teacher = teacher.predict_proba(X_train), teacher.predict_proba(X_test)
        results.setdefault(("-", "teacher (SVC)"), []).append(
            (log_loss(y_test, p_teacher, labels=range(10)), accuracy_score(y_test, p_teacher.argmax(1))))
        students = [("hard labels", bo.SoftmaxCrossEntropy(), y_train.astype(np.float64))]
        for t in (1.0, 3.0):
            loss = bo.SoftTargetCrossEntropy(soft, temperature=t)
            students.append((f"teacher's soft targets, T={t:g}", loss, loss.row_labels()))
        mixed = bo.SoftTargetCrossEntropy(0.5 * np.eye(10)[y_train] + 0.5 * soft)
        students.append(("half hard, half soft targets", mixed, mixed.row_labels()))
        for engine in ("xgboost", "lightgbm"):
            for name, loss, labels in students:
                p = loss.predict(student_margins(engine, loss, X_train, labels, X_test))
                results.setdefault((engine, name), []).append(
                    (log_loss(y_test, p, labels=range(10)), accuracy_score(y_test, p.argmax(1))))
    lines = [f"digits, 50/50 stratified splits, {seeds} seeds, students: {ROUNDS} rounds; mean (std)\n",
             "| engine | model | test log-loss | test accuracy |", "|---|---|---:|---:|"]
    for (engine, name), values in results.items():
        v = np.array(values)
        lines.append(f"| {engine} | {name} | {v[:, 0].mean():.4f} ({v[:, 0].std():.4f}) | "
                     f"{v[:, 1].mean():.4f} ({v[:, 1].std():.4f}) |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__ and __doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    print(table(parser.parse_args().seeds))


if __name__ == "__main__":
    main()
