r"""Regression losses. :math:`r = z - y` is the residual of the raw prediction :math:`z`; the
log-link losses (Poisson, Gamma, Tweedie) predict :math:`\mu = e^z`."""
from typing import ClassVar

from .. import _start
from .. import _validation as V
from .. import domains, links
from ..kernels import regression as K
from .base import Constant, Loss, register

__all__ = ["SquaredError", "AbsoluteError", "Huber", "PseudoHuber", "LogCosh", "Quantile", "Expectile", "Fair",
           "Cauchy", "Poisson", "Gamma", "Tweedie"]


class RegressionLoss(Loss):
    """Identity link, real labels, start score by a 1-D solve unless a subclass says otherwise."""

    task = "regression"
    link: ClassVar[links.Link] = links.IDENTITY
    domain: ClassVar[domains.Domain] = domains.REAL


@register
class SquaredError(RegressionLoss):
    r"""Squared error :math:`L = r^2 / 2`, :math:`g = r`, :math:`h = 1`.

    Same gradient and Hessian as XGBoost ``reg:squarederror`` and LightGBM ``l2``.
    Start score: the weighted mean.
    """

    name = "squared_error"
    value_kernel = K.squared_value
    hessians = {"exact": K.squared_grad_hess}
    start = _start.MEAN

    def __init__(self):
        self._init()


@register
class AbsoluteError(RegressionLoss):
    r"""Absolute error :math:`L = |r|`, :math:`g = \operatorname{sign}(r)` (0 at :math:`r = 0`).

    Parameters
    ----------
    hessian : {"constant", "exact"} or float
        The exact Hessian is 0 almost everywhere, which gives Newton leaf values
        :math:`-G / \lambda`: steps scaled by the regulariser, not by the data. ``"constant"``
        (default) returns 1, as both engines' built-in L1, so a leaf moves by the mean gradient.

    Start score: the weighted median.
    """

    name = "absolute_error"
    value_kernel = K.absolute_value
    hessians = {"constant": Constant(1.0), "exact": K.absolute_grad_hess}
    start = _start.quantile(0.5)

    def __init__(self, hessian="constant"):
        self._init(hessian=hessian)


@register
class Huber(RegressionLoss):
    r"""Huber loss: :math:`L = r^2/2` for :math:`|r| \le \delta`, :math:`\delta(|r| - \delta/2)` beyond;
    :math:`g = \operatorname{clip}(r, -\delta, \delta)`.

    Parameters
    ----------
    delta : float > 0
    hessian : {"irls", "constant", "exact"} or float
        The exact Hessian is 1 inside :math:`\delta` and 0 outside, so a leaf holding only outliers
        has :math:`H = 0` and a step of :math:`-G/\lambda`. ``"irls"`` (default): 1 inside,
        :math:`\delta / |r|` outside, the weight of iteratively reweighted least squares
        :math:`\psi(r)/r`; it is :math:`\ge` the curvature and its quadratic majorises the loss, so
        leaf steps are robust and scale-free. ``"constant"``: 1 everywhere (LightGBM's ``huber``).

    Start score: the exact weighted Huber location (1-D solve). Reference: Huber (1964).
    """

    name = "huber"
    value_kernel = K.huber_value
    hessians = {"irls": K.huber_grad_hess_irls, "constant": Constant(1.0), "exact": K.huber_grad_hess}

    def __init__(self, delta=1.0, hessian="irls"):
        self._init(delta=delta, hessian=hessian)

    def _theta(self):
        return [V.check_positive("delta", self.delta)]


@register
class PseudoHuber(RegressionLoss):
    r"""Pseudo-Huber loss :math:`L = \delta^2 (s - 1)`, :math:`s = \sqrt{1 + (r/\delta)^2}`, as XGBoost
    ``reg:pseudohubererror`` with ``huber_slope=delta``.

    :math:`g = r / s`, :math:`h = 1 / s^3` (from :math:`ds/dr = r / (\delta^2 s)`): smooth and positive,
    exact by default (parity with XGBoost); ``hessian="irls"`` gives :math:`1/s` for residuals many
    deltas wide, where :math:`1/s^3` vanishes; ``"constant"`` 1. Start score: 1-D solve.
    """

    name = "pseudo_huber"
    value_kernel = K.pseudo_huber_value
    hessians = {"exact": K.pseudo_huber_grad_hess, "irls": K.pseudo_huber_grad_hess_irls, "constant": Constant(1.0)}

    def __init__(self, delta=1.0, hessian="exact"):
        self._init(delta=delta, hessian=hessian)

    def _theta(self):
        return [V.check_positive("delta", self.delta)]


