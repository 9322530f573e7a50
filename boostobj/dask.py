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

from . import _leaves, _start
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
        if self.n_classes is not None and loss.domain.is_classes and max(tops) >= self.n_classes:
            raise ValueError(f"y contains class {max(tops):g} but {loss!r} has {self.n_classes} classes")
        self._total = float(sum(totals))
        if not np.isfinite(self._total):
            raise ValueError("sample_weight sums beyond the float64 range: rescale the weights (only their ratios "
                             "matter for a start score)")

    def _checked_block(self, yb, wb):
        yb = V.as_labels(yb, None, self.loss.domain, None, what=self.loss)
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
        """``LocalLabels.total_weight``, over all blocks."""
        return self._total

    def class_totals(self, weighted=True):
        """``LocalLabels.class_totals``, summed over blocks."""
        k = self.n_classes

        def totals(block):
            yb, wb = block
            return _start.class_totals(yb, wb if weighted else np.empty(0), k)

        return np.sum(self._reduce(totals), axis=0)

    def label_totals(self, n):
        """``LocalLabels.label_totals``, summed over blocks."""
        return np.sum(self._reduce(lambda block: _start.label_totals(block[0], block[1], n)), axis=0)

    def weighted_mean(self):
        """``LocalLabels.weighted_mean``, from per-block sums."""
        def moments(block):
            yb, wb = block
            return (float(np.dot(wb, yb)), float(wb.sum())) if wb.size else (float(yb.sum()), float(yb.shape[0]))

        parts = self._reduce(moments)
        return sum(p[0] for p in parts) / sum(p[1] for p in parts)

    def label_range(self):
        """``LocalLabels.label_range``, over all blocks."""
        parts = self._reduce(lambda block: (float(block[0].min()), float(block[0].max())) if block[0].size
                             else (np.inf, -np.inf))
        return min(p[0] for p in parts), max(p[1] for p in parts)

    def weighted_quantile(self, alpha, row_factor=None):
        """The smallest label c with W(y <= c) >= alpha W (as the local ``weighted_quantile``;
        ``row_factor(y)``, if given, multiplies each block's weights).

        Found by bisection on that non-decreasing step function over the float64 values in their
        bit order (at most 64 distributed reductions, whatever the label range); exact, no
        approximate quantile sketch.
        """
        def weights(block):
            yb, wb = block
            if row_factor is None:
                return wb
            factor = row_factor(yb)
            return factor * wb if wb.size else factor

        def weight_at_or_below(block, c):
            wb = weights(block)
            below = block[0] <= c
            return float(wb[below].sum()) if wb.size else float(below.sum())

        total = self._total if row_factor is None else float(sum(self._reduce(
            lambda block: float(weights(block).sum()))))

        def reached(c):  # W(y <= c) >= alpha W, with the same relative slack as the local version
            return sum(self._reduce(weight_at_or_below, c)) >= alpha * total * (1.0 - 1e-12)

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

    def candidate_labels(self, m):
        """``LocalLabels.candidate_labels`` from the pooled quantiles of every block (a start for
        the search, which then refines on the exact global sums)."""
        parts = self._reduce(lambda block: np.quantile(block[0], np.linspace(0.0, 1.0, m), method="inverted_cdf")
                             if block[0].size else np.empty(0))
        pooled = np.concatenate(parts)
        return np.unique(np.quantile(pooled, np.linspace(0.0, 1.0, m), method="inverted_cdf"))

    def sum_loss(self, loss, cs):
        """``LocalLabels.sum_loss``, summed over blocks."""
        def sums(block, cs):
            yb, wb = block
            w = wb if wb.size else None
            return np.array([float(loss.loss(yb, np.full(yb.shape[0], c), w).sum()) for c in cs])

        return np.sum(self._reduce(sums, np.asarray(cs, dtype=np.float64)), axis=0)

    def sum_grad_hess(self, loss, c):
        """``LocalLabels.sum_grad_hess``, summed over blocks."""
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
    return loss.bind_to(DaskLabels(loss, y, None, n_classes))


def bound_start(loss, y, sample_weight=None, n_classes=None, leaf_refresh=None):
    """(``bind(loss, y)``, its ``init_score``) from one validated pass over the Dask labels.

    Leaf refresh (on by default for Quantile and AbsoluteError on one machine) is refused: it would
    need each leaf's quantile over the rows of every worker and the same leaf values written into
    every worker's model in the middle of the engine's collective training.
    """
    if _leaves.wanted(loss, leaf_refresh):
        raise ValueError(f"leaf refresh (on by default for {loss!r}) is not available on Dask: pass leaf_refresh=False "
                         "to train with the engine's Newton leaf values (a worse model than the built-in objective's, "
                         "see the README, 'Leaf refresh'), or use the engine's built-in quantile / L1 objective there")
    data = DaskLabels(loss, y, sample_weight, n_classes)
    loss = loss.bind_to(data)
    return loss, _start.start_score(loss, data)


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
def xgboost_train(client, params, X, y, loss, sample_weight=None, num_boost_round=10, leaf_refresh=None, **kwargs):
    """Alias of ``boostobj.xgboost.dask_train`` (documented there)."""
    from .xgboost import dask_train

    return dask_train(client, params, X, y, loss, sample_weight, num_boost_round, leaf_refresh, **kwargs)


def xgboost_predict(client, booster, X, loss):
    """Alias of ``boostobj.xgboost.dask_predict`` (documented there)."""
    from .xgboost import dask_predict

    return dask_predict(client, booster, X, loss)


def lightgbm_fit(client, X, y, loss, sample_weight=None, leaf_refresh=None, **params):
    """Alias of ``boostobj.lightgbm.dask_fit`` (documented there)."""
    from .lightgbm import dask_fit

    return dask_fit(client, X, y, loss, sample_weight, leaf_refresh, **params)


def lightgbm_predict(model, X, loss):
    """Alias of ``boostobj.lightgbm.dask_predict`` (documented there)."""
    from .lightgbm import dask_predict

    return dask_predict(model, X, loss)
