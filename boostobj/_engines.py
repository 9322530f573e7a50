"""The call patterns of the engines' custom-objective and custom-metric APIs, in one place.

xgb.train(obj=f)            f(raw, DMatrix)                      raw: float32 margins (n,) / (n, k)
lgb.train(objective=f)      f(raw, Dataset)                      raw: float64 (n,) / F-ordered (n, k)
XGBRegressor(objective=f)   f(y_true, y_pred[, sample_weight=])  weights by keyword, detected by name
LGBMRegressor(objective=f)  f(y_true, y_pred, weight)            chosen by argument count (3 here)

Metrics: xgb.train(custom_metric=m) wants (name, value), lgb.train(feval=m) wants
(name, value, is_higher_better), the scikit-learn APIs call m(y_true, y_pred[, sample_weight]).
"""
import numpy as np


def is_engine_dataset(obj):
    """An XGBoost DMatrix or a LightGBM Dataset (duck-typed: no engine import needed)."""
    return hasattr(obj, "get_label") and hasattr(obj, "get_weight") and not isinstance(obj, np.ndarray)


def is_lightgbm_dataset(obj):
    return type(obj).__module__.startswith("lightgbm")


def labels_and_weights(dataset):
    """Labels and weights of a DMatrix / Dataset (None when the data set has no weights)."""
    y = dataset.get_label()
    w = dataset.get_weight()
    if w is not None and np.size(w) == 0:  # XGBoost returns an empty array when unweighted
        w = None
    return y, w


def check_float32_labels(y, engine):
    """Both engines store labels as float32: a label beyond its range would become inf (XGBoost
    raises, LightGBM trains on garbage after a cast warning). Refuse it clearly in both."""
    y = np.asarray(y, dtype=np.float64)
    big = np.abs(y) > np.finfo(np.float32).max
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise ValueError(f"y has a label beyond the float32 range ({float(y[i])!r} at row {i}); {engine} stores labels "
                         "as float32: rescale the target")


def unpack(a, b, sample_weight):
    """(y_true, raw, sample_weight) from either call pattern."""
    if is_engine_dataset(b):
        y, w = labels_and_weights(b)
        return y, a, w
    if is_engine_dataset(a):
        raise TypeError("called as f(dataset, raw); the engines call f(raw, dataset)")
    return a, b, sample_weight


def objective_call(loss, a, b, sample_weight=None, smooth=None):
    """``loss``'s (g, h) for an engine call; ``smooth`` (batch losses with state across rounds, e.g.
    GHM's momentum) maps this call's batch statistics to the ones used."""
    y, raw, w = unpack(a, b, sample_weight)
    z = np.asarray(raw)
    # float32 outputs in the layout of the margins: what both engines store, so no copy follows
    # (LightGBM ravels (n, k) in F order, XGBoost reads any strides through the array interface).
    g = np.empty_like(z, dtype=np.float32, order="K")
    h = np.empty_like(z, dtype=np.float32, order="K")
    statistics = None if smooth is None else smooth(loss.statistics(y, z, w))
    return loss.grad_hess(y, z, sample_weight=w, out=(g, h), statistics=statistics)


def metric_call(metric, a, b, sample_weight=None):
    """A metric's value in the shape the calling API expects."""
    y, y_pred, w = unpack(a, b, sample_weight)
    value = metric.compute(y, y_pred, w)
    if not is_engine_dataset(b):
        return value
    if is_lightgbm_dataset(b):
        return metric.name, value, metric.higher_is_better
    return metric.name, value