@register
class LogCosh(RegressionLoss):
    r"""Log-cosh loss :math:`L = \log\cosh r`, :math:`g = \tanh r`, :math:`h = \operatorname{sech}^2 r \in (0, 1]`.

    Parameters
    ----------
    hessian : {"exact", "irls", "constant"} or float
        :math:`\operatorname{sech}^2` underflows for residuals beyond ~20, so exact Newton leaf steps
        explode on unscaled targets (LightGBM on the diabetes data: RMSE 1306). For targets whose
        residuals can be much larger than 1 use ``"irls"``: :math:`\tanh(r)/r` (:math:`\ge` exact, a
        majoriser; RMSE 58 there).

    Start score: 1-D solve.
    """

    name = "logcosh"
    value_kernel = K.logcosh_value
    hessians = {"exact": K.logcosh_grad_hess, "irls": K.logcosh_grad_hess_irls, "constant": Constant(1.0)}

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)


@register
class Quantile(RegressionLoss):
    r"""Pinball loss for the :math:`\alpha`-quantile: :math:`\alpha (y - z)` if :math:`y > z`,
    else :math:`(1 - \alpha)(z - y)`; :math:`g = 1 - \alpha - [y > z]`.

    The exact Hessian is 0 almost everywhere; the default ``hessian="constant"`` returns 1 (as the
    engines' built-in quantile objectives). Start score: the weighted :math:`\alpha`-quantile.
    """

    name = "quantile"
    value_kernel = K.quantile_value
    hessians = {"constant": Constant(1.0), "exact": K.quantile_grad_hess}
    start = _start.quantile("alpha")

    def __init__(self, alpha=0.5, hessian="constant"):
        self._init(alpha=alpha, hessian=hessian)

    def _theta(self):
        return [V.check_open_unit("alpha", self.alpha)]


@register
class Expectile(RegressionLoss):
    r"""Asymmetric squared loss :math:`L = |\alpha - [y < z]| (y - z)^2`; ``Expectile(0.5)`` equals
    ``SquaredError``. With :math:`a = \alpha` if :math:`y \ge z` else :math:`1 - \alpha`:
    :math:`g = 2 a r`, :math:`h = 2 a` (exact, positive); ``"constant"``: :math:`2\max(\alpha, 1-\alpha)`.
    Start score: the weighted :math:`\alpha`-expectile (1-D solve). Reference: Newey & Powell (1987).
    """

    name = "expectile"
    value_kernel = K.expectile_value
    hessians = {"exact": K.expectile_grad_hess,
                "constant": Constant(lambda loss: 2.0 * max(float(loss.alpha), 1.0 - float(loss.alpha)))}

    def __init__(self, alpha=0.5, hessian="exact"):
        self._init(alpha=alpha, hessian=hessian)

    def _theta(self):
        return [V.check_open_unit("alpha", self.alpha)]


@register
class Fair(RegressionLoss):
    r"""Fair loss :math:`L = c^2 (|r|/c - \log(1 + |r|/c))`, as LightGBM ``fair`` with ``fair_c=c``.
    :math:`g = c r / (|r| + c)`, :math:`h = c^2 / (|r| + c)^2 \in (0, 1]` (exact, default, as
    LightGBM); ``"irls"``: :math:`c / (|r| + c)`. Start score: 1-D solve.
    """

    name = "fair"
    value_kernel = K.fair_value
    hessians = {"exact": K.fair_grad_hess, "irls": K.fair_grad_hess_irls, "constant": Constant(1.0)}

    def __init__(self, c=1.0, hessian="exact"):
        self._init(c=c, hessian=hessian)

    def _theta(self):
        return [V.check_positive("c", self.c)]


