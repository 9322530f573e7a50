"""Binary losses on the raw margin z (labels 0/1)."""

import numpy as np

from .. import _validation as V
from .._solve import LOGIT_CLAMP, clamped_logit
from ..kernels import binary as K
from .base import Loss, register


def _binary_class_weights(loss, pos_weight, alpha, class_weight):
    """(a0, a1) from exactly one of pos_weight, alpha, class_weight (all default to 1, 1)."""
    given = [name for name, value, default in (("pos_weight", pos_weight, 1.0), ("alpha", alpha, None),
                                               ("class_weight", class_weight, None)) if value != default]
    if len(given) > 1:
        raise ValueError(f"{type(loss).__name__}: give only one of {' / '.join(given)}")
    if alpha is not None:
        a = V.check_open_unit("alpha", alpha)
        return 1.0 - a, a
    if class_weight is not None:
        cw = np.asarray(class_weight, dtype=np.float64)
        if cw.shape != (2,) or not (np.isfinite(cw).all() and (cw > 0).all()):
            raise ValueError(f"class_weight must be two positive weights (negative, positive), got {class_weight!r}")
        return float(cw[0]), float(cw[1])
    return 1.0, V.check_positive("pos_weight", pos_weight)


class BinaryLoss(Loss):
    task = "binary"
    link = "logit"
    label_domain = "binary"

    @staticmethod
    def _class_totals(y, w):
        if w.size == 0:
            n1 = float(y.sum())
            return y.shape[0] - n1, n1
        w1 = float(np.dot(w, y))
        return float(w.sum()) - w1, w1

    def _solve(self, y, w, lo=-LOGIT_CLAMP, hi=LOGIT_CLAMP, x0=None):
        """1-D solve on the two class totals (the loss at a constant depends on nothing else)."""
        w0, w1 = self._class_totals(y, w)
        return self._minimise_1d(np.array([0.0, 1.0]), np.array([w0, w1]), lo, hi, x0)


@register
class Logistic(BinaryLoss):
    """Weighted binary cross-entropy on the margin: L = -a1 y log p - a0 (1 - y) log(1 - p).

    Class weights from ``pos_weight`` (a1 = pos_weight, a0 = 1), ``alpha`` (a1 = alpha,
    a0 = 1 - alpha, the alpha-balanced form) or ``class_weight=(a0, a1)``. Exact Hessian
    a p (1 - p) > 0. init_score: clamped weighted log-odds log(a1 W1 / (a0 W0)).
    """

    name = "logistic"
    default_metric = "logloss"
    _grad_hess_kernel = staticmethod(K.logistic_grad_hess)
    _value_kernel = staticmethod(K.logistic_value)

    def __init__(self, pos_weight=1.0, alpha=None, class_weight=None, hessian="exact"):
        self._init(pos_weight=pos_weight, alpha=alpha, class_weight=class_weight, hessian=hessian)

    def _theta(self):
        return _binary_class_weights(self, self.pos_weight, self.alpha, self.class_weight)

    def _init_score(self, y, w):
        a0, a1 = self._theta_array
        w0, w1 = self._class_totals(y, w)
        return clamped_logit(a1 * w1 / (a1 * w1 + a0 * w0))


