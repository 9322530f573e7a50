r"""Binary losses on the raw margin :math:`z`, labels :math:`y \in \{0, 1\}`, :math:`t = 2y - 1`,
:math:`u = t z` (derivations in ``boostobj/kernels/binary.py``). Logistic and Focal also take soft
labels :math:`y \in [0, 1]` (the probability of class 1): their loss is then the expected
hard-label loss :math:`y L(1, z) + (1 - y) L(0, z)`."""
from typing import ClassVar

import numpy as np

from .. import _start
from .. import _validation as V
from .. import domains, links
from ..kernels import binary as K
from .base import Constant, Loss, register

__all__ = ["Logistic", "Focal", "Exponential", "SmoothHinge", "SquaredHinge"]


def _binary_class_weights(loss, pos_weight, alpha, class_weight):
    """(a0, a1) from exactly one of pos_weight, alpha, class_weight (all default to 1, 1).

    ``class_weight``: two positive weights (negative, positive) as a sequence or array (what
    scikit-learn's ``compute_class_weight`` returns) or a dict {0: a0, 1: a1}."""
    given = [name for name, is_set in (("pos_weight", not _is_one(pos_weight)), ("alpha", alpha is not None),
                                       ("class_weight", class_weight is not None)) if is_set]
    if len(given) > 1:
        raise ValueError(f"{type(loss).__name__}: give only one of {' / '.join(given)}")
    if alpha is not None:
        a = V.check_open_unit("alpha", alpha)
        return 1.0 - a, a
    if class_weight is not None:
        cw = V.class_vector("class_weight", class_weight, n_classes=2)
        return float(cw[0]), float(cw[1])
    return 1.0, V.check_positive("pos_weight", pos_weight)


