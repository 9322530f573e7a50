"""High-precision (mpmath) reference formulas and test cases of every loss, as data.

One entry per registered loss: its test cases (default and non-default parameters) and its loss
value written independently of the kernels, at 60 significant digits. Derivatives are taken by
mpmath's own differentiation, so they test the hand-derived gradient and Hessian formulas of the
kernels, not a copy of them. Adding a loss means adding its entry here (``reference_for`` fails
with "no reference for X" otherwise).
"""
from dataclasses import dataclass, field
from typing import Callable

import mpmath as mp
import numpy as np

import boostobj as bo

mp.mp.dps = 60
KNEE = 50  # boostobj's documented continuation point of the exponential (kernels/_math.py)


def cexp(x):
    """The continued exponential: e^x up to the knee, its 2nd-order Taylor expansion beyond."""
    if x <= KNEE:
        return mp.exp(x)
    d = x - KNEE
    return mp.exp(KNEE) * (1 + d + d * d / 2)


def _binary_weights(p):
    if p.get("class_weight") is not None:
        return [mp.mpf(float(v)) for v in p["class_weight"]]
    if p.get("alpha") is not None:
        return [1 - mp.mpf(p["alpha"]), mp.mpf(p["alpha"])]
    return [mp.mpf(1), mp.mpf(p.get("pos_weight", 1.0))]


def _log_sigmoid(x):
    return -mp.log1p(mp.exp(-x))


def _signed(y, z):
    return (1 if y > 0.5 else -1) * z


def _neg_log_softmax(z, j):
    """-log p_j = log(1 + sum_{i != j} e^(z_i - z_j)): relative precision even when p_j ~ 1."""
    return mp.log1p(mp.fsum(mp.exp(v - z[j]) for i, v in enumerate(z) if i != j))


def _prob_and_complement(z, j):
    """p_j and 1 - p_j, the complement as the sum of the other probabilities."""
    others = mp.fsum(mp.exp(v - z[j]) for i, v in enumerate(z) if i != j)
    return 1 / (1 + others), others / (1 + others)


def _per_class(p, name, y):
    return mp.mpf(p[name][y]) if p[name] is not None else mp.mpf(1)


# -- the formulas: value(params, y, z) for one sample, or one row (y int, z list) for multiclass ----
def _huber(p, y, z):
    d, a = mp.mpf(p["delta"]), abs(z - y)
    return a * a / 2 if a <= d else d * (a - d / 2)


def _quantile(p, y, z):
    a = mp.mpf(p["alpha"])
    return a * (y - z) if y > z else (1 - a) * (z - y)


def _soft(hard):
    """A binary loss for soft labels y in [0, 1]: y L(1, z) + (1 - y) L(0, z) (hard labels: one term)."""
    def value(p, y, z):
        ones = hard(p, 1, z) if y != 0 else 0
        zeros = hard(p, 0, z) if y != 1 else 0
        return y * ones + (1 - y) * zeros
    return value


def _focal_hard(p, y, z):
    u = _signed(y, z)
    pt = 1 / (1 + mp.exp(-u))
    return -_binary_weights(p)[1 if y > 0.5 else 0] * (1 - pt) ** mp.mpf(p["gamma"]) * _log_sigmoid(u)


_focal = _soft(_focal_hard)


def _smooth_hinge(p, y, z):
    u = _signed(y, z)
    return mp.mpf(0.5) - u if u <= 0 else ((1 - u) ** 2 / 2 if u < 1 else mp.mpf(0))


def _tweedie(p, y, z):
    rho = mp.mpf(p["power"])
    a, b = 1 - rho, 2 - rho
    return (y ** b if y > 0 else 0) / (a * b) - y * cexp(a * z) / a + cexp(b * z) / b


def _softmax(p, y, z):
    k, eps = len(z), mp.mpf(p["label_smoothing"])
    q = [eps / k + (1 - eps if j == y else 0) for j in range(k)]
    return _per_class(p, "class_weight", y) * mp.fsum(q[j] * _neg_log_softmax(z, j) for j in range(k))


