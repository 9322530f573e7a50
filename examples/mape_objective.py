"""The MAPE objective against squared error (and LightGBM's built-in ``mape``), scored by MAPE.
============================================================================================

Seeded synthetic data whose target spans two orders of magnitude (about 1 to 100, multiplicative
noise), so a squared-error model spends its trees on the large labels while MAPE weighs every row's
relative error alike. Both engines, 300 rounds, several seeds; mean and standard deviation of the
test MAPE (a fraction, not %) are printed. boostobj's models start from the loss's init_score (the
weighted median with weights 1/\|y\|) and refresh their leaves (weighted medians of the residuals with
the same weights), as LightGBM's built-in ``mape`` does; the "no refresh" rows show what the plain
Newton leaves of a constant-Hessian objective give.

    python examples/mape_objective.py [--seeds 5] [--rows 20000]
"""
import argparse
import time

import lightgbm as lgb
import numpy as np
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box

ROUNDS, LEARNING_RATE = 300, 0.05


def data(seed, rows):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * rows, 8))
    signal = 1.2 * X[:, 0] + 0.8 * np.sin(2 * X[:, 1]) + 0.5 * X[:, 2] * X[:, 3]
    y = np.exp(2.3 + 0.9 * signal / signal.std() + 0.3 * rng.normal(size=2 * rows))  # ~1 .. ~100
    return X[:rows], y[:rows], X[rows:], y[rows:]


def xgboost_models(Xtr, ytr, Xte):
    params = {"eta": LEARNING_RATE, "max_depth": 6, "nthread": 2}
    dtr, dte = xgb.DMatrix(Xtr, label=ytr), xgb.DMatrix(Xte)
    yield "built-in reg:squarederror", xgb.train({**params, "objective": "reg:squarederror"}, dtr, ROUNDS).predict(dte)
    loss = bo.AbsolutePercentageError()
    yield "boostobj MAPE", box.train(params, dtr, loss, ROUNDS).predict(dte)
    yield "boostobj MAPE, no refresh", box.train(params, dtr, loss, ROUNDS, leaf_refresh=False).predict(dte)


def lightgbm_models(Xtr, ytr, Xte):
    params = {"learning_rate": LEARNING_RATE, "num_leaves": 31, "verbose": -1, "num_threads": 2}
    for objective in ("regression", "mape"):
        booster = lgb.train({**params, "objective": objective}, lgb.Dataset(Xtr, label=ytr), ROUNDS)
        yield f"built-in {objective}", booster.predict(Xte)
    loss = bo.AbsolutePercentageError()
    yield "boostobj MAPE", bol.train(params, lgb.Dataset(Xtr, label=ytr), loss, ROUNDS).predict(Xte)
    yield "boostobj MAPE, no refresh", bol.train(params, lgb.Dataset(Xtr, label=ytr), loss, ROUNDS,
                                                 leaf_refresh=False).predict(Xte)


def table(seeds=5, rows=20000):
    """The markdown table: test MAPE and training seconds of every model (mean (std) over seeds)."""
    mape = bo.metrics.MAPE()
    scores: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for seed in range(seeds):
        Xtr, ytr, Xte, yte = data(seed, rows)
        for engine, models in (("xgboost", xgboost_models), ("lightgbm", lightgbm_models)):
            started = time.perf_counter()
            for name, prediction in models(Xtr, ytr, Xte):  # a generator: each model trains when asked
                seconds = time.perf_counter() - started
                scores.setdefault((engine, name), []).append((mape(yte, prediction), seconds))
                started = time.perf_counter()
    lines = [f"test MAPE (fraction) and training seconds (2 threads, including the test prediction), {rows} train / "
             f"{rows} test rows, {ROUNDS} rounds, learning rate {LEARNING_RATE}, {seeds} seeds: mean (std)\n",
             "| engine | model | test MAPE | seconds |", "|---|---|---:|---:|"]
    for (engine, name), values in scores.items():
        v = np.array(values)
        lines.append(f"| {engine} | {name} | {v[:, 0].mean():.4f} ({v[:, 0].std():.4f}) | {v[:, 1].mean():.2f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__ and __doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    print(table(args.seeds, args.rows))

if __name__ == "__main__":
    main()
