"""Binary kernels on the raw margin z, labels y in {0, 1} (Logistic and Focal: y in [0, 1]).

All work on the signed margin u = t z with t = 2y - 1, so dL/dz = t dL/du and d2L/dz2 = d2L/du2,
and every exponential is taken of a non-positive argument. Class weights (a0, a1) are theta[0:2]:
a_y = a0 + y (a1 - a0). Labels are exactly 0 or 1 (validated), so both are plain arithmetic.
"""

import numpy as np

from ._math import (block_form, exp, exp_continued, indicator, jitable, log1p_unit, logistic_parts,
                    logistic_parts_from, power_of_probability, softplus)


# Soft labels (Logistic, Focal): a label y in [0, 1] is the probability of class 1, and the loss is
# the expected hard-label loss under it, L(y, z) = y L(1, z) + (1 - y) L(0, z), so every derivative
# is the same mix of the two hard-label ones. For y in {0, 1} one term is multiplied by exactly 0
# (the other side is always finite), so hard labels give the hard-label values bit for bit.

# Weighted logistic, theta = (a0, a1): L(1, z) = a1 softplus(-z), L(0, z) = a0 softplus(z).
# With p = sigma(z), q = sigma(-z): dL/dz = -y a1 q + (1 - y) a0 p (not sigma(z) - y, which loses
# all digits when sigma(z) -> 1); d2L/dz2 = (y a1 + (1 - y) a0) p q.
@jitable
def logistic_grad_hess(y, z, theta):
    return _logistic_from(y, z, theta[0], theta[1], exp(-abs(z)))


@jitable
def _logistic_from(y, z, a0, a1, e):
    """The weighted logistic derivatives from e = e^-|z|: p, q and p q from that one exp, with
    sigma(-|z|) = e / (1 + e)."""
    inv = 1.0 / (1.0 + e)
    pos = z >= 0.0
    p = (1.0 if pos else e) * inv
    q = (e if pos else 1.0) * inv
    return (1.0 - y) * a0 * p - y * a1 * q, (y * a1 + (1.0 - y) * a0) * e * inv * inv


# The staged block form (drivers.py runs it on the CPU): the exponentials of a block first, then the
# rest, the same operations, so the same bits. Fused, one margin's chain (exp, then the division) is
# longer than a vectorised iteration's out-of-order window covers; each stage alone overlaps its
# iterations. Zen 3, 1 thread, 1e7 float32, driver alone: 4.5 ns per margin fused, 3.6-3.9 staged.
@block_form(logistic_grad_hess)
def logistic_grad_hess_block(y, z, theta, g, h, n):
    for i in range(n):
        h[i] = exp(-abs(z[i]))
    for i in range(n):
        g[i], h[i] = _logistic_from(y[i], z[i], theta[0], theta[1], h[i])


@jitable
def logistic_value(y, z, theta):
    return y * theta[1] * softplus(-z) + (1.0 - y) * theta[0] * softplus(z)


# Focal (Lin et al. 2017), theta = (a0, a1, gamma), for the hard label 1 on the signed margin u:
# with p = sigma(u), q = sigma(-u) = 1 - p, s = softplus(-u) = -log p:
#   L = a q^gamma s
#   dq/du = -p q, dp/du = p q, ds/du = -q
#   dL/du = -a q^gamma (gamma p s + q)
#   d2L/du2 = a q^gamma p [gamma^2 p s + (1 + 2 gamma) q - gamma q s]
# Label 0 is the same at u = -z (dL/dz = -dL/du). The last term makes the exact Hessian negative
# for badly misclassified points (gamma > 0, s > (1 + 2 gamma) / gamma roughly); the "upper"
# kernel drops it, giving a positive upper bound of the curvature (a majoriser: Newton steps with
# it never overshoot). q^gamma = exp(-gamma softplus(u)) keeps full relative precision when q
# underflows (gamma < 1); gamma = 2 takes q * q (power_of_probability). gamma = 0 gives the logistic
# kernel exactly.
@jitable
def _focal_side_from(a, gamma, p, q, s, qg, upper):
    """(dL/du, d2L/du2, L) of the hard-label focal loss at u, from u's logistic parts and qg = q^gamma."""
    curvature = gamma * gamma * p * s + (1.0 + 2.0 * gamma) * q - (1.0 - upper) * gamma * q * s
    return -a * qg * (gamma * p * s + q), a * qg * p * curvature, a * qg * s


