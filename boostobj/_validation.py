"""Input checks shared by losses and metrics. Every error names what was wrong and where."""
import math
import numbers

import numpy as np


def _first_bad(mask):
    return int(np.flatnonzero(mask)[0])


def is_real(dtype):
    """Whether an array of this dtype holds real numbers (bool, integers, floats): complex values
    would lose their imaginary part, with only numpy's warning, when cast to float64."""
    return (np.issubdtype(dtype, np.number) or dtype == bool) and not np.issubdtype(dtype, np.complexfloating)


def rescaled(w):
    """Weights whose sum could overflow (largest above 1e300 / n) or whose products with the values
    could underflow (largest below 1e-300: weights of 5e-324 gave a weighted MAE of 0.0), scaled by
    the power of two that brings their maximum into [0.5, 1): only their ratios matter to a weighted
    mean or a start score, and the scaling is exact. Other weights are returned as they are (a batch
    loss's start score, Dice's, depends on their scale through its smoothing term)."""
    if w.size == 0:
        return w
    largest = float(w.max())
    if not (0.0 < largest < math.inf) or 1e-300 <= largest <= 1e300 / w.size:
        return w
    return np.ldexp(w, -math.frexp(largest)[1])


def weighted_mean(values, w, what="the weighted mean"):
    """Mean of ``values`` weighted by ``w`` (validated weights; an empty ``w`` means unweighted). No
    rows, or weights that sum to zero, raise ValueError (numpy would return NaN with a warning)."""
    if values.shape[0] == 0:
        raise ValueError(f"no rows: {what} of an empty input is undefined")
    if w.size:
        w = rescaled(w)
        total = w.sum()
        if not total > 0:
            raise ValueError(f"sample_weight sums to zero: {what} is undefined")
    # values divided by a power of two near their largest magnitude (among rows of positive weight), an
    # exact scaling: a sum of values near 1e308 overflowed where their mean is representable
    largest = float(np.max(np.abs(values[w > 0] if w.size else values)))
    scale = float(np.ldexp(1.0, np.frexp(largest)[1] - 1)) if 0.0 < largest < np.inf else 1.0  # <= largest
    if w.size == 0:
        return float(np.mean(values / scale)) * scale
    return float(np.dot(w, values / scale) / total) * scale


def as_margin(raw, task, n_classes=None, name="raw", check_finite=True):
    """Raw margins as a float array: (n,) for regression/binary, (n, k) for multiclass.

    float32 and float64 are kept (no copy); anything else becomes float64. Layout is preserved
    (LightGBM hands in an F-ordered (n, k) view). ``check_finite=False``: the caller's compiled
    loop reports non-finite margins (``boostobj.drivers``) and calls this again to name them.
    """
    z = np.asarray(raw)
    if z.dtype not in (np.float32, np.float64):
        if not is_real(z.dtype):
            raise TypeError(f"{name} must be numeric (real numbers), got dtype {z.dtype}")
        z = z.astype(np.float64)
    if task == "multiclass":
        if z.ndim != 2 or z.shape[1] < 2:
            raise ValueError(
                f"{name} must have shape (n_samples, n_classes) with n_classes >= 2 for a multiclass "
                f"loss, got shape {z.shape}"
            )
        if n_classes is not None and z.shape[1] != n_classes:
            raise ValueError(f"{name} has {z.shape[1]} columns but the loss expects {n_classes} classes")
    else:
        if z.ndim == 2 and z.shape[1] == 1:
            z = z[:, 0]
        if z.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional (n_samples,) for a {task} loss, got shape {z.shape}")
    if check_finite and not all_finite(z):
        bad = np.argwhere(~np.isfinite(z))[0]
        where = int(bad[0])
        raise ValueError(f"{name} contains a non-finite value ({z[tuple(bad)]}) at row {where}")
    return z


