"""High-precision (mpmath) reference values of every loss, written independently of the kernels.

Derivatives are taken by mpmath's own differentiation at 60 significant digits, so they test the
hand-derived gradient and Hessian formulas of the kernels, not a copy of them.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 60
EXP_KNEE = 50  # boostobj's documented continuation point of the exponential loss


def _binary_weights(p):
    if p.get("class_weight") is not None:
        return [mp.mpf(float(v)) for v in p["class_weight"]]
    if p.get("alpha") is not None:
        return [1 - mp.mpf(p["alpha"]), mp.mpf(p["alpha"])]
    return [mp.mpf(1), mp.mpf(p.get("pos_weight", 1.0))]


def _log_sigmoid(x):
    return -mp.log1p(mp.exp(-x))


def scalar_value(loss, y, z):
    """Loss of one sample for regression / binary losses (mpmath numbers in, mpmath out)."""
    p = loss.params
    name = loss.name
    r = z - y
    if name == "squared_error":
        return r * r / 2
    if name == "absolute_error":
        return abs(r)
    if name == "huber":
        d = mp.mpf(p["delta"])
        return r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2)
    if name == "pseudo_huber":
        d = mp.mpf(p["delta"])
        return d * d * (mp.sqrt(1 + (r / d) ** 2) - 1)
    if name == "logcosh":
        return mp.log(mp.cosh(r))
    if name == "quantile":
        a = mp.mpf(p["alpha"])
        return a * (y - z) if y > z else (1 - a) * (z - y)
    if name == "expectile":
        a = mp.mpf(p["alpha"])
        return abs(a - (1 if y < z else 0)) * r * r
    if name == "fair":
        c = mp.mpf(p["c"])
        return c * c * (abs(r) / c - mp.log(1 + abs(r) / c))
    t = 1 if y > 0.5 else -1
    u = t * z
    if name == "logistic":
        a = _binary_weights(p)[1 if y > 0.5 else 0]
        return -a * _log_sigmoid(u)
    if name == "focal":
        a = _binary_weights(p)[1 if y > 0.5 else 0]
        pt = 1 / (1 + mp.exp(-u))
        return -a * (1 - pt) ** mp.mpf(p["gamma"]) * _log_sigmoid(u)
    if name == "exponential":
        if -u <= EXP_KNEE:
            return mp.exp(-u)
        d = -u - EXP_KNEE
        return mp.exp(EXP_KNEE) * (1 + d + d * d / 2)
    if name == "smooth_hinge":
        return mp.mpf(0.5) - u if u <= 0 else ((1 - u) ** 2 / 2 if u < 1 else mp.mpf(0))
    if name == "squared_hinge":
        return (1 - u) ** 2 if u < 1 else mp.mpf(0)
    raise KeyError(name)


def _neg_log_softmax(z, j):
    """-log p_j = log(1 + sum_{i != j} e^(z_i - z_j)): relative precision even when p_j ~ 1."""
    return mp.log1p(mp.fsum(mp.exp(v - z[j]) for i, v in enumerate(z) if i != j))


def _prob_and_complement(z, j):
    """p_j and 1 - p_j, the complement as the sum of the other probabilities."""
    others = mp.fsum(mp.exp(v - z[j]) for i, v in enumerate(z) if i != j)
    return 1 / (1 + others), others / (1 + others)


def row_value(loss, y, z):
    """Loss of one multiclass row (z: list of mpmath numbers)."""
    p = loss.params
    k = len(z)
    if loss.name == "softmax":
        eps = mp.mpf(p["label_smoothing"])
        c = mp.mpf(p["class_weight"][y]) if p["class_weight"] is not None else mp.mpf(1)
        q = [eps / k + (1 - eps if j == y else 0) for j in range(k)]
        return c * mp.fsum(q[j] * _neg_log_softmax(z, j) for j in range(k))
    if loss.name == "softmax_focal":
        a = mp.mpf(p["alpha"][y]) if p["alpha"] is not None else mp.mpf(1)
        _, one_minus_py = _prob_and_complement(z, y)
        return a * one_minus_py ** mp.mpf(p["gamma"]) * _neg_log_softmax(z, y)
    raise KeyError(loss.name)


def softmax_grad_hess_row(loss, y, z):
    """Textbook softmax cross-entropy derivatives, g = c (p - q), h = c p (1 - p) (or the engines'
    variants), evaluated at 60 digits. Used instead of mp.diff because at margins of 1e4 a derivative
    can be 1e-200 times the loss value, below what numerical differentiation resolves."""
    p = loss.params
    k = len(z)
    eps = mp.mpf(p["label_smoothing"])
    c = mp.mpf(p["class_weight"][y]) if p["class_weight"] is not None else mp.mpf(1)
    prob, comp = zip(*(_prob_and_complement(z, j) for j in range(k)))
    q = [eps / k + (1 - eps if j == y else 0) for j in range(k)]
    g = [c * (prob[j] - q[j]) if j != y or eps else -c * comp[j] for j in range(k)]
    h = [c * prob[j] * comp[j] for j in range(k)]
    if p["hessian"] == "xgboost":
        h = [max(2 * v, c * mp.mpf(1e-16)) for v in h]
    elif p["hessian"] == "lightgbm":
        h = [v * k / (k - 1) for v in h]
    return g, h


def grad_hess(loss, y, raw):
    """Reference (g, h) arrays for labels y and margins raw (float64 arrays)."""
    if raw.ndim == 2 and loss.name == "softmax":
        g = np.empty(raw.shape)
        h = np.empty(raw.shape)
        for i in range(raw.shape[0]):
            gi, hi = softmax_grad_hess_row(loss, int(y[i]), [mp.mpf(float(v)) for v in raw[i]])
            g[i] = [float(v) for v in gi]
            h[i] = [float(v) for v in hi]
        return g, h
    if raw.ndim == 1:
        g = np.empty(raw.shape)
        h = np.empty(raw.shape)
        for i in range(raw.shape[0]):
            yi, zi = mp.mpf(float(y[i])), mp.mpf(float(raw[i]))
            f = lambda v: scalar_value(loss, yi, v)  # noqa: E731
            g[i] = float(mp.diff(f, zi, 1))
            h[i] = float(mp.diff(f, zi, 2))
        return g, h
    n, k = raw.shape
    g = np.empty(raw.shape)
    h = np.empty(raw.shape)
    for i in range(n):
        zi = [mp.mpf(float(v)) for v in raw[i]]
        yi = int(y[i])
        for j in range(k):
            def f(v, j=j):
                row = list(zi)
                row[j] = v
                return row_value(loss, yi, row)
            g[i, j] = float(mp.diff(f, zi[j], 1))
            h[i, j] = float(mp.diff(f, zi[j], 2))
    return g, h


def value(loss, y, raw):
    if raw.ndim == 1:
        return np.array([float(scalar_value(loss, mp.mpf(float(a)), mp.mpf(float(b)))) for a, b in zip(y, raw)])
    return np.array([float(row_value(loss, int(a), [mp.mpf(float(v)) for v in b])) for a, b in zip(y, raw)])
