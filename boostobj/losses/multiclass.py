"""Multiclass losses on raw margins (n, k) with a softmax link, labels 0..k-1; and ClassBalanced."""
import numpy as np

from .. import _start
from .. import _validation as V
from .. import domains, links
from ..kernels import multiclass as K
from .base import Loss, register
from .binary import Focal, Logistic

__all__ = ["SoftmaxCrossEntropy", "SoftmaxFocal", "ClassBalanced"]


def _class_vector(name, values, allow_none=True):
    if values is None and allow_none:
        return None
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] < 2 or not (np.isfinite(v).all() and (v > 0).all()):
        raise ValueError(f"{name} must be a sequence of at least 2 positive weights (one per class), got {values!r}")
    return v


class MulticlassLoss(Loss):
    task = "multiclass"
    link = links.SOFTMAX
    domain = domains.CLASSES

    def class_mass(self, totals):
        totals = np.asarray(totals, dtype=np.float64)
        weights = self._theta_array[1:]  # theta = (one parameter, per-class weights or nothing)
        return totals * weights if weights.size else totals


@register
class SoftmaxCrossEntropy(MulticlassLoss):
    r"""Softmax cross-entropy with optional class weights and label smoothing.

    .. math::

        L = c_y \sum_j q_j (\operatorname{lse}(z) - z_j), \qquad q_j = (1 - \epsilon)[j = y] + \epsilon / k,
        \qquad g_j = c_y (p_j - q_j)

    Hessian (diagonal): ``"exact"`` :math:`c_y p_j (1 - p_j)`; ``"xgboost"``
    :math:`\max(2 p_j (1 - p_j), 10^{-16})` as XGBoost ``multi:softprob``; ``"lightgbm"``
    :math:`\frac{k}{k-1} p_j (1 - p_j)` as LightGBM ``multiclass``. The last two reproduce the
    built-in objectives exactly (parity). :math:`1 - p_j` is the sum of the other probabilities
    when :math:`p_j` is the largest, so it keeps full precision when :math:`p_j \to 1`.
    Start score: log of the class-weighted, smoothed label frequencies (floored at 1e-7).
    """

    name = "softmax"
    value_kernel = K.softmax_value_row
    hessians = {"exact": K.softmax_grad_hess_row, "xgboost": K.softmax_grad_hess_row_xgboost,
                "lightgbm": K.softmax_grad_hess_row_lightgbm}
    start = _start.CLASS_RATES
    class_param = "class_weight"

    def __init__(self, class_weight=None, label_smoothing=0.0, hessian="exact"):
        self._init(class_weight=class_weight, label_smoothing=label_smoothing, hessian=hessian)

    def _theta(self):
        eps = V.check_positive("label_smoothing", self.label_smoothing, allow_zero=True, upper=1.0)
        cw = _class_vector("class_weight", self.class_weight)
        return [eps] + ([] if cw is None else list(cw))

    def class_mass(self, totals):
        mass = super().class_mass(totals)  # class-weighted mass of each true class
        eps = float(self._theta_array[0])
        # smoothed targets spread eps/k of every sample's mass over all classes
        return (1.0 - eps) * mass + eps / mass.shape[0] * mass.sum()


@register
class SoftmaxFocal(MulticlassLoss):
    r"""Softmax focal loss :math:`L = -\alpha_y (1 - p_y)^\gamma \log p_y` with the exact gradient and
    the exact diagonal Hessian of the softmax form (not the binary formula per class).

    With :math:`p = p_y`, :math:`q = 1 - p`, :math:`s = -\log p`, :math:`r_j = p_j / q` and
    :math:`A = \gamma p s + q`:

    .. math::

        g_y = -a q^\gamma A, \quad g_j = a r_j q^\gamma A, \quad
        h_y = a p q^\gamma [\gamma^2 p s + (1 + 2\gamma) q - \gamma q s],

        h_j = a r_j q^\gamma [(1 - r_j) A + \gamma p r_j A + p q r_j (1 + \gamma - \gamma s)]

    (from :math:`dp/dz_j = p(\delta_{jy} - p_j)`, :math:`ds/dz_j = p_j - \delta_{jy}`,
    :math:`dr_j/dz_j = r_j(1 - r_j)`). ``SoftmaxFocal(gamma=0)`` is ``SoftmaxCrossEntropy``.
    ``alpha``: None (all 1) or one weight per class. Hessian as Focal: ``"upper"`` (default) drops
    the terms that can make the diagonal negative; ``"exact"`` or a float floor.
    Start score: k-D Newton solve from the log class frequencies. Reference: Lin et al. (2017).
    """

    name = "softmax_focal"
    value_kernel = K.softmax_focal_value_row
    hessians = {"upper": K.softmax_focal_grad_hess_row_upper, "exact": K.softmax_focal_grad_hess_row}
    hessian_may_be_negative = True
    class_param = "alpha"

    def __init__(self, gamma=2.0, alpha=None, hessian="upper"):
        self._init(gamma=gamma, alpha=alpha, hessian=hessian)

    def _theta(self):
        gamma = V.check_positive("gamma", self.gamma, allow_zero=True)
        alpha = _class_vector("alpha", self.alpha)
        return [gamma] + ([] if alpha is None else list(alpha))


