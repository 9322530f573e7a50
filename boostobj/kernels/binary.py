"""Binary kernels on the raw margin z, labels y in {0, 1}.

All work on the signed margin u = t z with t = 2y - 1, so dL/dz = t dL/du and d2L/dz2 = d2L/du2,
and every exponential is taken of a non-positive argument. Class weights (a0, a1) are theta[0:2]:
a_y = a0 + y (a1 - a0). Labels are exactly 0 or 1 (validated), so both are plain arithmetic.
"""
import math

from ._math import exp_continued, indicator, jitable, logistic_parts, softplus


# Weighted logistic, theta = (a0, a1): L = a_y softplus(-u) = -a_y log sigma(u).
# dL/du = -a_y sigma(-u) (not sigma(z) - y, which loses all digits when sigma(z) -> 1);
# d2L/du2 = a_y sigma(u) sigma(-u).
@jitable
def _sign_and_weight(y, theta):
    return 2.0 * y - 1.0, theta[0] + y * (theta[1] - theta[0])


@jitable
def logistic_grad_hess(y, z, theta):
    t, a = _sign_and_weight(y, theta)
    u = t * z
    # sigma(-u) and sigma(u) sigma(-u) from one exp: e = e^-|u|, sigma(-|u|) = e / (1 + e).
    e = math.exp(-abs(u))
    inv = 1.0 / (1.0 + e)
    q = (e if u >= 0.0 else 1.0) * inv
    return -t * a * q, a * e * inv * inv


@jitable
def logistic_value(y, z, theta):
    t, a = _sign_and_weight(y, theta)
    return a * softplus(-t * z)


# Focal (Lin et al. 2017), theta = (a0, a1, gamma):
# with p = sigma(u), q = sigma(-u) = 1 - p, s = softplus(-u) = -log p:
#   L = a q^gamma s
#   dq/du = -p q, dp/du = p q, ds/du = -q
#   dL/du = -a q^gamma (gamma p s + q)
#   d2L/du2 = a q^gamma p [gamma^2 p s + (1 + 2 gamma) q - gamma q s]
# The last term makes the exact Hessian negative for badly misclassified points (gamma > 0,
# s > (1 + 2 gamma) / gamma roughly); the "upper" kernel drops it, giving a positive upper bound of
# the curvature (a majoriser: Newton steps with it never overshoot). q^gamma = exp(-gamma softplus(u))
# keeps full relative precision when q underflows. gamma = 0 gives the logistic kernel exactly.
@jitable
def _focal(y, z, theta, upper):
    t, a = _sign_and_weight(y, theta)
    gamma = theta[2]
    u = t * z
    p, q, s, neg_log_q = logistic_parts(u)
    qg = math.exp(-gamma * neg_log_q) if gamma != 0.0 else 1.0
    g = -t * a * qg * (gamma * p * s + q)
    curvature = gamma * gamma * p * s + (1.0 + 2.0 * gamma) * q - (1.0 - upper) * gamma * q * s
    return g, a * qg * p * curvature


@jitable
def focal_grad_hess(y, z, theta):
    return _focal(y, z, theta, 0.0)


@jitable
def focal_grad_hess_upper(y, z, theta):
    return _focal(y, z, theta, 1.0)


@jitable
def focal_value(y, z, theta):
    t, a = _sign_and_weight(y, theta)
    gamma = theta[2]
    p, q, s, neg_log_q = logistic_parts(t * z)
    qg = math.exp(-gamma * neg_log_q) if gamma != 0.0 else 1.0
    return a * qg * s


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