def as_labels(y, n, domain, n_classes=None, name="y", what="this loss", check_finite=True, check_domain=True):
    """Labels as a 1-D float32 or float64 array with n rows (other dtypes become float64), checked
    against a label domain (``boostobj.domains``). Labels keep their own precision whatever the
    margins' dtype (the kernels read them as float64): a float32 margin must not round a float64
    label (16777217 -> 16777216) before the residual is formed.

    ``check_finite=False``: the domain check runs on labels that may not be finite (its
    comparisons fail for NaN, and a label it refuses is tested for finiteness first, the more
    precise message); the caller's compiled loop reports the non-finite labels the domain lets
    through (a real-valued label, +inf for "non-negative") and calls this again to name them.
    ``check_domain=False`` as well: no check at all, the loop tests the labels against the domain's
    interval (``Domain.interval``)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {y.shape}")
    if n is not None and y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} rows but the predictions have {n}")
    if not is_real(y.dtype):
        raise TypeError(
            f"{name} must be numeric (real numbers), got dtype {y.dtype}; encode class labels as 0..k-1 "
            "(the boostobj estimators do this for you)"
        )
    if y.dtype not in (np.float32, np.float64):
        y = y.astype(np.float64)
    if check_finite:
        _require_finite_labels(y, name)
        domain.check(y, name, n_classes, what)
        return y
    if not check_domain:
        return y
    try:
        with np.errstate(invalid="ignore"):  # a NaN label reaches the domain's min / max
            domain.check(y, name, n_classes, what)
    except ValueError:
        _require_finite_labels(y, name)
        raise
    return y


def _require_finite_labels(y, name):
    if not all_finite(y):
        i = _first_bad(~np.isfinite(y))
        raise ValueError(f"{name} contains a non-finite label ({y[i]}) at row {i}")


def all_finite(a):
    """True when every value is finite. A sum is one cheap vectorised pass and is non-finite whenever
    a value is; only then (or when the sum overflows) is the exact element-wise test needed."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, or a sum beyond the largest float
        total = np.sum(a)
    return bool(np.isfinite(total)) or bool(np.isfinite(a).all())


def as_weights(sample_weight, n, name="sample_weight", check_finite=True):
    """Sample weights as a 1-D float64 array (an empty array when there are none).
    ``check_finite=False``: only that they are >= 0 (one reduction; NaN fails it too); the caller's
    compiled loop reports an infinite weight (its outputs become non-finite) and calls this again."""
    if sample_weight is None:
        return np.empty(0, dtype=np.float64)
    w = np.asarray(sample_weight)
    if w.ndim == 0:
        raise ValueError(f"{name} must be an array of one weight per row, got the scalar {w.item()!r}; "
                         "a constant weight changes nothing but the scale: pass None, or np.full(n, value)")
    if w.size == 0:  # XGBoost's get_weight() of an unweighted DMatrix
        return np.empty(0, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"{name} must have shape ({n},), got {w.shape}")
    if not is_real(w.dtype):
        raise TypeError(f"{name} must be numeric (real numbers), got dtype {w.dtype}")
    w = w.astype(np.float64, copy=False)
    if not check_finite:
        with np.errstate(invalid="ignore"):  # NaN: the min is NaN, and the full check below names it
            if w.min() >= 0:
                return w
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"{name} must be finite and non-negative, got {w[i]} at row {i}")
    return w


