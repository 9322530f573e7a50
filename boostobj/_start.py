"""Start scores: the one routine behind ``loss.init_score`` and ``boostobj.dask.init_score``.

A loss declares its start rule (``Loss.start``):

* ``MEAN``: link(weighted mean of the labels), the exact optimum of squared error and of the
  exponential-family losses with their canonical link (Poisson, Gamma, Tweedie with the log link);
* ``quantile(alpha)``: link(weighted alpha-quantile) (absolute error, pinball; quantiles commute with
  monotone links);
* ``CLASS_RATES``: link(class-weighted class frequencies), the exact optimum of proper
  classification losses (logistic, softmax, exponential, hinges with their own links);
* ``SOLVE``: a safeguarded 1-D Newton/bisection in link space on the summed exact gradient
  (regression: bracketed by the label range; binary: on the two class totals), or a k-D Newton on
  the class totals (multiclass);
* ``SEARCH``: the best of the labels' quantiles, refined by a golden-section search of the summed
  loss (non-convex regression losses such as SMAPE, whose summed gradient has several roots).

The rules read the labels only through a few reductions of a *label data* object: ``LocalLabels``
here (numpy arrays), ``boostobj.dask.DaskLabels`` (the same reductions summed over blocks), so a
start score on a cluster is computed by the very same code as on one machine.
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from . import _validation as V
from .domains import REAL
from .links import PROB_FLOOR

def weighted_quantile(y, w, alpha):
    """The weighted alpha-quantile: the smallest label c with W(y <= c) >= alpha W.

    It minimises sum_i w_i pinball_alpha(y_i - c). When the sorted position found has zero weight,
    it steps down to the nearest sample that carries weight (zero-weight samples carry no loss);
    the comparison with alpha W has a relative tolerance of 1e-12.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Labels, n >= 1.
    w : ndarray of shape (n,) or (0,)
        Non-negative weights; an empty array means every weight is 1.
    alpha : float
        Quantile level in (0, 1).

    Returns
    -------
    float
        One of the labels.
    """
    if w.size == 0:  # unweighted: the order statistic the cumulative count below finds, in O(n), not a sort
        j = int(np.ceil(alpha * y.shape[0] * (1.0 - 1e-12))) - 1
        j = min(max(j, 0), y.shape[0] - 1)
        return float(np.partition(y, j)[j])
    order = np.argsort(y, kind="stable")
    ys = y[order]
    ws = w[order].astype(np.float64)
    cum = np.cumsum(ws)
    # Ignore zero-weight samples at the ends: they carry no loss.
    target = alpha * cum[-1]
    j = int(np.searchsorted(cum, target * (1.0 - 1e-12), side="left"))
    j = min(j, ys.shape[0] - 1)
    while j > 0 and ws[j] == 0.0:  # land on a sample that actually carries weight
        j -= 1
    return float(ys[j])


def newton_1d(sum_grad_hess, lo, hi, x0=None, xtol=1e-13, max_iter=200):
    """Root of a non-decreasing G(c) = sum_i w_i dL_i/dc in [lo, hi] (safeguarded Newton).

    Newton steps are taken when they stay inside the bracket that keeps the sign change, bisection
    otherwise (also when H <= 0), so it converges for any monotone G (piecewise-linear ones
    included).

    Parameters
    ----------
    sum_grad_hess : callable
        ``sum_grad_hess(c) -> (G, H)``: the summed gradient and Hessian at the constant ``c``.
    lo, hi : float
        The bracket, ``lo < hi``.
    x0 : float, optional
        Starting point, used when strictly inside (lo, hi); the midpoint otherwise.
    xtol : float, default=1e-13
        Stops when a step, or the bracket, is below ``xtol * (1 + |x|)``.
    max_iter : int, default=200
        Maximum number of iterations; the last iterate is returned when it is reached.

    Returns
    -------
    float
        The root; ``lo`` when G(lo) >= 0 and ``hi`` when G(hi) <= 0 (no sign change inside).
    """
    g_lo, _ = sum_grad_hess(lo)
    if g_lo >= 0:
        return lo
    g_hi, _ = sum_grad_hess(hi)
    if g_hi <= 0:
        return hi
    x = 0.5 * (lo + hi) if x0 is None or not (lo < x0 < hi) else x0
    for _ in range(max_iter):
        g, h = sum_grad_hess(x)
        if g == 0.0:
            return x
        if g > 0:
            hi = x
        else:
            lo = x
        step_ok = h > 0
        x_new = x - g / h if step_ok else 0.5 * (lo + hi)
        if not (lo < x_new < hi):
            x_new = 0.5 * (lo + hi)
        if abs(x_new - x) <= xtol * (1.0 + abs(x)) or hi - lo <= xtol * (1.0 + abs(x)):
            return x_new
        x = x_new
    return x


def newton_kd(value_and_grad, x0, free, max_iter=100, gtol=1e-12):
    """Minimise a smooth function of a k-vector over the coordinates in ``free`` (damped Newton).

    The Hessian is taken by central differences of the exact gradient (two gradient calls per free
    coordinate), symmetrised and regularised by a tiny ridge; a direction that is not a descent
    direction falls back to the negative gradient. Steps are damped by a backtracking (Armijo)
    line search on the value, so every iteration decreases the objective. Used for softmax focal,
    whose optimal constant has no closed form.

    Parameters
    ----------
    value_and_grad : callable
        ``value_and_grad(x) -> (f, g)``: the value (float) and gradient (k-vector) at ``x``.
    x0 : array_like of shape (k,)
        Starting point.
    free : array_like of bool, shape (k,)
        The coordinates to optimise; the others keep their value from ``x0``.
    max_iter : int, default=100
        Maximum number of Newton iterations.
    gtol : float, default=1e-12
        Stops when the largest free gradient entry is <= ``gtol * max(1, |f|)``.

    Returns
    -------
    ndarray of shape (k,)
        The minimiser found (float64). Iteration also stops when the line search cannot decrease
        the value or a step no longer moves ``x``.
    """
    x = np.array(x0, dtype=np.float64)
    idx = np.flatnonzero(free)
    f, g = value_and_grad(x)
    for _ in range(max_iter):
        gf = g[idx]
        if np.max(np.abs(gf)) <= gtol * max(1.0, abs(f)):
            break
        m = idx.size
        hess = np.empty((m, m))
        for a, i in enumerate(idx):
            step = 1e-5 * (1.0 + abs(x[i]))
            xp = x.copy()
            xm = x.copy()
            xp[i] += step
            xm[i] -= step
            hess[:, a] = (value_and_grad(xp)[1][idx] - value_and_grad(xm)[1][idx]) / (2 * step)
        hess = 0.5 * (hess + hess.T)
        # A softmax objective is flat along the all-ones direction: the ridge keeps H invertible.
        ridge = 1e-12 * max(1.0, float(np.max(np.abs(np.diag(hess)))))
        try:
            direction = -np.linalg.solve(hess + ridge * np.eye(m), gf)
        except np.linalg.LinAlgError:
            direction = -gf
        if np.dot(direction, gf) >= 0:  # not a descent direction (indefinite H): fall back
            direction = -gf
        t = 1.0
        while t > 1e-12:
            xn = x.copy()
            xn[idx] += t * direction
            fn, gn = value_and_grad(xn)
            if fn <= f + 1e-4 * t * np.dot(direction, gf):
                break
            t *= 0.5
        else:
            break
        if np.max(np.abs(xn - x)) <= 1e-15 * (1.0 + np.max(np.abs(x))):
            x, f, g = xn, fn, gn
            break
        x, f, g = xn, fn, gn
    return x


def class_totals(y, w, n_classes):
    """Total weight of each class 0..k-1 (``w`` empty: counts). Two classes: soft labels y in [0, 1]
    put y of their weight on class 1 and 1 - y on class 0 (hard labels: the plain totals)."""
    if n_classes == 2:
        y = y.astype(np.float64, copy=False)
        weights = w if w.size else np.ones_like(y)
        return np.array([float(np.dot(weights, 1.0 - y)), float(np.dot(weights, y))])
    return label_totals(y, w, n_classes)


def label_totals(y, w, n):
    """Total weight of each integer label 0..n-1 (``w`` empty: counts)."""
    return np.bincount(y.astype(np.int64), weights=w if w.size else None, minlength=n).astype(np.float64)


# -- label data: the reductions a start rule may ask for ------------------------------------------
class LocalLabels:
    """Validated labels and weights in memory, the label data of ``loss.init_score``.

    Provides the reductions a start rule may ask for (the same interface as
    ``boostobj.dask.DaskLabels``). Weights whose sum could overflow float64 are divided by their
    maximum: only their ratios matter for a start score.

    Parameters
    ----------
    loss : Loss
        The loss whose label domain and number of classes apply.
    y : array_like of shape (n,)
        Labels.
    sample_weight : array_like of shape (n,), optional
        Non-negative per-row weights.
    n_classes : int, optional
        Number of classes, for classification losses (covers classes missing from the end of
        ``y``).

    Raises
    ------
    TypeError
        If the labels are not numeric.
    ValueError
        If a label is outside the loss's domain or not finite, a weight is invalid, there are no
        labels, or ``n_classes`` conflicts with the loss.
    """

    def __init__(self, loss: Any, y: Any, sample_weight: Any = None, n_classes: int | None = None):
        self.y = V.as_labels(y, None, REAL)  # numeric and finite (a clear error for string labels)
        self.n_classes = loss.resolve_n_classes(self.y, n_classes)  # needs numeric labels
        loss.domain.check(self.y, "y", self.n_classes, repr(loss))
        # only relative weights matter for a start score: rescale weights whose sum could overflow
        self.w = V.rescaled(V.as_weights(sample_weight, self.y.shape[0]))
        if self.y.shape[0] == 0:
            raise ValueError("init_score needs at least one label")

    def total_weight(self) -> float:
        """Return the sum of the sample weights (the number of labels when unweighted).

        Returns
        -------
        float
            The total weight.
        """
        return float(self.w.sum()) if self.w.size else float(self.y.shape[0])

    def class_totals(self, weighted: bool = True) -> np.ndarray:
        """Return the total (weighted) count of each class 0..k-1 (binary soft labels count
        y towards class 1 and 1 - y towards class 0).

        Parameters
        ----------
        weighted : bool, default=True
            Sum the sample weights (True) or count the labels (False).

        Returns
        -------
        ndarray of shape (k,)
            Float64 totals, one per class.
        """
        return class_totals(self.y, self.w if weighted else np.empty(0), self.n_classes)

    def label_totals(self, n: int) -> np.ndarray:
        """Return the total weight of each integer label 0..n-1 (labels that index rows of a
        per-row parameter, such as soft targets).

        Parameters
        ----------
        n : int
            Number of distinct labels (the labels are checked to lie in 0..n-1 before).

        Returns
        -------
        ndarray of shape (n,)
            Float64 totals.
        """
        return label_totals(self.y, self.w, n)

    def weighted_mean(self) -> float:
        """Return the weighted mean of the labels (plain mean when unweighted).

        Returns
        -------
        float
            The mean label.
        """
        return V.weighted_mean(self.y, self.w)

    def label_range(self) -> tuple[float, float]:
        """Return the smallest and the largest label.

        Returns
        -------
        (float, float)
            (smallest label, largest label).
        """
        return float(self.y.min()), float(self.y.max())

    def weighted_quantile(self, alpha: float, row_factor: Any = None) -> float:
        """Return the smallest label c with W(y <= c) >= alpha W (see the module function).

        Parameters
        ----------
        alpha : float
            Quantile level in (0, 1).
        row_factor : callable, optional
            ``row_factor(y) -> factors``: validated per-row factors of the labels that multiply
            the sample weights (``_Quantile.row_factor``); None: the sample weights alone.

        Returns
        -------
        float
            A label of the data.
        """
        if row_factor is None:
            return weighted_quantile(self.y, self.w, alpha)
        factor = row_factor(self.y)
        return weighted_quantile(self.y, V.rescaled(factor * self.w if self.w.size else factor), alpha)

    def candidate_labels(self, m: int) -> np.ndarray:
        """Return about ``m`` labels spread over the label distribution (its unweighted quantiles),
        where a search for the minimum of a non-convex summed loss starts.

        Parameters
        ----------
        m : int
            Number of quantile levels.

        Returns
        -------
        ndarray
            Sorted distinct labels.
        """
        return np.unique(np.quantile(self.y, np.linspace(0.0, 1.0, m), method="inverted_cdf"))

    def sum_loss(self, loss: Any, cs: np.ndarray) -> np.ndarray:
        """Sum ``loss``'s weighted values over all rows at each constant margin of ``cs``.

        Parameters
        ----------
        loss : Loss
            A regression loss.
        cs : ndarray of shape (m,)
            Constant raw margins.

        Returns
        -------
        ndarray of shape (m,)
            The summed loss at each constant.
        """
        w = self.w if self.w.size else None
        return np.array([float(loss.loss(self.y, np.full(self.y.shape[0], c), w).sum()) for c in cs])

    def sum_grad_hess(self, loss: Any, c: float) -> tuple[float, float]:
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
        g, h = loss.grad_hess(self.y, np.full(self.y.shape[0], c), self.w if self.w.size else None)
        return float(g.sum()), float(h.sum())


# -- start rules ------------------------------------------------------------------------------------
class StartRule:
    """How a loss's optimal constant follows from its label data."""

    def __call__(self, loss: Any, data: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_")

    def describe(self) -> str:
        """How the rule finds the constant: its docstring's first paragraph, on one line."""
        return " ".join((type(self).__doc__ or "").strip().split("\n\n")[0].split())


class _Mean(StartRule):
    """link(weighted mean of the labels): exact for squared error and the log-link deviances."""

    def __call__(self, loss, data):
        return float(loss.link.link(data.weighted_mean()))


class _Quantile(StartRule):
    """link(weighted alpha-quantile of the labels): exact for the pinball losses."""

    def __init__(self, alpha, row_weight=None):
        self.alpha = alpha  # a number, or the name of the loss parameter that holds it
        if row_weight is not None and not callable(row_weight) and not isinstance(row_weight, str):
            raise TypeError(f"row_weight must be a function of the labels returning one factor per row, "
                            f"or the name of such a loss method, got {row_weight!r}")
        self.row_weight = row_weight  # like alpha, a str names the loss's method (its factor reads parameters)

    def level(self, loss):
        """The quantile level for ``loss``."""
        return float(getattr(loss, self.alpha) if isinstance(self.alpha, str) else self.alpha)

    def row_factor(self, y, loss=None):
        """``row_weight(y)`` (or ``loss.<row_weight>(y)``) validated: finite, non-negative, one
        float64 per label."""
        y = np.asarray(y, dtype=np.float64).ravel()
        if isinstance(self.row_weight, str):
            if loss is None or not callable(getattr(loss, self.row_weight, None)):
                raise TypeError(f"row_weight {self.row_weight!r} names no method of the loss {loss!r}")
            function, name = getattr(loss, self.row_weight), f"{type(loss).__name__}.{self.row_weight}"
        else:
            function, name = self.row_weight, getattr(self.row_weight, "__name__", "")
        factor = np.asarray(function(y))
        if factor.shape != y.shape:
            raise ValueError(f"row_weight {name} must return one factor per label, shape {y.shape}; "
                             f"got shape {factor.shape}")
        return V.as_weights(factor, y.shape[0], name=f"row_weight {name}(y)")

    def __call__(self, loss, data):
        factor = None if self.row_weight is None else functools.partial(self.row_factor, loss=loss)
        return float(loss.link.link(data.weighted_quantile(self.level(loss), factor)))

    def __repr__(self):
        return f"quantile({self.alpha!r}" + ("" if self.row_weight is None else f", row_weight={self.row_weight!r}") + ")"


def quantile(alpha: float | str, row_weight: Any = None) -> StartRule:
    """Start rule: the link of the weighted alpha-quantile of the labels.

    Parameters
    ----------
    alpha : float or str
        The quantile level in (0, 1), or the name of the loss parameter that holds it (read from
        the loss when the rule is applied, e.g. ``quantile("alpha")``).
    row_weight : callable or str, optional
        ``row_weight(y) -> factors``: a label-dependent factor per row (float64 labels in, an
        array of the same shape, finite and non-negative, out) that multiplies the sample
        weights, in the start score and, as a ``leaf_rule``, in every refreshed leaf's weighted
        quantile: e.g. ``lambda y: 1 / np.abs(y)`` for a weighted absolute error. A str names
        a method of the loss, called as ``loss.<row_weight>(y)``, for a factor that reads the
        loss's parameters (``AbsolutePercentageError.relative_weight``: ``1 / max(|y|,
        epsilon)``). A module-level function keeps the loss picklable (Dask, joblib). None
        (default): the sample weights alone.

    Returns
    -------
    StartRule
        The rule, to assign to a loss class's ``start`` and, for leaf refresh, its ``leaf_rule``
        (each new tree's leaves become the weighted alpha-quantile of their rows' residuals).
    """
    return _Quantile(alpha, row_weight)


def _class_rates(loss, data):
    """Class frequencies weighted by the loss's class weights (what its optimum depends on), up to a
    common factor: where the weighted totals or their sum would overflow (class weights near 1e308
    gave NaN starts) they are computed from totals scaled into [0.5, 1) and rescaled (both by powers
    of two: exact)."""
    totals = data.class_totals()
    with np.errstate(over="ignore", invalid="ignore"):
        mass = loss.class_mass(totals)
        finite = np.isfinite(mass.sum())
    if finite or not 0.0 < totals.max() < np.inf:
        return mass
    return V.rescaled(loss.class_mass(np.ldexp(totals, -np.frexp(totals.max())[1])))


class _ClassRates(StartRule):
    """link(class-weighted class frequencies): exact for proper classification losses."""

    def __call__(self, loss, data):
        rates = _class_rates(loss, data)
        if loss.task == "binary":
            return float(loss.link.link(rates[1] / rates.sum()))
        return loss.link.link(rates)


class _TargetRates(StartRule):
    """Soft targets q_i at temperature T: the constant c minimising sum_i w_i T^2 CE(q_i, softmax(c / T))
    has softmax(c / T) = the weighted mean target, so c = T log(mean target) (up to a constant)."""

    def __call__(self, loss, data):
        targets = loss.tempered_targets  # (n_rows, k), rows sum to 1
        mean_target = data.label_totals(targets.shape[0]) @ targets
        return loss.temperature_value * loss.link.link(mean_target)


class _Solve(StartRule):
    """A safeguarded 1-D Newton/bisection on the summed exact gradient (binary: on the two class
    totals; multiclass: a k-D Newton on the class totals)."""

    def __call__(self, loss, data):
        exact = loss.exact()
        if loss.task == "regression":
            lo, hi = (float(v) for v in loss.link.link(np.array(data.label_range())))
            if lo == hi:
                return lo
            x0 = min(max(float(loss.link.link(data.weighted_mean())), lo), hi)
            return newton_1d(lambda c: data.sum_grad_hess(exact, c), lo, hi, x0=x0)
        # classification: the loss at a constant depends on the labels only through class totals
        totals = data.class_totals()
        labels = np.arange(totals.shape[0], dtype=np.float64)
        present = totals > 0
        x0 = _ClassRates()(loss, data)
        if loss.task == "binary":
            lo, hi = (float(v) for v in loss.link.link(np.array([PROB_FLOOR, 1.0 - PROB_FLOOR])))

            def sum_grad_hess(c):
                g, h = exact.grad_hess(labels, np.full(2, c), totals)
                return float(g.sum()), float(h.sum())

            return newton_1d(sum_grad_hess, lo, hi, x0=x0)
        if present.sum() < 2:
            return x0
        # as fractions: newton_kd's stop (gradient <= 1e-12 max(1, |f|)) is absolute below f = 1, where
        # weights summing to 1e-10 stopped it at once (the start of the class rates, 2e-4 off)
        rows, row_weights = labels[present], totals[present] / totals[present].sum()

        def value_and_grad(x):
            z = np.tile(x, (rows.shape[0], 1))
            g, _ = exact.grad_hess(rows, z, row_weights)
            return float(exact.loss(rows, z, row_weights).sum()), g.sum(axis=0)

        x = newton_kd(value_and_grad, x0, present)
        # softmax margins are defined up to a constant: keep the start's scale for absent classes
        return x - np.max(x[present]) + np.max(x0[present])


class _Search(StartRule):
    """Non-convex regression losses (SMAPE), whose summed gradient can have several roots: the
    best of the labels' quantiles, then a golden-section search between its neighbours."""

    def __call__(self, loss, data):
        candidates = np.asarray(loss.link.link(data.candidate_labels(65)), dtype=np.float64)
        totals = data.sum_loss(loss, candidates)
        best = int(np.argmin(totals))
        if candidates.shape[0] == 1:
            return float(candidates[0])
        lo, hi = candidates[max(best - 1, 0)], candidates[min(best + 1, candidates.shape[0] - 1)]
        x = golden_section(lambda c: float(data.sum_loss(loss, np.array([c]))[0]), lo, hi)
        return x if data.sum_loss(loss, np.array([x]))[0] <= totals[best] else float(candidates[best])


def golden_section(f, lo, hi, xtol=1e-13, max_iter=200):
    """A local minimiser of ``f`` on [lo, hi] (golden-section search, no derivatives: works on
    the kinks of absolute-error-like losses)."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = float(lo), float(hi)
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(max_iter):
        if b - a <= xtol * (1.0 + abs(c)):
            break
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return c if fc <= fd else d


MEAN = _Mean()
CLASS_RATES = _ClassRates()
SOLVE = _Solve()
SEARCH = _Search()
TARGET_RATES = _TargetRates()


def start_score(loss: Any, data: Any) -> Any:
    """The constant raw score minimising ``loss`` over the label data.

    The loss is first resolved for the data (``loss.resolve``: wrappers such as ``ClassBalanced``
    become their weighted base loss), then its start rule is applied.

    Parameters
    ----------
    loss : Loss
        The loss.
    data : LocalLabels or boostobj.dask.DaskLabels
        The label data (its reductions are all the rule reads).

    Returns
    -------
    float or ndarray of shape (k,)
        The start score in margin space; (k,) margins for multiclass losses.

    Raises
    ------
    ValueError
        If the total sample weight is not positive.
    """
    if not data.total_weight() > 0:
        raise ValueError("init_score needs a positive total sample weight")
    loss = loss.resolve(data)
    return loss.start(loss, data)
