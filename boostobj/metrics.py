"""Evaluation metrics for every engine API.

Each metric is a plain picklable object. One call serves four patterns::

  m(y_true, y_pred, sample_weight=None) -> float         plain function / XGBoost sklearn eval_metric
  m(preds, dmatrix)                     -> (name, value)  xgb.train(custom_metric=m)
  m(preds, dataset)                     -> (name, value, is_higher_better)   lgb.train(feval=m)
  m.evaluate / is_max_optimal / get_final_error                          CatBoost eval_metric=m

and ``m.lgbm_sklearn`` is the adapter for LightGBM's scikit-learn ``eval_metric`` (it must return the
3-tuple where XGBoost's sklearn API wants a float, so it cannot share the plain call).

Space of the predictions: with a custom objective both engines hand metrics *raw margins*.
Regression metrics here read predictions in the label space (the identity-link margin). The
classification metrics need ``from_margin=True`` (apply sigmoid / softmax first) or
``from_margin=False`` (probabilities): there is no default, so the space is never assumed silently.

Naming rule: no metric here shares a name with a loss. The mean of any boostobj loss is
``loss.metric()`` (e.g. ``bo.Huber(delta=2).metric()``, ``bo.Focal(gamma=2).metric()``).
"""
import numpy as np

from . import _validation as V
from . import domains
from ._engines import metric_call

_EPS = np.finfo(np.float64).eps


class Metric:
    """Base class; subclasses implement ``_values`` (per-sample) or ``compute``."""

    name: str = ""
    higher_is_better = False

    def _values(self, y, p):
        """Per-sample values (subclasses that do not override ``compute``)."""
        raise NotImplementedError

    @property
    def __name__(self):  # XGBoost's sklearn API names the metric after func.__name__
        return self.name

    def __call__(self, a, b, sample_weight=None):
        """``m(y_true, y_pred, sample_weight)`` -> float, or the engines' ``m(raw, dataset)`` patterns."""
        return metric_call(self, a, b, sample_weight)

    def compute(self, y_true, y_pred, sample_weight=None):
        """The metric of predictions ``y_pred`` for labels ``y_true`` (weighted mean over rows), a float."""
        y, p, w = self._prepare(y_true, y_pred, sample_weight)
        return _representable(V.weighted_mean(self._values(y, p), w, self.name), self.name)

    def _prepare(self, y_true, y_pred, sample_weight, columns=1):
        """Validated (y, predictions, weights); predictions (n,) when ``columns`` is 1 (an (n, 1)
        array is accepted), else (n, columns) (None: any number >= 2)."""
        p = _predictions(y_pred, self.name, columns)
        y = V.as_labels(y_true, p.shape[0], domains.REAL, name="y_true", what=self.name)
        w = V.as_weights(sample_weight, p.shape[0])
        if p.shape[0] == 0:
            raise ValueError(f"{self.name}: no rows (empty y_true and y_pred): the metric is undefined")
        if w.size and not w.max() > 0:
            raise ValueError(f"{self.name}: sample_weight sums to zero")
        return y, p, w

    # -- CatBoost's metric protocol (``eval_metric=metric``) ----------------------------------------
    no_jit = True  # tells CatBoost not to numba-compile these methods

    def evaluate(self, approxes, target, weight):
        """CatBoost's call: (value x weight sum, weight sum) for the margins ``approxes`` (a tuple
        of one array per dimension). CatBoost 1.2 evaluates a set in one call, so
        ``get_final_error`` returns the metric exactly."""
        from ._engines import catboost_metric_evaluate

        return catboost_metric_evaluate(self, approxes, target, weight)

    def is_max_optimal(self):
        """CatBoost's call: True when a higher value is better."""
        return bool(self.higher_is_better)

    def get_final_error(self, error, weight):
        """CatBoost's call: the metric from ``evaluate``'s sums."""
        return error / weight if weight > 0 else 0.0

    @property
    def lgbm_sklearn(self):
        """Adapter for ``LGBMRegressor/LGBMClassifier(eval_metric=...)``."""
        return _LGBMSklearnMetric(self)

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self):
        return hash(repr(self))


