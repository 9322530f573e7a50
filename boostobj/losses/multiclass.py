r"""Multiclass losses on raw margins (n, k) with a softmax link, labels 0..k-1; and ClassBalanced.

A row of margins :math:`z \in \mathbb{R}^k` gives class probabilities
:math:`p_j = e^{z_j} / \sum_i e^{z_i}`; :math:`\operatorname{lse}(z) = \log \sum_i e^{z_i}`. Gradients
are per class; Hessians are the diagonal of the per-row Hessian, as both engines expect. The row
kernels and their derivations are in ``boostobj/kernels/multiclass.py``.
"""
import numpy as np

from .. import _start
from .. import _validation as V
from .. import domains, links
from ..kernels import multiclass as K
from .base import Loss, register
from .binary import Focal, Logistic

__all__ = ["SoftmaxCrossEntropy", "SoftTargetCrossEntropy", "SoftmaxFocal", "ClassBalanced"]


class MulticlassLoss(Loss):
    """Base class of the multiclass losses: softmax link, labels 0..k-1, margins of shape (n, k)."""

    task = "multiclass"
    link = links.SOFTMAX
    domain = domains.CLASSES

    def _posterior_is_link(self):
        weights = self._theta_array[1:]  # theta = (label smoothing or gamma, per-class weights or nothing)
        unweighted = weights.size == 0 or bool(np.all(weights == weights[0]))
        return unweighted and float(self._theta_array[0]) == 0.0

    def _training_balances_priors(self):
        return self._posterior_is_link()  # then the gradient is a (p - y), or p - targets for soft targets

    def class_mass(self, totals):
        """Class totals multiplied by the per-class weights of the loss (unchanged without them).

        Parameters
        ----------
        totals : array_like of shape (k,)
            Weighted label count of each class.

        Returns
        -------
        ndarray of shape (k,)
            The class totals as the loss weighs them (float64).
        """
        totals = np.asarray(totals, dtype=np.float64)
        weights = self._theta_array[1:]  # theta = (one parameter, per-class weights or nothing)
        return totals * weights if weights.size else totals


