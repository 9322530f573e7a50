"""Regression losses (identity link). r = z - y is the residual of the prediction z."""
from .. import _validation as V
from .._solve import weighted_mean, weighted_quantile
from ..kernels import regression as K
from .base import Loss, register


class RegressionLoss(Loss):
    task = "regression"
    link = "identity"
    label_domain = "real"

    def _irls_flag(self):
        return 1.0 if self._params.get("hessian") == "irls" else 0.0

    def _solve(self, y, w):
        """The minimiser lies in [min y, max y] for every loss here (each grows with |r|)."""
        lo, hi = float(y.min()), float(y.max())
        if lo == hi:
            return lo
        return self._minimise_1d(y, w, lo, hi, x0=weighted_mean(y, w))


@register
class SquaredError(RegressionLoss):
    """L = (z - y)^2 / 2. Exact constant Hessian 1. init_score: the weighted mean.

    Same gradient and Hessian as XGBoost ``reg:squarederror`` and LightGBM ``l2``.
    """

    name = "squared_error"
    default_metric = "rmse"
    _grad_hess_kernel = staticmethod(K.squared_grad_hess)
    _value_kernel = staticmethod(K.squared_value)

    def __init__(self):
        self._init()

    def _init_score(self, y, w):
        return weighted_mean(y, w)


@register
class AbsoluteError(RegressionLoss):
    """L = |z - y|. g = sign(z - y) (0 at z == y).

    Hessian policy: the exact Hessian is 0 almost everywhere, which gives Newton leaf values
    -G / (0 + lambda): steps scaled by the regulariser, not by the data. The default
    ``hessian="constant"`` returns 1 (as both engines' built-in L1), so a leaf moves by the mean
    gradient; ``"exact"`` returns the zeros, a float returns that floor.
    init_score: the weighted median.
    """

    name = "absolute_error"
    default_metric = "mae"
    _grad_hess_kernel = staticmethod(K.absolute_grad_hess)
    _value_kernel = staticmethod(K.absolute_value)
    _hessian_choices = ("constant", "exact")
    _hessian_bound = 1.0

    def __init__(self, hessian="constant"):
        self._init(hessian=hessian)

    def _init_score(self, y, w):
        return weighted_quantile(y, w, 0.5)


@register
class Huber(RegressionLoss):
    """L = r^2/2 for |r| <= delta, delta (|r| - delta/2) beyond. g = clip(r, -delta, delta).

    Hessian policy: exact h is 1 inside delta and 0 outside, so a leaf holding only outliers has
    H = 0 and a step of -G / lambda. Default ``hessian="irls"``: 1 inside, delta/|r| outside (the
    IRLS weight; an upper bound of the curvature whose quadratic majorises the loss, so leaf steps
    are robust and scale-free). ``"constant"`` returns 1 everywhere (LightGBM's built-in ``huber``,
    slow when residuals are many deltas away); ``"exact"`` and float floors available.
    init_score: exact weighted Huber location (monotone root find).
    """

    name = "huber"
    default_metric = "huber"
    _grad_hess_kernel = staticmethod(K.huber_grad_hess)
    _value_kernel = staticmethod(K.huber_value)
    _hessian_choices = ("irls", "constant", "exact")
    _hessian_bound = 1.0

    def __init__(self, delta=1.0, hessian="irls"):
        self._init(delta=delta, hessian=hessian)

    def _theta(self):
        return [V.check_positive("delta", self.delta), self._irls_flag()]

    def _init_score(self, y, w):
        return self._solve(y, w)


@register
class PseudoHuber(RegressionLoss):
    """L = delta^2 (sqrt(1 + (r/delta)^2) - 1), as XGBoost ``reg:pseudohubererror`` with
    ``huber_slope=delta``. g = r / s, h = 1 / s^3 with s = sqrt(1 + (r/delta)^2): smooth and
    positive, exact by default (parity with XGBoost); ``"irls"`` (1 / s) for data whose residuals
    are many deltas wide, where 1 / s^3 vanishes. init_score: Newton solve."""

    name = "pseudo_huber"
    default_metric = "pseudo_huber"
    _grad_hess_kernel = staticmethod(K.pseudo_huber_grad_hess)
    _value_kernel = staticmethod(K.pseudo_huber_value)
    _hessian_choices = ("exact", "irls", "constant")
    _hessian_bound = 1.0

    def __init__(self, delta=1.0, hessian="exact"):
        self._init(delta=delta, hessian=hessian)

    def _theta(self):
        return [V.check_positive("delta", self.delta), self._irls_flag()]

    def _init_score(self, y, w):
        return self._solve(y, w)


