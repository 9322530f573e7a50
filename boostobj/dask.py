"""Dask: global start scores and class counts, and train helpers for xgboost.dask / lightgbm.dask.

Both engines call a custom objective on each worker with that worker's partition only, so anything
that needs the whole data set is computed here first, exactly, and fixed in the objective:

* ``init_score(loss, y, sample_weight)``: classification losses depend on the data only through the
  weighted class totals (one pass); SquaredError is the weighted mean (one pass); every other
  regression loss (median, quantiles, Huber, ...) is found by the same safeguarded Newton/bisection
  as on one machine, with each G(c) = sum_i w_i dL/dc evaluated as a Dask reduction over blocks:
  exact to a relative 1e-12 (about 40 reductions; no approximate quantile sketch).
* ``bind(loss, y)``: the loss with its data-dependent parts fixed (ClassBalanced's global counts).

Recipe without the helpers: ``loss = bind(loss, y)``, ``c = init_score(loss, y, w)``, then pass
``c`` as XGBoost ``base_score`` (``boostobj.xgboost.booster_params``) or LightGBM ``init_score``
(a Dask array filled with c, and add c to the raw predictions).
"""
import numpy as np

from . import _validation as V
from ._solve import newton_1d
from .losses import SquaredError


def _as_dask_array(values):
    import dask.array as da

    if values is None or isinstance(values, da.Array):
        return values
    if hasattr(values, "to_dask_array"):
        return values.to_dask_array(lengths=True)
    return da.from_array(np.asarray(values))


def _blocks(y, w):
    """Matching (label, weight) delayed blocks."""
    y = _as_dask_array(y).ravel()
    if w is None:
        return [(b, None) for b in y.to_delayed().ravel()]
    w = _as_dask_array(w).ravel().rechunk(y.chunks)
    return list(zip(y.to_delayed().ravel(), w.to_delayed().ravel()))


def _compute(tasks):
    import dask

    return dask.compute(*tasks)


def class_totals(y, sample_weight=None, n_classes=None):
    """Global weighted class totals (and n_classes) of integer labels 0..k-1."""
    from dask import delayed

    def block_totals(yb, wb):
        yb = np.asarray(yb, dtype=np.float64)
        V.as_labels(yb, None, "real")  # finite labels, clear error otherwise
        if ((yb < 0) | (yb != np.floor(yb))).any():
            raise ValueError("class labels must be integers >= 0")
        return np.bincount(yb.astype(np.int64), weights=None if wb is None else np.asarray(wb, np.float64))

    parts = _compute([delayed(block_totals)(yb, wb) for yb, wb in _blocks(y, sample_weight)])
    k = max([p.shape[0] for p in parts] + [n_classes or 0, 2])
    return sum(np.pad(p, (0, k - p.shape[0])) for p in parts)


def class_counts(y, n_classes=None):
    """Global (unweighted) class counts, e.g. for ``ClassBalanced(counts=...)``."""
    return class_totals(y, None, n_classes)


def bind(loss, y, n_classes=None):
    """``loss.bind`` with global quantities: ClassBalanced gets the counts of the whole data."""
    if loss.name == "class_balanced" and loss.counts is None:
        return loss.with_params(counts=class_counts(y, n_classes).tolist())
    return loss


