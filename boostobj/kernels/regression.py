"""Regression kernels. r = z - y is the residual of the raw prediction z against the label y.

Every kernel has the signature ``(y, z, theta)`` where ``theta`` is a float64 parameter vector
laid out by the owning loss class; ``*_grad_hess`` returns (dL/dz, d2L/dz2) of one sample and
``*_value`` its loss. Hessian policies (constant, floor) are applied by the driver, not here; a
policy with a formula of its own is a kernel of its own (``*_grad_hess_irls``).

IRLS Hessian (robust losses): psi(r) / r with psi = dL/dr, the weight of
iteratively reweighted least squares. For these symmetric losses psi(r)/r is non-increasing in |r|,
so the quadratic with that curvature majorises the loss: Newton leaf steps become MM steps that
never overshoot, and outliers get weight ~1/|r| instead of a vanishing (exact) or unit (constant)
curvature. It is >= the exact Hessian and > 0 everywhere.
"""
import math

from ._math import EXP_KNEE, exp, exp_continued, exp_excess, expm1, indicator, jitable, log1p, logcosh, sech2, sign


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


# Huber, theta = (delta,): L = r^2/2 for |r| <= delta, delta (|r| - delta/2) beyond;
# g = clip(r, -delta, delta); exact h = 1 inside, 0 outside; IRLS h = delta / |r| outside.
@jitable
def huber_grad_hess(y, z, theta):
    delta = theta[0]
    r = z - y
    return min(max(r, -delta), delta), indicator(abs(r) <= delta)


@jitable
def huber_grad_hess_irls(y, z, theta):
    delta = theta[0]
    r = z - y
    return min(max(r, -delta), delta), delta / max(abs(r), delta)


@jitable
def huber_value(y, z, theta):
    delta = theta[0]
    a = abs(z - y)
    if a <= delta:
        return 0.5 * a * a
    return delta * (a - 0.5 * delta)


# Pseudo-Huber, theta = (delta,), as XGBoost reg:pseudohubererror with huber_slope = delta:
# L = delta^2 (s - 1) with s = sqrt(1 + t^2), t = r / delta; g = r / s = delta t / s; h = 1 / s^3
# (IRLS: 1 / s). t is clipped at +-1e150 so that t^2 stays finite (g, h change by < 1e-300 there).
# The value is formed as |r| * min(|r| / (s + 1), delta): |r| / (s + 1) = delta^2 (s - 1) / |r| without
# cancellation for small r, without delta^2 overflowing for large delta, and -> delta (the exact limit)
# where t was clipped.
@jitable
def _pseudo_huber_s(y, z, delta):
    t = min(max((z - y) / delta, -1e150), 1e150)
    return t, math.sqrt(1.0 + t * t)


@jitable
def pseudo_huber_grad_hess(y, z, theta):
    t, s = _pseudo_huber_s(y, z, theta[0])
    return theta[0] * t / s, 1.0 / (s * s * s)


@jitable
def pseudo_huber_grad_hess_irls(y, z, theta):
    t, s = _pseudo_huber_s(y, z, theta[0])
    return theta[0] * t / s, 1.0 / s


@jitable
def pseudo_huber_value(y, z, theta):
    t, s = _pseudo_huber_s(y, z, theta[0])
    a = abs(z - y)
    return a * min(a / (s + 1.0), theta[0])


# Log-cosh, theta = (): L = log cosh(r), g = tanh(r), h = sech(r)^2 (stable forms in
# _math); IRLS h = tanh(r) / r (-> 1 - r^2/3 as r -> 0, used below |r| < 1e-4 to avoid 0/0).
# tanh |r| = -m / (2 + m) with m = expm1(-2|r|): one libm call, full precision at small |r|.
@jitable
def _tanh_abs(r):
    m = expm1(-2.0 * abs(r))
    return -m / (2.0 + m)


@jitable
def logcosh_grad_hess(y, z, theta):
    r = z - y
    return math.copysign(_tanh_abs(r), r), sech2(r)


