"""The call patterns of the engines' custom-objective and custom-metric APIs, in one place.

xgb.train(obj=f)            f(preds, DMatrix)                    preds: float32 margins (n,) / (n, k)
lgb.train(objective=f)      f(preds, Dataset)                    preds: float64 (n,) / F-ordered (n, k)
XGBRegressor(objective=f)   f(y_true, y_pred[, sample_weight=])  weights by keyword, detected by name
LGBMRegressor(objective=f)  f(y_true, y_pred, weight)            chosen by argument count (3 here)
"""
import numpy as np


def is_engine_dataset(obj):
    """An XGBoost DMatrix or a LightGBM Dataset (duck-typed: no engine import needed)."""
    return hasattr(obj, "get_label") and hasattr(obj, "get_weight") and not isinstance(obj, np.ndarray)


def labels_and_weights(dataset):
    """Labels and weights of a DMatrix / Dataset (None when the data set has no weights)."""
    y = dataset.get_label()
    w = dataset.get_weight()
    if w is not None and np.size(w) == 0:  # XGBoost returns an empty array when unweighted
        w = None
    return y, w


def unpack(a, b, sample_weight):
    """(y_true, raw_predictions, sample_weight) from either call pattern."""
    if is_engine_dataset(b):
        y, w = labels_and_weights(b)
        return y, a, w
    if is_engine_dataset(a):
        raise TypeError("objective called as f(dataset, preds); the engines call f(preds, dataset)")
    return a, b, sample_weight


def objective_call(loss, a, b, sample_weight=None):
    y, preds, w = unpack(a, b, sample_weight)
    z = np.asarray(preds)
    # float32 outputs in the layout of the margins: what both engines store, so no copy follows
    # (LightGBM ravels (n, k) in F order, XGBoost reads any strides through the array interface).
    g = np.empty_like(z, dtype=np.float32, order="K")
    h = np.empty_like(z, dtype=np.float32, order="K")
    return loss.grad_hess(y, z, sample_weight=w, out=(g, h))
