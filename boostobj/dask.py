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


_MAGNITUDE_BITS = np.int64(0x7FFFFFFFFFFFFFFF)


def _ordered_key(x):
    """An int64 that orders like the float64 x (negative floats have their magnitude bits flipped)."""
    bits = int(np.array(x, dtype=np.float64).view(np.int64))
    return bits ^ int(_MAGNITUDE_BITS) if bits < 0 else bits


def _from_ordered_key(key):
    bits = key ^ int(_MAGNITUDE_BITS) if key < 0 else key
    return float(np.array(bits, dtype=np.int64).view(np.float64))


class DaskLabels:
    """Label data of Dask arrays for ``boostobj._start``: every reduction is a sum over blocks.

    Each block is validated against the loss's label domain, and its weights checked, as on one
    machine. Construction computes the largest label and the total weight (one ``dask.compute``).

    Parameters
    ----------
    loss : Loss
        The loss whose label domain and number of classes apply.
    y : dask.array.Array, Dask collection with ``to_dask_array``, or array_like
        Labels, flattened to 1-D.
    sample_weight : same types as ``y``, optional
        Per-row weights, rechunked to the chunks of ``y``.
    n_classes : int, optional
        Number of classes, for classification losses (checked against the loss and the labels).

    Raises
    ------
    ValueError
        If a label is outside the loss's domain, a weight is negative or not finite, a label is a
        class index >= the number of classes, or the weights sum beyond the float64 range.
    """

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
        if not np.isfinite(self._total):
            raise ValueError("sample_weight sums beyond the float64 range: rescale the weights (only their ratios "
                             "matter for a start score)")

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
        """Return the sum of the sample weights (the number of labels when unweighted).

        Returns
        -------
        float
            The total weight.
        """
        return self._total

    def class_totals(self, weighted=True):
        """Total (weighted) count of each class 0..k-1.

        Parameters
        ----------
        weighted : bool, default=True
            Sum the sample weights (True) or count the labels (False).

        Returns
        -------
        ndarray of shape (k,)
            Float64 totals, one per class.
        """
        k = self.n_classes

        def totals(block):
            yb, wb = block
            w = wb if weighted and wb.size else None
            return np.bincount(yb.astype(np.int64), weights=w, minlength=k).astype(np.float64)

        return np.sum(self._reduce(totals), axis=0)

    def weighted_mean(self):
        """Return the weighted mean of the labels (plain mean when unweighted).

        Returns
        -------
        float
            The mean label.
        """
        def moments(block):
            yb, wb = block
            return (float(np.dot(wb, yb)), float(wb.sum())) if wb.size else (float(yb.sum()), float(yb.shape[0]))

        parts = self._reduce(moments)
        return sum(p[0] for p in parts) / sum(p[1] for p in parts)

    def label_range(self):
        """Return the smallest and the largest label.

        Returns
        -------
        (float, float)
            (smallest label, largest label).
        """
        parts = self._reduce(lambda block: (float(block[0].min()), float(block[0].max())) if block[0].size
                             else (np.inf, -np.inf))
        return min(p[0] for p in parts), max(p[1] for p in parts)

    def weighted_quantile(self, alpha):
        """The smallest label c with W(y <= c) >= alpha W (as the local ``weighted_quantile``).

        Found by bisection on that non-decreasing step function over the float64 values in their
        bit order (at most 64 distributed reductions, whatever the label range); exact, no
        approximate quantile sketch.

        Parameters
        ----------
        alpha : float
            Quantile level in (0, 1).

        Returns
        -------
        float
            A label of the data.
        """
        def weight_at_or_below(block, c):
            yb, wb = block
            below = yb <= c
            return float(wb[below].sum()) if wb.size else float(below.sum())

        def reached(c):  # W(y <= c) >= alpha W, with the same relative slack as the local version
            return sum(self._reduce(weight_at_or_below, c)) >= alpha * self._total * (1.0 - 1e-12)

        lo, hi = self.label_range()
        if reached(lo):
            return lo
        lo_key, hi_key = _ordered_key(lo), _ordered_key(hi)  # invariant: not reached(lo), reached(hi)
        while hi_key - lo_key > 1:
            mid = lo_key + (hi_key - lo_key) // 2
            if reached(_from_ordered_key(mid)):
                hi_key = mid
            else:
                lo_key = mid
        return _from_ordered_key(hi_key)  # W(y <= c) only jumps at labels: the smallest such c is one

    def sum_grad_hess(self, loss, c):
        """Sum ``loss``'s weighted gradient and Hessian over all rows at the constant margin ``c``.

        Parameters
        ----------
        loss : Loss
            A regression or binary loss (its own Hessian policy is used).
        c : float
            The constant raw margin.

        Returns
        -------
        (float, float)
            The summed gradient G and Hessian H.
        """
        def sums(block, c):
            yb, wb = block
            g, h = loss.grad_hess(yb, np.full(yb.shape[0], c), wb if wb.size else None)
            return float(g.sum()), float(h.sum())

        parts = self._reduce(sums, c)
        return sum(p[0] for p in parts), sum(p[1] for p in parts)


def class_counts(y, n_classes=None):
    """Global (unweighted) class counts of integer labels 0..k-1, e.g. for ``ClassBalanced(counts=...)``.

    Parameters
    ----------
    y : dask.array.Array, Dask collection with ``to_dask_array``, or array_like
        Integer class labels.
    n_classes : int, optional
        Number of classes k; by default the largest label + 1 (at least 2).

    Returns
    -------
    ndarray of shape (k,)
        Count of each class, as float64.

    Raises
    ------
    ValueError
        If a label is not a class index, or is >= ``n_classes``.
    """
    from .losses import SoftmaxCrossEntropy

    return DaskLabels(SoftmaxCrossEntropy(), y, None, n_classes).class_totals(weighted=False)