@register
class SoftmaxCrossEntropy(MulticlassLoss):
    r"""Softmax cross-entropy with optional class weights and label smoothing.

    .. math::

        L = c_y \sum_j q_j (\operatorname{lse}(z) - z_j), \qquad
        q_j = (1 - \epsilon)[j = y] + \epsilon / k, \qquad g_j = c_y (p_j - q_j),
        \qquad h_j = c_y p_j (1 - p_j).

    Same as XGBoost ``multi:softprob`` and LightGBM ``multiclass`` (unweighted, unsmoothed) with the
    matching ``hessian`` policy.

    Parameters
    ----------
    class_weight : sequence of float or dict, optional
        One weight :math:`c_j > 0` per class (at least 2): a sequence or array indexed by class, or
        a dict ``{class index: weight}`` with keys 0..k-1. The loss of a sample of class :math:`y` is
        multiplied by :math:`c_y`. When given, it fixes the number of classes. None (default): every
        weight is 1. A string (such as ``"balanced"``) is refused: see :class:`ClassBalanced`.
    label_smoothing : float, default=0.0
        :math:`\epsilon \in [0, 1)`: the target puts mass :math:`\epsilon / k` on every class and
        :math:`1 - \epsilon` on top of that on the true class.
    hessian : {"xgboost", "exact", "lightgbm"} or float, default="xgboost"
        Hessian policy (the diagonal; each multiplied by :math:`c_y`).

        * ``"xgboost"`` (default): :math:`c_y \max(2 p_j (1 - p_j), 10^{-16})`, as XGBoost
          ``multi:softprob``. Twice the diagonal majorises the row Hessian (see Notes), so the
          per-class Newton steps, taken for all classes at once, never overshoot.
        * ``"exact"``: :math:`c_y p_j (1 - p_j)`, the exact diagonal.
        * ``"lightgbm"``: :math:`c_y \frac{k}{k-1} p_j (1 - p_j)`, as LightGBM ``multiclass``.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

        The ``"xgboost"`` and ``"lightgbm"`` policies reproduce the built-in objectives exactly
        (parity).

    Raises
    ------
    TypeError
        If ``label_smoothing`` is not a real number.
    ValueError
        If ``label_smoothing`` is not in [0, 1), ``class_weight`` is not one finite positive weight
        per class (at least 2), or ``hessian`` is not one of the policies above.

    Notes
    -----
    Derivation: since :math:`\sum_j q_j = 1`, :math:`L = c_y (\operatorname{lse}(z) - \sum_j q_j z_j)`;
    with :math:`\partial \operatorname{lse} / \partial z_j = p_j` and
    :math:`\partial p_j / \partial z_j = p_j (1 - p_j)` this gives :math:`g_j` and :math:`h_j` above.

    Step convention: the engines take one Newton step per class from the diagonal of the row
    Hessian :math:`H = \operatorname{diag}(p) - p p^\top` and ignore its off-diagonal entries, so the
    steps of the k classes add up to more than the Newton step of :math:`H` (for k = 2 the margin
    difference moves by twice the logistic Newton step). Since
    :math:`\sum_{j \ne i} |H_{ij}| = p_i (1 - p_i)`, Gershgorin's theorem gives
    :math:`H \preceq 2 \operatorname{diag}(p (1 - p))`: with the doubled diagonal (the default, as
    XGBoost) the k = 2 step is exactly the logistic Newton step, and models are better calibrated
    at a given number of rounds (``benchmarks/calibration.py``), at the cost of more rounds to
    converge under early stopping.

    Numerics: softmax quantities come from log-sum-exp. :math:`1 - p_j` is the sum of the other
    probabilities when :math:`p_j` is the largest, so it keeps full precision when
    :math:`p_j \to 1`.

    Start score: the log of the class-weighted, smoothed label frequencies
    :math:`(1 - \epsilon) c_j W_j + \frac{\epsilon}{k} \sum_i c_i W_i` (normalised, floored at
    1e-7), the exact minimiser.
    """

    name = "softmax"
    value_kernel = K.softmax_value_row
    hessians = {"exact": K.softmax_grad_hess_row, "xgboost": K.softmax_grad_hess_row_xgboost,
                "lightgbm": K.softmax_grad_hess_row_lightgbm}
    start = _start.CLASS_RATES
    class_param = "class_weight"

    def __init__(self, class_weight=None, label_smoothing=0.0, hessian="xgboost"):
        self._init(class_weight=class_weight, label_smoothing=label_smoothing, hessian=hessian)

    def _theta(self):
        eps = V.check_positive("label_smoothing", self.label_smoothing, allow_zero=True, upper=1.0)
        cw = V.class_vector("class_weight", self.class_weight)
        return [eps] + ([] if cw is None else list(cw))

    def class_mass(self, totals):
        r"""Class-weighted totals with the smoothing mass spread over all classes.

        Parameters
        ----------
        totals : array_like of shape (k,)
            Weighted label count :math:`W_j` of each class.

        Returns
        -------
        ndarray of shape (k,)
            :math:`(1 - \epsilon) c_j W_j + \frac{\epsilon}{k} \sum_i c_i W_i`, proportional to the
            optimal constant class probabilities.
        """
        mass = super().class_mass(totals)  # class-weighted mass of each true class
        eps = float(self._theta_array[0])
        # smoothed targets spread eps/k of every sample's mass over all classes
        return (1.0 - eps) * mass + eps / mass.shape[0] * mass.sum()


# The temperatures SoftTargetCrossEntropy accepts: the gradient T (p - q~) is a difference of two
# probability vectors that agree to about 1/T, so its rounding error grows with T (measured against
# mpmath: 5e-7 relative at T = 1e10, 1e-5 at 1e12); below 1e-6, z / T overflows for margins of 1e302.
TEMPERATURE_RANGE = (1e-6, 1e6)


