"""Property-based input contract of every registered loss and every metric (hypothesis).

For random dtypes (float16/32/64, int, bool), shapes (right and wrong), layouts (C, F, strided,
read-only), weights (None, scalar, zeros, NaN, negative, wrong length), labels in and out of the
loss's domain and margins up to +-1e30, a call either
  * returns finite values of the documented shape and dtype (the margins' dtype when float32 or
    float64, else float64), equal to the float64 computation on the same values, or
  * raises ValueError / TypeError whose message names the argument at fault.
"""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import boostobj as bo
from boostobj import metrics as M

settings.register_profile("boostobj", max_examples=20, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("boostobj")

ARGUMENT_NAMES = ("y", "raw", "sample_weight", "y_true", "y_pred", "n_classes")
DTYPES = (np.float16, np.float32, np.float64, np.int32, np.bool_)
SOFT_TARGETS = [[0.7, 0.2, 0.1], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [1 / 3] * 3, [0.1, 0.1, 0.8]]
REQUIRED_ARGUMENTS = {"class_balanced": {"beta": 0.99}, "soft_target_softmax": {"targets": SOFT_TARGETS}}
LOSSES = [cls(**REQUIRED_ARGUMENTS.get(name, {})) for name, cls in bo.available_losses().items()]
METRICS = [M.MAE(), M.RMSE(), M.MAPE(), M.MAPE(zero="skip"), M.SMAPE(), M.WAPE(), M.Pinball(0.3),
           M.LogLoss(from_margin=True), M.LogLoss(from_margin=False), M.MulticlassLogLoss(from_margin=True),
           M.MulticlassLogLoss(from_margin=False), bo.Huber().metric(), bo.Focal().metric(from_margin=False),
           bo.Poisson().metric(from_margin=False), M.KLDivergence(SOFT_TARGETS, from_margin=True),
           M.KLDivergence(SOFT_TARGETS, from_margin=False)]

finite_values = st.floats(-1e30, 1e30, allow_nan=False, allow_infinity=False)


def _layout(draw, a):
    """The same values as C, F, strided or read-only arrays."""
    kind = draw(st.sampled_from(["c", "f", "strided", "readonly"]))
    if kind == "f":
        return np.asfortranarray(a)
    if kind == "strided":
        wide = np.repeat(a[..., None], 2, axis=-1)
        return wide[..., 0]
    if kind == "readonly":
        a = a.copy()
        a.setflags(write=False)
    return a


@st.composite
def call_inputs(draw, task, n_classes, domain=None):
    n = draw(st.integers(1, 6))
    k = n_classes or 3
    good_shape = draw(st.integers(0, 9)) > 0  # mostly right, sometimes wrong
    if task == "multiclass":
        shape = (n, k) if good_shape else draw(st.sampled_from([(n,), (n, 1), (n + 1, k)]))
    else:
        shape = (n,) if good_shape else draw(st.sampled_from([(n, 2), (n + 1,)]))
    dtype = draw(st.sampled_from(DTYPES))
    size = int(np.prod(shape))
    magnitude = draw(st.sampled_from([finite_values, st.floats(-60.0, 60.0)]))  # extreme or ordinary margins
    values = np.array(draw(st.lists(magnitude, min_size=size, max_size=size)))
    with np.errstate(all="ignore"):
        raw = _layout(draw, values.reshape(shape).astype(dtype))
    label_kind = draw(st.sampled_from(["domain", "domain", "classes", "small", "any", "nan"]))
    if label_kind == "domain" and domain is not None:
        y = domain.sample(np.random.default_rng(draw(st.integers(0, 2**16))), n, k if task == "multiclass" else None)
    elif label_kind in ("classes", "domain"):
        y = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)), dtype=np.float64)
    elif label_kind == "small":
        y = np.array(draw(st.lists(st.floats(0.0, 20.0), min_size=n, max_size=n)))
    elif label_kind == "any":
        y = np.array(draw(st.lists(finite_values, min_size=n, max_size=n)))
    else:
        y = np.full(n, np.nan)
    if label_kind in ("classes", "domain", "small"):  # exact in every label dtype
        y = np.round(y, 2).astype(draw(st.sampled_from([np.float64, np.float32])))
    y = _layout(draw, y)
    weight_kind = draw(st.sampled_from(["none", "ones", "random", "zeros", "scalar", "nan", "negative", "short"]))
    w = {"none": None, "ones": np.ones(n), "random": np.array(draw(st.lists(st.floats(0.0, 1e3), min_size=n,
                                                                               max_size=n))),
         "zeros": np.zeros(n), "scalar": 2.0, "nan": np.full(n, np.nan), "negative": -np.ones(n),
         "short": np.ones(n + 1)}[weight_kind]
    return y, raw, w


def _names_the_argument(err):
    message = str(err)
    return any(name in message for name in ARGUMENT_NAMES)


def _expected_dtype(raw):
    return raw.dtype if raw.dtype in (np.float32, np.float64) else np.dtype(np.float64)


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
@given(data=st.data())
def test_loss_input_contract(loss, data):
    y, raw, w = data.draw(call_inputs(loss.task, loss.n_classes, loss.domain))
    try:
        g, h = loss.grad_hess(y, raw, sample_weight=w)
        values = loss.loss(y, raw, sample_weight=w)
    except (ValueError, TypeError) as err:
        assert _names_the_argument(err), f"{type(err).__name__}: {err}"
        return
    assert g.shape == raw.shape and h.shape == raw.shape and values.shape == (raw.shape[0],)
    assert g.dtype == _expected_dtype(raw) and h.dtype == g.dtype and values.dtype == np.float64
    assert np.isfinite(g).all() and np.isfinite(h).all() and np.isfinite(values).all()
    raw64 = np.asarray(raw, dtype=np.float64)
    g64, h64 = loss.grad_hess(y, raw64, sample_weight=w)  # cannot fail where the narrower call did not
    np.testing.assert_array_equal(g, g64.astype(g.dtype))
    np.testing.assert_array_equal(h, h64.astype(h.dtype))
    np.testing.assert_array_equal(values, loss.loss(y, raw64, sample_weight=w))
    try:
        start = loss.init_score(y, sample_weight=w)
    except ValueError as err:  # e.g. all weights zero
        assert _names_the_argument(err) or "init_score" in str(err), str(err)
    else:
        assert np.isfinite(start).all()


@st.composite
def metric_inputs(draw, metric):
    multiclass = isinstance(metric, (M.MulticlassLogLoss, M.KLDivergence))
    task = "multiclass" if multiclass else "regression"
    y, raw, w = draw(call_inputs(task, 3 if multiclass else None))
    if draw(st.booleans()) and not multiclass:  # often probabilities / positive values
        raw = np.abs(np.asarray(raw, dtype=np.float64)) % 1.0
    return y, raw, w


@pytest.mark.parametrize("metric", METRICS, ids=repr)
@given(data=st.data())
def test_metric_input_contract(metric, data):
    y, y_pred, w = data.draw(metric_inputs(metric))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning (overflow, division) may hide inside a value
        try:
            value = metric(y, y_pred, sample_weight=w)
        except (ValueError, TypeError) as err:
            assert _names_the_argument(err), f"{type(err).__name__}: {err}"
            return
    assert isinstance(value, float) and (np.isfinite(value) or (isinstance(metric, M.WAPE) and value == np.inf))