@jitable
def logcosh_grad_hess_irls(y, z, theta):
    r = z - y
    a = abs(r)
    tanh_a = _tanh_abs(r)
    return math.copysign(tanh_a, r), (tanh_a / a if a >= 1e-4 else 1.0 - a * a / 3.0)


@jitable
def logcosh_value(y, z, theta):
    return logcosh(z - y)


# Quantile (pinball), theta = (alpha,): L = alpha (y - z) if y > z else (1 - alpha)(z - y).
# g = -alpha if y > z else 1 - alpha (at y == z the right derivative, as LightGBM);
# exact h = 0 a.e.
@jitable
def quantile_grad_hess(y, z, theta):
    return (-theta[0] if y > z else 1.0 - theta[0]), 0.0  # selected, not (1 - a) - 1: that cancels for tiny a


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
    w = alpha if y >= z else 1.0 - alpha  # a select (an arithmetic mix cancelled for alpha below 1e-12)
    return 2.0 * w * (z - y), 2.0 * w


@jitable
def expectile_value(y, z, theta):
    alpha = theta[0]
    w = alpha if y >= z else 1.0 - alpha
    r = z - y
    return w * r * r


# Fair, theta = (c,), as LightGBM "fair": L = c^2 (|r|/c - log(1 + |r|/c));
# g = c r / (|r| + c); h = c^2 / (|r| + c)^2 (IRLS: c / (|r| + c)).
@jitable
def fair_grad_hess(y, z, theta):
    c = theta[0]
    r = z - y
    d = abs(r) + c
    return r * (c / d), (c / d) * (c / d)  # r (c / d): c r overflowed for |r| c > 1.8e308


@jitable
def fair_grad_hess_irls(y, z, theta):
    c = theta[0]
    r = z - y
    d = abs(r) + c
    return r * (c / d), c / d


@jitable
def fair_value(y, z, theta):
    # a - log1p(a) cancels for small a = |r|/c: there its series r^2 (1/2 - a/3 + a^2/4 - a^3/5)
    # (truncation < 2e-13 relative below a = 1e-3); elsewhere c (|r| - c log1p(a)), which never
    # forms c^2 (it overflows for c > 1e154 while the loss does not).
    c = theta[0]
    r = abs(z - y)
    a = r / c
    if a < 1e-3:
        return r * r * (0.5 - a * (1.0 / 3.0 - a * (0.25 - a * 0.2)))
    return c * (r - c * log1p(a))


# Cauchy (Lorentzian), theta = (c,): L = c^2/2 log(1 + (r/c)^2), with t = (r/c)^2:
# g = r / (1 + t); exact h = (1 - t) / (1 + t)^2, negative for |r| > c (the loss is not convex);
# IRLS h = 1 / (1 + t) = psi(r)/r, positive, >= exact, and its quadratic majorises the loss.
# log1p(t) keeps precision for small r; for |r/c| > 1e150 t overflows, so the value is formed from
# log|r/c| there (c^2 log|r/c|).
@jitable
def _scaled_residual(y, z, c):
    """(z - y) / c clipped at +-1e150 so that its square stays finite (the clip changes g and h by
    less than 1e-150 of c)."""
    return min(max((z - y) / c, -1e150), 1e150)


@jitable
def cauchy_grad_hess(y, z, theta):
    u = _scaled_residual(y, z, theta[0])
    t = u * u
    inv = 1.0 / (1.0 + t)
    return theta[0] * u * inv, (1.0 - t) * inv * inv


@jitable
def cauchy_grad_hess_irls(y, z, theta):
    u = _scaled_residual(y, z, theta[0])
    inv = 1.0 / (1.0 + u * u)
    return theta[0] * u * inv, inv


@jitable
def cauchy_value(y, z, theta):
    c = theta[0]
    a = abs(z - y) / c
    if a > 1e150:
        return c * (c * math.log(a))
    return (0.5 * c) * (c * log1p(a * a))  # c * c alone overflows for c > 1.3e154


