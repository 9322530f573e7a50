"""Multiclass losses on raw margins (n, k) with a softmax link, labels 0..k-1."""
import numpy as np

from .. import _validation as V
from .._solve import LOGIT_CLAMP, PROB_FLOOR, newton_kd
from ..kernels import multiclass as K
from .base import Loss, register


def _class_vector(name, values, allow_none=True):
    if values is None and allow_none:
        return None
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.shape[0] < 2 or not (np.isfinite(v).all() and (v > 0).all()):
        raise ValueError(f"{name} must be a sequence of at least 2 positive weights (one per class), got {values!r}")
    return v


class MulticlassLoss(Loss):
    task = "multiclass"
    link = "softmax"
    label_domain = "class"
    _shape = "rowwise"
    _class_param = None  # name of the per-class vector parameter, if any

    def _n_classes(self, z=None, y=None):
        v = self._params.get(self._class_param) if self._class_param else None
        if v is not None:
            return len(v)
        if y is not None:
            y = np.asarray(y, dtype=np.float64)
            top = np.nanmax(y) if y.size else np.nan
            return max(int(top) + 1, 2) if np.isfinite(top) else 2
        return None

    def init_score(self, y, sample_weight=None, n_classes=None):
        """Constant margins (k,) minimising the weighted loss; ``n_classes`` when some classes are
        missing from the end of ``y``. Absent classes get log-probability log(1e-7)."""
        if n_classes is not None:
            known = self._n_classes()
            if known is not None and known != n_classes:
                raise ValueError(f"n_classes={n_classes} but the loss is set up for {known} classes")
            y_arr = V.as_labels(y, None, "class", int(n_classes))
            w = V.as_weights(sample_weight, y_arr.shape[0])
            if w.size and not w.sum() > 0:
                raise ValueError("init_score needs a positive total sample weight")
            return self._concrete(y_arr)._init_score(y_arr, w, int(n_classes))
        return Loss.init_score(self, y, sample_weight)

    @staticmethod
    def _class_totals(y, w, k):
        return np.bincount(y.astype(np.int64), weights=w if w.size else None, minlength=k).astype(np.float64)


def _log_probabilities(v):
    p = v / v.sum()
    return np.log(np.maximum(p, PROB_FLOOR))


@register
class SoftmaxCrossEntropy(MulticlassLoss):
    """Softmax cross-entropy with optional class weights and label smoothing.

    L = c_y sum_j q_j (lse(z) - z_j), q = (1 - eps) onehot(y) + eps / k. g_j = c_y (p_j - q_j).
    Hessian policy (diagonal): ``"exact"`` c_y p_j (1 - p_j); ``"xgboost"`` max(2 p (1 - p), 1e-16)
    as XGBoost multi:softprob; ``"lightgbm"`` k/(k-1) p (1 - p) as LightGBM multiclass. The last two
    reproduce the built-in objectives exactly (parity).
    init_score: log of the (class-weighted, smoothed) label frequencies, floored at 1e-7.
    """

    name = "softmax"
    default_metric = "mlogloss"
    _grad_hess_kernel = staticmethod(K.softmax_grad_hess_row)
    _value_kernel = staticmethod(K.softmax_value_row)
    _hessian_choices = ("exact", "xgboost", "lightgbm")
    _class_param = "class_weight"

    def __init__(self, class_weight=None, label_smoothing=0.0, hessian="exact"):
        self._init(class_weight=class_weight, label_smoothing=label_smoothing, hessian=hessian)

    def _theta(self):
        eps = V.check_positive("label_smoothing", self.label_smoothing, allow_zero=True, upper=1.0)
        mode = {"xgboost": 1.0, "lightgbm": 2.0}.get(self._params.get("hessian"), 0.0)
        cw = _class_vector("class_weight", self.class_weight)
        return [eps, mode] + ([] if cw is None else list(cw))

    def _init_score(self, y, w, k=None):
        k = k or self._n_classes(y=y)
        totals = self._class_totals(y, w, k)
        cw = self._theta_array[2:] if self._theta_array.shape[0] > 2 else np.ones(k)
        eps = float(self._theta_array[0])
        mass = cw * totals                       # class-weighted mass of each true class
        # Smoothed targets spread eps/k of every sample's mass over all classes.
        v = (1.0 - eps) * mass + eps / k * mass.sum()
        return _log_probabilities(v)


