"""CatBoost training speed: seconds per round for
  (a) CatBoost's built-in objective,
  (b) a plain numpy ``calc_ders_range`` objective (whole chunk at once; multiclass has no range call,
      so a numpy ``calc_ders_multi`` per row),
  (c) the pure-Python per-object objective of CatBoost's documentation, as CatBoost runs it (it
      numba-compiles a user objective whose methods do not use ``self``, if numba can), and
  (c') the same objective with ``no_jit`` (plain Python),
  (d) the boostobj loss as ``loss_function``,
interleaved (a b c c' d a b ...) and repeated. Every variant uses the same built-in eval metric
(CatBoost requires one with a user objective), so the rows differ only by the objective.

Then quality: test loss of boostobj's model / CatBoost's built-in's (same data, parameters and
seed), over seeds, for the losses with a leaf rule (trained with and without the leaf refresh, at
three label scales: the Newton leaves of a sign gradient depend on it) and Huber; with the
training-time ratio.

    python benchmarks/catboost_training.py [--rows 100000] [--multi-rows 10000] [--rounds 5] [--repeats 3]
                                           [--quality-seeds 4] [--quality-rows 4000]
"""
import time
import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import interleaved, machine, write_result  # noqa: E402

import catboost as cb  # noqa: E402

import boostobj as bo  # noqa: E402


# -- (b) plain numpy objectives ---------------------------------------------------------------------
class NumpySquaredError:
    no_jit = True

    def calc_ders_range(self, approxes, targets, weights):
        der1 = targets - approxes
        der2 = -np.ones_like(der1)
        if weights is not None:
            der1, der2 = der1 * weights, der2 * weights
        return np.column_stack([der1, der2])


class NumpyLogloss:
    no_jit = True

    def calc_ders_range(self, approxes, targets, weights):
        p = 1.0 / (1.0 + np.exp(-approxes))
        der1, der2 = targets - p, -p * (1.0 - p)
        if weights is not None:
            der1, der2 = der1 * weights, der2 * weights
        return np.column_stack([der1, der2])


class NumpySoftmax:
    no_jit = True

    def calc_ders_multi(self, approx, target, weight):
        e = np.exp(approx - approx.max())
        p = e / e.sum()
        der1 = -p
        der1[int(target)] += 1.0
        return der1 * weight, np.diag(-p * (1.0 - p) * weight)


# -- (c) the documentation's per-object objectives (``self`` unused: CatBoost may numba-compile them) --
class DocsSquaredError:
    def calc_ders_range(self, approxes, targets, weights):
        result = []
        for index in range(len(targets)):
            der1 = targets[index] - approxes[index]
            der2 = -1.0
            if weights is not None:
                der1 *= weights[index]
                der2 *= weights[index]
            result.append((der1, der2))
        return result


class DocsLogloss:
    def calc_ders_range(self, approxes, targets, weights):
        result = []
        for index in range(len(targets)):
            e = np.exp(approxes[index])
            p = e / (1 + e)
            der1 = targets[index] - p
            der2 = -p * (1 - p)
            if weights is not None:
                der1 *= weights[index]
                der2 *= weights[index]
            result.append((der1, der2))
        return result


class DocsSoftmax:
    def calc_ders_multi(self, approx, target, weight):
        approx = approx - np.max(approx)
        exp_approx = np.exp(approx)
        exp_sum = exp_approx.sum()
        grad = []
        hess = []
        for j in range(len(approx)):
            der1 = -exp_approx[j] / exp_sum
            if j == target:
                der1 += 1
            hess_row = []
            for j2 in range(len(approx)):
                der2 = exp_approx[j] * exp_approx[j2] / (exp_sum ** 2)
                if j2 == j:
                    der2 -= exp_approx[j] / exp_sum
                hess_row.append(der2 * weight)
            grad.append(der1 * weight)
            hess.append(hess_row)
        return grad, hess


NO_JIT = "c'"


def unjitted(cls):
    """The same objective with ``no_jit``: CatBoost then calls the Python method as it is."""
    return type(cls.__name__ + "NoJit", (cls,), {"no_jit": True})


CASES = [  # name, boostobj loss, built-in, eval metric, numpy, docs, labels
    ("squared error", bo.SquaredError(), "RMSE", "RMSE", NumpySquaredError, DocsSquaredError, "real"),
    ("logistic", bo.Logistic(), "Logloss", "Logloss", NumpyLogloss, DocsLogloss, "binary"),
    ("focal (gamma=2)", bo.Focal(gamma=2.0, alpha=0.25), "Focal:focal_alpha=0.25;focal_gamma=2.0", "Logloss",
     None, None, "binary"),
    ("softmax (4 classes)", bo.SoftmaxCrossEntropy(), "MultiClass", "MultiClass", NumpySoftmax, DocsSoftmax, "class"),
]