def check_positive(name, value, allow_zero=False, upper=None, upper_open=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    ok = np.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    if upper is not None:
        ok = ok and (v < upper if upper_open else v <= upper)
    if not ok:
        bounds = f"{'>= 0' if allow_zero else '> 0'}" + (f" and {'<' if upper_open else '<='} {upper}" if upper is not None else "")
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return v


# The focal losses' largest gamma: the larger of p and 1 - p is at least 1/2, and 0.5^1000 (9e-302) is
# still a normal float, so the powers q^gamma of both classes never underflow together (their ratio,
# a posterior, was 0/0 = NaN from gamma ~ 1075 on).
MAX_GAMMA = 1000.0


def check_gamma(value):
    """A focal loss's ``gamma`` as a float in [0, MAX_GAMMA]."""
    return check_positive("gamma", value, allow_zero=True, upper=MAX_GAMMA, upper_open=False)


def check_open_unit(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1), got {value!r}")
    v = float(value)
    if not (0.0 < v < 1.0):
        raise ValueError(f"{name} must be in the open interval (0, 1), got {value!r}")
    return v


def per_class_numbers(name, values, what):
    """``values`` (a sequence, an array, or a dict {class index: value} covering 0..k-1) as a float64
    array, refusing strings and bools, which numpy would convert ("3" -> 3.0, True -> 1.0)."""
    if isinstance(values, dict):
        keys = sorted(values)
        if keys != list(range(len(keys))):
            raise ValueError(f"{name} as a dict must have the class indices 0..k-1 as keys, got {keys!r}")
        values = [values[k] for k in keys]
    items = values if isinstance(values, (list, tuple)) else []
    raw = np.asarray(values) if not isinstance(values, str) else np.asarray([values])
    if raw.dtype.kind not in "iuf" or any(isinstance(v, (bool, np.bool_)) for v in items):
        raise ValueError(f"{name} must be {what}, got {values!r}")
    return raw.astype(np.float64)


def class_vector(name, values, n_classes=None):
    """Per-class positive weights as a float64 vector (None stays None).

    Accepts a sequence or array (index = class) or a dict {class index: weight} covering classes
    0..k-1. ``"balanced"`` is refused with the alternatives: it depends on the training labels, and
    a loss holds no data.
    """
    if values is None:
        return None
    if isinstance(values, str) and values == "balanced":
        raise ValueError(
            f"{name}={values!r} is not supported: it depends on the training labels and a loss holds no data. "
            f"Give one weight per class (a sequence, an array such as scikit-learn's compute_class_weight("
            f"'balanced', classes=..., y=y), or a dict {{class: weight}}), or use bo.ClassBalanced(...)")
    v = per_class_numbers(name, values, "one positive weight (a number) per class")
    if v.ndim != 1 or v.shape[0] < 2 or (n_classes is not None and v.shape[0] != n_classes) \
            or not (np.isfinite(v).all() and (v > 0).all()):
        count = "at least 2" if n_classes is None else str(n_classes)
        raise ValueError(f"{name} must be a sequence of {count} positive weights (one per class), got {values!r}")
    return v


FLOAT32_EXACT_INTEGERS = 2 ** 24  # engines hold labels in float32: larger row indices would round


def probability_rows(name, values):
    """A (n, k) matrix of probability rows (k >= 2, entries >= 0, each row summing to 1 within
    1e-6), as float64 renormalised to sum to 1 exactly; the error names the first bad row."""
    try:
        q = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric (n, k) array of class probabilities, got {type(values).__name__}") \
            from None
    if q.ndim != 2 or q.shape[0] < 1 or q.shape[1] < 2:
        raise ValueError(f"{name} must be an (n, k) array of class probabilities with n >= 1 and k >= 2, "
                         f"got shape {q.shape}")
    if q.shape[0] > FLOAT32_EXACT_INTEGERS:
        raise ValueError(f"{name} has {q.shape[0]} rows; at most 2**24 are supported (the labels that index them "
                         f"travel through the engines as float32)")
    bad = ~np.isfinite(q).all(axis=1) | (q < 0).any(axis=1)
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"{name} must contain finite non-negative probabilities, got {q[i].tolist()!r} at row {i}")
    sums = q.sum(axis=1)
    bad = np.abs(sums - 1.0) > 1e-6
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(f"{name} rows must sum to 1 (within 1e-6), got sum {float(sums[i])!r} at row {i}")
    return q / sums[:, None]