def bind(loss, y, n_classes=None):
    """``loss.bind`` with global quantities: ClassBalanced gets the counts of the whole data.

    Parameters
    ----------
    loss : Loss
        Any loss; only a ``ClassBalanced`` without ``counts`` is changed.
    y : dask.array.Array, Dask collection with ``to_dask_array``, or array_like
        The training labels.
    n_classes : int, optional
        Number of classes of a multiclass base (2 for a binary base, whatever is given).

    Returns
    -------
    Loss
        A ``ClassBalanced`` copy with ``counts`` set to the global class counts of ``y``;
        ``loss`` itself for every other loss.
    """
    if loss.name == "class_balanced" and loss.counts is None:
        k = 2 if loss.task == "binary" else n_classes
        return loss.with_params(counts=DaskLabels(loss, y, None, k).class_totals(weighted=False).tolist())
    return loss


def init_score(loss, y, sample_weight=None, n_classes=None):
    """The exact optimal constant of ``loss`` over Dask labels.

    The very routine behind ``loss.init_score``, with distributed reductions (sums over blocks).

    Parameters
    ----------
    loss : Loss
        The loss (``bind`` it first when it depends on the labels, as ``ClassBalanced``).
    y : dask.array.Array, Dask collection with ``to_dask_array``, or array_like
        Labels.
    sample_weight : same types as ``y``, optional
        Per-row weights.
    n_classes : int, optional
        Number of classes, for multiclass losses (covers classes missing from the labels).

    Returns
    -------
    float or ndarray of shape (k,)
        The start score in margin space: one margin per class for multiclass losses.

    Raises
    ------
    ValueError
        If a label is outside the loss's domain, a weight is invalid, the weights sum beyond the
        float64 range, or the total weight is not positive.
    """
    return _start.start_score(loss, DaskLabels(loss, y, sample_weight, n_classes))


# -- engine helpers: the code lives in the engine adapters; these names keep one import for Dask users
def xgboost_train(client, params, X, y, loss, sample_weight=None, num_boost_round=10, **kwargs):
    """``boostobj.xgboost.dask_train``: xgboost.dask from the global start score.

    The loss is bound to the global labels (``bind``), its start score (``init_score``) becomes
    ``base_score``, and ``xgboost.dask.train`` runs with ``obj=loss``.

    Parameters
    ----------
    client : distributed.Client
        The Dask client.
    params : dict
        XGBoost booster parameters (``num_class`` for multiclass losses).
    X : Dask collection
        Features.
    y : Dask collection
        Labels.
    loss : Loss
        The objective.
    sample_weight : Dask collection, optional
        Per-row weights.
    num_boost_round : int, default=10
        Number of boosting rounds.
    **kwargs
        Passed to ``xgboost.dask.train``.

    Returns
    -------
    dict
        The ``{"booster": ..., "history": ...}`` of xgboost.dask.
    """
    from .xgboost import dask_train

    return dask_train(client, params, X, y, loss, sample_weight, num_boost_round, **kwargs)


def xgboost_predict(client, booster, X, loss):
    """``boostobj.xgboost.dask_predict``: predictions through the loss's link (a Dask array).

    Parameters
    ----------
    client : distributed.Client
        The Dask client.
    booster : xgboost.Booster
        A booster trained with this loss (e.g. ``xgboost_train(...)["booster"]``).
    X : Dask collection
        Features.
    loss : Loss
        The loss the booster was trained with.

    Returns
    -------
    dask.array.Array
        ``loss.predict`` of the margins (which include the start score).
    """
    from .xgboost import dask_predict

    return dask_predict(client, booster, X, loss)


def lightgbm_fit(client, X, y, loss, sample_weight=None, **params):
    """``boostobj.lightgbm.dask_fit``: lightgbm.dask from the global start score, folded into the model.

    The loss is bound to the global labels (``bind``), its start score (``init_score``) is passed
    as ``init_score`` and then folded into the model, so raw predictions include it.

    Parameters
    ----------
    client : distributed.Client
        The Dask client.
    X : Dask collection
        Features.
    y : Dask collection
        Labels.
    loss : Loss
        The objective.
    sample_weight : Dask collection, optional
        Per-row weights.
    **params
        Passed to ``DaskLGBMRegressor`` (regression losses) or ``DaskLGBMClassifier`` (others);
        ``num_class`` for multiclass losses.

    Returns
    -------
    lightgbm.DaskLGBMRegressor or lightgbm.DaskLGBMClassifier
        The fitted model (``lightgbm_predict`` gives predictions through the link).
    """
    from .lightgbm import dask_fit

    return dask_fit(client, X, y, loss, sample_weight, **params)


def lightgbm_predict(model, X, loss):
    """``boostobj.lightgbm.dask_predict``: predictions through the loss's link (a Dask array).

    Parameters
    ----------
    model : lightgbm.DaskLGBMRegressor or lightgbm.DaskLGBMClassifier
        A model fitted with this loss (e.g. by ``lightgbm_fit``).
    X : Dask collection
        Features.
    loss : Loss
        The loss the model was fitted with.

    Returns
    -------
    dask.array.Array
        ``loss.predict`` of the raw scores.
    """
    from .lightgbm import dask_predict

    return dask_predict(model, X, loss)