@register
class SoftmaxFocal(MulticlassLoss):
    """Softmax focal loss L = -alpha_y (1 - p_y)^gamma log p_y with the exact gradient and the
    exact diagonal Hessian of the softmax form (not the binary formula per class); derivation in
    kernels/multiclass.py. SoftmaxFocal(gamma=0) is SoftmaxCrossEntropy.

    ``alpha``: None (all 1) or one weight per class. Hessian policy as Focal: default ``"upper"``
    drops the terms that can make the exact diagonal negative; ``"exact"`` or a float floor.
    init_score: k-D Newton solve started at the log class frequencies.
    """

    name = "softmax_focal"
    default_metric = "softmax_focal"
    hessian_may_be_negative = True
    _grad_hess_kernel = staticmethod(K.softmax_focal_grad_hess_row)
    _value_kernel = staticmethod(K.softmax_focal_value_row)
    _hessian_choices = ("upper", "exact")
    _class_param = "alpha"

    def __init__(self, gamma=2.0, alpha=None, hessian="upper"):
        self._init(gamma=gamma, alpha=alpha, hessian=hessian)

    def _theta(self):
        gamma = V.check_positive("gamma", self.gamma, allow_zero=True)
        alpha = _class_vector("alpha", self.alpha)
        upper = 1.0 if self._params.get("hessian") == "upper" else 0.0
        return [gamma, upper] + ([] if alpha is None else list(alpha))

    def _init_score(self, y, w, k=None):
        k = k or self._n_classes(y=y)
        totals = self._class_totals(y, w, k)
        a = self._theta_array[2:] if self._theta_array.shape[0] > 2 else np.ones(k)
        x0 = _log_probabilities(np.maximum(a * totals, 0.0))
        present = totals > 0
        if present.sum() < 2:
            return x0
        exact = self.with_params(hessian="exact")
        rows = np.arange(k, dtype=np.float64)[present]
        row_weights = totals[present]

        def value_and_grad(x):
            z = np.tile(x, (rows.shape[0], 1))
            g, _ = exact.grad_hess(rows, z, row_weights)
            return float(exact.loss(rows, z, row_weights).sum()), g.sum(axis=0)

        x = newton_kd(value_and_grad, x0, present)
        return x - np.max(x[present]) + np.max(x0[present])