def init_score(loss, y, sample_weight=None, n_classes=None):
    """The exact optimal constant of ``loss`` over Dask labels (see the module docstring)."""
    from dask import delayed

    if loss.task != "regression":
        totals = class_totals(y, sample_weight, n_classes)
        if loss.task == "binary" and totals.shape[0] > 2:
            raise ValueError(f"{loss!r} is a binary loss but the labels have {totals.shape[0]} classes")
        labels = np.arange(totals.shape[0], dtype=np.float64)
        keep = totals > 0
        return loss.init_score(labels[keep], totals[keep], n_classes=totals.shape[0])

    blocks = _blocks(y, sample_weight)
    if loss == SquaredError():
        def moments(yb, wb):
            yb = V.as_labels(yb, None, "real")
            wb = np.ones_like(yb) if wb is None else V.as_weights(wb, yb.shape[0])
            return float(np.dot(wb, yb)), float(wb.sum())

        parts = _compute([delayed(moments)(yb, wb) for yb, wb in blocks])
        return sum(p[0] for p in parts) / sum(p[1] for p in parts)

    def bounds(yb):
        yb = V.as_labels(yb, None, "real")
        return float(yb.min()), float(yb.max())

    parts = _compute([delayed(bounds)(yb) for yb, _ in blocks])
    lo, hi = min(p[0] for p in parts), max(p[1] for p in parts)
    if lo == hi:
        return lo
    exact = loss.with_params(hessian="exact") if "hessian" in loss.params else loss

    def block_sums(yb, wb, c):
        yb = np.asarray(yb, dtype=np.float64)
        g, h = exact.grad_hess(yb, np.full(yb.shape[0], c), None if wb is None else np.asarray(wb, np.float64))
        return float(g.sum()), float(h.sum())

    def sum_grad_hess(c):
        sums = _compute([delayed(block_sums)(yb, wb, c) for yb, wb in blocks])
        return sum(s[0] for s in sums), sum(s[1] for s in sums)

    return newton_1d(sum_grad_hess, lo, hi, xtol=1e-12)


# -- XGBoost -----------------------------------------------------------------------------------------
def xgboost_train(client, params, X, y, loss, sample_weight=None, num_boost_round=10, **kwargs):
    """``xgboost.dask.train`` with ``obj=loss`` started from the global ``init_score`` (as
    ``base_score``). Returns xgboost.dask's {"booster", "history"} dict."""
    from xgboost import dask as dxgb

    from .xgboost import booster_params

    n_classes = params.get("num_class")
    loss = bind(loss, y, n_classes)
    init = init_score(loss, y, sample_weight, n_classes)
    dtrain = dxgb.DaskDMatrix(client, X, y, weight=sample_weight)
    return dxgb.train(client, booster_params(params, loss, init), dtrain, num_boost_round, obj=loss, **kwargs)


def xgboost_predict(client, booster, X, loss):
    """Predictions through the loss's link (a Dask array); margins include the start score."""
    from xgboost import dask as dxgb

    margin = dxgb.predict(client, booster, X, output_margin=True)
    return margin.map_blocks(loss.predict, dtype=np.float64)


# -- LightGBM ----------------------------------------------------------------------------------------
def lightgbm_fit(client, X, y, loss, sample_weight=None, **params):
    """Fit ``lightgbm.dask`` with ``objective=loss`` from the global ``init_score``; the start score is
    folded into the model, so ``model.predict(X, raw_score=True)`` includes it. Returns the fitted
    Dask model (use ``lightgbm_predict`` for probabilities)."""
    import dask.array as da
    from lightgbm import dask as dlgb

    from .lightgbm import fold_init_score

    loss = bind(loss, y, params.get("num_class"))
    init = init_score(loss, y, sample_weight, params.get("num_class"))
    ya = _as_dask_array(y).ravel()
    chunks = ya.chunks[0]
    if np.ndim(init) == 0:
        init_rows = da.full(ya.shape, float(init), chunks=chunks)
    else:
        init_rows = da.tile(da.from_array(np.asarray(init)[None, :]), (ya.shape[0], 1)).rechunk((chunks, -1))
    cls = dlgb.DaskLGBMRegressor if loss.task == "regression" else dlgb.DaskLGBMClassifier
    params = {"verbose": -1, "metric": "None", **params}
    model = cls(client=client, objective=loss, **params)
    model.fit(X, y, sample_weight=sample_weight, init_score=init_rows)
    fold_init_score(model.booster_, init)
    return model


def lightgbm_predict(model, X, loss):
    """Predictions through the loss's link (a Dask array)."""
    raw = model.predict(X, raw_score=True)
    return raw.map_blocks(loss.predict, dtype=np.float64)