@register
class Cauchy(RegressionLoss):
    r"""Cauchy (Lorentzian) loss :math:`L = \frac{c^2}{2} \log(1 + (r/c)^2)`, a redescending robust loss.

    With :math:`t = (r/c)^2`: :math:`g = r / (1 + t)`, exact :math:`h = (1 - t)/(1 + t)^2`, negative for
    :math:`|r| > c` (the loss is not convex). ``hessian="irls"`` (default): :math:`1/(1 + t) = \psi(r)/r`,
    positive and :math:`\ge` the exact value, whose quadratic majorises the loss (leaf steps never
    overshoot; outliers get weight :math:`\sim c^2/r^2`). ``"exact"`` and float floors also available.

    Start score: 1-D solve bracketed by the label range (a local minimum of a non-convex loss).
    Reference: Black & Anandan (1996); Holland & Welsch (1977).
    """

    name = "cauchy"
    value_kernel = K.cauchy_value
    hessians = {"irls": K.cauchy_grad_hess_irls, "exact": K.cauchy_grad_hess}
    hessian_may_be_negative = True

    def __init__(self, c=1.0, hessian="irls"):
        self._init(c=c, hessian=hessian)

    def _theta(self):
        return [V.check_positive("c", self.c)]


class LogLinkLoss(RegressionLoss):
    """Log link: the margin is log(mu); the start score is log of the weighted mean label (the
    exact optimum of every loss here), floored at a mean of 1e-7."""

    link: ClassVar[links.Link] = links.LOG
    domain: ClassVar[domains.Domain] = domains.NON_NEGATIVE
    start: ClassVar[_start.StartRule] = _start.MEAN


@register
class Poisson(LogLinkLoss):
    r"""Poisson deviance on the log link: :math:`L = \mu - y \log\mu + y \log y - y` with :math:`\mu = e^z`
    (half the unit deviance; 0 at :math:`\mu = y`), labels :math:`y \ge 0`.

    :math:`g = \mu - y`, exact :math:`h = \mu`. ``hessian="damped"``: :math:`\mu e^{m}` with
    ``m = max_delta_step`` (0.7), the Hessian of XGBoost ``count:poisson`` and LightGBM ``poisson``
    (``poisson_max_delta_step``): every Newton step shrunk by :math:`e^{-m}`; it reproduces their
    models exactly. Beyond :math:`z = 50` the exponential continues as its 2nd-order Taylor
    expansion so that every output stays finite (``boostobj.kernels._math.exp_continued``).
    """

    name = "poisson"
    value_kernel = K.poisson_value
    hessians = {"exact": K.poisson_grad_hess, "damped": K.poisson_grad_hess_damped}

    def __init__(self, hessian="exact", max_delta_step=0.7):
        self._init(hessian=hessian, max_delta_step=max_delta_step)

    def _theta(self):
        return [V.check_positive("max_delta_step", self.max_delta_step, allow_zero=True)]


@register
class Gamma(LogLinkLoss):
    r"""Gamma deviance on the log link: :math:`L = y/\mu + \log\mu - \log y - 1` (half the unit
    deviance), labels :math:`y > 0`. :math:`g = 1 - y/\mu`, :math:`h = y/\mu` (exact, positive), as
    XGBoost ``reg:gamma`` and LightGBM ``gamma``.
    """

    name = "gamma"
    domain = domains.POSITIVE
    value_kernel = K.gamma_value
    hessians = {"exact": K.gamma_grad_hess}

    def __init__(self):
        self._init()


@register
class Tweedie(LogLinkLoss):
    r"""Tweedie deviance with power :math:`\rho \in (1, 2)` on the log link (compound Poisson-Gamma):
    with :math:`a = 1 - \rho`, :math:`b = 2 - \rho`,
    :math:`L = \frac{y^b}{ab} - \frac{y \mu^a}{a} + \frac{\mu^b}{b}` (half the unit deviance), labels
    :math:`y \ge 0`. :math:`g = -y\mu^a + \mu^b`, :math:`h = -a y \mu^a + b \mu^b > 0`, as XGBoost
    ``reg:tweedie`` (``tweedie_variance_power=rho``) and LightGBM ``tweedie``.
    """

    name = "tweedie"
    value_kernel = K.tweedie_value
    hessians = {"exact": K.tweedie_grad_hess}

    def __init__(self, power=1.5):
        self._init(power=power)

    def _theta(self):
        rho = V.check_positive("power", self.power, upper=2.0)
        if not rho > 1.0:
            raise ValueError(f"power must be in the open interval (1, 2), got {self.power!r}")
        return [rho]