class _LGBMSklearnMetric:
    """f(y_true, y_pred, weight) -> (name, value, is_higher_better); 3 parameters so that LightGBM
    passes the weights (with 2 it silently drops them)."""

    def __init__(self, metric):
        self.metric = metric

    def __call__(self, y_true, y_pred, weight):
        return self.metric.name, self.metric.compute(y_true, y_pred, weight), self.metric.higher_is_better


def _predictions(y_pred, name, columns=1):
    """y_pred as a finite float64 array of the shape a metric expects (no silent broadcasting)."""
    p = np.asarray(y_pred)
    if not V.is_real(p.dtype):
        raise TypeError(f"{name}: y_pred must be numeric, got dtype {p.dtype}")
    p = p.astype(np.float64, copy=False)
    if columns == 1 and p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if columns == 1 and p.ndim != 1:
        raise ValueError(f"{name}: y_pred must be one-dimensional (n_samples,), got shape {p.shape}")
    if columns != 1 and (p.ndim != 2 or p.shape[1] < 2 or (columns is not None and p.shape[1] != columns)):
        want = "(n_samples, n_classes)" if columns is None else f"(n_samples, {columns})"
        raise ValueError(f"{name}: y_pred must have shape {want}, got {p.shape}")
    if not np.isfinite(p).all():
        i = int(np.argwhere(~np.isfinite(p))[0][0])
        raise ValueError(f"{name}: y_pred contains a non-finite value at row {i}")
    return p


def _abs_differences(y, p):
    """(abs(y - p) / factor, factor): the differences of finite values, which overflow only beyond
    float64's largest (1e308 - (-1e308)); then halved (factor 2), exact for normal values."""
    with np.errstate(over="ignore"):
        d = np.abs(y - p)
    if np.isfinite(d).all():
        return d, 1.0
    return np.abs(0.5 * y - 0.5 * p), 2.0


def _scaled_mean(values, w, name, power=1):
    """(weighted mean of values^power)^(1 / power) of non-negative values, computed on the values
    divided by their largest among the rows of positive weight: the mean of values up to 1e308 (and of
    their squares) stays finite wherever the result is, and zero-weight rows cannot set the scale."""
    rows = w > 0
    if w.size and rows.any():  # (no positive weight: weighted_mean below says so)
        values, w = values[rows], w[rows]
    largest = float(values.max()) if values.size else 0.0
    if largest == 0.0:
        return V.weighted_mean(values, w, name)  # 0 (or the error for no rows / no weight)
    return largest * V.weighted_mean((values / largest) ** power, w, name) ** (1.0 / power)


def _representable(value, name):
    """A metric's value, or a ValueError where it exceeds float64 (no silent inf)."""
    if not np.isfinite(value):
        raise ValueError(f"{name}: the metric is not representable in float64 for these inputs (it exceeds "
                         f"{np.finfo(np.float64).max:.3g}); rescale y_true and y_pred")
    return float(value)


def _probabilities(p, name):
    """Probabilities in [0, 1] (rows renormalised to sum to 1 for (n, k), as scikit-learn)."""
    bad = (p < 0) | (p > 1)
    if bad.any():
        i = np.argwhere(bad)[0]
        raise ValueError(f"{name}(from_margin=False): y_pred must be probabilities in [0, 1], got "
                         f"{float(p[tuple(i)])!r} at row {int(i[0])} (margins need from_margin=True)")
    if p.ndim == 2:
        total = p.sum(axis=1, keepdims=True)
        if not (total > 0).all():
            raise ValueError(f"{name}(from_margin=False): a row of y_pred sums to 0 (row "
                             f"{int(np.flatnonzero(total[:, 0] <= 0)[0])})")
        p = p / total
    return np.clip(p, _EPS, 1 - _EPS)