def make_data(rows, kind, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 20)).astype(np.float32)
    signal = X[:, 0] + 0.5 * X[:, 1] * X[:, 2] + 0.3 * np.sin(X[:, 3])
    noise = rng.normal(size=rows)
    y = {"real": signal + noise, "binary": (signal + noise > 0.5).astype(np.float64),
         "class": np.digitize(signal + noise, [-1.0, 0.0, 1.0]).astype(np.float64)}[kind]
    return cb.Pool(X, y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--multi-rows", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quality-seeds", type=int, default=4)
    ap.add_argument("--quality-rows", type=int, default=4000)
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # CatBoost's "Failed to optimize method" notes for (c)
    lines = [f"# CatBoost training: seconds per round (median of {args.repeats}, interleaved)", "",
             f"{machine()}, catboost {cb.__version__}; {args.rows} rows x 20 features ({args.multi_rows} for "
             f"multiclass), depth 6, {args.rounds} rounds, 2 threads, the same built-in eval metric in every run.",
             "", "| objective | (a) built-in | (b) numpy | (c) docs per-object, as CatBoost runs it | "
             "(c') docs per-object, no_jit | (d) boostobj | (d)/(a) | (d)/(b) | (c)/(d) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, loss, builtin, metric, numpy_obj, docs_obj, kind in CASES:
        pool = make_data(args.multi_rows if kind == "class" else args.rows, kind)
        extra = {"classes_count": 4} if kind == "class" else {}
        base = {"iterations": args.rounds, "depth": 6, "learning_rate": 0.1, "thread_count": 2, "verbose": False,
                "allow_writing_files": False, "random_seed": 0, "eval_metric": metric}

        def fit(objective, extra=extra):
            params = {**base, "loss_function": objective, **(extra if not isinstance(objective, str) else {})}
            return lambda: cb.CatBoost(params).fit(pool)

        contenders = {"a": fit(builtin), "d": fit(loss)}
        if numpy_obj is not None:
            contenders["b"] = fit(numpy_obj())
            contenders["c"] = fit(docs_obj())
            contenders[NO_JIT] = fit(unjitted(docs_obj)())
        for run in contenders.values():  # warm-up: numba compiles (boostobj from its cache, (c) from scratch)
            run()
        t = {k: v / args.rounds for k, v in interleaved(contenders, repeats=args.repeats).items()}

        def cell(key):
            return f"{t[key]:.4f}" if key in t else "-"

        def ratio(a, b):
            return f"{t[a] / t[b]:.2f}" if a in t and b in t else "-"

        lines.append(f"| {name} | {cell('a')} | {cell('b')} | {cell('c')} | {cell(NO_JIT)} | {cell('d')} | "
                     f"{ratio('d', 'a')} | {ratio('d', 'b')} | {ratio('c', 'd')} |")
        print(lines[-1], flush=True)
    lines += quality(args.quality_seeds, args.quality_rows)
    path = write_result("catboost_training.md", "\n".join(lines) + "\n")
    print(f"wrote {path}")


QUALITY = [  # boostobj loss, CatBoost built-in, label scale (None: positive labels for MAPE)
    (bo.Quantile(alpha=0.9), "Quantile:alpha=0.9", 1.0),
    (bo.Quantile(alpha=0.9), "Quantile:alpha=0.9", 1000.0),
    (bo.Quantile(alpha=0.9), "Quantile:alpha=0.9", 0.01),
    (bo.Quantile(alpha=0.1), "Quantile:alpha=0.1", 1.0),
    (bo.AbsoluteError(), "MAE", 1.0),
    (bo.AbsolutePercentageError(), "MAPE", None),
    (bo.Huber(delta=1.0), "Huber:delta=1.0", 1.0),
]


def quality(seeds, rows):
    """Rows of the quality table (see the module docstring)."""
    import boostobj.catboost as bocb

    params = {"learning_rate": 0.1, "depth": 6, "iterations": 200, "thread_count": 2, "verbose": False,
              "allow_writing_files": False, "random_seed": 0}
    lines = ["", f"## Quality: test loss boostobj / built-in ({seeds} seeds, {rows} training + {rows // 4} test rows, "
             "6 features, Student-t(3) noise, depth 6, lr 0.1, 200 rounds)", "",
             "| loss | built-in | label scale | mean | max | without leaf refresh: mean | max | time boostobj / built-in |",
             "|---|---|---|---|---|---|---|---|"]
    for loss, builtin, scale in QUALITY:
        ratios, plain, times = [], [], []
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            X = rng.normal(size=(rows + rows // 4, 6))
            y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + rng.standard_t(3, size=X.shape[0])
            y = np.exp(0.3 * y) if scale is None else scale * y
            Xtr, ytr, Xte, yte = X[:rows], y[:rows], X[rows:], y[rows:]

            def test_loss(model):
                return loss.mean_loss(yte, model.predict(Xte, prediction_type="RawFormulaVal"))

            t0 = time.perf_counter()
            reference = test_loss(cb.CatBoost({**params, "loss_function": builtin}).fit(Xtr, ytr))
            t1 = time.perf_counter()
            ratios.append(test_loss(bocb.train(params, cb.Pool(Xtr, ytr), loss)) / reference)
            times.append((time.perf_counter() - t1) / (t1 - t0))
            if loss.leaf_rule is not None:
                plain.append(test_loss(bocb.train(params, cb.Pool(Xtr, ytr), loss, leaf_refresh=False)) / reference)
        no_refresh = f"{np.mean(plain):.3f} | {np.max(plain):.3f}" if plain else "- | -"
        lines.append(f"| {loss!r} | {builtin} | {'positive' if scale is None else f'{scale:g}'} | {np.mean(ratios):.3f} | "
                     f"{np.max(ratios):.3f} | {no_refresh} | {np.median(times):.2f} |")
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
