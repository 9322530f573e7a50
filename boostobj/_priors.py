"""Prior shifts of class posteriors: calibration in the large on the training rows.

A loss's class posterior (``Loss.posterior``) is exact at the Bayes-optimal margin. A boosted model
is not there, and what its training equations do balance differs by loss: the logistic loss's
stationarity in the intercept is sum_i w_i (p_i - y_i) = 0, so its mean probability on the training
rows equals the positive rate; a class-weighted logistic loss balances sum_i w_i a_(y_i) (s_i - y_i)
instead, which weighs rows of high probability less, and its posterior then under-predicts
(measured in benchmarks/calibration.py: pos_weight = 10, 3.6 % positives, mean probability 30 %
below the rate, on the training rows as well as on new ones). The same holds for focal and
class-balanced losses.

A prior shift restores that balance: p'_j proportional to p_j e^(delta_j), with delta the one that
makes the weighted mean of p' on the training rows equal the weighted class frequencies, i.e. the
maximum-likelihood intercept of a multinomial model with offsets log p (convex in delta; Newton's
method). It is Bayes' rule with adjusted class priors, so it keeps every row's ranking; for a
binary loss it shifts the log-odds by delta.
"""
import numpy as np


# Shifts up to this size (spread, multiclass) are applied as products p e^shift, which stay finite;
# larger ones in logs (e^1e308 was inf, and the posteriors NaN).
_DIRECT = 700.0


def shift_priors(p, shift):
    """Posteriors ``p`` ((n,) P(y = 1) or (n, k)) with their class priors shifted: binary, the
    log-odds plus ``shift`` (a float); multiclass, p_j e^(shift_j) renormalised (``shift`` (k,))."""
    p = np.asarray(p, dtype=np.float64)
    shape = () if p.ndim == 1 else (p.shape[1],)
    try:
        delta = np.asarray(shift, dtype=np.float64)
    except (TypeError, ValueError):
        delta = None
    if delta is None or delta.shape != shape or not np.isfinite(delta).all():
        what = "a finite number (binary)" if p.ndim == 1 else f"a finite vector of shape ({p.shape[1]},), one per class"
        raise ValueError(f"prior_shift must be {what}, as loss.prior_shift returns; got {shift!r}")
    if p.ndim == 1:
        if abs(float(delta)) <= _DIRECT:
            a = p * np.exp(delta)  # sigma(logit(p) + shift) = a / (a + 1 - p), exact at p = 0 and 1
            return a / (a + (1.0 - p))
        with np.errstate(divide="ignore"):  # p = 0 or 1: logit +-inf, and sigma of it p itself
            r = np.log(p) - np.log1p(-p) + delta
        e = np.exp(-np.abs(r))
        return np.where(r >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    if float(delta.max()) - float(delta.min()) <= _DIRECT:
        q = p * np.exp(delta - delta.max())
        return q / q.sum(axis=1, keepdims=True)
    # in logs: e^(shift) of a spread beyond 700 underflows (log 0 = -inf, and differences beyond the
    # largest float become -inf: both weigh 0, as they should)
    with np.errstate(divide="ignore", over="ignore"):
        log_q = np.log(p) + delta
        q = np.exp(log_q - log_q.max(axis=1, keepdims=True))
    return q / q.sum(axis=1, keepdims=True)


# The shift stays within +-MAX_SHIFT of the first class's (a prior ratio of e^30, about 1e13): a target
# further away is out of reach (the posterior gives its class to almost no row), and the iterate
# that gets closest within the bound is returned.
MAX_SHIFT = 30.0


def fit_prior_shift(p, y, w=None, max_iter=50):
    """The prior shift (see the module docstring) for posteriors ``p`` of rows with labels ``y``
    (binary p of shape (n,): labels in [0, 1]; (n, k): class indices 0..k-1) and weights ``w``
    (None: 1): a float for binary, a (k,) vector with shift[0] = 0 for multiclass. 0 (no shift) for
    no rows, no weight, a class without weight in ``y`` or without probability in ``p`` (its shift
    would be infinite)."""
    binary = p.ndim == 1
    P = np.column_stack([1.0 - p, p]) if binary else np.asarray(p, dtype=np.float64)
    n, k = P.shape
    none = 0.0 if binary else np.zeros(k)
    w = np.ones(n) if w is None or np.size(w) == 0 else np.asarray(w, dtype=np.float64)
    total = float(w.sum())
    if not total > 0:
        return none
    if binary:  # labels may be soft (probabilities of class 1)
        rate = float(w @ y) / total
        target = np.array([1.0 - rate, rate])
    else:
        target = np.bincount(y.astype(np.int64), weights=w, minlength=k)[:k] / total
    mass = w @ P / total
    if not (target > 0).all() or not (mass > 0).all():
        return none

    def bounded(d):
        return np.clip(d - d[0], -MAX_SHIFT, MAX_SHIFT)

    def objective(d):  # weighted mean of log sum_j p_j e^(d_j), minus target . d: convex in d
        top = d.max()
        value = float(w @ np.log(P @ np.exp(d - top)) / total + top - target @ d)
        return value if np.isfinite(value) else np.inf

    delta = bounded(np.log(target) - np.log(mass))  # exact when every row has the same p (a constant model)
    value = objective(delta)
    for _ in range(max_iter):
        Q = shift_priors(P, delta)
        grad = (w @ Q / total - target)[1:]
        if not np.abs(grad).max() > 1e-13:  # converged (or not finite: keep the last good iterate)
            break
        Qw = Q[:, 1:] * (w / total)[:, None]
        hess = np.diag(Qw.sum(axis=0)) - Qw.T @ Q[:, 1:]
        step = np.zeros(k)
        try:
            step[1:] = np.linalg.lstsq(hess, -grad, rcond=None)[0]
        except np.linalg.LinAlgError:
            break
        for _ in range(30):  # backtracking: Newton's step on a convex function, halved until it descends
            trial_delta = bounded(delta + step)
            trial = objective(trial_delta)
            if trial <= value:
                break
            step /= 2.0
        else:
            break
        if np.array_equal(trial_delta, delta):
            break  # at the bound
        delta, value = trial_delta, trial
    return float(delta[1]) if binary else delta