@register
class SoftTargetCrossEntropy(MulticlassLoss):
    r"""Softmax cross-entropy to soft targets (probability rows), with a temperature: distillation.

    .. math::

        \tilde q_{ij} \propto q_{ij}^{1/T}, \qquad u = z / T, \qquad
        L_i = T^2 \sum_j \tilde q_{ij} (\operatorname{lse}(u) - u_j), \qquad
        g_j = T (\operatorname{softmax}(u)_j - \tilde q_{ij}), \qquad
        h_j = p_j (1 - p_j), \; p = \operatorname{softmax}(u).

    **Labels are row indices, not classes**: the label of a training row is the index ``i`` of its
    row in ``targets`` (usually ``np.arange(n)``, ``loss.row_labels()``). The engines hand a custom
    objective the labels of exactly the rows they train on, in their order, so the targets follow
    the rows through any ordering or subset (a validation set, a Dask partition, an estimator's
    split) and cannot be misaligned; a label outside 0..n-1 is refused with its row named. Give a
    validation set its own loss (its own targets) for ``loss.metric()`` or :class:`KLDivergence`.

    Parameters
    ----------
    targets : array_like of shape (n, k)
        Class probabilities per row (a teacher's ``predict_proba``, annotators' vote shares): k >= 2
        columns, entries >= 0, each row summing to 1 (within 1e-6; renormalised exactly). One-hot
        rows give the hard-label :class:`SoftmaxCrossEntropy`.
    temperature : float, default=1.0
        :math:`T` in [1e-6, 1e6] (see ``TEMPERATURE_RANGE``). The targets are tempered to
        :math:`q^{1/T}` (renormalised) and the student's
        margins divided by :math:`T` inside the loss (Hinton, Vinyals, Dean 2015); :math:`T^2` keeps
        the gradient's scale comparable across temperatures. The model's probabilities are
        ``softmax(z)``. For a margin fitted to one row alone, :math:`\operatorname{softmax}(z/T) =
        \tilde q` gives :math:`\operatorname{softmax}(z) = q` at any T; but a leaf (or the start
        score) shared by several rows matches the *mean tempered* target, so at :math:`T > 1` the
        probabilities are pulled towards uniform (two rows [.98, .01, .01] and [.01, .98, .01]:
        the start's third class gets .010 at T = 1, .022 at T = 3), and :math:`T < 1` needs margins
        1/T times larger, which boosting reaches slowly. T = 1 estimates the mean targets.
    hessian : {"xgboost", "exact"} or float, default="xgboost"
        ``"xgboost"``: :math:`\max(2 p_j (1 - p_j), 10^{-16})`, the multiclass step convention of
        :class:`SoftmaxCrossEntropy`'s default (see its Notes); ``"exact"``: the diagonal
        :math:`p_j (1 - p_j)`; a float: that floored.

    Raises
    ------
    TypeError, ValueError
        If ``targets`` is not an (n, k) array of probability rows (the error names the row), has
        more than 2**24 rows (row indices must be exact in float32, as the engines hold labels), or
        ``temperature`` is outside [1e-6, 1e6].

    Notes
    -----
    Cross-entropy and KL divergence differ by the targets' entropy, a constant of the data:
    gradients, Hessians and models are the same. :class:`boostobj.metrics.KLDivergence` reports KL.

    Derivation: :math:`\partial \operatorname{lse}(z/T) / \partial z_j = p_j / T` and
    :math:`\partial p_j / \partial z_j = p_j (1 - p_j) / T`, so with the factor :math:`T^2` the
    gradient is :math:`T (p_j - \tilde q_j)` and the diagonal Hessian :math:`p_j (1 - p_j)`.

    Start score: :math:`c = T \log \bar q` with :math:`\bar q` the weighted mean of the tempered
    targets of the training rows (the exact minimiser; floored at 1e-7). The targets travel in the
    kernel parameter vector, so the loss object holds n·k floats (pickled to each Dask worker).

    References
    ----------
    .. [1] G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network", NIPS
       Deep Learning Workshop, 2015. arXiv:1503.02531.
    """

    name = "soft_target_softmax"
    value_kernel = K.soft_target_value_row
    hessians = {"xgboost": K.soft_target_grad_hess_row_xgboost, "exact": K.soft_target_grad_hess_row}
    start = _start.TARGET_RATES

    def __init__(self, targets, temperature=1.0, hessian="xgboost"):
        if isinstance(targets, np.ndarray):  # a private read-only copy: the kernels' copy is made once, so a
            targets = targets.copy()          # caller's later in-place edit must not make two losses disagree
            targets.setflags(write=False)
        self._init(targets=targets, temperature=temperature, hessian=hessian)

    def _theta(self):
        t = V.check_positive("temperature", self.temperature)
        if not TEMPERATURE_RANGE[0] <= t <= TEMPERATURE_RANGE[1]:
            raise ValueError(f"temperature must be in [{TEMPERATURE_RANGE[0]:g}, {TEMPERATURE_RANGE[1]:g}], got "
                             f"{self.temperature!r}: the gradient T (p - q~) is a difference of probabilities that "
                             "agree to about 1/T, whose rounding T multiplies (1e-6 relative at T ~ 1e9); a tiny T "
                             "makes z / T overflow")
        q = V.probability_rows("targets", self.targets)
        if t != 1.0:  # q^(1/T) in log space: exact zeros stay zero, no overflow for small T
            with np.errstate(divide="ignore"):
                scaled = np.log(q) / t
            scaled -= scaled.max(axis=1, keepdims=True)
            q = np.exp(scaled)
            q /= q.sum(axis=1, keepdims=True)
        object.__setattr__(self, "_shape_targets", q.shape)
        return np.concatenate([[t], q.ravel()])

    @property
    def tempered_targets(self):
        r"""The targets as the kernels use them, :math:`\propto q^{1/T}`, shape (n, k) (read-only)."""
        return self._theta_array[1:].reshape(self._shape_targets)

    @property
    def temperature_value(self):
        """:math:`T` as a float."""
        return float(self._theta_array[0])

    @property
    def n_classes(self):
        """k, the number of columns of the targets."""
        return self._shape_targets[1]

    @property
    def domain(self):  # type: ignore[override]
        """Row indices 0..n-1 into the targets."""
        return domains.RowIndices(self._shape_targets[0])

    def row_labels(self):
        """The labels of the training rows when the targets are in the training rows' order:
        ``np.arange(n)`` as float64."""
        return np.arange(self._shape_targets[0], dtype=np.float64)

    def bind(self, y, sample_weight=None, n_classes=None):
        """Itself, after refusing class labels passed where row indices belong: more rows than
        classes, every label a class index and some repeated is what class labels look like (row
        indices of a training set repeat only under resampling, and then not all below k)."""
        labels = np.asarray(y, dtype=np.float64).ravel()
        k = self.n_classes
        if labels.shape[0] > k and labels.size and labels.max() < k and np.unique(labels).size < labels.shape[0]:
            raise ValueError(f"the labels of {self!r} are row indices into its targets, but all {labels.shape[0]} "
                             f"labels are in 0..{k - 1} with repeats: these look like class labels; pass "
                             "loss.row_labels() (np.arange(n) when the rows are in the targets' order)")
        return self

    def _posterior_is_link(self):
        return True  # softmax(z) estimates the (untempered) targets' probabilities, see temperature

    def __repr__(self):
        n, k = self._shape_targets
        extra = "".join(f", {key}={self._params[key]!r}" for key, default in (("temperature", 1.0), ("hessian", "xgboost"))
                        if self._params[key] != default)
        return f"SoftTargetCrossEntropy(targets=<{n}x{k} probabilities>{extra})"