# Log-link losses (Poisson, Gamma, Tweedie) on the margin z = log(mu). Their exponentials use the
# continued exponential E of _math (exact up to exponent 50, a C^2 quadratic continuation beyond),
# so every output is finite for every finite margin; below the knee they are the textbook formulas,
# identical to XGBoost count:poisson / reg:gamma / reg:tweedie and LightGBM poisson / gamma / tweedie.
# Values are half the unit deviance (0 at mu = y), as scikit-learn's mean_*_deviance / 2.
@jitable
def _xlogx(y):
    return y * math.log(y) if y > 0.0 else 0.0


# Poisson, theta = (max_delta_step,): L = E(z) - y z - y + y log y (= mu - y log mu + const).
# g = E'(z) - y; exact h = E''(z) = mu. The damped Hessian of both engines' built-ins,
# mu e^max_delta_step, scales every Newton step down by e^-max_delta_step (0.7 by default).
@jitable
def poisson_grad_hess(y, z, theta):
    e, de, d2e = exp_continued(z)
    return de - y, d2e


@jitable
def poisson_grad_hess_damped(y, z, theta):
    e, de, d2e = exp_continued(z)
    return de - y, d2e * exp(theta[0])


@jitable
def poisson_value(y, z, theta):
    e, de, d2e = exp_continued(z)
    if y > 0.0 and z <= EXP_KNEE:
        # y (e^-t - 1 + t) with t = log y - z: no cancellation of large terms near the optimum (up to
        # the knee: from z = 40 on, the textbook form lost up to 64 % at labels of 1e18); for a tiny
        # label e^-t overflows while y e^-t = e^z does not
        t = math.log(y) - z
        if t > -700.0:
            return y * exp_excess(-t)
        return y * t + (exp(z) - y)
    return e - y * z - y + _xlogx(y)


# Gamma, theta = (): L = y E(-z) + z - 1 - log y (= y / mu + log mu + const), labels y > 0.
# g = 1 - y E'(-z); h = y E''(-z) = y / mu (exact, positive).
@jitable
def gamma_grad_hess(y, z, theta):
    e, de, d2e = exp_continued(-z)
    return 1.0 - y * de, y * d2e


@jitable
def gamma_value(y, z, theta):
    if z >= -EXP_KNEE:
        # with s = log y - z: L = e^s - 1 - s, without cancellation near the optimum (up to the knee)
        s = math.log(y) - z
        return exp_excess(s)
    e, de, d2e = exp_continued(-z)
    return y * e + z - 1.0 - math.log(y)


# Tweedie, theta = (rho,) with 1 < rho < 2: with a = 1 - rho < 0 and b = 2 - rho > 0,
# L = y^b / (a b) - y E(a z) / a + E(b z) / b;
# g = -y E'(a z) + E'(b z); h = -y a E''(a z) + b E''(b z) (> 0: -a > 0).
@jitable
def _tweedie_terms(z, theta):
    """(a, b, E(a z), E'(a z), E''(a z), E(b z), E'(b z), E''(b z))."""
    a = 1.0 - theta[0]
    b = 2.0 - theta[0]
    ea, dea, d2ea = exp_continued(a * z)
    eb, deb, d2eb = exp_continued(b * z)
    return a, b, ea, dea, d2ea, eb, deb, d2eb


@jitable
def tweedie_grad_hess(y, z, theta):
    a, b, ea, dea, d2ea, eb, deb, d2eb = _tweedie_terms(z, theta)
    return -y * dea + deb, -y * a * d2ea + b * d2eb


@jitable
def tweedie_value(y, z, theta):
    a, b, ea, dea, d2ea, eb, deb, d2eb = _tweedie_terms(z, theta)
    yb = exp(b * math.log(y)) if y > 0.0 else 0.0
    u = z - math.log(y) if y > 0.0 else 0.0
    if y > 0.0 and max(a * z, b * z) <= EXP_KNEE and abs(u) <= 700.0:
        # with u = log(mu / y): L = y^b (X(b u) / b - X(a u) / a), X(x) = e^x - 1 - x >= 0, two terms of
        # one sign (a < 0 < b); the textbook form below cancels near the optimum, by 1 / (a b) near
        # power 1 or 2 (power 1.5, y = 1, z = 1e-6: 1e-3 relative; power 2 - 2^-52: -0.5 for 3e-34)
        return yb * (exp_excess(b * u) / b - exp_excess(a * u) / a)
    return yb / (a * b) - y * ea / a + eb / b