def _softmax_focal(p, y, z):
    _, one_minus_py = _prob_and_complement(z, y)
    return _per_class(p, "alpha", y) * one_minus_py ** mp.mpf(p["gamma"]) * _neg_log_softmax(z, y)


def _softmax_grad_hess(loss, y, z):
    """Textbook softmax cross-entropy derivatives g = c (p - q), h = c p (1 - p) (or the engines'
    variants) at 60 digits. Used instead of mp.diff because at margins of 1e4 a derivative can be
    1e-200 times the loss value, below what numerical differentiation resolves."""
    p = loss.params
    k, eps = len(z), mp.mpf(p["label_smoothing"])
    c = _per_class(p, "class_weight", y)
    prob, comp = zip(*(_prob_and_complement(z, j) for j in range(k)))
    q = [eps / k + (1 - eps if j == y else 0) for j in range(k)]
    g = [c * (prob[j] - q[j]) if j != y or eps else -c * comp[j] for j in range(k)]
    h = [c * prob[j] * comp[j] for j in range(k)]
    if p["hessian"] == "xgboost":
        h = [max(2 * v, c * mp.mpf(1e-16)) for v in h]
    elif p["hessian"] == "lightgbm":
        h = [v * k / (k - 1) for v in h]
    return g, h


def _tempered_targets(p, row):
    """Row ``row`` of the targets tempered to q^(1/T), renormalised, at 60 digits."""
    t = mp.mpf(float(p["temperature"]))
    q = [mp.mpf(float(v)) for v in np.asarray(p["targets"], dtype=np.float64)[row]]
    total = mp.fsum(q)
    powered = [(v / total) ** (1 / t) if v > 0 else mp.mpf(0) for v in q]
    norm = mp.fsum(powered)
    return t, [v / norm for v in powered]


def _soft_target(p, y, z):
    t, q = _tempered_targets(p, y)
    u = [v / t for v in z]
    return t * t * mp.fsum(q[j] * _neg_log_softmax(u, j) for j in range(len(z)) if q[j] != 0)


def _soft_target_grad_hess(loss, y, z):
    """g = T (p - q), h = p (1 - p) with p = softmax(z / T), at 60 digits (as _softmax_grad_hess)."""
    p = loss.params
    t, q = _tempered_targets(p, y)
    u = [v / t for v in z]
    prob, comp = zip(*(_prob_and_complement(u, j) for j in range(len(z))))
    # p - q as (1 - q) - (1 - p) where p ~ 1: 60 digits cannot hold p = 1 - 1e-204 otherwise
    g = [t * ((1 - q[j]) - comp[j] if prob[j] > 0.5 else prob[j] - q[j]) for j in range(len(z))]
    h = [prob[j] * comp[j] for j in range(len(z))]
    return g, [max(2 * v, mp.mpf(1e-16)) for v in h] if p["hessian"] == "xgboost" else h


# -- batch losses: a row's derivatives depend on the whole batch, so the reference is a function of
#    the batch, (loss, y, raw) -> (g, h, v) arrays. GHM: the harmonizing weights from mpmath gradient
#    norms, held constant (as the paper does) while mp.diff differentiates the weighted loss. Dice:
#    mp.diff of the batch objective F(z) one margin at a time, the others held.
def _ghm_weights(norms, bins):
    index = [min(int(mp.floor(v * bins)), bins - 1) for v in norms]
    counts = [index.count(b) for b in range(bins)]
    filled = sum(1 for c in counts if c)
    return [mp.mpf(len(norms)) / (filled * counts[b]) for b in index]


def _ghm_batch(base_value, norm, base_grad_hess=None):
    def batch(loss, y, raw):
        p = loss.params
        with mp.workdps(400):
            rows = [(yi, _mp_row(zi) if raw.ndim == 2 else mp.mpf(float(zi)))
                    for yi, zi in zip((int(v) if raw.ndim == 2 else mp.mpf(float(v)) for v in y), raw)]
            beta = _ghm_weights([norm(p, yi, zi) for yi, zi in rows], int(p["bins"]))
            g, h = np.empty(raw.shape), np.empty(raw.shape)
            for i, (yi, zi) in enumerate(rows):
                if base_grad_hess is not None:
                    gi, hi = base_grad_hess(yi, zi)
                else:
                    gi = mp.diff(lambda v: base_value(p, yi, v), zi, 1)
                    hi = mp.diff(lambda v: base_value(p, yi, v), zi, 2)
                g[i] = [float(beta[i] * v) for v in gi] if raw.ndim == 2 else float(beta[i] * gi)
                h[i] = [float(beta[i] * v) for v in hi] if raw.ndim == 2 else float(beta[i] * hi)
            v = np.array([float(beta[i] * base_value(p, yi, zi)) for i, (yi, zi) in enumerate(rows)])
        return g, h, v
    return batch