@register
class SoftmaxFocal(MulticlassLoss):
    r"""Softmax focal loss, with the exact gradient and diagonal Hessian of the softmax form.

    .. math::

        L = -\alpha_y (1 - p_y)^\gamma \log p_y.

    The derivatives are those of the softmax form (not the binary formula applied per class). With
    :math:`a = \alpha_y`, :math:`p = p_y`, :math:`q = 1 - p`, :math:`s = -\log p`,
    :math:`r_j = p_j / q` (the softmax over the classes other than :math:`y`) and
    :math:`A = \gamma p s + q`:

    .. math::

        g_y = -a q^\gamma A, \quad g_j = a r_j q^\gamma A \; (j \ne y), \quad
        h_y = a p q^\gamma [\gamma^2 p s + (1 + 2\gamma) q - \gamma q s],

        h_j = a r_j q^\gamma [(1 - r_j) A + \gamma p r_j A + p q r_j (1 + \gamma - \gamma s)].

    ``SoftmaxFocal(gamma=0)`` is ``SoftmaxCrossEntropy``.

    Parameters
    ----------
    gamma : float, default=2.0
        The focusing parameter :math:`0 \le \gamma \le 1000`; 0 gives the (weighted) cross-entropy.
    alpha : sequence of float or dict, optional
        One weight :math:`\alpha_j > 0` per class (at least 2), as ``class_weight`` of
        :class:`SoftmaxCrossEntropy` (a sequence, an array or a dict ``{class index: weight}``).
        When given, it fixes the number of classes. None (default): every weight is 1.
    hessian : {"xgboost", "upper", "exact"} or float, default="xgboost"
        Hessian policy, as :class:`boostobj.Focal`.

        * ``"xgboost"`` (default): twice the ``"upper"`` diagonal (floored at :math:`10^{-16}`), the
          multiclass step convention of XGBoost and of :class:`SoftmaxCrossEntropy`'s default: the
          per-class Newton steps are taken for all classes at once, and the doubled diagonal keeps
          their sum from overshooting (see :class:`SoftmaxCrossEntropy`; with :math:`\gamma = 0` it
          is that loss's default Hessian).
        * ``"upper"``: drops the terms :math:`-\gamma q s` (in :math:`h_y`) and
          :math:`-\gamma s` (inside the last bracket of :math:`h_j`), the ones that can make the
          diagonal negative: a positive upper bound.
        * ``"exact"``: the exact diagonal, negative for badly misclassified samples when
          :math:`\gamma > 0`.
        * float :math:`f \ge 0`: the exact Hessian floored at :math:`f`.

    Raises
    ------
    TypeError
        If ``gamma`` is not a real number.
    ValueError
        If ``gamma`` is negative or not finite, ``alpha`` is not one finite positive weight per
        class (at least 2), or ``hessian`` is not one of the policies above.

    Notes
    -----
    Derivation: from :math:`dp/dz_j = p (\delta_{jy} - p_j)`, :math:`ds/dz_j = p_j - \delta_{jy}`,
    :math:`dq/dz_j = p p_j` for :math:`j \ne y` and :math:`dr_j/dz_j = r_j (1 - r_j)`. The gradient
    sums to 0 over the classes; :math:`h_y` equals the binary focal Hessian.

    Numerics: :math:`\log q` is the log-sum-exp over the other classes minus the full one, so
    :math:`q^\gamma` and :math:`r_j` are exact even when :math:`p` rounds to 1.

    Start score: the optimal constant has no closed form; a k-D Newton solve on the class totals
    (Hessian by differences of the exact gradient, backtracking line search) from the log of the
    :math:`\alpha`-weighted class frequencies (as the start of ``SoftmaxCrossEntropy``). Classes
    absent from the labels are held fixed during the solve; with fewer than 2 classes present the
    start itself is returned.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal Loss for Dense Object
       Detection", *Proceedings of the IEEE International Conference on Computer Vision (ICCV)*,
       2017.
    """

    name = "softmax_focal"
    value_kernel = K.softmax_focal_value_row
    hessians = {"xgboost": K.softmax_focal_grad_hess_row_xgboost, "upper": K.softmax_focal_grad_hess_row_upper,
                "exact": K.softmax_focal_grad_hess_row}
    hessian_may_be_negative = True
    class_param = "alpha"

    def __init__(self, gamma=2.0, alpha=None, hessian="xgboost"):
        self._init(gamma=gamma, alpha=alpha, hessian=hessian)

    def _theta(self):
        gamma = V.check_gamma(self.gamma)
        alpha = V.class_vector("alpha", self.alpha)
        return [gamma] + ([] if alpha is None else list(alpha))


