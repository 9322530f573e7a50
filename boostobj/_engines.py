"""The call patterns of the engines' custom-objective and custom-metric APIs, in one place.

xgb.train(obj=f)            f(raw, DMatrix)                      raw: float32 margins (n,) / (n, k)
lgb.train(objective=f)      f(raw, Dataset)                      raw: float64 (n,) / F-ordered (n, k)
XGBRegressor(objective=f)   f(y_true, y_pred[, sample_weight=])  weights by keyword, detected by name
LGBMRegressor(objective=f)  f(y_true, y_pred, weight)            chosen by argument count (3 here)

Metrics: xgb.train(custom_metric=m) wants (name, value), lgb.train(feval=m) wants
(name, value, is_higher_better), the scikit-learn APIs call m(y_true, y_pred[, sample_weight]).
"""
import numpy as np

from . import drivers


def is_engine_dataset(obj):
    """An XGBoost DMatrix or a LightGBM Dataset (duck-typed: no engine import needed)."""
    return hasattr(obj, "get_label") and hasattr(obj, "get_weight") and not isinstance(obj, np.ndarray)


def is_lightgbm_dataset(obj):
    return type(obj).__module__.startswith("lightgbm")


def labels_and_weights(dataset):
    """Labels and weights of a DMatrix / Dataset (None when the data set has no weights)."""
    y = dataset.get_label()
    w = dataset.get_weight()
    if w is not None and np.size(w) == 0:  # XGBoost returns an empty array when unweighted
        w = None
    return y, w


# Engine parameters that do nothing with a custom objective (the engines apply them inside their
# built-in objectives): class weighting belongs to the loss.
IMBALANCE_KEYWORDS = ("scale_pos_weight", "is_unbalance", "unbalance", "unbalanced_sets", "class_weight",
                      "class_weights", "auto_class_weights")


# The values of LightGBM's ``metric`` that compute no built-in metric.
LIGHTGBM_NO_METRIC: tuple = ("None", "none", "null", "na", "custom", "", None, [])


def refuse_imbalance_keywords(params):
    for key in params:
        if key in IMBALANCE_KEYWORDS:
            raise ValueError(f"{key}= has no effect with a custom objective (the engines apply it inside their "
                             f"built-in objectives): weight the classes in the loss (e.g. Logistic(pos_weight=...), "
                             f"class_weight=..., bo.ClassBalanced) or use sample weights")


def _first_beyond_float32(values):
    """The row of the first value beyond float32's range, or None: the engines store labels and
    weights as float32, where such a value would become inf."""
    beyond = np.abs(np.asarray(values, dtype=np.float64)) > float(np.finfo(np.float32).max)
    return int(np.flatnonzero(beyond)[0]) if beyond.any() else None


def check_float32_labels(y, engine):
    """A label beyond float32 would become inf (XGBoost raises, LightGBM trains on garbage after a
    cast warning): refused clearly in every engine."""
    i = _first_beyond_float32(y)
    if i is not None:
        raise ValueError(f"y has a label beyond the float32 range ({float(y[i])!r} at row {i}); {engine} stores labels "
                         "as float32: rescale the target")


def check_float32_weights(w, name="sample_weight"):
    """Likewise for weights (XGBoost: "Weights must be positive values", LightGBM: trains on inf)."""
    i = None if w is None or not np.size(w) else _first_beyond_float32(w)
    if i is not None:
        raise ValueError(f"{name} has a weight beyond the float32 range ({float(w[i])!r} at row {i}); the engines "
                         "store weights as float32: rescale the weights (only their ratios matter)")


def start_score_rows(init, n):
    """The constant start score for n rows: (n,) for a scalar, (n, k) for a per-class vector (what
    a LightGBM init_score and, reshaped to columns, a CatBoost baseline hold)."""
    init = np.asarray(init, dtype=np.float64)
    return np.full(n, float(init)) if init.ndim == 0 else np.tile(init, (n, 1))