def _cross_entropy(p, y, z):
    return _soft(lambda p, y, z: -_log_sigmoid(_signed(y, z)))(p, y, z)


def _asl1(p, y, z):
    mu = mp.mpf(p["mu"])
    return mp.sqrt((z - y) ** 2 + mu * mu) - mu


def _dice_batch(loss, y, raw):
    with mp.workdps(400):
        s = mp.mpf(loss.params["smooth"])
        ys = [mp.mpf(float(v)) for v in y]
        zs = [mp.mpf(float(v)) for v in raw]

        def ratio(zv):
            ps = [1 / (1 + mp.exp(-v)) for v in zv]
            return (2 * mp.fsum(a * b for a, b in zip(ps, ys)) + s) / (mp.fsum(a * a for a in ps) + mp.fsum(ys) + s)

        def objective(i, t):
            moved = list(zs)
            moved[i] = t
            return len(zs) * (1 - ratio(moved))

        g = np.array([float(mp.diff(lambda t: objective(i, t), zs[i], 1)) for i in range(len(zs))])
        h = np.array([float(mp.diff(lambda t: objective(i, t), zs[i], 2)) for i in range(len(zs))])
        v = np.full(len(zs), float(1 - ratio(zs)))
    return g, h, v


SOFT_TARGETS = [[0.7, 0.2, 0.1], [0.0, 1.0, 0.0], [0.0, 0.5, 0.5]]  # one-hot and zero entries included


@dataclass
class Reference:
    value: Callable                 # (params, y, z) -> mpf; z a list of mpf for multiclass
    cases: list = field(default_factory=list)
    row_grad_hess: Callable = None  # analytic (loss, y, z) -> (g, h) rows, instead of mp.diff
    batch: Callable = None          # batch losses: (loss, y, raw) -> (g, h, v) arrays of the whole batch


