"""Regression kernels. r = z - y is the residual of the raw prediction z against the label y.

Every kernel has the signature ``(y, z, theta)`` where ``theta`` is a float64 parameter vector
laid out by the owning loss class; ``*_grad_hess`` returns (dL/dz, d2L/dz2) of one sample and
``*_value`` its loss. Hessian policies (constant, floor) are applied by the driver, not here.

IRLS Hessian (robust losses, flag ``theta[-1] != 0``): psi(r) / r with psi = dL/dr, the weight of
iteratively reweighted least squares. For these symmetric losses psi(r)/r is non-increasing in |r|,
so the quadratic with that curvature majorises the loss: Newton leaf steps become MM steps that
never overshoot, and outliers get weight ~1/|r| instead of a vanishing (exact) or unit (constant)
curvature. It is >= the exact Hessian and > 0 everywhere.
"""
import math

from numba.extending import register_jitable as jitable

from ._math import indicator, logcosh, sech2, sign


# Squared error: L = r^2 / 2, g = r, h = 1 (XGBoost reg:squarederror / LightGBM l2).
@jitable
def squared_grad_hess(y, z, theta):
    return z - y, 1.0


@jitable
def squared_value(y, z, theta):
    r = z - y
    return 0.5 * r * r


# Absolute error: L = |r|, g = sign(r) (0 at r = 0, as both engines), exact h = 0 a.e.
@jitable
def absolute_grad_hess(y, z, theta):
    return sign(z - y), 0.0


@jitable
def absolute_value(y, z, theta):
    return abs(z - y)


# Huber, theta = (delta, irls): L = r^2/2 for |r| <= delta, delta (|r| - delta/2) beyond;
# g = clip(r, -delta, delta); exact h = 1 inside, 0 outside; IRLS h = delta / |r| outside.
@jitable
def huber_grad_hess(y, z, theta):
    delta = theta[0]
    r = z - y
    a = abs(r)
    g = min(max(r, -delta), delta)
    if theta[1] != 0.0:
        return g, delta / max(a, delta)
    return g, indicator(a <= delta)


@jitable
def huber_value(y, z, theta):
    delta = theta[0]
    a = abs(z - y)
    if a <= delta:
        return 0.5 * a * a
    return delta * (a - 0.5 * delta)


# Pseudo-Huber, theta = (delta, irls), as XGBoost reg:pseudohubererror with huber_slope = delta:
# L = delta^2 (s - 1) with s = sqrt(1 + (r/delta)^2); g = r / s; h = 1 / s^3 (IRLS: 1 / s).
# s - 1 is evaluated as (r/delta)^2 / (s + 1) to avoid cancellation for small r, and
# s = hypot(1, r/delta) never overflows.
@jitable
def _one_hypot(t):
    """sqrt(1 + t^2) without overflow (math.hypot is exact too, but 3x slower and not vectorised)."""
    a = abs(t)
    return math.sqrt(1.0 + a * a) if a < 1e150 else a


@jitable
def pseudo_huber_grad_hess(y, z, theta):
    delta = theta[0]
    r = z - y
    s = _one_hypot(r / delta)
    if theta[1] != 0.0:
        return r / s, 1.0 / s
    return r / s, 1.0 / (s * s * s)


@jitable
def pseudo_huber_value(y, z, theta):
    delta = theta[0]
    t = (z - y) / delta
    s = _one_hypot(t)
    return delta * delta * (t / (s + 1.0)) * t


# Log-cosh, theta = (irls,): L = log cosh(r), g = tanh(r), h = sech(r)^2 (stable forms in
# _math); IRLS h = tanh(r) / r (-> 1 - r^2/3 as r -> 0, used below |r| < 1e-4 to avoid 0/0).
# tanh |r| = -m / (2 + m) with m = expm1(-2|r|): one libm call, full precision at small |r|.
@jitable
def logcosh_grad_hess(y, z, theta):
    r = z - y
    a = abs(r)
    m = math.expm1(-2.0 * a)
    tanh_a = -m / (2.0 + m)
    g = math.copysign(tanh_a, r)
    if theta[0] != 0.0:
        return g, (tanh_a / a if a >= 1e-4 else 1.0 - a * a / 3.0)
    return g, sech2(r)


@jitable
def logcosh_value(y, z, theta):
    return logcosh(z - y)


# Quantile (pinball), theta = (alpha,): L = alpha (y - z) if y > z else (1 - alpha)(z - y).
# g = -alpha if y > z else 1 - alpha (at y == z the right derivative, as LightGBM);
# exact h = 0 a.e.
@jitable
def quantile_grad_hess(y, z, theta):
    return (1.0 - theta[0]) - indicator(y > z), 0.0


@jitable
def quantile_value(y, z, theta):
    alpha = theta[0]
    if y > z:
        return alpha * (y - z)
    return (1.0 - alpha) * (z - y)


# Expectile (asymmetric squared), theta = (alpha,): L = |alpha - 1[y < z]| (y - z)^2,
# so Expectile(0.5) equals SquaredError. With w = alpha if y >= z else 1 - alpha:
# g = 2 w (z - y), h = 2 w (h jumps at r = 0 and takes the y >= z side there).
@jitable
def expectile_grad_hess(y, z, theta):
    alpha = theta[0]
    w = (1.0 - alpha) + indicator(y >= z) * (2.0 * alpha - 1.0)
    return 2.0 * w * (z - y), 2.0 * w


@jitable
def expectile_value(y, z, theta):
    alpha = theta[0]
    w = alpha if y >= z else 1.0 - alpha
    r = z - y
    return w * r * r


# Fair, theta = (c, irls), as LightGBM "fair": L = c^2 (|r|/c - log(1 + |r|/c));
# g = c r / (|r| + c); h = c^2 / (|r| + c)^2 (IRLS: c / (|r| + c)).
@jitable
def fair_grad_hess(y, z, theta):
    c = theta[0]
    r = z - y
    d = abs(r) + c
    if theta[1] != 0.0:
        return c * r / d, c / d
    return c * r / d, (c / d) * (c / d)


@jitable
def fair_value(y, z, theta):
    c = theta[0]
    a = abs(z - y) / c
    return c * c * (a - math.log1p(a))