def unpack(a, b, sample_weight):
    """(y_true, raw, sample_weight) from either call pattern."""
    if is_engine_dataset(b):
        if sample_weight is not None:  # was ignored: the data set's own weights are the ones used
            raise ValueError("sample_weight given with a DMatrix / Dataset: the weights are read from the data set "
                             "(set them there)")
        y, w = labels_and_weights(b)
        return y, a, w
    if is_engine_dataset(a):
        raise TypeError("called as f(dataset, raw); the engines call f(raw, dataset)")
    return a, b, sample_weight


def objective_call(loss, a, b, sample_weight=None, smooth=None):
    """``loss``'s (g, h) for an engine call; ``smooth`` (batch losses with state across rounds, e.g.
    GHM's momentum) maps this call's batch statistics to the ones used."""
    y, raw, w = unpack(a, b, sample_weight)
    z = np.asarray(raw)
    # float32 outputs in the layout of the margins: what both engines store, so no copy follows
    # (LightGBM ravels (n, k) in F order, XGBoost reads any strides through the array interface).
    g = np.empty_like(z, dtype=np.float32, order="K")
    h = np.empty_like(z, dtype=np.float32, order="K")
    with drivers.engine_call():  # threads only for long calls: see drivers.ENGINE_MIN_ROWS_PER_THREAD
        statistics = None if smooth is None else smooth(loss.statistics(y, z, w))
        return loss.grad_hess(y, z, sample_weight=w, out=(g, h), statistics=statistics)


def metric_call(metric, a, b, sample_weight=None):
    """A metric's value in the shape the calling API expects."""
    y, y_pred, w = unpack(a, b, sample_weight)
    value = metric.compute(y, y_pred, w)
    if not is_engine_dataset(b):
        return value
    if is_lightgbm_dataset(b):
        return metric.name, value, metric.higher_is_better
    return metric.name, value


# -- CatBoost ------------------------------------------------------------------------------------------
# CatBoost calls a user objective's methods (catboost 1.2, _catboost.pyx):
#   calc_ders_range(approxes, targets, weights)  binary / regression; float64 margins, float32 labels,
#       float32 weights or None, in chunks of rows (1000 in 1.2); returns (n, 2) [der1, der2]
#   calc_ders_multi(approx, target, weight)      multiclass, one row per call: (k,) margins, floats;
#       returns (der1 (k,), der2 (k, k)) (CatBoost reads the upper triangle)
# and a metric's evaluate(approxes, target, weight) -> (error, weight) with approxes a tuple of k
# arrays, get_final_error(error, weight), is_max_optimal(). Derivatives are of the *maximised*
# objective: der1 = -g, der2 = -h.
def refuse_chunked(loss):
    """CatBoost hands an objective chunks of rows: refuse a loss whose derivatives need all of them."""
    if loss.reads_whole_batch:
        raise ValueError(f"{loss!r} computes its derivatives from statistics of all training rows (a batch loss, or "
                         "ClassBalanced without bound counts), but CatBoost hands a custom objective chunks of 1000 "
                         "rows: use XGBoost or LightGBM for it, or bind ClassBalanced first (loss.bind(y_train))")