@register
class ClassBalanced(Loss):
    r"""Class-balanced loss: a base loss with each class weighted by its inverse effective number.

    .. math::

        w_c = \frac{1 - \beta}{1 - \beta^{n_c}}, \qquad \text{normalised so that } \sum_c w_c = k.

    :math:`\beta = 0` gives the unweighted base loss; :math:`\beta \to 1` approaches inverse class
    frequency. The weights become the base loss's ``class_weight`` (``"logistic"``, ``"softmax"``,
    ``"focal"``) or ``alpha`` (``"softmax_focal"``); task, link, label domain, start rule and Hessian
    policies are those of the base loss.

    Parameters
    ----------
    beta : float, default=0.999
        :math:`\beta \in [0, 1)`.
    base : {"logistic", "focal", "softmax", "softmax_focal"}, default="logistic"
        The weighted loss: :class:`boostobj.Logistic`, :class:`boostobj.Focal`,
        :class:`SoftmaxCrossEntropy` or :class:`SoftmaxFocal`.
    gamma : float, default=2.0
        :math:`0 \le \gamma \le 1000`, the focusing parameter of the focal bases (validated, unused by the
        others).
    counts : sequence of float, optional
        The class counts :math:`n_c` (non-negative; exactly 2 for a binary base, at least 2
        otherwise). When None (default), the counts of the labels of each call are used (right for
        a call on the whole training set); fix them with ``counts=`` or ``bind(y)`` whenever the
        labels seen later are not the training labels (a test set, a Dask partition). A class with
        a count below 1 (absent) is weighted as if :math:`n_c = 1`.
    hessian : str or float, optional
        Hessian policy passed to the base loss; None (default) keeps the base's default policy.

    Raises
    ------
    TypeError
        If ``beta`` or ``gamma`` is not a real number.
    ValueError
        If ``base`` is unknown, ``beta`` is not in [0, 1), ``gamma`` is negative, ``counts`` does not
        hold one finite non-negative count per class, or ``hessian`` is not a policy of the base.

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced Loss Based on
       Effective Number of Samples", *Proceedings of the IEEE/CVF Conference on Computer Vision and
       Pattern Recognition (CVPR)*, 2019.
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
        V.check_gamma(self.gamma)
        if self.counts is not None:
            c = V.per_class_numbers("counts", self.counts, "one non-negative count per class")
            k_ok = c.shape == (2,) if self.task == "binary" else (c.ndim == 1 and c.shape[0] >= 2)
            if not k_ok or not (np.isfinite(c).all() and (c >= 0).all()):
                raise ValueError(f"counts must be one non-negative count per class, got {self.counts!r}")
        return []

    @property
    def n_classes(self):
        """2 for a binary base; otherwise the length of ``counts``, or None when no counts are set."""
        if self.task == "binary":
            return 2
        return None if self.counts is None else len(self.counts)

    def class_weights(self, counts):
        r"""Normalised effective-number weights for the class counts.

        Parameters
        ----------
        counts : array_like of shape (k,)
            Class counts :math:`n_c`; counts below 1 are taken as 1.

        Returns
        -------
        ndarray of shape (k,)
            :math:`w_c \propto (1 - \beta) / (1 - \beta^{n_c})`, scaled to sum to :math:`k`
            (all 1 when :math:`\beta = 0`).
        """
        beta = float(self.beta)
        n = np.maximum(V.per_class_numbers("counts", counts, "one non-negative count per class"), 1.0)
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

    def _counts_of(self, y, n_classes=None):
        # as bind(): soft binary labels count y towards class 1 and 1 - y towards class 0 (their
        # integer part put a label of 0.9 in class 0, and training disagreed with init_score)
        return _start.class_totals(np.asarray(y), np.empty(0), self.resolve_n_classes(y, n_classes) or 2)

    def bind(self, y, sample_weight=None, n_classes=None):
        """A copy with ``counts`` fixed to the counts of ``y`` (itself when counts are given).

        Parameters
        ----------
        y : array_like of shape (n,)
            Training labels (validated against the base loss's label domain).
        sample_weight : array_like, optional
            Ignored: the counts are unweighted.
        n_classes : int, optional
            Number of classes when some are missing from the end of ``y`` (multiclass).

        Returns
        -------
        ClassBalanced
            ``self`` when ``counts`` is set, else a copy with ``counts`` set.
        """
        if self.counts is not None:
            return self
        return self.bind_to(_start.LocalLabels(self, y, None, n_classes))

    def bind_to(self, data):
        """A copy with ``counts`` fixed to the (unweighted) class counts of the label data."""
        if self.counts is not None:
            return self
        return self.with_params(counts=data.class_totals(weighted=False).tolist())

    def _concrete(self, y, n_classes=None):
        return self._base_loss(self.counts if self.counts is not None else self._counts_of(y, n_classes))

    @property
    def reads_whole_batch(self):
        """Without ``counts`` each call weights the classes by its own label counts."""
        return self.counts is None

    def _bayes_posterior(self, raw):
        """Class posteriors of the base loss weighted for the bound ``counts`` (see ``Loss.posterior``)."""
        if self.counts is None:
            raise ValueError("ClassBalanced.posterior needs the training class counts: use loss.bind(y_train) "
                             "or counts=... (the estimators and helpers bind)")
        return self._base_loss(self.counts).posterior(raw)

    def resolve(self, data):
        """Build the weighted base loss for this label data (``counts`` if set, else its class counts).

        Parameters
        ----------
        data : LocalLabels or DaskLabels
            Label data of ``boostobj._start`` / ``boostobj.dask`` (its unweighted class totals are
            used when ``counts`` is None).

        Returns
        -------
        Loss
            The base loss with the effective-number class weights.
        """
        return self._base_loss(self.counts if self.counts is not None else data.class_totals(weighted=False))
