r"""Regression losses on the raw prediction :math:`z`.

:math:`r = z - y` is the residual of the raw prediction :math:`z` against the label :math:`y`. The
identity-link losses predict :math:`z` itself; the log-link losses (Poisson, Gamma, Tweedie) predict
:math:`\mu = e^z`. :math:`g = \partial L / \partial z` and :math:`h = \partial^2 L / \partial z^2` are
the per-sample gradient and Hessian handed to the engines; the kernels and their derivations are in
``boostobj/kernels/regression.py``.

Every loss with a ``hessian`` argument also accepts a float :math:`f \ge 0` there: the exact Hessian
floored at :math:`f`.
"""
import numbers
from typing import ClassVar

import numpy as np

from .. import _start
from .. import _validation as V
from .. import domains, links
from ..kernels import regression as K
from .base import Constant, Loss, register

__all__ = ["SquaredError", "AbsoluteError", "Huber", "SmoothL1", "PseudoHuber", "LogCosh", "Quantile", "Expectile",
           "Fair", "Cauchy", "AbsolutePercentageError", "SymmetricAbsolutePercentageError", "Poisson", "Gamma",
           "Tweedie"]


class RegressionLoss(Loss):
    """Base class of the regression losses: identity link, real labels, start score by a 1-D solve.

    Subclasses override ``link``, ``domain`` or ``start`` where they differ.
    """

    task = "regression"
    link: ClassVar[links.Link] = links.IDENTITY
    domain: ClassVar[domains.Domain] = domains.REAL


@register
class SquaredError(RegressionLoss):
    r"""Squared error (least squares) loss.

    .. math::

        L = \tfrac{1}{2} r^2, \qquad g = r, \qquad h = 1, \qquad r = z - y.

    Same gradient and Hessian as XGBoost ``reg:squarederror`` and LightGBM ``l2``.

    The constructor takes no arguments: the exact Hessian (1) is the only policy.

    Notes
    -----
    Start score: the weighted mean of the labels, the exact minimiser.
    """

    name = "squared_error"
    value_kernel = K.squared_value
    hessians = {"exact": K.squared_grad_hess}
    start = _start.MEAN

    def __init__(self):
        self._init()


@register
class AbsoluteError(RegressionLoss):
    r"""Absolute error (L1) loss.

    .. math::

        L = |r|, \qquad g = \operatorname{sign}(r) \;(0 \text{ at } r = 0), \qquad
        h = 0 \text{ almost everywhere}.

    Parameters
    ----------
    hessian : {"constant", "exact"} or float, default="constant"
        Hessian policy.

        * ``"constant"`` (default): 1 for every sample, as both engines' built-in L1, so a leaf
          moves by the mean gradient.
        * ``"exact"``: 0 almost everywhere, which gives Newton leaf values :math:`-G / \lambda`:
          steps scaled by the regulariser, not by the data.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f` (so :math:`f` itself).

    Notes
    -----
    Start score: the weighted median of the labels (the smallest label :math:`c` with
    :math:`W(y \le c) \ge W / 2`), a minimiser of the weighted loss.
    """

    name = "absolute_error"
    value_kernel = K.absolute_value
    hessians = {"constant": Constant(1.0), "exact": K.absolute_grad_hess}
    start = leaf_rule = _start.quantile(0.5)

    def __init__(self, hessian="constant"):
        self._init(hessian=hessian)