REFERENCES = {
    "squared_error": Reference(lambda p, y, z: (z - y) ** 2 / 2, [bo.SquaredError()]),
    "absolute_error": Reference(lambda p, y, z: abs(z - y), [bo.AbsoluteError(), bo.AbsoluteError(hessian=0.5)]),
    "huber": Reference(_huber, [bo.Huber(), bo.Huber(delta=2.5, hessian="exact")]),
    "smooth_l1": Reference(lambda p, y, z: _huber({"delta": p["beta"]}, y, z) / mp.mpf(p["beta"]),
                           [bo.SmoothL1(), bo.SmoothL1(beta=0.2, hessian="exact"), bo.SmoothL1(beta=3.0)]),
    "mape": Reference(lambda p, y, z: abs(z - y) / max(abs(y), mp.mpf(p["epsilon"])),
                      [bo.AbsolutePercentageError(), bo.AbsolutePercentageError(epsilon=0.5)]),
    "smape": Reference(lambda p, y, z: 2 * abs(z - y) / (abs(y) + abs(z)) if abs(y) + abs(z) > 0 else mp.mpf(0),
                       [bo.SymmetricAbsolutePercentageError(), bo.SymmetricAbsolutePercentageError(hessian="constant"),
                        bo.SymmetricAbsolutePercentageError(hessian="exact")]),
    "pseudo_huber": Reference(
        lambda p, y, z: mp.mpf(p["delta"]) ** 2 * (mp.sqrt(1 + ((z - y) / mp.mpf(p["delta"])) ** 2) - 1),
        [bo.PseudoHuber(), bo.PseudoHuber(delta=0.3)]),
    "logcosh": Reference(lambda p, y, z: mp.log(mp.cosh(z - y)),
                         [bo.LogCosh(), bo.LogCosh(hessian="irls"), bo.LogCosh(hessian="constant")]),
    "quantile": Reference(_quantile, [bo.Quantile(), bo.Quantile(alpha=0.9)]),
    "expectile": Reference(lambda p, y, z: abs(mp.mpf(p["alpha"]) - (1 if y < z else 0)) * (z - y) ** 2,
                           [bo.Expectile(), bo.Expectile(alpha=0.15)]),
    "fair": Reference(
        lambda p, y, z: mp.mpf(p["c"]) ** 2 * (abs(z - y) / mp.mpf(p["c"]) - mp.log(1 + abs(z - y) / mp.mpf(p["c"]))),
        [bo.Fair(), bo.Fair(c=3.0)]),
    "cauchy": Reference(lambda p, y, z: mp.mpf(p["c"]) ** 2 / 2 * mp.log1p(((z - y) / mp.mpf(p["c"])) ** 2),
                        [bo.Cauchy(), bo.Cauchy(c=2.5, hessian="exact")]),
    "poisson": Reference(lambda p, y, z: cexp(z) - y * z - y + (y * mp.log(y) if y > 0 else 0),
                         [bo.Poisson(), bo.Poisson(hessian="damped")]),
    "gamma": Reference(lambda p, y, z: y * cexp(-z) + z - 1 - mp.log(y), [bo.Gamma()]),
    "tweedie": Reference(_tweedie, [bo.Tweedie(), bo.Tweedie(power=1.2)]),
    "logistic": Reference(
        _soft(lambda p, y, z: -_binary_weights(p)[1 if y > 0.5 else 0] * _log_sigmoid(_signed(y, z))),
        [bo.Logistic(), bo.Logistic(pos_weight=4.0), bo.Logistic(alpha=0.25), bo.Logistic(class_weight=(0.5, 2.0))]),
    "focal": Reference(_focal, [
        bo.Focal(gamma=0.0), bo.Focal(gamma=0.5), bo.Focal(), bo.Focal(gamma=5.0), bo.Focal(gamma=2.0, alpha=0.25),
        bo.Focal(gamma=2.0, hessian="exact"), bo.Focal(gamma=0.5, alpha=0.75, hessian=1e-3)]),
    "exponential": Reference(lambda p, y, z: cexp(-_signed(y, z)), [bo.Exponential()]),
    "smooth_hinge": Reference(_smooth_hinge, [bo.SmoothHinge()]),
    "squared_hinge": Reference(lambda p, y, z: (1 - _signed(y, z)) ** 2 if _signed(y, z) < 1 else mp.mpf(0),
                               [bo.SquaredHinge(), bo.SquaredHinge(hessian="constant")]),
    "softmax": Reference(_softmax, [
        bo.SoftmaxCrossEntropy(), bo.SoftmaxCrossEntropy(label_smoothing=0.1),
        bo.SoftmaxCrossEntropy(class_weight=[1.0, 2.0, 0.5]), bo.SoftmaxCrossEntropy(hessian="exact"),
        bo.SoftmaxCrossEntropy(hessian="lightgbm")], row_grad_hess=_softmax_grad_hess),
    "softmax_focal": Reference(_softmax_focal, [
        bo.SoftmaxFocal(gamma=0.0), bo.SoftmaxFocal(gamma=0.5), bo.SoftmaxFocal(), bo.SoftmaxFocal(gamma=5.0),
        bo.SoftmaxFocal(gamma=2.0, alpha=[0.25, 1.0, 2.0]), bo.SoftmaxFocal(gamma=2.0, hessian="exact"),
        bo.SoftmaxFocal(gamma=2.0, hessian="upper")]),
    "soft_target_softmax": Reference(_soft_target, [
        bo.SoftTargetCrossEntropy(SOFT_TARGETS), bo.SoftTargetCrossEntropy(SOFT_TARGETS, temperature=3.0),
        bo.SoftTargetCrossEntropy(SOFT_TARGETS, temperature=0.5, hessian="exact")], row_grad_hess=_soft_target_grad_hess),
    "ghmc": Reference(_cross_entropy, [bo.GHMC(), bo.GHMC(bins=1), bo.GHMC(bins=30)],
                      batch=_ghm_batch(_cross_entropy, lambda p, y, z: abs(1 / (1 + mp.exp(-z)) - y))),
    "softmax_ghmc": Reference(_softmax, [bo.SoftmaxGHMC(), bo.SoftmaxGHMC(bins=3)], batch=_ghm_batch(
        lambda p, y, z: _neg_log_softmax(z, y), lambda p, y, z: _prob_and_complement(z, y)[1],
        lambda y, z: _softmax_grad_hess(bo.SoftmaxCrossEntropy(hessian="exact"), y, z))),
    "ghmr": Reference(_asl1, [bo.GHMR(), bo.GHMR(mu=0.5, bins=5), bo.GHMR(mu=2.0, hessian="exact")],
                      batch=_ghm_batch(_asl1, lambda p, y, z: abs(z - y) / mp.sqrt((z - y) ** 2 + mp.mpf(p["mu"]) ** 2))),
    "dice": Reference(_dice_batch, [bo.Dice(), bo.Dice(smooth=0.01), bo.Dice(smooth=5.0, hessian="exact")],
                      batch=_dice_batch),
    # a wrapper: its reference is the one of the weighted base loss it resolves to
    "class_balanced": Reference(None, [
        bo.ClassBalanced(beta=0.99, counts=[90, 10]), bo.ClassBalanced(beta=0.9, base="focal", counts=[80, 20]),
        bo.ClassBalanced(beta=0.999, base="softmax", counts=[50, 30, 20]),
        bo.ClassBalanced(beta=0.99, base="softmax_focal", gamma=1.0, counts=[50, 30, 20])]),
}