@jitable
def _focal_side(a, gamma, p, q, s, neg_log_q, upper):
    """``_focal_side_from`` with q^gamma from ``power_of_probability`` (the row kernel serves CUDA
    and CatBoost's per-row call: the flag is a runtime select there)."""
    return _focal_side_from(a, gamma, p, q, s, power_of_probability(q, neg_log_q, gamma, gamma == 2.0), upper)


@jitable
def _focal(y, z, theta, upper):
    gamma = theta[2]
    p, q, s, neg_log_q = logistic_parts(z)  # the parts at u = -z are (q, p, neg_log_q, s)
    g1, h1, _ = _focal_side(theta[1], gamma, p, q, s, neg_log_q, upper)
    g0, h0, _ = _focal_side(theta[0], gamma, q, p, neg_log_q, s, upper)
    return y * g1 - (1.0 - y) * g0, y * h1 + (1.0 - y) * h0


@jitable
def focal_grad_hess(y, z, theta):
    return _focal(y, z, theta, 0.0)


@jitable
def focal_grad_hess_upper(y, z, theta):
    return _focal(y, z, theta, 1.0)


# The staged block form of the focal kernels (drivers.py runs it on the CPU): fused, one margin's
# exp -> log1p -> exp chain is about 200 cycles of latency, longer than the out-of-order window of a
# vectorised iteration, so the loop waits on it. In stages over a block (e, then log1p(e), then the
# powers, then the sides) each loop is short and its iterations overlap, with the same operations,
# so the same bits. A block of hard labels (all 0 or 1, the usual case) needs only its own side's
# power: one exponential less per margin, and none at gamma = 2. Zen 3, 1 thread, driver alone: 19.7 ns
# per margin fused, 15.5 staged with soft labels, 12.5 with hard labels (gamma = 2 as q * q: see the
# README's kernel table); log1p and 1 / (1 + e) from one log1p_unit (one division less, none of
# log1p's special-value selects): 9.1-9.5 -> 7.5 ns with hard labels at gamma = 2 (A/B, 2026-12-07).
@block_form(focal_grad_hess)
def focal_grad_hess_block(y, z, theta, g, h, n):
    _focal_block(y, z, theta, g, h, n, 0.0)


@block_form(focal_grad_hess_upper)
def focal_grad_hess_block_upper(y, z, theta, g, h, n):
    _focal_block(y, z, theta, g, h, n, 1.0)


@jitable
def _focal_block(y, z, theta, g, h, n, upper):
    a0, a1, gamma = theta[0], theta[1], theta[2]
    e, l1p, inv = np.empty(n), np.empty(n), np.empty(n)
    hard = True
    for i in range(n):
        e[i] = exp(-abs(z[i]))
        hard &= (y[i] == 0.0) | (y[i] == 1.0)
    for i in range(n):
        l1p[i], inv[i] = log1p_unit(e[i])
    # one loop version per case, each calling the sides with a constant ``squared`` (gamma = 2: the
    # powers are products, no third exponential per margin; see power_of_probability)
    if hard and gamma == 2.0:
        _focal_hard_sides(y, z, a0, a1, gamma, e, l1p, inv, e, g, h, n, upper, True)
    elif hard:
        qg = np.empty(n)
        for i in range(n):  # q^gamma of the label's side: -log q (y = 1), -log p (y = 0)
            qg[i] = exp(-gamma * (l1p[i] + max((2.0 * y[i] - 1.0) * z[i], 0.0)))
        _focal_hard_sides(y, z, a0, a1, gamma, e, l1p, inv, qg, g, h, n, upper, False)
    elif gamma == 2.0:
        _focal_soft_sides(y, z, a0, a1, gamma, e, l1p, inv, e, e, g, h, n, upper, True)
    else:
        qg1, qg0 = np.empty(n), np.empty(n)
        for i in range(n):
            qg1[i] = exp(-gamma * (l1p[i] + max(z[i], 0.0)))
            qg0[i] = exp(-gamma * (l1p[i] + max(-z[i], 0.0)))
        _focal_soft_sides(y, z, a0, a1, gamma, e, l1p, inv, qg1, qg0, g, h, n, upper, False)