@register
class Huber(RegressionLoss):
    r"""Huber loss: quadratic within ``delta`` of the label, linear beyond.

    .. math::

        L = \begin{cases} \tfrac{1}{2} r^2 & |r| \le \delta \\
                          \delta (|r| - \delta / 2) & |r| > \delta \end{cases}, \qquad
        g = \operatorname{clip}(r, -\delta, \delta).

    Parameters
    ----------
    delta : float, default=1.0
        The threshold :math:`\delta > 0` between the quadratic and the linear part.
    hessian : {"irls", "constant", "exact"} or float, default="irls"
        Hessian policy.

        * ``"irls"`` (default): 1 inside :math:`\delta`, :math:`\delta / |r|` outside, the weight
          :math:`\psi(r) / r` of iteratively reweighted least squares (:math:`\psi = dL/dr`).
        * ``"constant"``: 1 everywhere (LightGBM's ``huber``).
        * ``"exact"``: 1 inside :math:`\delta` and 0 outside, so a leaf holding only outliers has
          :math:`H = 0` and a step of :math:`-G / \lambda`.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``delta`` is not a finite number > 0, or ``hessian`` is not one of the policies above.

    Notes
    -----
    Why IRLS: for a symmetric robust loss, :math:`\psi(r) / r` is non-increasing in :math:`|r|`, so
    the quadratic with that curvature majorises the loss. It is :math:`\ge` the exact Hessian and
    :math:`> 0` everywhere; Newton leaf steps become majorise-minimise steps that never overshoot,
    and outliers get weight :math:`\delta / |r|` instead of a vanishing (exact) or unit (constant)
    curvature: leaf steps are robust and scale-free.

    Start score: the exact weighted Huber location, found by a safeguarded 1-D Newton/bisection on
    the summed exact gradient, bracketed by the label range.

    References
    ----------
    .. [1] P. J. Huber, "Robust Estimation of a Location Parameter", *The Annals of Mathematical
       Statistics* 35(1), 73-101, 1964.
    """

    name = "huber"
    value_kernel = K.huber_value
    hessians = {"irls": K.huber_grad_hess_irls, "constant": Constant(1.0), "exact": K.huber_grad_hess}

    def __init__(self, delta=1.0, hessian="irls"):
        self._init(delta=delta, hessian=hessian)

    def _theta(self):
        return [V.check_positive("delta", self.delta)]


@register
class SmoothL1(RegressionLoss):
    r"""Smooth L1 loss (Fast R-CNN; PyTorch's ``SmoothL1Loss``): Huber's loss in the other vocabulary.

    .. math::

        L = \begin{cases} r^2 / (2\beta) & |r| < \beta \\
                          |r| - \beta / 2 & |r| \ge \beta \end{cases}
          = \frac{1}{\beta}\,\mathrm{Huber}_{\delta=\beta}(r), \qquad
        g = \operatorname{clip}(r / \beta, -1, 1).

    ``SmoothL1(beta=b)`` equals ``Huber(delta=b)`` divided by ``b`` (value, gradient and every
    Hessian policy), so it trains the same model as Huber with a learning rate ``b`` times larger
    (the Newton leaf step -G/(H + lambda) is unchanged only when lambda = 0).

    Parameters
    ----------
    beta : float, default=1.0
        The width :math:`\beta > 0` of the quadratic part (PyTorch's ``beta``; its ``beta=0``, the
        plain L1 loss, is :class:`AbsoluteError`).
    hessian : {"irls", "constant", "exact"} or float, default="irls"
        Hessian policy, Huber's divided by :math:`\beta`: ``"irls"`` :math:`1 / \max(|r|, \beta)`,
        ``"constant"`` :math:`1/\beta`, ``"exact"`` :math:`1/\beta` inside and 0 outside; a float
        floors the exact Hessian.

    Raises
    ------
    ValueError
        If ``beta`` is not a finite number > 0, or ``hessian`` is not one of the policies above.

    Notes
    -----
    Start score: the exact weighted Huber location (the same 1-D solve as :class:`Huber`).

    References
    ----------
    .. [1] R. Girshick, "Fast R-CNN", ICCV 2015.
    """

    name = "smooth_l1"
    value_kernel = K.smooth_l1_value
    hessians = {"irls": K.smooth_l1_grad_hess_irls, "constant": Constant(lambda loss: 1.0 / float(loss.beta)),
                "exact": K.smooth_l1_grad_hess}

    def __init__(self, beta=1.0, hessian="irls"):
        self._init(beta=beta, hessian=hessian)

    def _theta(self):
        return [V.check_positive("beta", self.beta)]