def reference_for(loss):
    try:
        ref = REFERENCES[loss.name]
    except KeyError:
        raise LookupError(f"no reference for {loss.name!r}: add its formula and cases to tests/reference.py") from None
    if ref.value is None:
        raise LookupError(f"{loss.name!r} is a wrapper: compare the loss it resolves to (loss._concrete(y))")
    return ref


def _mp_row(row):
    return [mp.mpf(float(v)) for v in row]


def grad_hess(loss, y, raw):
    """Reference (g, h) arrays for labels y and margins raw (float64 arrays)."""
    ref = reference_for(loss)
    if ref.batch is not None:
        return ref.batch(loss, y, raw)[:2]
    p = loss.params
    g, h = np.empty(raw.shape), np.empty(raw.shape)
    for i in range(raw.shape[0]):
        if raw.ndim == 1:
            # 400 digits: a derivative down to 1e-308 (float64's range) must survive next to loss
            # values of 1e5 (e.g. the Poisson Hessian e^z at z = -400 beside the term y z)
            with mp.workdps(400):
                yi, zi = mp.mpf(float(y[i])), mp.mpf(float(raw[i]))
                g[i] = float(mp.diff(lambda v: ref.value(p, yi, v), zi, 1))
                h[i] = float(mp.diff(lambda v: ref.value(p, yi, v), zi, 2))
            continue
        zi, yi = _mp_row(raw[i]), int(y[i])
        if ref.row_grad_hess is not None:
            gi, hi = ref.row_grad_hess(loss, yi, zi)
            g[i], h[i] = [float(v) for v in gi], [float(v) for v in hi]
            continue
        for j in range(raw.shape[1]):
            def f(v, j=j):
                row = list(zi)
                row[j] = v
                return ref.value(p, yi, row)
            g[i, j] = float(mp.diff(f, zi[j], 1))
            h[i, j] = float(mp.diff(f, zi[j], 2))
    return g, h


def value(loss, y, raw):
    ref = reference_for(loss)
    if ref.batch is not None:
        return ref.batch(loss, y, raw)[2]
    p = loss.params
    if raw.ndim == 1:
        return np.array([float(ref.value(p, mp.mpf(float(a)), mp.mpf(float(b)))) for a, b in zip(y, raw)])
    return np.array([float(ref.value(p, int(a), _mp_row(b))) for a, b in zip(y, raw)])


CASES = [case for ref in REFERENCES.values() for case in ref.cases]


def case_id(loss):
    return repr(loss).replace(" ", "")