# -- regression ---------------------------------------------------------------------------------
class MAE(Metric):
    """Mean absolute error (sklearn mean_absolute_error)."""
    name = "mae"

    def compute(self, y_true, y_pred, sample_weight=None):
        y, p, w = self._prepare(y_true, y_pred, sample_weight)
        d, factor = _abs_differences(y, p)
        return _representable(factor * _scaled_mean(d, w, self.name), self.name)


class RMSE(Metric):
    """Root mean squared error (sklearn root_mean_squared_error), computed on the differences scaled
    by the largest one: finite wherever the result is (squares of 1e160 overflowed to inf)."""
    name = "rmse"

    def compute(self, y_true, y_pred, sample_weight=None):
        y, p, w = self._prepare(y_true, y_pred, sample_weight)
        d, factor = _abs_differences(y, p)
        return _representable(factor * _scaled_mean(d, w, self.name, power=2), self.name)


class MAPE(Metric):
    r"""Mean absolute percentage error, as a fraction: :math:`\operatorname{mean}(|y - p| / |y|)`.

    ``zero="epsilon"`` (default): :math:`|y|` is floored at machine epsilon exactly as scikit-learn's
    mean_absolute_percentage_error (a row with y == 0 and p != 0 then dominates the mean);
    ``zero="skip"``: rows with y == 0 are left out (``skipped_rows`` of the last call says how many;
    a ValueError if every row is skipped).
    """
    name = "mape"

    def __init__(self, zero="epsilon"):
        if zero not in ("epsilon", "skip"):
            raise ValueError(f"zero must be 'epsilon' or 'skip', got {zero!r}")
        self.zero = zero

    def compute(self, y_true, y_pred, sample_weight=None):
        y, p, w = self._prepare(y_true, y_pred, sample_weight)
        if self.zero == "skip":
            keep = y != 0
            object.__setattr__(self, "_skipped", int(keep.size - keep.sum()))
            if not keep.any():
                raise ValueError("mape with zero='skip': every label is 0")
            y, p, w = y[keep], p[keep], (w[keep] if w.size else w)
        d, factor = _abs_differences(y, p)
        return _representable(factor * _scaled_mean(d / np.maximum(np.abs(y), _EPS), w, self.name), self.name)

    @property
    def skipped_rows(self):
        return getattr(self, "_skipped", 0)

    def __repr__(self):
        return f"MAPE(zero={self.zero!r})"


class SMAPE(Metric):
    r"""Symmetric MAPE, as a fraction in [0, 2]: :math:`\operatorname{mean}(2 |y - p| / (|y| + |p|))`; a row with
    y == p == 0 contributes 0 (a perfect prediction)."""
    name = "smape"

    def _values(self, y, p):
        # each row scaled by max(|y|, |p|) first: |y| + |p| and 2 |y - p| overflow together near 1e308
        # (inf / inf gave NaN), and the scaled terms are at most 1 and 2
        scale = np.maximum(np.abs(y), np.abs(p))
        out = np.zeros_like(scale)
        rows = scale > 0
        ys, ps = y[rows] / scale[rows], p[rows] / scale[rows]
        out[rows] = 2.0 * np.abs(ys - ps) / (np.abs(ys) + np.abs(ps))
        return out


class WAPE(Metric):
    r"""Weighted absolute percentage error :math:`\sum w |y - p| / \sum w |y|`. When every label is 0 it is
    0 for perfect predictions and inf otherwise (stated, not NaN)."""
    name = "wape"

    def compute(self, y_true, y_pred, sample_weight=None):
        y, p, w = self._prepare(y_true, y_pred, sample_weight)
        ww = V.rescaled(w) if w.size else np.ones_like(y)  # only ratios matter (no overflowing sums)
        d, factor = _abs_differences(y, p)
        # both sums of values scaled by their largest term (sums of 1e308 overflowed: inf / inf)
        d_max, y_max = float(d.max()), float(np.abs(y).max())
        if y_max == 0.0:
            return 0.0 if d_max == 0.0 else float("inf")
        if d_max == 0.0:
            return 0.0
        num, den = float(np.dot(ww, d / d_max)), float(np.dot(ww, np.abs(y) / y_max))
        if den == 0.0:  # every row with a label has zero weight
            return 0.0 if num == 0.0 else float("inf")
        return _representable((num / den) * (factor * d_max / y_max), self.name)