def _is_one(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and value == 1.0


class BinaryLoss(Loss):
    task = "binary"
    link: ClassVar[links.Link] = links.LOGIT
    domain: ClassVar[domains.Domain] = domains.BINARY
    start: ClassVar[_start.StartRule] = _start.CLASS_RATES


class _ClassWeighted(BinaryLoss):
    """Binary losses whose theta starts with the class weights (a0, a1), with soft labels: a label
    in [0, 1] is the probability of class 1 and the loss is the expected hard-label loss,
    y L(1, z) + (1 - y) L(0, z) (labels 0 and 1 give the hard-label loss exactly)."""

    domain: ClassVar[domains.Domain] = domains.UNIT_INTERVAL

    def class_mass(self, totals):
        return np.asarray(totals, dtype=np.float64) * self._theta_array[:2]

    def _posterior_is_link(self):
        a0, a1 = self._theta_array[:2]
        return bool(a0 == a1) and float(self._params.get("gamma", 0.0)) == 0.0

    def _training_balances_priors(self):
        return self._posterior_is_link()  # then the gradient is a0 (p - y)


@register
class Logistic(_ClassWeighted):
    r"""Weighted binary cross-entropy on the margin:
    :math:`L = -a_1 y \log p - a_0 (1 - y) \log(1 - p)`, :math:`p = \sigma(z)`.

    Class weights from ``pos_weight`` (:math:`a_1` = pos_weight, :math:`a_0 = 1`), ``alpha``
    (:math:`a_1 = \alpha`, :math:`a_0 = 1 - \alpha`) or ``class_weight=(a0, a1)``.
    :math:`g = -a_1 y \sigma(-z) + a_0 (1 - y) \sigma(z)` (not :math:`\sigma(z) - y`, which loses
    every digit when :math:`\sigma(z) \to 1`), exact :math:`h = (a_1 y + a_0 (1 - y)) p (1 - p) > 0`.

    Labels may be soft, :math:`y \in [0, 1]` (the probability of class 1, e.g. a teacher's or an
    annotator average): the formula above is then the cross-entropy to that target, as LightGBM's
    ``cross_entropy`` (``xentropy``) objective; labels 0 and 1 give the hard-label loss exactly.
    Start score: the clamped weighted log-odds :math:`\log(a_1 W_1 / (a_0 W_0))` with
    :math:`W_1 = \sum w y`, :math:`W_0 = \sum w (1 - y)`.
    """

    name = "logistic"
    value_kernel = K.logistic_value
    hessians = {"exact": K.logistic_grad_hess}

    def __init__(self, pos_weight=1.0, alpha=None, class_weight=None, hessian="exact"):
        self._init(pos_weight=pos_weight, alpha=alpha, class_weight=class_weight, hessian=hessian)

    def _theta(self):
        return _binary_class_weights(self, self.pos_weight, self.alpha, self.class_weight)


@register
class Focal(_ClassWeighted):
    r"""Focal loss :math:`L = -a_t (1 - p_t)^\gamma \log p_t` with exact derivatives in :math:`z`.

    With :math:`p = \sigma(u)`, :math:`q = 1 - p`, :math:`s = -\log p`:

    .. math::

        \frac{dL}{du} = -a q^\gamma (\gamma p s + q), \qquad
        \frac{d^2L}{du^2} = a q^\gamma p \left[\gamma^2 p s + (1 + 2\gamma) q - \gamma q s\right]

    (from :math:`dq/du = -pq`, :math:`dp/du = pq`, :math:`ds/du = -q`). ``Focal(gamma=0)`` is
    ``Logistic``; :math:`0 \le \gamma \le 1000` (beyond, the powers underflow). Class weights as
    Logistic: ``alpha`` (weight of positives, :math:`1-\alpha` for
    negatives, as in the paper) or ``class_weight=(a0, a1)``.

    Hessian: for :math:`\gamma > 0` the exact value is negative for badly misclassified samples.
    ``"upper"`` (default) drops the one negative term :math:`-\gamma q s`: a positive upper bound of
    the curvature, equal to the exact value at :math:`\gamma = 0`, whose Newton steps never
    overshoot. ``"exact"`` returns the true value; a float floors the exact value.

    Soft labels :math:`y \in [0, 1]`: :math:`L = y L(1, z) + (1 - y) L(0, z)`, the expected focal
    loss under the label distribution (every derivative is the same mix; labels 0 and 1 give the
    hard-label loss exactly). Start score: 1-D solve. Reference: Lin et al., "Focal Loss for Dense Object Detection" (2017).
    """

    name = "focal"
    value_kernel = K.focal_value
    hessians = {"upper": K.focal_grad_hess_upper, "exact": K.focal_grad_hess}
    hessian_may_be_negative = True
    start = _start.SOLVE

    def __init__(self, gamma=2.0, alpha=None, class_weight=None, hessian="upper"):
        self._init(gamma=gamma, alpha=alpha, class_weight=class_weight, hessian=hessian)

    def _theta(self):
        a0, a1 = _binary_class_weights(self, 1.0, self.alpha, self.class_weight)
        return [a0, a1, V.check_gamma(self.gamma)]


@register
class Exponential(BinaryLoss):
    r"""AdaBoost's exponential loss :math:`L = e^{-u}`, exact up to :math:`-u = 50`, then continued by
    its second-order Taylor expansion so that it stays finite. Its population minimiser is half the
    log-odds, so ``predict`` is :math:`p = \sigma(2z)`. Start score: :math:`\frac12 \log(W_1/W_0)`,
    clamped. Reference: Friedman, Hastie & Tibshirani (2000).
    """

    name = "exponential"
    link = links.Logit(scale=2.0)

    def _posterior_is_link(self):
        return True  # sigma(2z) is the exponential loss's posterior
    value_kernel = K.exponential_value
    hessians = {"exact": K.exponential_grad_hess}

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)


@register
class SmoothHinge(BinaryLoss):
    r"""Smooth hinge on :math:`m = u`: :math:`1/2 - m` (:math:`m \le 0`), :math:`(1 - m)^2/2`
    (:math:`0 < m < 1`), 0 (:math:`m \ge 1`). The exact Hessian is 0 outside (0, 1): the default
    ``hessian="constant"`` returns 1 (an upper bound). ``predict``: the probability whose optimal
    margin is :math:`z` (``links.SmoothHingeLink``). Start score: that link of the class rate.
    Reference: Rennie & Srebro (2005).
    """

    name = "smooth_hinge"
    link = links.SmoothHingeLink()
    has_posterior = False  # |z| >= 1 says nothing about the posterior
    value_kernel = K.smooth_hinge_value
    hessians = {"constant": Constant(1.0), "exact": K.smooth_hinge_grad_hess}

    def __init__(self, hessian="constant"):
        self._init(hessian=hessian)


@register
class SquaredHinge(BinaryLoss):
    r"""Squared hinge :math:`L = \max(0, 1 - u)^2`. Exact Hessian :math:`2[u < 1]`, 0 beyond where the
    gradient is 0 too (no step can explode), so the default is exact; ``"constant"``: 2.
    ``predict``: :math:`p = (1 + z)/2` clipped. Start score: :math:`(W_1 - W_0)/W`.
    """

    name = "squared_hinge"
    link = links.SquaredHingeLink()
    has_posterior = False  # |z| >= 1 says nothing about the posterior
    value_kernel = K.squared_hinge_value
    hessians = {"exact": K.squared_hinge_grad_hess, "constant": Constant(2.0)}

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)