@register
class LogCosh(RegressionLoss):
    """L = log cosh(z - y); g = tanh(r), h = sech^2(r) in (0, 1] (exact by default).

    Hessian policy: sech^2 underflows for residuals beyond ~20 (e^-40), so exact Newton leaf steps
    explode on unscaled targets (seen: LightGBM with default regularisation diverging on the diabetes
    data, RMSE 1306). For targets whose residuals can be much larger than 1, use ``hessian="irls"``:
    tanh(r)/r, the IRLS weight (>= exact, a majoriser: robust, scale-free steps; RMSE 58 there).
    ``"constant"`` (1) and float floors are also available. init_score: Newton solve.
    """

    name = "logcosh"
    default_metric = "logcosh"
    _grad_hess_kernel = staticmethod(K.logcosh_grad_hess)
    _value_kernel = staticmethod(K.logcosh_value)
    _hessian_choices = ("exact", "irls", "constant")
    _hessian_bound = 1.0

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)

    def _theta(self):
        return [self._irls_flag()]

    def _init_score(self, y, w):
        return self._solve(y, w)


@register
class Quantile(RegressionLoss):
    """Pinball loss for the alpha-quantile: alpha (y - z) if y > z else (1 - alpha) (z - y).

    Hessian policy: exact h = 0 almost everywhere; default ``hessian="constant"`` returns 1 (as the
    engines' built-in quantile objectives). init_score: the weighted alpha-quantile.
    """

    name = "quantile"
    default_metric = "pinball"
    _grad_hess_kernel = staticmethod(K.quantile_grad_hess)
    _value_kernel = staticmethod(K.quantile_value)
    _hessian_choices = ("constant", "exact")
    _hessian_bound = 1.0

    def __init__(self, alpha=0.5, hessian="constant"):
        self._init(alpha=alpha, hessian=hessian)

    def _theta(self):
        return [V.check_open_unit("alpha", self.alpha)]

    def _init_score(self, y, w):
        return weighted_quantile(y, w, float(self.alpha))


@register
class Expectile(RegressionLoss):
    """Asymmetric squared loss |alpha - 1[y < z]| (y - z)^2; Expectile(0.5) == SquaredError.
    g = 2 w (z - y), h = 2 w with w = alpha if y >= z else 1 - alpha: exact and positive.
    init_score: the weighted alpha-expectile (Newton on a piecewise-linear gradient)."""

    name = "expectile"
    default_metric = "expectile"
    _grad_hess_kernel = staticmethod(K.expectile_grad_hess)
    _value_kernel = staticmethod(K.expectile_value)
    _hessian_choices = ("exact", "constant")

    def __init__(self, alpha=0.5, hessian="exact"):
        self._init(alpha=alpha, hessian=hessian)

    @property
    def _hessian_bound(self):
        return 2.0 * max(float(self.alpha), 1.0 - float(self.alpha))

    def _theta(self):
        return [V.check_open_unit("alpha", self.alpha)]

    def _init_score(self, y, w):
        return self._solve(y, w)


@register
class Fair(RegressionLoss):
    """Fair loss c^2 (|r|/c - log(1 + |r|/c)), as LightGBM ``fair`` with ``fair_c=c``.
    g = c r / (|r| + c), h = c^2 / (|r| + c)^2 in (0, 1]: exact by default (as LightGBM);
    ``"irls"`` gives c / (|r| + c). init_score: Newton."""

    name = "fair"
    default_metric = "fair"
    _grad_hess_kernel = staticmethod(K.fair_grad_hess)
    _value_kernel = staticmethod(K.fair_value)
    _hessian_choices = ("exact", "irls", "constant")
    _hessian_bound = 1.0

    def __init__(self, c=1.0, hessian="exact"):
        self._init(c=c, hessian=hessian)

    def _theta(self):
        return [V.check_positive("c", self.c), self._irls_flag()]

    def _init_score(self, y, w):
        return self._solve(y, w)