@register
class PseudoHuber(RegressionLoss):
    r"""Pseudo-Huber loss, a smooth approximation of the Huber loss.

    .. math::

        L = \delta^2 (s - 1), \qquad s = \sqrt{1 + (r / \delta)^2}, \qquad
        g = \frac{r}{s}, \qquad h = \frac{1}{s^3}.

    Same as XGBoost ``reg:pseudohubererror`` with ``huber_slope=delta``.

    Parameters
    ----------
    delta : float, default=1.0
        The scale :math:`\delta > 0` (XGBoost's ``huber_slope``): the loss is quadratic for
        :math:`|r| \ll \delta` and close to :math:`\delta |r|` for :math:`|r| \gg \delta`.
    hessian : {"exact", "irls", "constant"} or float, default="exact"
        Hessian policy.

        * ``"exact"`` (default): :math:`1 / s^3`, smooth and positive (parity with XGBoost).
          Where residuals are many deltas wide its Newton steps grow like :math:`r^3 / \delta^2`:
          with a ``delta`` far below the residual scale, an engine that lets leaves with a tiny
          Hessian sum through (LightGBM's ``min_sum_hessian_in_leaf`` is 1e-3, XGBoost's
          ``min_child_weight`` 1) can diverge; use ``"irls"`` there.
        * ``"irls"``: :math:`1 / s = \psi(r) / r`, for residuals many deltas wide, where
          :math:`1 / s^3` vanishes (see :class:`Huber` for why IRLS weights majorise the loss).
        * ``"constant"``: 1.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``delta`` is not a finite number > 0, or ``hessian`` is not one of the policies above.

    Notes
    -----
    Derivation: :math:`ds/dr = r / (\delta^2 s)`, so :math:`g = \delta^2 \, ds/dr = r / s` and
    :math:`h = 1/s - r^2 / (\delta^2 s^3) = (s^2 - (r/\delta)^2) / s^3 = 1 / s^3`.

    Numerics: :math:`s - 1` is evaluated as :math:`(r/\delta)^2 / (s + 1)` to avoid cancellation
    for small :math:`r`, and :math:`s` is formed without overflow.

    Start score: a safeguarded 1-D Newton/bisection on the summed exact gradient, bracketed by the
    label range.
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
    r"""Log-cosh loss, smooth and close to :math:`r^2/2` near 0 and to :math:`|r| - \log 2` far out.

    .. math::

        L = \log\cosh r, \qquad g = \tanh r, \qquad h = \operatorname{sech}^2 r \in (0, 1].

    Parameters
    ----------
    hessian : {"exact", "irls", "constant"} or float, default="exact"
        Hessian policy.

        * ``"exact"`` (default): :math:`\operatorname{sech}^2 r`. It underflows for residuals beyond
          ~20, so exact Newton leaf steps explode on unscaled targets (LightGBM on the diabetes
          data: RMSE 1306).
        * ``"irls"``: :math:`\tanh(r) / r` (:math:`\to 1 - r^2/3` as :math:`r \to 0`),
          :math:`\ge` the exact value and a majoriser of the loss (RMSE 58 there). Use it for
          targets whose residuals can be much larger than 1.
        * ``"constant"``: 1.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Notes
    -----
    Derivation: :math:`\frac{d}{dr} \log\cosh r = \sinh r / \cosh r = \tanh r` and
    :math:`\frac{d}{dr} \tanh r = \operatorname{sech}^2 r`.

    Start score: a safeguarded 1-D Newton/bisection on the summed exact gradient, bracketed by the
    label range.
    """

    name = "logcosh"
    value_kernel = K.logcosh_value
    hessians = {"exact": K.logcosh_grad_hess, "irls": K.logcosh_grad_hess_irls, "constant": Constant(1.0)}

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)


@register
class Quantile(RegressionLoss):
    r"""Pinball (quantile) loss for the :math:`\alpha`-quantile.

    .. math::

        L = \begin{cases} \alpha (y - z) & y > z \\ (1 - \alpha)(z - y) & y \le z \end{cases},
        \qquad g = 1 - \alpha - [y > z], \qquad h = 0 \text{ almost everywhere}.

    At :math:`y = z` the gradient is the right derivative :math:`1 - \alpha` (as LightGBM).

    Parameters
    ----------
    alpha : float, default=0.5
        The quantile level, in the open interval (0, 1).
    hessian : {"constant", "exact"} or float, default="constant"
        Hessian policy.

        * ``"constant"`` (default): 1, as the engines' built-in quantile objectives.
        * ``"exact"``: 0 almost everywhere.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f` (so :math:`f` itself).

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``alpha`` is not in (0, 1), or ``hessian`` is not one of the policies above.

    Notes
    -----
    Start score: the weighted :math:`\alpha`-quantile of the labels (the smallest label :math:`c`
    with :math:`W(y \le c) \ge \alpha W`), a minimiser of the weighted loss.
    """

    name = "quantile"
    value_kernel = K.quantile_value
    hessians = {"constant": Constant(1.0), "exact": K.quantile_grad_hess}
    start = leaf_rule = _start.quantile("alpha")

    def __init__(self, alpha=0.5, hessian="constant"):
        self._init(alpha=alpha, hessian=hessian)

    def _theta(self):
        return [V.check_open_unit("alpha", self.alpha)]


@register
class Expectile(RegressionLoss):
    r"""Expectile (asymmetric squared) loss for the :math:`\alpha`-expectile.

    .. math::

        L = |\alpha - [y < z]| \, (y - z)^2, \qquad g = 2 a r, \qquad h = 2 a, \qquad
        a = \begin{cases} \alpha & y \ge z \\ 1 - \alpha & y < z \end{cases}.

    ``Expectile(0.5)`` equals ``SquaredError``. The Hessian jumps at :math:`r = 0` and takes the
    :math:`y \ge z` side there.

    Parameters
    ----------
    alpha : float, default=0.5
        The expectile level, in the open interval (0, 1).
    hessian : {"exact", "constant"} or float, default="exact"
        Hessian policy.

        * ``"exact"`` (default): :math:`2a`, positive.
        * ``"constant"``: :math:`2 \max(\alpha, 1 - \alpha)`, an upper bound of the exact value.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``alpha`` is not in (0, 1), or ``hessian`` is not one of the policies above.

    Notes
    -----
    Start score: the weighted :math:`\alpha`-expectile of the labels, by a safeguarded 1-D
    Newton/bisection on the summed exact gradient, bracketed by the label range.

    References
    ----------
    .. [1] W. K. Newey and J. L. Powell, "Asymmetric Least Squares Estimation and Testing",
       *Econometrica* 55(4), 819-847, 1987.
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
    r"""Fair loss, a convex robust loss: quadratic near 0, growing like :math:`c |r|` far out.

    .. math::

        L = c^2 \left(\frac{|r|}{c} - \log\left(1 + \frac{|r|}{c}\right)\right), \qquad
        g = \frac{c r}{|r| + c}, \qquad h = \frac{c^2}{(|r| + c)^2} \in (0, 1].

    Same as LightGBM ``fair`` with ``fair_c=c``.

    Parameters
    ----------
    c : float, default=1.0
        The scale :math:`c > 0` (LightGBM's ``fair_c``).
    hessian : {"exact", "irls", "constant"} or float, default="exact"
        Hessian policy.

        * ``"exact"`` (default, as LightGBM): :math:`c^2 / (|r| + c)^2`.
        * ``"irls"``: :math:`c / (|r| + c) = \psi(r) / r`, :math:`\ge` the exact value (see
          :class:`Huber` for why IRLS weights majorise the loss).
        * ``"constant"``: 1.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``c`` is not a finite number > 0, or ``hessian`` is not one of the policies above.

    Notes
    -----
    Derivation: with :math:`a = |r| / c`, :math:`dL/d|r| = c (1 - 1/(1 + a)) = c |r| / (|r| + c)`,
    hence :math:`g = c r / (|r| + c)`; differentiating again,
    :math:`h = c \, ((|r| + c) - |r|) / (|r| + c)^2 = c^2 / (|r| + c)^2`.

    Start score: a safeguarded 1-D Newton/bisection on the summed exact gradient, bracketed by the
    label range.
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
    r"""Cauchy (Lorentzian) loss, a redescending (non-convex) robust loss.

    .. math::

        L = \frac{c^2}{2} \log\left(1 + t\right), \qquad t = (r / c)^2, \qquad
        g = \frac{r}{1 + t}, \qquad h = \frac{1 - t}{(1 + t)^2}.

    The exact Hessian is negative for :math:`|r| > c`: the loss is not convex.

    Parameters
    ----------
    c : float, default=1.0
        The scale :math:`c > 0`: residuals much wider than :math:`c` have a vanishing gradient.
    hessian : {"irls", "exact"} or float, default="irls"
        Hessian policy.

        * ``"irls"`` (default): :math:`1 / (1 + t) = \psi(r) / r`, positive and :math:`\ge` the
          exact value; its quadratic majorises the loss, so leaf steps never overshoot and
          outliers get weight :math:`\sim c^2 / r^2`.
        * ``"exact"``: :math:`(1 - t) / (1 + t)^2`, which can be negative.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``c`` is not a finite number > 0, or ``hessian`` is not one of the policies above.

    Notes
    -----
    Derivation: :math:`dt/dr = 2 r / c^2`, so :math:`g = \frac{c^2}{2} \cdot \frac{2 r / c^2}{1 + t}
    = r / (1 + t)` and :math:`h = \frac{1}{1 + t} - \frac{r \cdot 2 r / c^2}{(1 + t)^2}
    = \frac{1 - t}{(1 + t)^2}`.

    Numerics: :math:`\log(1 + t)` is computed as ``log1p`` for precision at small :math:`r`; for
    :math:`|r / c| > 10^{150}` the value is formed as :math:`c^2 \log |r / c|` so that nothing
    overflows.

    Start score: a safeguarded 1-D Newton/bisection on the summed exact gradient, bracketed by the
    label range (a local minimum of a non-convex loss).

    References
    ----------
    .. [1] M. J. Black and P. Anandan, "The Robust Estimation of Multiple Motions: Parametric and
       Piecewise-Smooth Flow Fields", *Computer Vision and Image Understanding* 63(1), 75-104, 1996.
    .. [2] P. W. Holland and R. E. Welsch, "Robust Regression Using Iteratively Reweighted
       Least-Squares", *Communications in Statistics - Theory and Methods* 6(9), 813-827, 1977.
    """

    name = "cauchy"
    value_kernel = K.cauchy_value
    hessians = {"irls": K.cauchy_grad_hess_irls, "exact": K.cauchy_grad_hess}
    hessian_may_be_negative = True

    def __init__(self, c=1.0, hessian="irls"):
        self._init(c=c, hessian=hessian)

    def _theta(self):
        return [V.check_positive("c", self.c)]


@register
class AbsolutePercentageError(RegressionLoss):
    r"""MAPE as a training objective: the absolute error relative to the label.

    .. math::

        L = \frac{|r|}{s}, \qquad s = \max(|y|, \epsilon), \qquad
        g = \frac{\operatorname{sign}(r)}{s}, \qquad h = 0 \text{ almost everywhere},

    i.e. :class:`AbsoluteError` with the row weight :math:`1/s`; its mean is the MAPE metric
    (``bo.metrics.MAPE``, a fraction, not %).

    Parameters
    ----------
    epsilon : float, default=0.0
        Floor of the denominator. 0 (default): labels must be non-zero (a zero label is refused
        with an error naming its row: its relative error is undefined). ``epsilon > 0``: zero
        labels are allowed and weigh :math:`1/\epsilon` (scikit-learn's
        ``mean_absolute_percentage_error`` uses float64's machine epsilon, which lets a single zero
        label dominate everything).
    hessian : {"constant", "exact"} or float, default="constant"
        Hessian policy. ``"constant"`` (default): :math:`1/s`, AbsoluteError's constant Hessian 1
        times the row weight, so a Newton leaf is the :math:`1/s`-weighted mean of the gradient
        signs; ``"exact"``: 0; a float :math:`f`: the exact Hessian floored at :math:`f` (so
        :math:`f` itself).

    Notes
    -----
    The optimal constant (and leaf value) is the weighted median of the labels (of the
    residuals) with weights :math:`w/s`. Start score: that weighted median. Leaf refresh applies
    (see the README), as for AbsoluteError.

    References
    ----------
    .. [1] A. de Myttenaere, B. Golden, B. Le Grand, F. Rossi, "Mean Absolute Percentage Error
       for regression models", *Neurocomputing* 192, 38-48, 2016 (MAPE regression is weighted
       L1 regression with weights :math:`1/|y|`).
    """

    name = "mape"
    value_kernel = K.mape_value
    hessians = {"constant": K.mape_grad_hess_constant, "exact": K.mape_grad_hess}
    # the 1/s-weighted median: of the labels (start), of each leaf's residuals (refresh)
    start = leaf_rule = _start.quantile(0.5, row_weight="relative_weight")

    def __init__(self, epsilon=0.0, hessian="constant"):
        self._init(epsilon=epsilon, hessian=hessian)

    def relative_weight(self, y):
        r"""The row weight :math:`1/\max(|y|, \epsilon)` that makes this loss a weighted L1
        (a zero label with ``epsilon = 0`` gives inf, refused by the caller's validation)."""
        with np.errstate(divide="ignore"):
            return 1.0 / np.maximum(np.abs(np.asarray(y, dtype=np.float64)), float(self._theta_array[0]))

    @property
    def domain(self) -> domains.Domain:  # type: ignore[override]
        """Non-zero labels, or any real label when ``epsilon > 0``."""
        return domains.REAL if float(self._theta_array[0]) > 0 else domains.NON_ZERO

    def _theta(self):
        return [V.check_positive("epsilon", self.epsilon, allow_zero=True)]


@register
class SymmetricAbsolutePercentageError(RegressionLoss):
    r"""SMAPE as a training objective (non-convex in the margin).

    .. math::

        L = \frac{2 |r|}{D}, \qquad D = |y| + |z| \quad (L = 0 \text{ at } y = z = 0),

    in [0, 2]; its mean is the SMAPE metric (``bo.metrics.SMAPE``).

    Away from :math:`r = 0` and :math:`z = 0`, with :math:`N = \operatorname{sign}(r) D - |r|
    \operatorname{sign}(z)`:

    .. math::

        g = \frac{2N}{D^2}, \qquad h = -\frac{4 N \operatorname{sign}(z)}{D^3}

    (:math:`dN/dz = 0` there). Unlike a published SMAPE objective, the gradient keeps the
    derivative of the denominator (dropping it is a 60 % gradient error). The exact Hessian is
    negative on one side of every label (``hessian_may_be_negative``).

    Parameters
    ----------
    hessian : {"irls", "constant", "exact"} or float, default="irls"
        Hessian policy.

        * ``"irls"`` (default): the denominator held at its current value makes the loss the
          weighted absolute error :math:`(2/D)|r|`, whose IRLS curvature is
          :math:`(2/D) / \max(|r|, 10^{-3} D)`: positive, scale-free (a lone row's Newton step
          lands on its label), and the floor bounds the weight of rows already at their label.
        * ``"constant"``: :math:`2/D`, the weighted-L1 analogue of AbsoluteError's constant 1
          (leaf steps of at most about one unit of the target per round).
        * ``"exact"``: the formula above, which can be negative.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

        Rows with :math:`y = 0` have :math:`L = 2` for every :math:`z \ne 0` (no gradient, no
        curvature): both positive policies give them :math:`h = 0`.

    Notes
    -----
    No leaf refresh: the optimal leaf value of SMAPE is not a fixed quantile (its weights
    :math:`2/D` move with the prediction). Start score: the best of 65 quantiles of the labels,
    refined by a golden-section search of the summed loss between its neighbours (the summed
    gradient of a non-convex loss can have several roots, so a root finder is not enough).

    References
    ----------
    .. [1] S. Makridakis, "Accuracy measures: theoretical and practical concerns", *International
       Journal of Forecasting* 9(4), 527-529, 1993.
    """

    name = "smape"
    start = _start.SEARCH
    value_kernel = K.smape_value
    hessians = {"irls": K.smape_grad_hess_irls, "constant": K.smape_grad_hess_constant, "exact": K.smape_grad_hess}
    hessian_may_be_negative = True

    def __init__(self, hessian="irls"):
        self._init(hessian=hessian)


class LogLinkLoss(RegressionLoss):
    r"""Base class of the log-link losses: the margin is :math:`z = \log \mu`.

    Labels are in :math:`[0, e^{50}]` unless a subclass narrows the domain (Gamma: :math:`\ge e^{-50}`). The start
    score is the log of the weighted mean label (the exact optimum of every loss here), with the
    mean floored at 1e-7.

    The exponentials use a continued exponential :math:`E`: exact up to exponent 50, continued
    beyond by its second-order Taylor expansion (``boostobj.kernels._math.exp_continued``), so that
    every output stays finite for every finite margin. Below that knee the formulas are the
    textbook ones. Loss values are half the unit deviance (0 at :math:`\mu = y`).
    """

    link: ClassVar[links.Link] = links.LOG
    domain: ClassVar[domains.Domain] = domains.NON_NEGATIVE_EXP
    start: ClassVar[_start.StartRule] = _start.MEAN


@register
class Poisson(LogLinkLoss):
    r"""Poisson deviance on the log link, for counts and other non-negative labels.

    .. math::

        L = \mu - y \log\mu + y \log y - y, \qquad \mu = e^z, \qquad g = \mu - y, \qquad h = \mu.

    :math:`L` is half the unit deviance (0 at :math:`\mu = y`); labels :math:`y \ge 0`. Same
    gradient as XGBoost ``count:poisson`` and LightGBM ``poisson``; with ``hessian="damped"`` the
    same Hessian too.

    Parameters
    ----------
    hessian : {"exact", "damped"} or float, default="exact"
        Hessian policy.

        * ``"exact"`` (default): :math:`\mu`.
        * ``"damped"``: :math:`\mu e^{m}` with :math:`m` = ``max_delta_step``, the Hessian of XGBoost
          ``count:poisson`` and LightGBM ``poisson`` (``poisson_max_delta_step``): every Newton step
          is shrunk by :math:`e^{-m}`; it reproduces their models exactly.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.
    max_delta_step : float, default=0.7
        The damping exponent :math:`m \ge 0` of ``hessian="damped"`` (unused otherwise, but
        validated).

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``max_delta_step`` is negative or not finite, or ``hessian`` is not one of the policies
        above.

    Notes
    -----
    Derivation: :math:`d\mu/dz = \mu`, so :math:`g = \mu - y` and :math:`h = \mu`.

    Beyond :math:`z = 50` the exponential continues as its second-order Taylor expansion
    (``boostobj.kernels._math.exp_continued``), so every output stays finite; :math:`g` and
    :math:`h` are then the derivatives of that continuation.

    Start score: :math:`\log` of the weighted mean label (floored at 1e-7), the exact minimiser.
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
    r"""Gamma deviance on the log link, for positive labels.

    .. math::

        L = \frac{y}{\mu} + \log\mu - \log y - 1, \qquad \mu = e^z, \qquad
        g = 1 - \frac{y}{\mu}, \qquad h = \frac{y}{\mu}.

    :math:`L` is half the unit deviance (0 at :math:`\mu = y`); labels :math:`y > 0`. Same gradient
    and Hessian as XGBoost ``reg:gamma`` and LightGBM ``gamma``.

    Parameters
    ----------
    hessian : "exact" or float, default="exact"
        The exact Hessian (positive), or the exact Hessian floored at a float.

    Notes
    -----
    Derivation: :math:`y / \mu = y e^{-z}` has derivative :math:`-y / \mu` and second derivative
    :math:`y / \mu`, and :math:`\log \mu = z`. For :math:`z < -50` the exponential :math:`e^{-z}`
    continues as its second-order Taylor expansion, so every output stays finite.

    Start score: :math:`\log` of the weighted mean label, the exact minimiser.
    """

    name = "gamma"
    domain = domains.POSITIVE_EXP
    value_kernel = K.gamma_value
    hessians = {"exact": K.gamma_grad_hess}

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)


@register
class Tweedie(LogLinkLoss):
    r"""Tweedie deviance with power :math:`\rho \in (1, 2)` on the log link (compound Poisson-Gamma).

    With :math:`a = 1 - \rho < 0`, :math:`b = 2 - \rho > 0` and :math:`\mu = e^z`:

    .. math::

        L = \frac{y^b}{a b} - \frac{y \mu^a}{a} + \frac{\mu^b}{b}, \qquad
        g = -y \mu^a + \mu^b, \qquad h = -a y \mu^a + b \mu^b > 0.

    :math:`L` is half the unit deviance (0 at :math:`\mu = y`); labels :math:`y \ge 0`. Same
    gradient and Hessian as XGBoost ``reg:tweedie`` (``tweedie_variance_power=rho``) and LightGBM
    ``tweedie``.

    Parameters
    ----------
    power : float, default=1.5
        The variance power :math:`\rho`, in the open interval (1, 2).
    hessian : "exact" or float, default="exact"
        The exact Hessian (positive), or the exact Hessian floored at a float.

    Raises
    ------
    TypeError
        If a numeric parameter is not a real number.
    ValueError
        If ``power`` is not in (1, 2).

    Notes
    -----
    Derivation: :math:`d\mu^a/dz = a \mu^a` and :math:`d\mu^b/dz = b \mu^b`; :math:`h > 0` because
    :math:`-a > 0` and :math:`b > 0`. The exponentials :math:`\mu^a = e^{az}` and
    :math:`\mu^b = e^{bz}` continue as their second-order Taylor expansions beyond exponent 50, so
    every output stays finite.

    Start score: :math:`\log` of the weighted mean label, the exact minimiser
    (:math:`\sum_i w_i g_i = \mu^a \sum_i w_i (\mu - y_i) = 0`).

    References
    ----------
    .. [1] B. Jorgensen, "Exponential Dispersion Models", *Journal of the Royal Statistical
       Society, Series B* 49(2), 127-162, 1987.
    """

    name = "tweedie"
    value_kernel = K.tweedie_value
    hessians = {"exact": K.tweedie_grad_hess}

    def __init__(self, power=1.5, hessian="exact"):
        self._init(power=power, hessian=hessian)

    def _theta(self):
        if isinstance(self.power, bool) or not isinstance(self.power, numbers.Real):
            raise TypeError(f"power must be a real number, got {self.power!r}")
        rho = float(self.power)
        if not 1.0 < rho < 2.0:  # also NaN (the message said "> 0 and < 2" below 0 and at 2)
            raise ValueError(f"power must be in the open interval (1, 2), got {self.power!r}")
        return [rho]
