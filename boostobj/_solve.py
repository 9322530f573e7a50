"""Optimal constant scores: the closed forms and the generic solvers behind ``init_score``."""
import math

import numpy as np

# Log-odds / log-probabilities are clamped to +-16.1 (a probability of 1e-7): the exact optimum of
# a one-class sample is infinite, and starting a model there would stall its first trees.
PROB_FLOOR = 1e-7
LOGIT_CLAMP = math.log((1.0 - PROB_FLOOR) / PROB_FLOOR)


def total_weight(w, n):
    return float(w.sum()) if w.size else float(n)


def weighted_mean(y, w):
    if w.size == 0:
        return float(np.mean(y))
    return float(np.dot(w, y) / w.sum())


def weighted_quantile(y, w, alpha):
    """The smallest c with W(y <= c) >= alpha W: a minimiser of sum_i w_i pinball_alpha(y_i - c)."""
    order = np.argsort(y, kind="stable")
    ys = y[order]
    ws = np.ones_like(ys) if w.size == 0 else w[order].astype(np.float64)
    cum = np.cumsum(ws)
    # Ignore zero-weight samples at the ends: they carry no loss.
    target = alpha * cum[-1]
    j = int(np.searchsorted(cum, target * (1.0 - 1e-12), side="left"))
    j = min(j, ys.shape[0] - 1)
    while j > 0 and ws[j] == 0.0:  # land on a sample that actually carries weight
        j -= 1
    return float(ys[j])


def clamped_logit(p):
    p = min(max(p, PROB_FLOOR), 1.0 - PROB_FLOOR)
    return math.log(p) - math.log1p(-p)


def newton_1d(sum_grad_hess, lo, hi, x0=None, xtol=1e-13, max_iter=200):
    """Root of a non-decreasing G(c) = sum_i w_i dL_i/dc in [lo, hi] (safeguarded Newton).

    ``sum_grad_hess(c) -> (G, H)``. Newton steps are taken when they stay inside the bracket that
    keeps the sign change, bisection otherwise, so it converges for any monotone G (piecewise-linear
    ones included). Returns the bracket end when G has no sign change inside.
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
    """Minimise a smooth function of a k-vector over the coordinates in ``free``.

    The Hessian is taken by central differences of the exact gradient (k calls), symmetrised and
    regularised; steps are damped by a backtracking line search on the value, so every iteration
    decreases the objective. Used for softmax focal, whose optimal constant has no closed form.
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
