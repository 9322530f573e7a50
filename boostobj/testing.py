"""Public derivative checker: ``check_loss(loss)`` verifies any boostobj loss (yours included).

Checks, in float64 unless stated:

* gradient vs 4th-order central differences of ``loss.loss``;
* Hessian (exact policy) vs 4th-order central differences of the gradient;
* finite gradient, Hessian and loss at extreme margins (up to +-1e4) in float32 and float64;
* ``init_score`` vs a numerical minimiser of the mean loss (scipy);
* sample weights multiply gradient and Hessian.

Batch losses (GHM, Dice: a row's gradient depends on the other rows) are checked against
differences of the batch total, one margin at a time, unweighted and weighted; GHM's start score is
that of the loss it weights (``loss.unharmonized()``), checked against that loss's minimiser.

Points where two step sizes disagree (a kink within reach of the stencil) are skipped and counted.
"""
import contextlib
import functools
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CheckReport:
    """The outcome of ``check_loss``; ``str(report)`` is a readable summary.

    The parameters are kept as attributes of the same names.

    Parameters
    ----------
    loss : Loss
        The loss that was checked.
    failures : list of str
        One message per failed check (empty when every check passed).
    checked : dict of str to int
        Number of points (or cases) each check covered, by check name.
    skipped_kinks : int
        Number of derivative points skipped because two step sizes disagreed (a kink nearby).
    """

    loss: object
    failures: list = field(default_factory=list)
    checked: dict = field(default_factory=dict)
    skipped_kinks: int = 0

    @property
    def ok(self):
        """True when no check failed."""
        return not self.failures

    def __str__(self):
        lines = [f"check_loss({self.loss!r}): {'OK' if self.ok else 'FAILED'}",
                 "  checked: " + ", ".join(f"{k}={v}" for k, v in self.checked.items()),
                 f"  points skipped near kinks: {self.skipped_kinks}"]
        lines += [f"  FAIL {f}" for f in self.failures]
        return "\n".join(lines)


def _fd4(f, x, step):
    return (-f(x + 2 * step) + 8 * f(x + step) - 8 * f(x - step) + f(x - 2 * step)) / (12 * step)


def default_data(loss, n=64, seed=0, scale=3.0):
    """Random labels from the loss's own label domain and margins near a typical margin.

    Parameters
    ----------
    loss : Loss
        The loss whose task, label domain and link shape the data.
    n : int, default=64
        Number of samples.
    seed : int, default=0
        Seed of ``numpy.random.default_rng``.
    scale : float, default=3.0
        Margins are drawn uniformly within +-scale of a typical margin: for regression the link of
        (label + mean label) / 2 (``regression_center``), for classification 0.

    Returns
    -------
    y : ndarray of shape (n,)
        Labels (float64); for multiclass from ``loss.n_classes`` classes, or 3 when unset.
    raw : ndarray of shape (n,) or (n, k)
        Margins, (n, k) for multiclass losses.
    """
    rng = np.random.default_rng(seed)
    if loss.task == "multiclass":
        k = loss.n_classes or 3
        return loss.domain.sample(rng, n, k), rng.uniform(-scale, scale, (n, k))
    y = loss.domain.sample(rng, n)
    if loss.task == "binary":
        return y, rng.uniform(-scale, scale, n)
    return y, regression_center(loss, y) + rng.uniform(-scale, scale, n)


def regression_center(loss, y):
    """Return margins near the labels, in link space (finite also for labels on the domain's edge).

    Parameters
    ----------
    loss : Loss
        A regression loss (its ``link`` is used).
    y : array_like of shape (n,)
        Labels.

    Returns
    -------
    ndarray of shape (n,)
        ``loss.link.link((y + mean(y)) / 2)``.
    """
    return loss.link.link(0.5 * (np.asarray(y, dtype=np.float64) + np.mean(y)))


def _compare(report, what, got, want, rtol, atol, mask=None):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    err = np.abs(got - want)
    bad = err > rtol * np.abs(want) + atol
    if mask is not None:
        bad &= mask
    report.checked[what] = int(np.size(got) if mask is None else np.count_nonzero(mask))
    if bad.any():
        i = np.argwhere(bad)[0]
        report.failures.append(
            f"{what}: {np.count_nonzero(bad)} mismatches, first at {tuple(int(v) for v in i)}: "
            f"got {got[tuple(i)]!r}, expected {want[tuple(i)]!r}")


def _fd_derivative(fun, raw, step_rel):
    """d fun(raw)[i, j] / d raw[i, j] for every element; ``fun`` maps margins to raw's shape."""
    step = step_rel * np.maximum(1.0, np.abs(raw))
    if raw.ndim == 1:
        return _fd4(fun, raw, step)
    out = np.empty_like(raw)
    for j in range(raw.shape[1]):
        def along(t, j=j):
            moved = raw.copy()
            moved[:, j] = t
            return fun(moved)[:, j]

        out[:, j] = _fd4(along, raw[:, j], step[:, j])
    return out