class CatBoostCalls:
    """A loss prepared for CatBoost's calls: its compiled driver and kernel parameters, found once
    (``catboost_calls``), so that each call costs a label check and one compiled call instead of a
    fully validated ``grad_hess`` (whose fixed cost, ~15 us, CatBoost's 1000-row chunks would pay
    hundreds of times per round). The driver reports non-finite outputs (a non-finite margin)."""

    def __init__(self, loss, k):
        from .drivers import driver_for

        refuse_chunked(loss)
        if k is not None and getattr(loss, "n_classes", None) not in (None, k):  # its class weights' length
            raise ValueError(f"CatBoost passed {k} margins per row but {loss!r} has {loss.n_classes} classes")
        concrete = loss._concrete(np.zeros(1), k)
        kernel, self.hmode, self.hval = concrete._policy
        self.driver = driver_for(kernel, loss._shape, "single_row_ders" if k else "grad_hess")
        self.theta = concrete._theta_array
        self.k = k
        self.loss = loss
        self.checked = set()  # multiclass: label values already checked

    def _refuse_label(self, label, where=""):
        raise ValueError(f"CatBoost passed the label {float(label)!r}{where}; {self.loss!r} needs "
                         f"{self.loss.domain.describe(self.k)}")

    def chunk(self, approxes, targets, weights):
        """(n, 2) derivatives of the maximised objective for a chunk of rows."""
        targets, z = np.asarray(targets), np.asarray(approxes, dtype=np.float64)
        # the compiled driver indexes every array by row: lengths checked first (CatBoost's own calls agree)
        if z.ndim != 1 or targets.shape != z.shape or (weights is not None and np.shape(weights) != z.shape):
            raise ValueError(f"{self.loss!r}: calc_ders_range needs approxes, targets and weights (or None) of one "
                             f"length, got shapes {z.shape}, {targets.shape} and "
                             f"{None if weights is None else np.shape(weights)}")
        bad = ~np.isfinite(targets) | self.loss.domain.bad(targets)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            self._refuse_label(targets[i], f" (row {i} of a {targets.shape[0]}-row chunk)")
        w, step = (_ONE, 0) if weights is None else (np.asarray(weights), 1)
        ders = np.empty((2, z.shape[0]))
        if not self.driver(0, z.shape[0], targets, z, w, step, drivers.FINITE_LABELS, self.theta, self.hmode, self.hval,
                           ders[0], ders[1]):  # the labels were checked above
            i = int(np.flatnonzero(~np.isfinite(z) | ~np.isfinite(ders).all(axis=0))[0])
            what = "the margin" if not np.isfinite(z[i]) else "a derivative"
            raise ValueError(f"{self.loss!r}: {what} is not finite at margin {float(z[i])!r}, label "
                             f"{float(targets[i])!r} (row {i} of the chunk CatBoost passed)")
        np.negative(ders, out=ders)
        return ders.T  # a strided (n, 2) view: CatBoost copies it element by element anyway

    def row(self, approx, target, weight):
        """(-g, -diag(h)) for one row, as a list and a list of rows (``approx``: k margins, as CatBoost
        passes them, an array; the caller has checked k)."""
        if type(approx) is not np.ndarray or approx.dtype != np.float64:  # a direct caller's list
            approx = np.asarray(approx, dtype=np.float64)
        if target not in self.checked:
            if not np.isfinite(target) or self.loss.domain.bad(np.array([target], dtype=np.float64), self.k)[0]:
                self._refuse_label(target)
            self.checked.add(target)
        der1, der2, finite = self.driver(float(target), approx, float(weight), self.theta, self.hmode, self.hval)
        if not finite:
            raise ValueError(f"{self.loss!r}: a derivative is not finite at margins {list(approx)!r}, label {target!r}")
        return der1.tolist(), der2.tolist()


_ONE = np.ones(1)


def catboost_calls(loss, k=None):
    """The loss's ``CatBoostCalls`` for k classes (None: one dimension), cached on the loss."""
    calls = vars(loss).get("_catboost_calls")
    if calls is None or calls.k != k:
        calls = CatBoostCalls(loss, k)
        object.__setattr__(loss, "_catboost_calls", calls)  # a cache, not a parameter: not pickled, not compared
    return calls


def catboost_metric_evaluate(metric, approxes, target, weight):
    """(weighted value sum, weight sum) of ``metric`` on one evaluation call."""
    margins = approxes[0] if len(approxes) == 1 else np.column_stack(approxes)
    total = float(np.sum(weight, dtype=np.float64)) if weight is not None else float(np.shape(target)[0])
    return metric.compute(target, margins, weight) * total, total