@register
class Focal(BinaryLoss):
    """Focal loss (Lin et al. 2017): L = -a_t (1 - p_t)^gamma log p_t, exact derivatives in z.

    Focal(gamma=0) is Logistic. Class weights as Logistic: ``alpha`` (weight of positives, 1 - alpha
    for negatives, as in the paper) or ``class_weight=(a0, a1)``; none means 1, 1.

    Hessian policy: for gamma > 0 the exact Hessian is negative for badly misclassified samples
    (p_t below ~e^-(1 + 2 gamma)/gamma). The default ``hessian="upper"`` drops the one negative term
    of d2L/dz2 = a q^g p [g^2 p s + (1 + 2g) q - g q s] (q = 1 - p_t, s = -log p_t), giving a positive
    upper bound of the curvature that equals the exact Hessian at gamma = 0 and is close to it for
    confident samples; Newton steps with an upper bound never overshoot. ``"exact"`` returns the true
    (possibly negative) value, a float clips the exact value at that floor.
    init_score: 1-D solve (safeguarded Newton) of the weighted focal loss at a constant.
    """

    name = "focal"
    default_metric = "focal"
    hessian_may_be_negative = True
    _grad_hess_kernel = staticmethod(K.focal_grad_hess)
    _value_kernel = staticmethod(K.focal_value)
    _hessian_choices = ("upper", "exact")

    def __init__(self, gamma=2.0, alpha=None, class_weight=None, hessian="upper"):
        self._init(gamma=gamma, alpha=alpha, class_weight=class_weight, hessian=hessian)

    def _theta(self):
        a0, a1 = _binary_class_weights(self, 1.0, self.alpha, self.class_weight)
        gamma = V.check_positive("gamma", self.gamma, allow_zero=True)
        return [a0, a1, gamma, 1.0 if self._params.get("hessian") == "upper" else 0.0]

    def _init_score(self, y, w):
        a0, a1 = self._theta_array[:2]
        w0, w1 = self._class_totals(y, w)
        return self._solve(y, w, x0=clamped_logit(a1 * w1 / (a1 * w1 + a0 * w0)))


@register
class Exponential(BinaryLoss):
    """AdaBoost's exponential loss e^{-t z} (t = 2y - 1), exact up to |margin| 50, then continued
    by its second-order Taylor expansion so that it stays finite (see the kernel).
    predict: p = sigmoid(2 z) (the population minimiser is half the log-odds).
    init_score: (1/2) log(W1 / W0), clamped."""

    name = "exponential"
    link = "logit_half"
    default_metric = "exponential"
    _grad_hess_kernel = staticmethod(K.exponential_grad_hess)
    _value_kernel = staticmethod(K.exponential_value)

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)

    def _init_score(self, y, w):
        w0, w1 = self._class_totals(y, w)
        return 0.5 * clamped_logit(w1 / (w0 + w1))


@register
class SmoothHinge(BinaryLoss):
    """Smooth hinge (Rennie & Srebro 2005) on m = t z: 1/2 - m (m <= 0), (1 - m)^2/2 (0 < m < 1),
    0 (m >= 1). Exact Hessian is 0 outside (0, 1): default ``hessian="constant"`` returns 1 (an upper
    bound). predict: the probability whose optimal margin is z (see links). init_score: 1-D solve."""

    name = "smooth_hinge"
    link = "smooth_hinge"
    default_metric = "smooth_hinge"
    _grad_hess_kernel = staticmethod(K.smooth_hinge_grad_hess)
    _value_kernel = staticmethod(K.smooth_hinge_value)
    _hessian_choices = ("constant", "exact")
    _hessian_bound = 1.0

    def __init__(self, hessian="constant"):
        self._init(hessian=hessian)

    def _init_score(self, y, w):
        return self._solve(y, w, lo=-1.0, hi=1.0)


@register
class SquaredHinge(BinaryLoss):
    """Squared hinge max(0, 1 - t z)^2. Exact Hessian 2 [t z < 1], 0 beyond, where the gradient is 0
    too (no step can explode), so the default is exact; ``hessian="constant"`` returns 2 everywhere.
    predict: p = (1 + z)/2 clipped. init_score: (W1 - W0) / W (closed form)."""

    name = "squared_hinge"
    link = "squared_hinge"
    default_metric = "squared_hinge"
    _grad_hess_kernel = staticmethod(K.squared_hinge_grad_hess)
    _value_kernel = staticmethod(K.squared_hinge_value)
    _hessian_choices = ("exact", "constant")
    _hessian_bound = 2.0

    def __init__(self, hessian="exact"):
        self._init(hessian=hessian)

    def _init_score(self, y, w):
        w0, w1 = self._class_totals(y, w)
        return (w1 - w0) / (w0 + w1)


__all__ = ["Logistic", "Focal", "Exponential", "SmoothHinge", "SquaredHinge"]