def check_loss(loss, y=None, raw=None, sample_weight=None, rtol=1e-6, atol=1e-9,
               extreme=(1e2, 1e3, 1e4), check_init=True, raise_on_failure=True):
    """Check ``loss``'s derivatives, stability, sample weights and init_score; return a CheckReport.

    Parameters
    ----------
    loss : Loss
        Any boostobj loss, built-in or your own.
    y, raw : array_like, optional
        Labels of shape (n,) and margins of shape (n,) or (n, k). Unless both are given, both come
        from ``default_data(loss)``.
    sample_weight : array_like of shape (n,), optional
        Weights for the ``init_score`` check only; the derivative checks are unweighted and the
        weight check draws its own random weights (batch losses: the derivative checks run
        unweighted and with those random weights).
    rtol : float, default=1e-6
        Relative tolerance of the derivative checks; values below 1e-5 are raised to 1e-5 (the
        finite differences carry ~1e-10 relative error).
    atol : float, default=1e-9
        Accepted but not used: the derivative checks use an absolute tolerance of 1e-7.
    extreme : sequence of float, default=(1e2, 1e3, 1e4)
        Margin magnitudes m of the stability check: margins at +-m (for regression
        offset from ``regression_center``; for multiclass, column 0 has the opposite sign), in
        float32 and float64, with the loss's own Hessian policy; every output must be finite.
    check_init : bool, default=True
        Also compare ``loss.init_score`` with a numerical minimiser of the mean loss (needs
        scipy): bounded scalar minimisation for scalar start scores, Nelder-Mead for multiclass.
    raise_on_failure : bool, default=True
        Raise when a check fails; with False, return the failing report instead.

    Returns
    -------
    CheckReport
        What was checked, what failed and how many points were skipped near kinks.

    Raises
    ------
    AssertionError
        With the report as message, when a check fails and ``raise_on_failure`` is True.

    Notes
    -----
    Gradients are compared with 4th-order central differences of ``loss.loss`` and Hessians (of
    the exact policy) with differences of the gradient, at relative steps 1e-3 and 5e-4; a point
    is judged only where both step sizes agree (no kink inside the stencil). Sample weights must
    multiply the gradient and the Hessian to a relative 1e-12 (not for batch losses, whose weights
    also enter the statistics: their weighted derivatives are checked against differences instead). The start score fails when its mean
    loss exceeds the numerical minimum by more than 1e-9 (relative).
    """
    report = CheckReport(loss)
    stage = functools.partial(_stage, report)
    if y is None or raw is None:
        y, raw = default_data(loss)
    y = np.asarray(y, dtype=np.float64)
    raw = np.asarray(raw, dtype=np.float64)
    exact = loss.exact()
    # 1. gradient vs differences of the loss, Hessian vs differences of the gradient
    fd_rtol = max(rtol, 1e-5)  # differences carry ~1e-10 relative error: 1e-5 is far above it
    if loss.is_batch:
        # a row's derivatives depend on the other rows: differentiate the batch total, unweighted
        # and weighted (the weights enter the statistics too, so they do not simply multiply g, h)
        w = np.random.default_rng(1).uniform(0.0, 3.0, y.shape[0])
        with stage("derivatives"):
            _check_batch_derivatives(report, exact, y, raw, None, fd_rtol, "")
        with stage("weighted derivatives"):
            _check_batch_derivatives(report, exact, y, raw, w, fd_rtol, "_weighted")
    else:
        with stage("derivatives"):
            _check_sample_derivatives(report, exact, y, raw, fd_rtol)

    # 2. stability at extreme margins, both dtypes, with the loss's own Hessian policy
    for dtype in (np.float32, np.float64):
        for m in extreme:
            for sign in (1.0, -1.0):
                zr = np.full_like(raw, sign * m, dtype=dtype)
                if raw.ndim == 2:
                    zr[:, 0] = -sign * m
                if loss.task == "regression":
                    zr = (regression_center(loss, y) + sign * m).astype(dtype)
                with stage(f"margin {sign * m:g} ({np.dtype(dtype).name})"):
                    gg, hh = loss.grad_hess(y, zr)
                    vv = loss.loss(y, zr)
                    if not (np.isfinite(gg).all() and np.isfinite(hh).all() and np.isfinite(vv).all()):
                        report.failures.append(f"non-finite output at margin {sign * m:g} ({np.dtype(dtype).name})")
    report.checked["extreme_margins"] = len(extreme) * 4

    # 3. sample weights multiply g and h (batch losses: checked against the weighted total above)
    if not loss.is_batch:
        w = np.random.default_rng(1).uniform(0.0, 3.0, y.shape[0])
        with stage("weights"):
            gw, hw = loss.grad_hess(y, raw, sample_weight=w)
            gu, hu = loss.grad_hess(y, raw)
            wcol = w if raw.ndim == 1 else w[:, None]
            _compare(report, "weights_multiply_g", gw, gu * wcol, 1e-12, 0.0)
            _compare(report, "weights_multiply_h", hw, hu * wcol, 1e-12, 0.0)

    # 4. init_score vs a numerical minimiser (GHM: that of the loss it weights, whose start it takes)
    if check_init:
        unharmonized = getattr(loss, "unharmonized", None)
        with stage("init_score"):
            _check_init(report, loss if unharmonized is None else unharmonized(), y, sample_weight)

    if raise_on_failure and not report.ok:
        raise AssertionError(str(report))
    return report


