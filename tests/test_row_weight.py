"""Label-dependent row weights in quantile start and leaf rules (``_start.quantile(alpha, row_weight=)``),
as a MAPE objective needs (a weighted absolute error with weights w / |y|), through the public extension API."""
import json

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box
from boostobj import _start
from tests.test_leaf_refresh import lightgbm_quantile, xgboost_quantile


def inverse_abs(y):
    with np.errstate(divide="ignore"):
        return 1.0 / np.abs(y)


class RelativeAbsoluteError(bo.AbsoluteError):
    """Test-only: |y - z| / |y|, the MAPE loss up to a constant (same kernels, weights 1 / |y|)."""

    start = leaf_rule = _start.quantile(0.5, row_weight=inverse_abs)


def plain_weighted_median(y, w):
    """The smallest label c with W(y <= c) >= W / 2, written out plainly."""
    order = np.argsort(y, kind="stable")
    cum = np.cumsum(w[order])
    return y[order][np.searchsorted(cum, 0.5 * cum[-1] * (1 - 1e-12))]


def data(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.exp(0.8 * X[:, 0] + 0.5 * rng.normal(size=n)) * rng.choice([1.0, 5.0], n)  # |y| from 0.05 to 100
    w = rng.uniform(0.5, 2.0, n)
    return X, y, w


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_start_score_is_the_median_weighted_by_the_row_factor(weighted):
    _, y, w = data()
    w = w if weighted else None
    base = np.ones_like(y) if w is None else w
    want = plain_weighted_median(y, base / np.abs(y))
    assert RelativeAbsoluteError().init_score(y, w) == want
    assert want != plain_weighted_median(y, base)  # the factor matters on these labels
    assert bo.AbsoluteError().init_score(y, w) == plain_weighted_median(y, base)  # unchanged without it


def test_dask_start_score_uses_the_row_factor():
    da = pytest.importorskip("dask.array")
    from boostobj import dask as bd

    _, y, w = data()
    want = RelativeAbsoluteError().init_score(y, w)
    assert bd.init_score(RelativeAbsoluteError(), da.from_array(y, chunks=400), da.from_array(w, chunks=400)) == want


def test_row_weight_is_validated():
    with pytest.raises(TypeError, match="row_weight must be a function"):
        _start.quantile(0.5, row_weight=2.0)
    y = np.array([1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match=r"row_weight inverse_abs\(y\) must be finite and non-negative, got inf at row 1"):
        RelativeAbsoluteError().init_score(y)
    with pytest.raises(ValueError, match="one factor per label"):
        _start.quantile(0.5, row_weight=lambda y: np.ones(2)).row_factor(y)
    with pytest.raises(TypeError, match="row_weight 'no_such_method' names no method of the loss AbsoluteError"):
        _start.quantile(0.5, row_weight="no_such_method")(bo.AbsoluteError(), _start.LocalLabels(bo.AbsoluteError(), y))


@pytest.mark.parametrize("epsilon", [0.0, 2.0])
def test_mape_start_is_the_median_weighted_by_the_floored_inverse_label(epsilon):
    _, y, w = data()
    floored = np.maximum(np.abs(y), epsilon)
    want = plain_weighted_median(y, w / floored)
    assert bo.AbsolutePercentageError(epsilon=epsilon).init_score(y, w) == want
    if epsilon:  # the floor matters on these labels (|y| from 0.05)
        assert want != plain_weighted_median(y, w / np.abs(y))


# RelativeAbsoluteError: a callable factor; AbsolutePercentageError: the named method relative_weight
REFRESHED = pytest.mark.parametrize("loss", [RelativeAbsoluteError(), bo.AbsolutePercentageError()],
                                    ids=["callable", "mape"])


@REFRESHED
def test_lightgbm_refreshed_leaves_are_the_weighted_medians_with_the_row_factor(loss):
    X, y, w = data()
    lr, rounds = 0.3, 4
    params = {"learning_rate": lr, "num_leaves": 7, "verbose": -1, "num_threads": 1}
    booster = bol.train(params, lgb.Dataset(X, label=y, weight=w), loss, rounds)
    start = loss.init_score(y, w)
    for i in range(rounds):
        before = start if i == 0 else booster.predict(X, raw_score=True, num_iteration=i)
        leaf = booster.predict(X, pred_leaf=True, start_iteration=i, num_iteration=1).ravel()
        for j in np.unique(leaf):
            rows = leaf == j
            want = lr * lightgbm_quantile((y - before)[rows], (w / np.abs(y))[rows], 0.5) + (start if i == 0 else 0)
            assert booster.get_leaf_output(i, int(j)) == pytest.approx(want, rel=1e-9, abs=1e-12), (i, j)


@REFRESHED
def test_xgboost_refreshed_leaves_are_the_weighted_medians_with_the_row_factor(loss):
    X, y, w = data()
    lr, rounds = 0.3, 4
    dm = xgb.DMatrix(X, label=y, weight=w)
    params = {"eta": lr, "max_depth": 3, "nthread": 1}
    booster = box.train(params, dm, loss, rounds)
    trees = [json.loads(t) for t in booster.get_dump(dump_format="json")]
    for i in range(rounds):
        leaf_values = {}
        stack = [trees[i]]
        while stack:
            node = stack.pop()
            if "leaf" in node:
                leaf_values[node["nodeid"]] = node["leaf"]
            stack += node.get("children", [])
        before = (booster.predict(dm, output_margin=True, iteration_range=(0, i)) if i else  # (0, 0): all trees
                  np.full(len(y), np.float32(loss.init_score(y, w)))).astype(np.float64)
        leaf = booster[i:i + 1].predict(dm, pred_leaf=True).ravel().astype(int)
        for j in np.unique(leaf):
            rows = leaf == j
            want = lr * xgboost_quantile((y - before)[rows], (w / np.abs(y))[rows], 0.5)
            assert leaf_values[j] == pytest.approx(want, rel=1e-5, abs=1e-6), (i, j)  # predict: float32 margins