@register
class ClassBalanced(Loss):
    """Class-balanced loss (Cui et al. 2019): each class weighted by the inverse effective number
    of samples, w_c = (1 - beta) / (1 - beta^n_c), normalised so the weights sum to the number of
    classes. beta = 0 gives the unweighted base loss; beta -> 1 approaches inverse frequency.

    base: "logistic" | "focal" (binary) or "softmax" | "softmax_focal" (multiclass); ``gamma`` is
    used by the focal bases. Class counts ``n_c``: given as ``counts=`` (needed when the labels seen
    by the objective are only part of the data, e.g. a Dask partition), else taken from the labels
    at first use and then kept (a documented cache, carried by pickling; ``bind(y)`` returns a copy
    with ``counts`` fixed explicitly). A class absent from the counts is weighted as if n_c = 1.
    ``hessian``: passed to the base loss (None keeps the base's default policy).
    """

    name = "class_balanced"
    _BASES = {"logistic": "binary", "focal": "binary", "softmax": "multiclass", "softmax_focal": "multiclass"}

    def __init__(self, beta=0.999, base="logistic", gamma=2.0, counts=None, hessian=None):
        if base not in self._BASES:
            raise ValueError(f"base must be one of {sorted(self._BASES)}, got {base!r}")
        multiclass = self._BASES[base] == "multiclass"
        proto = (SoftmaxCrossEntropy if multiclass else _binary_bases()["logistic"])
        for attr in ("task", "link", "label_domain", "_shape"):
            object.__setattr__(self, attr, getattr(proto, attr))
        object.__setattr__(self, "default_metric", "class_balanced")
        object.__setattr__(self, "hessian_may_be_negative", base in ("focal", "softmax_focal"))
        object.__setattr__(self, "_fitted_counts", None)
        self._init(beta=beta, base=base, gamma=gamma, counts=counts, hessian=hessian)

    def _hessian_policy(self, hessian):
        return 0, 0.0  # the base loss applies its own policy (``hessian`` is passed on to it)

    def _theta(self):
        V.check_positive("beta", self.beta, allow_zero=True, upper=1.0)
        V.check_positive("gamma", self.gamma, allow_zero=True)
        if self.counts is not None:
            self._check_counts(self.counts)
        return []

    def _check_counts(self, counts):
        c = np.asarray(counts, dtype=np.float64)
        k_ok = c.shape == (2,) if self.task == "binary" else (c.ndim == 1 and c.shape[0] >= 2)
        if not k_ok or not (np.isfinite(c).all() and (c >= 0).all()):
            raise ValueError(f"counts must be one non-negative count per class, got {counts!r}")
        return c

    def class_weights(self, counts):
        """Normalised effective-number weights for the class counts."""
        beta = float(self.beta)
        n = np.maximum(np.asarray(counts, dtype=np.float64), 1.0)
        if beta == 0.0:
            w = np.ones_like(n)
        else:
            w = (1.0 - beta) / -np.expm1(n * np.log(beta))   # (1 - beta) / (1 - beta^n), stable
        return w * (n.shape[0] / w.sum())

    def _n_classes(self, z=None, y=None):
        if self.task == "binary":
            return None
        counts = self.counts if self.counts is not None else self._fitted_counts
        if counts is not None:
            return len(counts)
        return MulticlassLoss._n_classes(self, y=y)

    def _counts_from(self, y):
        k = 2 if self.task == "binary" else self._n_classes(y=y)
        return np.bincount(np.asarray(y, dtype=np.int64), minlength=k).astype(np.float64)

    def bind(self, y, sample_weight=None):
        if self.counts is not None:
            return self
        return self.with_params(counts=self._counts_from(y).tolist())

    def _concrete(self, y):
        counts = self.counts
        if counts is None:
            if self._fitted_counts is None:
                object.__setattr__(self, "_fitted_counts", self._counts_from(y))
            counts = self._fitted_counts
        w = tuple(self.class_weights(counts))
        extra = {} if self.hessian is None else {"hessian": self.hessian}
        base = self.base
        if base == "logistic":
            return _binary_bases()["logistic"](class_weight=w, **extra)
        if base == "focal":
            return _binary_bases()["focal"](gamma=self.gamma, class_weight=w, **extra)
        if base == "softmax":
            return SoftmaxCrossEntropy(class_weight=w, **extra)
        return SoftmaxFocal(gamma=self.gamma, alpha=w, **extra)

    def init_score(self, y, sample_weight=None, n_classes=None):
        if self.task == "multiclass":
            return MulticlassLoss.init_score(self, y, sample_weight, n_classes)
        return Loss.init_score(self, y, sample_weight)

    def __getstate__(self):
        return {"_params": self._params, "_fitted_counts": self._fitted_counts}

    def __setstate__(self, state):
        self.__init__(**state["_params"])
        object.__setattr__(self, "_fitted_counts", state.get("_fitted_counts"))


def _binary_bases():
    from .binary import Focal, Logistic

    return {"logistic": Logistic, "focal": Focal}