@jitable
def _focal_hard_sides(y, z, a0, a1, gamma, e, l1p, inv, qg, g, h, n, upper, squared):
    """The hard-label rows of a focal block: each row's own side only (qg: its q^gamma unless ``squared``)."""
    for i in range(n):
        t = 2.0 * y[i] - 1.0
        p, q, s, _ = logistic_parts_from(t * z[i], e[i], l1p[i], inv[i])
        du, d2u, _ = _focal_side_from(a0 + y[i] * (a1 - a0), gamma, p, q, s, q * q if squared else qg[i], upper)
        g[i] = t * du
        h[i] = d2u


@jitable
def _focal_soft_sides(y, z, a0, a1, gamma, e, l1p, inv, qg1, qg0, g, h, n, upper, squared):
    """The rows of a focal block with soft labels: both sides mixed (qg1, qg0: their q^gamma unless ``squared``)."""
    for i in range(n):
        p, q, s, neg_log_q = logistic_parts_from(z[i], e[i], l1p[i], inv[i])
        g1, h1, _ = _focal_side_from(a1, gamma, p, q, s, q * q if squared else qg1[i], upper)
        g0, h0, _ = _focal_side_from(a0, gamma, q, p, neg_log_q, p * p if squared else qg0[i], upper)
        g[i] = y[i] * g1 - (1.0 - y[i]) * g0
        h[i] = y[i] * h1 + (1.0 - y[i]) * h0


@jitable
def focal_value(y, z, theta):
    gamma = theta[2]
    p, q, s, neg_log_q = logistic_parts(z)
    _, _, v1 = _focal_side(theta[1], gamma, p, q, s, neg_log_q, 1.0)
    _, _, v0 = _focal_side(theta[0], gamma, q, p, neg_log_q, s, 1.0)
    return y * v1 + (1.0 - y) * v0


# Exponential (AdaBoost) loss L = e^{-u}, with the continued exponential E of _math: exact up to
# a = -u = 50, then its second-order Taylor expansion (convex, C^2, finite for every margin).
# dL/dz = -t E'(a), d2L/dz2 = E''(a).
@jitable
def exponential_grad_hess(y, z, theta):
    t = 2.0 * y - 1.0
    e, de, d2e = exp_continued(-t * z)
    return -t * de, d2e


@jitable
def exponential_value(y, z, theta):
    e, de, d2e = exp_continued(-(2.0 * y - 1.0) * z)
    return e


# Smooth hinge (Rennie & Srebro 2005) on m = u: L = 1/2 - m (m <= 0), (1 - m)^2 / 2 (0 < m < 1),
# 0 (m >= 1). dL/dm = -1, m - 1, 0; exact d2L/dm2 = 0, 1, 0.
@jitable
def smooth_hinge_grad_hess(y, z, theta):
    t = 2.0 * y - 1.0
    m = t * z
    # dL/dm = clip(m, 0, 1) - 1 covers the three pieces (-1, m - 1, 0).
    return t * (min(max(m, 0.0), 1.0) - 1.0), indicator(m > 0.0) * indicator(m < 1.0)


@jitable
def smooth_hinge_value(y, z, theta):
    m = (2.0 * y - 1.0) * z
    if m <= 0.0:
        return 0.5 - m
    if m < 1.0:
        return 0.5 * (1.0 - m) * (1.0 - m)
    return 0.0


# Squared hinge on m = u: L = max(0, 1 - m)^2, dL/dm = -2 max(0, 1 - m), d2L/dm2 = 2 [m < 1].
@jitable
def squared_hinge_grad_hess(y, z, theta):
    t = 2.0 * y - 1.0
    slack = max(1.0 - t * z, 0.0)
    return -2.0 * t * slack, 2.0 * indicator(t * z < 1.0)


@jitable
def squared_hinge_value(y, z, theta):
    slack = max(1.0 - (2.0 * y - 1.0) * z, 0.0)
    return slack * slack