@contextlib.contextmanager
def _stage(report, name):
    """Run one check, recording an error it raises as a failure of that check (a kernel that returns
    NaN makes grad_hess raise: the report then says where, and the other checks still run)."""
    try:
        yield
    except ValueError as error:
        report.failures.append(f"{name}: {error}")


def _check_sample_derivatives(report, exact, y, raw, fd_rtol):
    """Step 1 for sample-wise losses: gradient vs differences of each row's loss, Hessian vs
    differences of the gradient; a point is judged only where two step sizes agree (no kink)."""
    g, h = exact.grad_hess(y, raw)

    def value(rr):  # per-sample loss, repeated across columns for (n, k) margins
        v = exact.loss(y, rr)
        return v if rr.ndim == 1 else np.repeat(v[:, None], rr.shape[1], axis=1)

    def grad(rr):
        return exact.grad_hess(y, rr)[0]

    _compare_with_differences(report, "", g, h, value, grad, raw, fd_rtol)


def _compare_with_differences(report, suffix, g, h, value, grad, raw, fd_rtol, derivative=None):
    derivative = derivative or _fd_derivative
    g1, g2 = derivative(value, raw, 1e-3), derivative(value, raw, 5e-4)
    smooth_g = np.abs(g1 - g2) <= 1e-5 * (np.abs(g1) + 1e-8)
    _compare(report, "gradient_vs_fd" + suffix, g, g2, fd_rtol, 1e-7, smooth_g)
    h1, h2 = derivative(grad, raw, 1e-3), derivative(grad, raw, 5e-4)
    smooth_h = smooth_g & (np.abs(h1 - h2) <= 1e-5 * (np.abs(h1) + 1e-8))
    _compare(report, "hessian_vs_fd" + suffix, h, h2, fd_rtol, 1e-7, smooth_h)
    report.skipped_kinks += int(np.size(g) - np.count_nonzero(smooth_h))


def _fd_one_at_a_time(fun, raw, step_rel):
    """d fun(m, c) / d m[c] for every coordinate c of raw, moving one margin at a time."""
    flat = raw.reshape(-1)
    step = step_rel * np.maximum(1.0, np.abs(flat))
    out = np.empty_like(flat)
    for c in range(flat.size):
        def along(t, c=c):
            moved = flat.copy()
            moved[c] = t
            return fun(moved.reshape(raw.shape), c)

        out[c] = _fd4(along, flat[c], step[c])
    return out.reshape(raw.shape)


def _check_batch_derivatives(report, exact, y, raw, w, fd_rtol, suffix):
    """Step 1 for batch losses: the gradient is that of the batch total sum_i loss_i, the Hessian
    its diagonal, both by differences one margin at a time. GHM's statistics are held at their value
    at ``raw`` (its weights are constants by definition; a row crossing a bin edge is a jump, skipped
    as a kink); Dice's are recomputed at every point (its derivatives go through them)."""
    frozen = exact.statistics(y, raw, w) if exact.statistics_are_constants else None
    g, h = exact.grad_hess(y, raw, w, statistics=frozen)

    def total(m, c):
        return exact.loss(y, m, w, statistics=frozen).sum()

    def grad(m, c):
        return exact.grad_hess(y, m, w, statistics=frozen)[0].reshape(-1)[c]

    _compare_with_differences(report, suffix, g, h, total, grad, raw, fd_rtol, _fd_one_at_a_time)

def _check_init(report, loss, y, sample_weight):
    from scipy import optimize

    c = loss.init_score(y, sample_weight)
    n = y.shape[0]

    def mean_loss(cvec):
        raw = np.tile(cvec, (n, 1)) if np.ndim(c) else np.full(n, float(cvec))
        return loss.mean_loss(y, raw, sample_weight)

    if np.ndim(c) == 0:
        if loss.task == "regression":
            lo, hi = float(loss.link.link(y.min())) - 1.0, float(loss.link.link(y.max())) + 1.0
        else:
            lo, hi = -20.0, 20.0
        res = optimize.minimize_scalar(mean_loss, bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-12, "maxiter": 5000})
        best = min(res.fun, mean_loss(res.x))
    else:
        res = optimize.minimize(mean_loss, np.asarray(c) + 0.1, method="Nelder-Mead",
                                options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20000})
        best = res.fun
    ours = mean_loss(c)
    report.checked["init_score"] = 1
    if ours > best + 1e-9 * (1.0 + abs(best)):
        report.failures.append(f"init_score {c!r} gives mean loss {ours!r} > numerical minimum {best!r}")
