"""Leaf refresh: a new tree's leaves recomputed as the loss's optimal constant of the rows they hold.

Why: for the pinball and absolute losses the Hessian is 0 almost everywhere, so the engines' Newton
leaf value -G / (H + lambda) with the constant Hessian 1 is a mean of gradient signs, at most one
unit of the gradient per round whatever the scale of the target. The optimal leaf value is instead
the weighted alpha-quantile of the residuals y - F of the leaf's rows, which both engines' built-in
objectives compute after growing each tree (XGBoost ``UpdateTreeLeaf`` in ``adaptive.h``, LightGBM
``RenewTreeOutput``): leaf = learning_rate * quantile(y - F_before_tree).

A loss opts in by declaring ``leaf_rule`` (a rule with ``level(loss)``, the quantile level); the
engine adapters (``boostobj.xgboost.train``, ``boostobj.lightgbm.train``) own the per-training
state (``LeafRefresh``) because the engines' own cached training scores never see the new leaf
values: the objective, the metrics and early stopping read the scores kept here instead.

Each engine interpolates quantiles its own way; ``leaf_quantiles`` reproduces both exactly
(``XGBOOST``: ``common::Quantile`` / ``WeightedQuantile``; ``LIGHTGBM``: ``PercentileFun`` /
``WeightedPercentileFun``), so that a model trained with the engine's start score equals the
engine's built-in model.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from ._jit import cached_njit

from . import drivers

XGBOOST = 0
LIGHTGBM = 1


@cached_njit(nogil=True)
def _kth_and_next(values, k):
    """The k-th and (k+1)-th smallest of ``values`` (0 <= k < n - 1), by quickselect in place.

    Hand-written because numba's ``np.partition`` takes ~10 s to compile.
    """
    lo, hi = 0, values.shape[0] - 1
    while hi > lo:
        a, b, c = values[lo], values[(lo + hi) >> 1], values[hi]
        pivot = max(min(a, b), min(max(a, b), c))  # median of three
        i, j = lo, hi
        while i <= j:  # Hoare partition: [lo, j] <= pivot <= [i, hi]
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break  # values[j + 1 : i] all equal the pivot
    return values[k], values[k + 1:].min()  # everything after position k is >= values[k]


SAMPLED_SELECT_MIN = 1024  # below this a plain quickselect (in L1) is as fast


@cached_njit(nogil=True)
def _select_pair(values, k):
    """``_kth_and_next`` for large arrays: the pair's ranks are bracketed by two order statistics
    of a strided sample, one branchless pass keeps the values in the bracket, and the selection
    runs on those (~10 %) alone; falls back to the full quickselect if the bracket misses.

    Why: a quickselect over tens of thousands of residuals is cache- and branch-bound
    (measured 10-20 ns per value); this pass costs ~3.5 ns. Exact either way."""
    m = values.shape[0]
    if m < SAMPLED_SELECT_MIN:
        return _kth_and_next(values, k)
    s = int(m ** (2.0 / 3.0))
    stride = m // s
    sample = np.empty(s)
    for j in range(s):
        sample[j] = values[j * stride]
    p = (k + 0.5) / m
    spread = 2.5 * math.sqrt(s * p * (1.0 - p)) + 1.0  # 2.5 sd of the sample rank of the k-th value
    b = min(int(p * s + spread) + 1, s - 2)
    a = min(max(int(p * s - spread), 0), b)
    low = _kth_and_next(sample, a)[0]
    high = _kth_and_next(sample, b)[0]
    kept = np.empty(m)
    n_less = 0
    n_kept = 0
    for j in range(m):
        v = values[j]
        kept[n_kept] = v
        n_kept += (v >= low) & (v <= high)
        n_less += v < low
    if n_less <= k and k + 1 < n_less + n_kept:
        return _kth_and_next(kept[:n_kept], k - n_less)
    return _kth_and_next(values, k)


@cached_njit(nogil=True)
def _quantile(r, alpha, convention):
    m = r.shape[0]
    if m == 1:
        return r[0]
    if convention == XGBOOST:  # common::Quantile: interpolate at the 1-based position alpha (m + 1)
        if alpha <= 1.0 / (m + 1):
            return r.min()
        if alpha >= m / (m + 1.0):
            return r.max()
        x = alpha * (m + 1)
        k = int(math.floor(x)) - 1
        d = (x - 1.0) - k
        v0, v1 = _select_pair(r, k)
        return v0 + d * (v1 - v0)
    # LightGBM PercentileFun (4.x): position (1 - alpha)(m - 1) counted from the largest, interpolated
    float_pos = (1.0 - alpha) * (m - 1)
    pos = int(float_pos) + 1
    if pos >= m:
        return r.min()
    bias = float_pos - (pos - 1)
    lower, upper = _select_pair(r, m - 1 - pos)  # ascending ranks m-1-pos and m-pos
    return upper - (upper - lower) * bias


@cached_njit(nogil=True)
def _stable_order(keys):
    """Indices that sort ``keys`` ascending, ties in input order (bottom-up merge sort).

    Hand-written: numba's ``argsort(kind="mergesort")`` costs seconds of compile time.
    """
    m = keys.shape[0]
    order = np.arange(m)
    scratch = np.empty(m, np.int64)
    width = 1
    while width < m:
        for lo in range(0, m, 2 * width):
            mid, hi = min(lo + width, m), min(lo + 2 * width, m)
            i, j = lo, mid
            for out in range(lo, hi):
                if i < mid and (j >= hi or keys[order[j]] >= keys[order[i]]):
                    scratch[out] = order[i]
                    i += 1
                else:
                    scratch[out] = order[j]
                    j += 1
        order, scratch = scratch, order
        width *= 2
    return order


@cached_njit(nogil=True)
def _weighted_quantile(r, w, alpha, convention):
    m = r.shape[0]
    order = _stable_order(r)  # stable, as both engines
    if convention == XGBOOST:  # common::WeightedQuantile: float32 cumulative weights, lower bound
        total = np.float32(0.0)
        for j in range(m):
            total = np.float32(total + np.float32(w[order[j]]))
        thresh = np.float32(total * alpha)
        acc = np.float32(0.0)
        for j in range(m - 1):  # the first position whose cumulative weight reaches thresh
            acc = np.float32(acc + np.float32(w[order[j]]))
            if acc >= thresh:
                return r[order[j]]
        return r[order[m - 1]]
    if m == 1:
        return r[0]
    cdf = np.empty(m)  # LightGBM WeightedPercentileFun: float64 cumulative weights, upper bound
    acc = 0.0
    for j in range(m):
        acc += w[order[j]]
        cdf[j] = acc
    threshold = cdf[m - 1] * alpha
    pos = m - 1
    for j in range(m - 1):  # the first position whose cumulative weight exceeds threshold
        if cdf[j] > threshold:
            pos = j
            break
    if pos == 0 or pos == m - 1:
        return r[order[pos]]
    lower, upper = r[order[pos - 1]], r[order[pos]]
    step = cdf[pos] - cdf[pos - 1]
    if step >= 1.0:  # interpolate only across a sample of weight >= 1 (LightGBM 4.x)
        return lower + (threshold - cdf[pos - 1]) / step * (upper - lower)
    return lower


# Per-leaf quantiles in four passes, the first, third and fourth split across threads (drivers):
# count each chunk's rows per leaf, turn the counts into write positions, scatter the residuals
# y - F leaf by leaf (a counting sort: row order kept within a leaf, as the engines' row sets),
# then one selection or stable sort per leaf, the leaves split between threads by rows.
# The loops index slices from 0 and write through unsigned positions: numba then drops its
# negative-index wrap-around test on every access.
@cached_njit(nogil=True)
def _count_rows(lo, hi, leaf, bounds, counts):
    chunk = np.searchsorted(bounds, lo, side="right") - 1
    leaves, row = leaf[lo:hi], counts[chunk]
    for i in range(hi - lo):
        row[np.uint64(leaves[i])] += 1
    return True


@cached_njit(nogil=True)
def _scatter_rows(lo, hi, y, score, weight, leaf, bounds, positions, grouped_r, grouped_w):
    chunk = np.searchsorted(bounds, lo, side="right") - 1
    fill = positions[chunk].copy()
    ys, scores, leaves = y[lo:hi], score[lo:hi], leaf[lo:hi]
    if weight.shape[0] > 0:
        ws = weight[lo:hi]
        for i in range(hi - lo):
            c = np.uint64(leaves[i])
            grouped_r[np.uint64(fill[c])] = ys[i] - scores[i]
            grouped_w[np.uint64(fill[c])] = ws[i]
            fill[c] += 1
    else:
        for i in range(hi - lo):
            c = np.uint64(leaves[i])
            grouped_r[np.uint64(fill[c])] = ys[i] - scores[i]
            fill[c] += 1
    return True


@cached_njit(nogil=True)
def _segment_quantiles(lo, hi, offsets, grouped_r, grouped_w, alpha, convention, out):
    for c in range(lo, hi):
        a, b = offsets[c], offsets[c + 1]
        if b == a:
            out[c] = np.nan
        elif grouped_w.shape[0] > 0:
            out[c] = _weighted_quantile(grouped_r[a:b], grouped_w[a:b], alpha, convention)
        else:
            out[c] = _quantile(grouped_r[a:b], alpha, convention)
    return True


@cached_njit(nogil=True)
def _add_leaf_values(lo, hi, score, values, leaf):
    scores, leaves = score[lo:hi], leaf[lo:hi]
    for i in range(hi - lo):
        scores[i] += values[np.uint64(leaves[i])]
    return True


def leaf_quantiles(y: np.ndarray, score: np.ndarray, weight: np.ndarray, leaf: np.ndarray, n_codes: int,
                   alpha: float, convention: int, counts: np.ndarray | None = None) -> np.ndarray:
    """Per-leaf (weighted) alpha-quantiles of the residuals ``y - score``, grouped by ``leaf``
    (codes 0..n_codes-1), interpolated as ``convention``'s engine. ``weight`` of length 0 means
    unweighted. Codes that hold no row get NaN. ``counts``: the rows per code in each chunk of
    ``drivers.row_chunks(n)``, when the caller counted them while finding the leaves."""
    n = leaf.shape[0]
    bounds = drivers.row_chunks(n)
    if counts is None:
        counts = np.zeros((bounds.size - 1, n_codes), np.int64)
        drivers.launch_ranges(_count_rows, list(bounds), leaf, bounds, counts)
    per_leaf = counts.sum(axis=0)
    offsets = np.zeros(n_codes + 1, np.int64)
    np.cumsum(per_leaf, out=offsets[1:])
    positions = offsets[:-1] + np.cumsum(counts, axis=0) - counts  # chunk c writes after chunks < c
    grouped_r = np.empty(n)
    grouped_w = np.empty(n if weight.shape[0] > 0 else 0)
    drivers.launch_ranges(_scatter_rows, list(bounds), y, score, weight, leaf, bounds, positions, grouped_r,
                          grouped_w)
    out = np.empty(n_codes)
    # leaves split between threads so that each gets about the same number of rows
    cuts = np.searchsorted(offsets, np.linspace(0, n, bounds.size)[1:-1])
    code_bounds = [0, *sorted({int(min(max(c, 0), n_codes)) for c in cuts}), n_codes]
    drivers.launch_ranges(_segment_quantiles, code_bounds, offsets, grouped_r, grouped_w, alpha, convention, out)
    return out


class LeafRefresh:
    """The state of one training run with leaf refresh, shared by an engine's hooks.

    It holds the refreshed model's margins on the training rows (``train_score``) and on each
    evaluation set (``scores``, keyed by the data set object), and computes the new leaf values of
    each tree. The engine adapter supplies the leaf index of every row and writes the values into
    its model.

    Parameters
    ----------
    loss : Loss
        A loss with a ``leaf_rule``.
    y, w : ndarray
        Training labels and weights (None: unweighted), in the engine's row order.
    convention : int
        ``XGBOOST`` or ``LIGHTGBM``: whose quantile interpolation to reproduce.
    """

    def __init__(self, loss: Any, y: Any, w: Any, convention: int):
        self.loss = loss
        self.alpha = float(loss.leaf_rule.level(loss))
        self.y = np.asarray(y, dtype=np.float64).ravel()
        self.w = np.empty(0) if w is None else np.asarray(w, dtype=np.float64).ravel()
        if getattr(loss.leaf_rule, "row_weight", None) is not None:  # e.g. MAPE: weights w / |y|
            factor = loss.leaf_rule.row_factor(self.y, loss)
            self.w = factor * self.w if self.w.size else factor
        self.convention = convention
        self.train_score: np.ndarray | None = None   # margins of the refreshed model before the next tree
        self.scores: dict[int, tuple[Any, np.ndarray]] = {}
        self.trees_done = 0   # trees of the booster already refreshed (set by the adapter at the start)

    def start_training_score(self, raw: Any) -> np.ndarray:
        """The training margins: the engine's at the first call (no new tree yet), ours after."""
        if self.train_score is None:
            self.train_score = np.array(raw, dtype=np.float64).ravel()
        return self.train_score

    def track(self, dataset: Any, raw: Any) -> None:
        """Start keeping the margins of an evaluation set (``raw``: before the first new tree)."""
        self.scores[id(dataset)] = (dataset, np.array(raw, dtype=np.float64).ravel())

    def score_of(self, dataset: Any, train: Any) -> np.ndarray:
        """The refreshed model's current margins on ``dataset``."""
        if dataset is train:
            assert self.train_score is not None
            return self.train_score
        if id(dataset) not in self.scores:
            raise ValueError("leaf refresh: a metric was called on a data set not passed to train() as an evaluation set")
        return self.scores[id(dataset)][1]

    def leaf_values(self, leaf: Any, learning_rate: float, n_codes: int, float32: bool = False,
                    counts: np.ndarray | None = None) -> np.ndarray:
        """The new values of a tree's leaves, by leaf code, and the training margins moved by them.

        ``leaf``: the tree's leaf code (0..n_codes-1) of every training row. Codes that hold no
        training row get NaN: the adapter keeps the engine's value there. ``counts``: see
        ``leaf_quantiles`` (then every code is below ``n_codes``).
        """
        assert self.train_score is not None
        codes = np.ascontiguousarray(leaf, dtype=np.int64).ravel()
        if counts is None:
            n_codes = max(int(n_codes), int(codes.max()) + 1)
        q = leaf_quantiles(self.y, self.train_score, self.w, codes, n_codes, self.alpha, self.convention, counts)
        if float32:  # XGBoost stores float32 leaves and multiplies in float32 (UpdateLeafValues)
            values = (q.astype(np.float32) * np.float32(learning_rate)).astype(np.float64)
        else:
            values = learning_rate * q
        drivers.launch(_add_leaf_values, codes.shape[0], self.train_score, values, codes)
        return values

    def advance(self, dataset: Any, leaf: Any, values: np.ndarray) -> None:
        """Move an evaluation set's margins by the new tree (``leaf``: its rows' leaf codes;
        ``values``: every leaf's value, the engine's where no training row fell)."""
        score = self.scores[id(dataset)][1]
        score += values[np.asarray(leaf, dtype=np.int64).ravel()]


def wanted(loss: Any, leaf_refresh: Any) -> bool:
    """Whether to refresh leaves: by default for losses that declare a leaf rule."""
    if leaf_refresh is None:
        return loss.leaf_rule is not None
    if not isinstance(leaf_refresh, (bool, np.bool_)):
        raise TypeError(f"leaf_refresh must be True, False or None (the loss decides), got {leaf_refresh!r}")
    if leaf_refresh and loss.leaf_rule is None:
        raise ValueError(f"leaf_refresh=True: {loss!r} has no leaf rule (its Newton leaf values are already optimal "
                         "to second order); leaf refresh applies to the quantile and absolute-error losses")
    return bool(leaf_refresh)


def refuse(engine: str, loss: Any, what: str, hint: str = "") -> None:
    """Raise the error for an engine setting leaf refresh cannot honour."""
    raise ValueError(f"leaf refresh (on by default for {loss!r}) cannot be combined with {what} in {engine}{hint}; "
                     "pass leaf_refresh=False to keep the engine's Newton leaf values (a worse model than the "
                     "built-in objective's: see the README, 'Leaf refresh')")