# Smooth L1 (Fast R-CNN, PyTorch's SmoothL1Loss), theta = (beta,): L = r^2 / (2 beta) for
# |r| < beta, |r| - beta / 2 beyond; exactly Huber(delta = beta) / beta, so every derivative is
# Huber's divided by beta (exact h = 1/beta inside, 0 outside; IRLS h = 1 / max(|r|, beta)).
@jitable
def smooth_l1_grad_hess(y, z, theta):
    g, h = huber_grad_hess(y, z, theta)
    return g / theta[0], h / theta[0]


@jitable
def smooth_l1_grad_hess_irls(y, z, theta):
    g, h = huber_grad_hess_irls(y, z, theta)
    return g / theta[0], h / theta[0]


@jitable
def smooth_l1_value(y, z, theta):
    return huber_value(y, z, theta) / theta[0]


# MAPE objective, theta = (epsilon,): L = |r| / s with s = max(|y|, epsilon) (epsilon = 0: labels
# must be non-zero, checked by the domain), i.e. absolute error with the row weight 1/s:
# g = sign(r) / s, exact h = 0 a.e.; the "constant" policy is AbsoluteError's constant Hessian 1
# times the same weight, h = 1/s, so a Newton leaf is the 1/s-weighted mean of the gradient signs.
@jitable
def _mape_scale(y, theta):
    return 1.0 / max(abs(y), theta[0])


@jitable
def mape_grad_hess(y, z, theta):
    return sign(z - y) * _mape_scale(y, theta), 0.0


@jitable
def mape_grad_hess_constant(y, z, theta):
    s = _mape_scale(y, theta)
    return sign(z - y) * s, s


@jitable
def mape_value(y, z, theta):
    return abs(z - y) * _mape_scale(y, theta)


# SMAPE objective, theta = (): L = 2 |r| / D with D = |y| + |z| (0 at y = z = 0, as the metric).
# Away from the kinks (r = 0, z = 0), with N = sign(r) D - |r| sign(z):
#   dL/dz = 2 N / D^2,  and since dN/dz = sign(r) sign(z) - sign(r) sign(z) = 0,
#   d2L/dz2 = -4 N sign(z) / D^3,
# which is negative on one side of the label (the loss is not convex in z). The positive "irls"
# policy holds the denominator fixed at its current value: L ~ (2 / D) |r|, a weighted absolute
# error, whose IRLS curvature is (2 / D) / |r|; |r| is floored at 1e-3 D so that rows at their
# label do not get an unbounded weight (a Newton step then moves a lone row onto its label). "constant": 2 / D, the weighted-L1 analogue of
# AbsoluteError's constant Hessian. Formed as (u / D) / D with u = N / D so nothing overflows.
SMAPE_RESIDUAL_FLOOR = 1e-3


@jitable
def _smape_parts(y, z):
    r = z - y
    d = abs(y) + abs(z)
    safe_d = d if d > 0.0 else 1.0  # y = z = 0: r = 0 and every term below is 0
    u = sign(r) - abs(r) / safe_d * sign(z)  # N / D
    return r, safe_d, u


@jitable
def smape_grad_hess(y, z, theta):
    r, d, u = _smape_parts(y, z)
    return 2.0 * u / d, -4.0 * u * sign(z) / d / d


# Rows with y = 0 have L = 2 for every z != 0: no gradient and no curvature, so both positive
# policies give them h = 0 (their 2 / D would only grow without bound as z -> 0).
@jitable
def smape_grad_hess_irls(y, z, theta):
    r, d, u = _smape_parts(y, z)
    return 2.0 * u / d, (2.0 / (d * max(abs(r), SMAPE_RESIDUAL_FLOOR * d)) if y != 0.0 else 0.0)


@jitable
def smape_grad_hess_constant(y, z, theta):
    r, d, u = _smape_parts(y, z)
    return 2.0 * u / d, (2.0 / d if y != 0.0 else 0.0)


@jitable
def smape_value(y, z, theta):
    r, d, u = _smape_parts(y, z)
    return 2.0 * abs(r) / d
