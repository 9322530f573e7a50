"""Dask: global start scores and class counts, and train helpers for xgboost.dask / lightgbm.dask.

Both engines call a custom objective on each worker with that worker's partition only, so anything
that needs the whole data set is computed here first, exactly, and fixed in the objective:

* ``init_score(loss, y, sample_weight)``: the very routine behind ``loss.init_score``
  (``boostobj._start``), fed by ``DaskLabels``, whose reductions (class totals, weighted mean, label
  range, sums of the gradient at a constant, weighted quantile by bisection on weighted counts) are
  sums over blocks: exact to a relative 1e-12, no approximate quantile sketch.
* ``bind(loss, y)``: the loss with its data-dependent parts fixed (ClassBalanced's global counts).

Recipe without the helpers: ``loss = bind(loss, y)``, ``c = init_score(loss, y, w)``, then pass
``c`` as XGBoost ``base_score`` (``boostobj.xgboost.booster_params``) or LightGBM ``init_score``
(a Dask array filled with c, and add c to the raw predictions).
"""
import numpy as np

from . import _start
from . import _validation as V


def _as_dask_array(values):
    import dask.array as da

    if values is None or isinstance(values, da.Array):
        return values
    if hasattr(values, "to_dask_array"):
        return values.to_dask_array(lengths=True)
    return da.from_array(np.asarray(values))


def _compute(tasks):
    import dask

    return dask.compute(*tasks)


class DaskLabels:
    """Label data of Dask arrays for ``boostobj._start``: each reduction is a sum over blocks, each
    block validated against the loss's label domain and weights as on one machine."""

    def __init__(self, loss, y, sample_weight=None, n_classes=None):
        from dask import delayed

        y = _as_dask_array(y).ravel()
        w = None if sample_weight is None else _as_dask_array(sample_weight).ravel().rechunk(y.chunks)
        self.loss = loss
        blocks = y.to_delayed().ravel()
        wblocks = [None] * len(blocks) if w is None else w.to_delayed().ravel()
        check = delayed(self._checked_block)
        # validate once, keep the validated blocks (persisted in the graph of every reduction)
        self.blocks = [check(yb, wb) for yb, wb in zip(blocks, wblocks)]
        tops, totals = zip(*_compute([delayed(self._summary)(b) for b in self.blocks]))
        self.n_classes = loss.resolve_n_classes(np.array([max(tops)]), n_classes)
        if self.n_classes is not None and max(tops) >= self.n_classes:
            raise ValueError(f"y contains class {max(tops):g} but {loss!r} has {self.n_classes} classes")
        self._total = float(sum(totals))

    def _checked_block(self, yb, wb):
        yb = V.as_labels(yb, None, self.loss.domain, None, what=repr(self.loss))
        wb = V.as_weights(wb, yb.shape[0]) if wb is not None else np.empty(0)
        return yb, wb

    @staticmethod
    def _summary(block):
        yb, wb = block
        return (float(yb.max()) if yb.size else -np.inf), (float(wb.sum()) if wb.size else float(yb.shape[0]))

    def _reduce(self, fn, *args):
        from dask import delayed

        return _compute([delayed(fn)(b, *args) for b in self.blocks])

    def total_weight(self):
        return self._total

    def class_totals(self, weighted=True):
        k = self.n_classes

        def totals(block):
            yb, wb = block
            w = wb if weighted and wb.size else None
            return np.bincount(yb.astype(np.int64), weights=w, minlength=k).astype(np.float64)

        return np.sum(self._reduce(totals), axis=0)

    def weighted_mean(self):
        def moments(block):
            yb, wb = block
            return (float(np.dot(wb, yb)), float(wb.sum())) if wb.size else (float(yb.sum()), float(yb.shape[0]))

        parts = self._reduce(moments)
        return sum(p[0] for p in parts) / sum(p[1] for p in parts)

    def label_range(self):
        parts = self._reduce(lambda block: (float(block[0].min()), float(block[0].max())) if block[0].size
                             else (np.inf, -np.inf))
        return min(p[0] for p in parts), max(p[1] for p in parts)

    def weighted_quantile(self, alpha):
        """The smallest label c with W(y <= c) >= alpha W (as the local weighted_quantile): bisection
        on that non-decreasing step function, then snapped onto the label it converged to."""
        def weight_at_or_below(block, c):
            yb, wb = block
            below = yb <= c
            return float(wb[below].sum()) if wb.size else float(below.sum())

        def smallest_label_from(block, c):
            above = block[0][block[0] >= c]
            return float(above.min()) if above.size else np.inf

        lo, hi = self.label_range()
        c = _start.newton_1d(lambda c: (sum(self._reduce(weight_at_or_below, c)) - alpha * self._total, 0.0),
                             lo, hi, xtol=1e-15)
        return min(self._reduce(smallest_label_from, c - 4e-15 * (1.0 + abs(c))))

    def sum_grad_hess(self, loss, c):
        def sums(block, c):
            yb, wb = block
            g, h = loss.grad_hess(yb, np.full(yb.shape[0], c), wb if wb.size else None)
            return float(g.sum()), float(h.sum())

        parts = self._reduce(sums, c)
        return sum(p[0] for p in parts), sum(p[1] for p in parts)


def class_counts(y, n_classes=None):
    """Global (unweighted) class counts of integer labels 0..k-1, e.g. for ``ClassBalanced(counts=...)``."""
    from .losses import SoftmaxCrossEntropy

    return DaskLabels(SoftmaxCrossEntropy(), y, None, n_classes).class_totals(weighted=False)


def bind(loss, y, n_classes=None):
    """``loss.bind`` with global quantities: ClassBalanced gets the counts of the whole data."""
    if loss.name == "class_balanced" and loss.counts is None:
        k = 2 if loss.task == "binary" else n_classes
        return loss.with_params(counts=DaskLabels(loss, y, None, k).class_totals(weighted=False).tolist())
    return loss


def init_score(loss, y, sample_weight=None, n_classes=None):
    """The exact optimal constant of ``loss`` over Dask labels: ``loss.init_score``'s own routine
    with distributed reductions."""
    return _start.start_score(loss, DaskLabels(loss, y, sample_weight, n_classes))


# -- engine helpers: the code lives in the engine adapters; these names keep one import for Dask users
def xgboost_train(client, params, X, y, loss, sample_weight=None, num_boost_round=10, **kwargs):
    """``boostobj.xgboost.dask_train``: xgboost.dask from the global start score."""
    from .xgboost import dask_train

    return dask_train(client, params, X, y, loss, sample_weight, num_boost_round, **kwargs)


def xgboost_predict(client, booster, X, loss):
    """``boostobj.xgboost.dask_predict``: predictions through the loss's link (a Dask array)."""
    from .xgboost import dask_predict

    return dask_predict(client, booster, X, loss)


def lightgbm_fit(client, X, y, loss, sample_weight=None, **params):
    """``boostobj.lightgbm.dask_fit``: lightgbm.dask from the global start score, folded into the model."""
    from .lightgbm import dask_fit

    return dask_fit(client, X, y, loss, sample_weight, **params)


def lightgbm_predict(model, X, loss):
    """``boostobj.lightgbm.dask_predict``: predictions through the loss's link (a Dask array)."""
    from .lightgbm import dask_predict

    return dask_predict(model, X, loss)