class Pinball(Metric):
    """Mean pinball loss (sklearn mean_pinball_loss), computed by the Quantile loss's kernel."""
    name = "pinball"

    def __init__(self, alpha=0.5):
        from .losses import Quantile

        self.alpha = alpha
        self._loss = Quantile(alpha=alpha)
        self.name = f"pinball@{alpha}"

    def compute(self, y_true, y_pred, sample_weight=None):
        y, p, w = self._prepare(y_true, y_pred, sample_weight)  # errors name y_true / y_pred, not the loss's y / raw
        return self._loss.mean_loss(y, p, w if w.size else None)

    def __repr__(self):
        return f"Pinball(alpha={self.alpha!r})"


# -- classification -------------------------------------------------------------------------------
def _require_space(from_margin, name):
    if not isinstance(from_margin, (bool, np.bool_)):
        raise TypeError(
            f"{name}: say which space the predictions are in: from_margin=True for raw margins (what "
            "both engines pass with a custom objective) or from_margin=False for probabilities; "
            f"got {from_margin!r}")
    return bool(from_margin)


class LogLoss(Metric):
    """Binary log-loss (labels 0, 1 or soft labels in [0, 1]). from_margin=True: computed stably from
    the margin (softplus, no clipping);
    from_margin=False: from probabilities clipped to [eps, 1 - eps] as scikit-learn's log_loss."""
    name = "logloss"

    def __init__(self, from_margin=None):
        self.from_margin = _require_space(from_margin, "LogLoss")

    def compute(self, y_true, y_pred, sample_weight=None):
        from .losses import Logistic

        if self.from_margin:
            return Logistic().mean_loss(y_true, _predictions(y_pred, self.name), sample_weight)
        p = np.asarray(y_pred)
        two_columns = p.ndim == 2 and p.shape[1] == 2  # (n, 2) probabilities, as predict_proba gives
        y, p, w = self._prepare(y_true, y_pred, sample_weight, columns=2 if two_columns else 1)
        V.as_labels(y, None, domains.UNIT_INTERVAL, name="y_true", what=self.name)  # soft labels too
        p = _probabilities(p, self.name)
        p = p[:, 1] if two_columns else p
        return V.weighted_mean(-(y * np.log(p) + (1 - y) * np.log1p(-p)), w, self.name)


class MulticlassLogLoss(Metric):
    """Multiclass log-loss on (n, k) predictions. from_margin=True: log-softmax of margins (stable);
    False: probabilities, rows renormalised and clipped as scikit-learn's log_loss."""
    name = "mlogloss"

    def __init__(self, from_margin=None):
        self.from_margin = _require_space(from_margin, "MulticlassLogLoss")

    def compute(self, y_true, y_pred, sample_weight=None):
        from .losses import SoftmaxCrossEntropy

        p = _predictions(y_pred, self.name, columns=None)
        if self.from_margin:
            return SoftmaxCrossEntropy().mean_loss(y_true, p, sample_weight)
        y = V.as_labels(y_true, p.shape[0], domains.CLASSES, p.shape[1], name="y_true", what=self.name)
        w = V.as_weights(sample_weight, p.shape[0])
        p = _probabilities(p, self.name)
        return V.weighted_mean(-np.log(p[np.arange(p.shape[0]), y.astype(np.int64)]), w, self.name)