@register
class ClassBalanced(Loss):
    r"""Class-balanced loss: each class weighted by the inverse effective number of samples,
    :math:`w_c = (1 - \beta) / (1 - \beta^{n_c})`, normalised so the weights sum to the number of
    classes. :math:`\beta = 0` gives the unweighted base loss; :math:`\beta \to 1` approaches inverse
    frequency.

    Parameters
    ----------
    beta : float in [0, 1)
    base : {"logistic", "focal", "softmax", "softmax_focal"}
        The weighted loss; ``gamma`` is used by the focal bases.
    counts : sequence of class counts, optional
        :math:`n_c`. When None, the counts of the labels of each call are used (right for a call on
        the whole training set); fix them with ``counts=`` or ``bind(y)`` whenever the labels seen
        later are not the training labels (a test set, a Dask partition). A class absent from the
        counts is weighted as if :math:`n_c = 1`.
    hessian : str or float, optional
        Passed to the base loss (None keeps the base's default policy).

    Reference: Cui et al., "Class-Balanced Loss Based on Effective Number of Samples" (CVPR 2019).
    """

    name = "class_balanced"
    _wrapper = True
    _BASES = {"logistic": Logistic, "focal": Focal, "softmax": SoftmaxCrossEntropy, "softmax_focal": SoftmaxFocal}

    def __init__(self, beta=0.999, base="logistic", gamma=2.0, counts=None, hessian=None):
        if base not in self._BASES:
            raise ValueError(f"base must be one of {sorted(self._BASES)}, got {base!r}")
        proto = self._BASES[base]
        for attr in ("task", "link", "domain", "start", "hessians", "hessian_may_be_negative"):
            object.__setattr__(self, attr, getattr(proto, attr))
        self._init(beta=beta, base=base, gamma=gamma, counts=counts, hessian=hessian)

    def _resolve_hessian(self, hessian):
        self._base_loss(np.ones(2 if self.counts is None else len(self.counts)))  # validates ``hessian``
        return None  # the base loss applies its own policy

    def _theta(self):
        V.check_positive("beta", self.beta, allow_zero=True, upper=1.0)
        V.check_positive("gamma", self.gamma, allow_zero=True)
        if self.counts is not None:
            c = np.asarray(self.counts, dtype=np.float64)
            k_ok = c.shape == (2,) if self.task == "binary" else (c.ndim == 1 and c.shape[0] >= 2)
            if not k_ok or not (np.isfinite(c).all() and (c >= 0).all()):
                raise ValueError(f"counts must be one non-negative count per class, got {self.counts!r}")
        return []

    @property
    def n_classes(self):
        if self.task == "binary":
            return 2
        return None if self.counts is None else len(self.counts)

    def class_weights(self, counts):
        """Normalised effective-number weights for the class counts."""
        beta = float(self.beta)
        n = np.maximum(np.asarray(counts, dtype=np.float64), 1.0)
        if beta == 0.0:
            w = np.ones_like(n)
        else:
            w = (1.0 - beta) / -np.expm1(n * np.log(beta))   # (1 - beta) / (1 - beta^n), stable
        return w * (n.shape[0] / w.sum())

    def _base_loss(self, counts):
        """The base loss weighted for these class counts."""
        w = tuple(float(v) for v in self.class_weights(counts))
        extra = {} if self.hessian is None else {"hessian": self.hessian}
        if self.base in ("logistic", "softmax"):
            return self._BASES[self.base](class_weight=w, **extra)
        if self.base == "focal":
            return Focal(gamma=self.gamma, class_weight=w, **extra)
        return SoftmaxFocal(gamma=self.gamma, alpha=w, **extra)

    def _counts_of(self, y):
        k = self.resolve_n_classes(y)
        return np.bincount(np.asarray(y, dtype=np.int64), minlength=k or 2).astype(np.float64)

    def bind(self, y, sample_weight=None):
        """A copy with ``counts`` fixed to the counts of ``y`` (itself when counts are given)."""
        if self.counts is not None:
            return self
        y = V.as_labels(y, None, self.domain, self.resolve_n_classes(y), what=repr(self))
        return self.with_params(counts=self._counts_of(y).tolist())

    def _concrete(self, y):
        return self._base_loss(self.counts if self.counts is not None else self._counts_of(y))

    def resolve(self, data):
        return self._base_loss(self.counts if self.counts is not None else data.class_totals(weighted=False))
