"""The demo (``make demo``): boostobj losses in XGBoost, LightGBM and CatBoost on data bundled with
scikit-learn (no download). Prints one row per (data set, loss, engine) with the test metric and
the training time, every model started from ``loss.init_score``. CatBoost hands an objective chunks
of rows, so it skips the batch losses (their derivatives need all rows)."""
import time
import warnings

import numpy as np


def _datasets():
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
    from sklearn.model_selection import train_test_split

    out = {}
    for name, loader, stratify in (("diabetes", load_diabetes, False), ("breast_cancer", load_breast_cancer, True),
                                   ("wine", load_wine, True)):
        X, y = loader(return_X_y=True)
        out[name] = train_test_split(X, y.astype(np.float64), test_size=0.3, random_state=0,
                                     stratify=y if stratify else None)
    return out


def _metric(loss, y, pred):
    from sklearn.metrics import accuracy_score, log_loss, mean_pinball_loss, root_mean_squared_error

    if loss.task == "regression":
        if loss.name == "quantile":
            return f"pinball@{loss.alpha}", mean_pinball_loss(y, pred, alpha=loss.alpha)
        return "rmse", root_mean_squared_error(y, pred)
    if loss.task == "binary":
        return "logloss / acc", (log_loss(y, np.clip(pred, 1e-15, 1 - 1e-15)), accuracy_score(y, pred > 0.5))
    return "logloss / acc", (log_loss(y, pred, labels=np.arange(pred.shape[1])), accuracy_score(y, pred.argmax(1)))


def main():
    import catboost as cb
    import lightgbm as lgb
    import xgboost as xgb

    import boostobj as bo
    import boostobj.catboost as bocb
    import boostobj.lightgbm as bol
    import boostobj.xgboost as box

    warnings.filterwarnings("ignore", category=UserWarning)
    data = _datasets()
    plan = [
        ("diabetes", [bo.SquaredError(), bo.Huber(delta=10.0), bo.LogCosh(hessian="irls"), bo.Quantile(alpha=0.9),
                      bo.Poisson(), bo.Gamma()]),  # log link: the booster predicts means
        ("breast_cancer", [bo.Logistic(), bo.Focal(gamma=2.0), bo.ClassBalanced(beta=0.99, base="focal"),
                           bo.GHMC(momentum=0.75), bo.Dice()]),  # batch losses (Dice: scores, no posterior)
        ("wine", [bo.SoftmaxCrossEntropy(), bo.SoftmaxFocal(gamma=2.0), bo.SoftmaxGHMC()]),
    ]
    rounds = 200
    header = f"{'data':<14}{'loss':<42}{'engine':<10}{'metric':<15}{'value':>18}{'seconds':>9}"
    print(header)
    print("-" * len(header))
    for dname, losses in plan:
        X_tr, X_te, y_tr, y_te = data[dname]
        for unbound in losses:
            loss = unbound.bind(y_tr)  # ClassBalanced: the training class counts, needed again to predict
            for engine in ("xgboost", "lightgbm", "catboost"):
                if engine == "catboost" and loss.reads_whole_batch:
                    continue
                t0 = time.perf_counter()
                if engine == "catboost":
                    model = bocb.train({"depth": 3, "learning_rate": 0.05, "thread_count": 2, "verbose": False,
                                        "allow_writing_files": False}, cb.Pool(X_tr, y_tr), loss, rounds)
                    pred = bocb.predict(model, X_te, loss)
                elif engine == "xgboost":
                    booster = box.train({"max_depth": 3, "eta": 0.05, "nthread": 2}, xgb.DMatrix(X_tr, label=y_tr),
                                        loss, rounds)
                    pred = box.predict(booster, X_te, loss)
                else:
                    booster = bol.train({"num_leaves": 8, "learning_rate": 0.05, "verbose": -1, "num_threads": 2,
                                         "min_data_in_leaf": 5}, lgb.Dataset(X_tr, label=y_tr), loss, rounds)
                    pred = bol.predict(booster, X_te, loss)
                seconds = time.perf_counter() - t0
                name, value = _metric(loss, y_te, pred)
                shown = f"{value[0]:.4f} / {value[1]:.3f}" if isinstance(value, tuple) else f"{value:.4f}"
                label = repr(unbound)
                print(f"{dname:<14}{label:<42}{engine:<10}{name:<15}{shown:>18}{seconds:>9.2f}")
    print(f"\n{rounds} rounds each; test split 30 %; times include first-call compilation "
          "(cached on disk for the next run).")


if __name__ == "__main__":
    main()