class KLDivergence(Metric):
    r"""Mean KL divergence :math:`\sum_j q_{ij} \log(q_{ij} / p_{ij})` from soft targets to predicted
    probabilities (0 log 0 = 0).

    As :class:`~boostobj.SoftTargetCrossEntropy`, ``y_true`` holds row indices into ``targets`` (so
    the targets follow the rows through any ordering or subset); the cross-entropy to the same
    targets, ``loss.metric()``, differs by the targets' entropy. ``from_margin=True``: predictions
    are raw margins (log-softmax, stable); ``False``: probabilities, rows renormalised and clipped
    as scikit-learn's ``log_loss``.

    Parameters
    ----------
    targets : array_like of shape (n, k)
        Probability rows (validated as ``SoftTargetCrossEntropy``'s targets).
    from_margin : bool
        The space of the predictions (required).
    """
    name = "kl"

    def __init__(self, targets, from_margin=None):
        from .losses import SoftTargetCrossEntropy

        self.targets = V.probability_rows("targets", targets)
        self.from_margin = _require_space(from_margin, "KLDivergence")
        with np.errstate(divide="ignore", invalid="ignore"):
            self._entropy = -np.where(self.targets > 0, self.targets * np.log(self.targets), 0.0).sum(axis=1)
        self._cross_entropy = SoftTargetCrossEntropy(self.targets)

    def compute(self, y_true, y_pred, sample_weight=None):
        n_rows, k = self.targets.shape
        p = _predictions(y_pred, self.name, columns=k)
        y = V.as_labels(y_true, p.shape[0], domains.RowIndices(n_rows), name="y_true", what=repr(self))
        w = V.as_weights(sample_weight, p.shape[0])
        if w.size and not w.max() > 0:
            raise ValueError(f"{self.name}: sample_weight sums to zero")
        margins = p if self.from_margin else np.log(_probabilities(p, self.name))
        # KL = cross-entropy (the loss's stable log-softmax kernel) minus the targets' entropy
        return V.weighted_mean(self._cross_entropy.loss(y, margins) - self._entropy[y.astype(np.int64)], w, self.name)

    def __repr__(self):
        n, k = self.targets.shape
        return f"KLDivergence(targets=<{n}x{k} probabilities>, from_margin={self.from_margin})"

    def __eq__(self, other):
        return type(self) is type(other) and self.from_margin == other.from_margin \
            and np.array_equal(self.targets, other.targets)

    def __hash__(self):
        return hash((self.targets.shape, self.targets.tobytes(), self.from_margin))


class LossMetric(Metric):
    """Any boostobj loss as a metric (``loss.metric()``): the weighted mean loss.

    ``from_margin=True``: predictions are raw margins (what both engines pass with a custom
    objective); ``False``: predictions are means / probabilities, mapped to margins by the loss's
    link first (probabilities clamped to [1e-7, 1 - 1e-7]).
    """

    def __init__(self, loss, from_margin=True):
        self.loss = loss
        self.from_margin = _require_space(from_margin, "LossMetric")
        self.name = loss.name

    def compute(self, y_true, y_pred, sample_weight=None):
        columns = None if self.loss.task == "multiclass" else 1
        if not self.from_margin and self.loss.task == "binary" and np.ndim(y_pred) == 2 and np.shape(y_pred)[1] == 2:
            columns = 2  # (n, 2) probabilities, as predict_proba gives (LogLoss reads them too)
        p = _predictions(y_pred, self.name, columns)
        if columns == 2:  # rows renormalised first, as LogLoss and scikit-learn do
            p = _probabilities(p, self.name)[:, 1]
        if not self.from_margin:
            if self.loss.task != "regression":
                p = _probabilities(p, self.name)
            self.loss.link.check_prediction(p)
            p = self.loss.link.link(p)
        return self.loss.mean_loss(y_true, p, sample_weight)

    def __repr__(self):
        return f"{self.loss!r}.metric()" if self.from_margin else f"{self.loss!r}.metric(from_margin=False)"

    def __eq__(self, other):  # by the loss itself: a repr may abbreviate parameters (soft targets)
        return type(self) is type(other) and self.loss == other.loss and self.from_margin == other.from_margin

    def __hash__(self):
        return hash((self.loss, self.from_margin))


__all__ = ["Metric", "MAE", "RMSE", "MAPE", "SMAPE", "WAPE", "Pinball", "LogLoss", "MulticlassLogLoss",
           "KLDivergence", "LossMetric"]
