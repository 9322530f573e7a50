"""Leaf refresh: quantile / absolute-error models as good as the engines' built-in objectives.

Before: boostobj's Quantile kept the engines' Newton leaf values (a mean of gradient signs), and its
models had up to 2x the built-ins' test pinball loss. Now each new tree's leaves are the weighted
quantile of their rows' residuals, computed as each engine does, so a model trained from the
engine's start score equals the built-in model.
"""
import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box
from boostobj import _leaves
from boostobj.sklearn import BoostRegressor


# -- the per-leaf quantile kernel against the engines' algorithms, written out plainly ---------------
def xgboost_quantile(r, w, alpha):
    """XGBoost common::Quantile / common::WeightedQuantile (src/common/stats.h)."""
    order = np.argsort(r, kind="stable")
    v = r[order]
    n = len(v)
    if w is None:
        if alpha <= 1 / (n + 1):
            return v[0]
        if alpha >= n / (n + 1):
            return v[-1]
        x = alpha * (n + 1)
        k = int(np.floor(x)) - 1
        return v[k] + ((x - 1) - k) * (v[k + 1] - v[k])
    cdf = np.cumsum(w[order].astype(np.float32), dtype=np.float32)
    idx = min(int(np.searchsorted(cdf, np.float32(cdf[-1] * alpha), side="left")), n - 1)
    return v[idx]


def lightgbm_quantile(r, w, alpha):
    """LightGBM 4.x PercentileFun / WeightedPercentileFun (src/objective/regression_objective.hpp)."""
    n = len(r)
    if n == 1:
        return r[0]
    order = np.argsort(r, kind="stable")
    v = r[order]
    if w is None:
        desc = v[::-1]
        float_pos = (1 - alpha) * (n - 1)
        pos = int(float_pos) + 1
        if pos >= n:
            return v[0]
        bias = float_pos - (pos - 1)
        return desc[pos - 1] - (desc[pos - 1] - desc[pos]) * bias
    cdf = np.cumsum(w[order])
    threshold = cdf[-1] * alpha
    pos = min(int(np.searchsorted(cdf, threshold, side="right")), n - 1)
    if pos in (0, n - 1):
        return v[pos]
    step = cdf[pos] - cdf[pos - 1]
    return v[pos - 1] + (threshold - cdf[pos - 1]) / step * (v[pos] - v[pos - 1]) if step >= 1 else v[pos - 1]


@pytest.mark.parametrize("convention, reference", [(_leaves.XGBOOST, xgboost_quantile),
                                                   (_leaves.LIGHTGBM, lightgbm_quantile)], ids=["xgboost", "lightgbm"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_leaf_quantiles_follow_the_engine(convention, reference, weighted):
    rng = np.random.default_rng(3)
    for trial in range(60):
        n_codes = int(rng.integers(1, 6))
        n = int(rng.integers(1, 40))
        leaf = rng.integers(0, n_codes, n)
        r = np.round(rng.normal(size=n), 1 if trial % 3 == 0 else 6)  # ties in a third of the trials
        w = rng.integers(0, 6, n) * 0.25 if weighted else None
        alpha = float(rng.choice([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.97, rng.uniform(0.01, 0.99)]))
        got = _leaves.leaf_quantiles(r, np.zeros(n), np.empty(0) if w is None else w, leaf, n_codes, alpha,
                                     convention)
        for c in range(n_codes):
            rows = leaf == c
            if not rows.any():
                assert np.isnan(got[c])
                continue
            want = reference(r[rows], None if w is None else w[rows], alpha)
            assert got[c] == pytest.approx(want, abs=1e-12), (trial, c)


# -- equal to the built-in models when started from the engine's start score ------------------------
def regression_data(n, seed, scale=3.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = X[:, 0] + np.sin(2 * X[:, 2]) + scale * np.abs(X[:, 1]) * rng.normal(size=n)
    return X, y


# alpha exactly representable in float32: the engines hold alpha as float32, so for other levels their
# gradients differ from the exact ones in the 8th digit and a near-tie between two splits can go the
# other way (measured: alpha=0.9 equal to 3e-7 for 20 rounds, then one split differs).
@pytest.mark.parametrize("loss, builtin", [
    (bo.Quantile(alpha=0.75), {"objective": "reg:quantileerror", "quantile_alpha": 0.75}),
    (bo.Quantile(alpha=0.125), {"objective": "reg:quantileerror", "quantile_alpha": 0.125}),
    (bo.AbsoluteError(), {"objective": "reg:absoluteerror"}),
], ids=repr)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_xgboost_refresh_equals_builtin_model(loss, builtin, weighted):
    X, y = regression_data(2000, 0)
    w = np.random.default_rng(1).integers(1, 5, len(y)) * 0.5 if weighted else None
    d = xgb.DMatrix(X, label=y, weight=w)
    start = float(np.median(y)) + 0.0123
    params = {"eta": 0.3, "max_depth": 4, "nthread": 1}
    ref = xgb.train({**params, **builtin, "base_score": start}, d, 40)
    ours = box.train(params, d, loss, 40, init_score=start)
    np.testing.assert_allclose(ours.predict(d), ref.predict(d), atol=1e-5)


@pytest.mark.parametrize("loss, builtin", [
    (bo.Quantile(alpha=0.75), {"objective": "quantile", "alpha": 0.75}),
    (bo.Quantile(alpha=0.125), {"objective": "quantile", "alpha": 0.125}),
    (bo.AbsoluteError(), {"objective": "l1"}),
], ids=repr)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_lightgbm_refresh_equals_builtin_model(loss, builtin, weighted):
    X, y = regression_data(2000, 0)
    w = np.random.default_rng(1).integers(1, 5, len(y)) * 0.25 if weighted else None
    start = float(np.median(y)) + 0.0123
    params = {"learning_rate": 0.3, "num_leaves": 15, "verbose": -1, "num_threads": 1}
    ref = lgb.train({**params, **builtin}, lgb.Dataset(X, label=y, weight=w, init_score=np.full(len(y), start)), 40)
    ours = bol.train(params, lgb.Dataset(X, label=y, weight=w), loss, 40, init_score=start)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), ref.predict(X, raw_score=True) + start, atol=1e-5)


# -- as good as the built-ins from boostobj's own start score --------------------------------------
def pinball(y, q, alpha):
    r = y - q
    return float(np.mean(np.maximum(alpha * r, (alpha - 1) * r)))


def fit_both(engine, loss, builtin, lr, X, y, rounds):
    if engine == "xgboost":
        d = xgb.DMatrix(X, label=y)
        params = {"eta": lr, "max_depth": 4, "nthread": 1}
        return box.train(params, d, loss, rounds).predict, xgb.train({**params, **builtin[0]}, d, rounds).predict, \
            xgb.DMatrix
    params = {"learning_rate": lr, "num_leaves": 15, "verbose": -1, "num_threads": 1}
    ours = bol.train(params, lgb.Dataset(X, label=y), loss, rounds)
    ref = lgb.train({**params, **builtin[1]}, lgb.Dataset(X, label=y), rounds)
    return ours.predict, ref.predict, lambda a: a


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm"])
@pytest.mark.parametrize("lr", [0.05, 0.3])
@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9, "l1"])
def test_test_loss_within_two_percent_of_builtin(engine, lr, alpha):
    if alpha == "l1":
        loss, builtin, level = bo.AbsoluteError(), ({"objective": "reg:absoluteerror"}, {"objective": "l1"}), 0.5
    else:
        loss, level = bo.Quantile(alpha=alpha), alpha
        builtin = ({"objective": "reg:quantileerror", "quantile_alpha": alpha}, {"objective": "quantile", "alpha": alpha})
    ours_loss, ref_loss, ours_cover, ref_cover = [], [], [], []
    for seed in range(3):
        X, y = regression_data(3000, seed)
        Xt, yt = X[2000:], y[2000:]
        ours, ref, wrap = fit_both(engine, loss, builtin, lr, X[:2000], y[:2000], 300)
        q_ours, q_ref = ours(wrap(Xt)), ref(wrap(Xt))
        ours_loss.append(pinball(yt, q_ours, level))
        ref_loss.append(pinball(yt, q_ref, level))
        ours_cover.append(np.mean(yt <= q_ours))
        ref_cover.append(np.mean(yt <= q_ref))
    assert np.mean(ours_loss) <= 1.02 * np.mean(ref_loss)
    if alpha == 0.9:
        assert abs(np.mean(ours_cover) - np.mean(ref_cover)) <= 0.01


def test_without_refresh_the_model_is_the_old_worse_one():
    X, y = regression_data(3000, 0, scale=10.0)
    d = xgb.DMatrix(X[:2000], label=y[:2000])
    dt = xgb.DMatrix(X[2000:])
    refreshed = box.train({"eta": 0.05}, d, bo.Quantile(alpha=0.9), 100)
    plain = box.train({"eta": 0.05}, d, bo.Quantile(alpha=0.9), 100, leaf_refresh=False)
    assert pinball(y[2000:], plain.predict(dt), 0.9) > 1.1 * pinball(y[2000:], refreshed.predict(dt), 0.9)


# -- the helpers' whole contract sees the refreshed model ------------------------------------------
def test_xgboost_metrics_early_stopping_save_and_continue_see_refreshed_leaves(tmp_path):
    X, y = regression_data(1500, 4)
    d, dv = xgb.DMatrix(X[:1000], label=y[:1000]), xgb.DMatrix(X[1000:], label=y[1000:])
    loss = bo.Quantile(alpha=0.8)
    metric = loss.metric()
    history = {}
    booster = box.train({"eta": 0.3, "max_depth": 3, "nthread": 1}, d, loss, 200, evals=[(d, "train"), (dv, "valid")],
                        custom_metric=metric, early_stopping_rounds=5, evals_result=history, verbose_eval=False)
    recorded = history["valid"][metric.name]
    assert booster.best_iteration < 199  # it stopped early
    for i in (0, 3, len(recorded) - 1):  # the metric of every round is the refreshed model's
        margin = booster.predict(dv, output_margin=True, iteration_range=(0, i + 1))
        assert recorded[i] == pytest.approx(metric(y[1000:], margin), rel=1e-6)
        train_margin = booster.predict(d, output_margin=True, iteration_range=(0, i + 1))
        assert history["train"][metric.name][i] == pytest.approx(metric(y[:1000], train_margin), rel=1e-6)
    assert booster.best_iteration == int(np.argmin(recorded))
    path = tmp_path / "model.json"
    booster.save_model(path)
    np.testing.assert_array_equal(xgb.Booster(model_file=path).predict(dv), booster.predict(dv))
    # 10 + 10 rounds equal 20 rounds
    whole = box.train({"eta": 0.3, "max_depth": 3}, d, loss, 20)
    first = box.train({"eta": 0.3, "max_depth": 3}, d, loss, 10)
    both = box.train({"eta": 0.3, "max_depth": 3}, d, loss, 10, xgb_model=first)
    np.testing.assert_allclose(both.predict(dv), whole.predict(dv), atol=1e-5)


def test_lightgbm_metrics_early_stopping_save_and_continue_see_refreshed_leaves(tmp_path):
    X, y = regression_data(1500, 4)
    loss = bo.AbsoluteError()
    metric = loss.metric()
    history = {}
    params = {"learning_rate": 0.3, "num_leaves": 7, "verbose": -1, "num_threads": 1}
    train_set, valid_set = lgb.Dataset(X[:1000], label=y[:1000]), lgb.Dataset(X[1000:], label=y[1000:])
    booster = bol.train(params, train_set, loss, 200, valid_sets=[train_set, valid_set],
                        valid_names=["train", "valid"], feval=metric,
                        callbacks=[lgb.early_stopping(5, verbose=False), lgb.record_evaluation(history)])
    recorded = history["valid"][metric.name]
    assert booster.best_iteration < len(recorded)  # stopped early; LightGBM keeps the trees up to the best
    y32 = y.astype(np.float32)  # the labels a Dataset holds
    for i in (0, 3, booster.best_iteration - 1):
        margin = booster.predict(X[1000:], raw_score=True, num_iteration=i + 1)
        assert recorded[i] == pytest.approx(metric(y32[1000:], margin), rel=1e-12)
        train_margin = booster.predict(X[:1000], raw_score=True, num_iteration=i + 1)
        assert history["train"][metric.name][i] == pytest.approx(metric(y32[:1000], train_margin), rel=1e-12)
    assert booster.best_iteration == int(np.argmin(recorded)) + 1
    path = tmp_path / "model.txt"
    booster.save_model(path)
    np.testing.assert_array_equal(lgb.Booster(model_file=path).predict(X), booster.predict(X))
    whole = bol.train(params, lgb.Dataset(X[:1000], label=y[:1000]), loss, 20)
    first = bol.train(params, lgb.Dataset(X[:1000], label=y[:1000]), loss, 10)
    both = bol.train(params, lgb.Dataset(X[:1000], label=y[:1000]), loss, 10, init_model=first)
    np.testing.assert_allclose(both.predict(X, raw_score=True), whole.predict(X, raw_score=True), atol=1e-9)


def test_learning_rate_schedules_refresh_with_the_rate_each_tree_was_grown_with():
    X, y = regression_data(1000, 5)
    rates = [0.3, 0.1, 0.05, 0.2, 0.01]
    builtin = lgb.train({"objective": "l1", "verbose": -1, "num_leaves": 7}, lgb.Dataset(
        X, label=y, init_score=np.full(len(y), 0.25)), 5, callbacks=[lgb.reset_parameter(learning_rate=rates)])
    ours = bol.train({"verbose": -1, "num_leaves": 7}, lgb.Dataset(X, label=y), bo.AbsoluteError(), 5,
                     init_score=0.25, callbacks=[lgb.reset_parameter(learning_rate=rates)])
    np.testing.assert_allclose(ours.predict(X, raw_score=True), builtin.predict(X, raw_score=True) + 0.25, atol=1e-6)
    d = xgb.DMatrix(X, label=y)
    builtin = xgb.train({"objective": "reg:absoluteerror", "base_score": 0.25}, d, 5,
                        callbacks=[xgb.callback.LearningRateScheduler(rates)])
    ours = box.train({}, d, bo.AbsoluteError(), 5, init_score=0.25,
                     callbacks=[xgb.callback.LearningRateScheduler(rates)])
    np.testing.assert_allclose(ours.predict(d), builtin.predict(d), atol=1e-5)


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm"])
def test_estimator_refreshes_by_default_and_can_switch_off(engine):
    X, y = regression_data(3000, 6, scale=10.0)
    kw = {"engine": engine, "n_estimators": 100, "learning_rate": 0.05, "random_state": 0, "n_jobs": 1}
    est = BoostRegressor(loss="quantile", loss__alpha=0.9, **kw).fit(X[:2000], y[:2000])
    plain = BoostRegressor(loss="quantile", loss__alpha=0.9, leaf_refresh=False, **kw).fit(X[:2000], y[:2000])
    if engine == "xgboost":
        ref = xgb.XGBRegressor(objective="reg:quantileerror", quantile_alpha=0.9, n_estimators=100,
                               learning_rate=0.05, n_jobs=1).fit(X[:2000], y[:2000])
    else:
        ref = lgb.LGBMRegressor(objective="quantile", alpha=0.9, n_estimators=100, learning_rate=0.05,
                                verbose=-1, n_jobs=1).fit(X[:2000], y[:2000])
    yt = y[2000:]
    loss_est, loss_plain, loss_ref = (pinball(yt, m.predict(X[2000:]), 0.9) for m in (est, plain, ref))
    assert loss_est <= 1.02 * loss_ref
    assert loss_plain > 1.1 * loss_ref
    # early stopping on an eval set reads the refreshed model
    stopped = BoostRegressor(loss=bo.Quantile(alpha=0.9), early_stopping_rounds=5, **{**kw, "n_estimators": 500})
    stopped.fit(X[:1500], y[:1500], eval_set=[(X[1500:2000], y[1500:2000])])
    assert stopped.best_iteration_ is not None
    assert pinball(yt, stopped.predict(X[2000:]), 0.9) <= 1.1 * loss_ref


# -- what leaf refresh refuses, clearly ------------------------------------------------------------
@pytest.mark.parametrize("params, match", [
    ({"subsample": 0.8}, "subsample < 1"), ({"booster": "dart"}, "booster='dart'"),
    ({"num_parallel_tree": 4}, "num_parallel_tree"), ({"eval_metric": "mae"}, "custom_metric="),
])
def test_xgboost_refuses_what_refresh_cannot_honour(params, match):
    X, y = regression_data(200, 0)
    with pytest.raises(ValueError, match=match):
        box.train(params, xgb.DMatrix(X, label=y), bo.Quantile(alpha=0.9), 3)
    box.train(params, xgb.DMatrix(X, label=y), bo.Quantile(alpha=0.9), 3, leaf_refresh=False)  # the way out


@pytest.mark.parametrize("params, match", [
    ({"bagging_fraction": 0.5, "bagging_freq": 1}, "bagging"), ({"boosting": "goss"}, "goss"),
    ({"data_sample_strategy": "goss"}, "goss"), ({"boosting_type": "dart"}, "dart"),
    ({"linear_tree": True}, "linear_tree"), ({"metric": "l1"}, "feval="),
])
def test_lightgbm_refuses_what_refresh_cannot_honour(params, match):
    X, y = regression_data(200, 0)
    with pytest.raises(ValueError, match=match):
        bol.train({"verbose": -1, **params}, lgb.Dataset(X, label=y), bo.Quantile(alpha=0.9), 3)


def test_lightgbm_needs_the_raw_features():
    X, y = regression_data(200, 0)
    ds = lgb.Dataset(X, label=y).construct()  # raw data freed
    with pytest.raises(ValueError, match="raw features.*free_raw_data=False"):
        bol.train({"verbose": -1}, ds, bo.AbsoluteError(), 3)
    bol.train({"verbose": -1}, ds, bo.AbsoluteError(), 3, leaf_refresh=False)


def test_leaf_refresh_argument_is_checked():
    X, y = regression_data(200, 0)
    with pytest.raises(ValueError, match="has no leaf rule"):
        box.train({}, xgb.DMatrix(X, label=y), bo.Huber(), 3, leaf_refresh=True)
    with pytest.raises(TypeError, match="leaf_refresh must be True, False or None"):
        box.train({}, xgb.DMatrix(X, label=y), bo.Quantile(), 3, leaf_refresh="yes")


def test_dask_helpers_refuse_refresh_before_any_work():
    from boostobj import dask as bd

    with pytest.raises(ValueError, match="not available on Dask: pass leaf_refresh=False"):
        bd.bound_start(bo.Quantile(alpha=0.9), y=None)


@pytest.mark.parametrize("lockstep", [True, False], ids=["lockstep", "row by row"])
@pytest.mark.parametrize("extra", [{}, {"zero_as_missing": True}, {"use_missing": False}], ids=repr)
def test_lightgbm_compiled_leaf_lookup_equals_pred_leaf(extra, lockstep):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 4)).astype(np.float32)
    X[rng.random(3000) < 0.1, 0] = np.nan
    X[rng.random(3000) < 0.2, 1] = 0.0
    X[:, 3] = np.round(X[:, 3])  # many ties at the thresholds
    y = np.nan_to_num(X[:, 0]) + X[:, 1] + X[:, 3] + rng.normal(size=3000)
    booster = lgb.train({"verbose": -1, "num_leaves": 31, **extra}, lgb.Dataset(X, label=y), 5)
    for i in range(5):
        arrays, values = bol._tree_of(booster, i)
        want = booster.predict(X, pred_leaf=True, start_iteration=i, num_iteration=1).ravel()
        leaf, counts = bol._tree_leaves(X, *arrays, n_leaves=values.size, lockstep=lockstep)
        np.testing.assert_array_equal(leaf, want)
        np.testing.assert_array_equal(counts.sum(axis=0), np.bincount(want, minlength=values.size))
        np.testing.assert_array_equal(values, [booster.get_leaf_output(i, j) for j in range(values.size)])


def test_lightgbm_leaf_lookup_walks_a_deep_leaf_wise_tree_row_by_row():
    x = np.repeat(np.arange(40), 25).astype(np.float32)
    X = np.stack([x, np.random.default_rng(3).normal(size=x.size).astype(np.float32)], axis=1)
    y = 3.0 ** x  # each best split peels off the largest group: a chain, not a balanced tree
    booster = lgb.train({"verbose": -1, "num_leaves": 31}, lgb.Dataset(X, label=y), 1)
    arrays, values = bol._tree_of(booster, 0)
    assert bol._depth(arrays[4], arrays[5]) > 2 * int(np.ceil(np.log2(values.size))) + 4  # beyond lockstep's bound
    want = booster.predict(X, pred_leaf=True, num_iteration=1).ravel()
    for lockstep in (None, True):
        np.testing.assert_array_equal(bol._tree_leaves(X, *arrays, n_leaves=values.size, lockstep=lockstep)[0], want)


def test_lightgbm_categorical_features_fall_back_to_pred_leaf():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(8)
    X = pd.DataFrame({"a": rng.normal(size=2000), "c": pd.Categorical(rng.integers(0, 6, 2000))})
    y = X["a"].to_numpy() + X["c"].cat.codes.to_numpy() * 0.7 + rng.normal(size=2000)
    params = {"verbose": -1, "num_leaves": 15, "min_data_per_group": 10, "cat_smooth": 1, "num_threads": 1}
    ref = lgb.train({**params, "objective": "l1"}, lgb.Dataset(X, label=y, init_score=np.full(2000, 0.5)), 20)
    ours = bol.train(params, lgb.Dataset(X, label=y), bo.AbsoluteError(), 20, init_score=0.5)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), ref.predict(X, raw_score=True) + 0.5, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_leaf_quantiles_split_across_threads_equal_one_pass(weighted):
    rng = np.random.default_rng(9)
    n = 200_000  # several row chunks
    leaf = rng.integers(0, 9, n)
    leaf[leaf == 4] = 5  # a code without rows
    y, score = rng.normal(size=n), rng.normal(size=n)
    w = rng.integers(1, 4, n) * 0.5 if weighted else None
    got = _leaves.leaf_quantiles(y, score, np.empty(0) if w is None else w, leaf, 9, 0.3, _leaves.LIGHTGBM)
    for c in range(9):
        rows = leaf == c
        want = lightgbm_quantile((y - score)[rows], None if w is None else w[rows], 0.3) if rows.any() else np.nan
        np.testing.assert_equal(got[c], want)


@pytest.mark.parametrize("order", ["random", "sorted", "reversed", "ties", "constant"])
def test_sampled_selection_equals_a_sort(order):
    rng = np.random.default_rng(10)
    for m in (_leaves.SAMPLED_SELECT_MIN, 5000):
        v = rng.normal(size=m)
        v = {"random": v, "sorted": np.sort(v), "reversed": np.sort(v)[::-1].copy(), "ties": np.round(v * 2),
             "constant": np.ones(m)}[order]
        want = np.sort(v)
        for k in (0, 1, m // 10, m // 2, m - 50, m - 2):
            assert _leaves._select_pair(v.copy(), k) == (want[k], want[k + 1]), (m, k)


def test_an_evaluation_set_given_twice_is_moved_once_per_tree():
    """A data set listed twice in evals / valid_sets is one set of margins: each new tree moves it
    once (it was moved once per listing: a wrong metric with no error)."""
    X, y = regression_data(1200, 5)
    loss = bo.Quantile(alpha=0.7)
    metric = loss.metric()
    d, dv = xgb.DMatrix(X[:800], label=y[:800]), xgb.DMatrix(X[800:], label=y[800:])
    history = {}
    booster = box.train({"eta": 0.3, "max_depth": 3, "nthread": 1}, d, loss, 5, evals=[(dv, "a"), (dv, "b")],
                        custom_metric=metric, evals_result=history, verbose_eval=False)
    want = metric(y[800:], booster.predict(dv, output_margin=True))
    assert history["a"][metric.name][-1] == pytest.approx(want, rel=1e-6)
    assert history["b"][metric.name] == history["a"][metric.name]
    history = {}
    valid_set = lgb.Dataset(X[800:], label=y[800:])
    booster = bol.train({"learning_rate": 0.3, "num_leaves": 7, "verbose": -1, "num_threads": 1},
                        lgb.Dataset(X[:800], label=y[:800]), loss, 5, valid_sets=[valid_set, valid_set],
                        valid_names=["a", "b"], feval=metric, callbacks=[lgb.record_evaluation(history)])
    want = metric(y[800:].astype(np.float32), booster.predict(X[800:], raw_score=True))
    assert history["a"][metric.name][-1] == pytest.approx(want, rel=1e-12)
    assert history["b"][metric.name] == history["a"][metric.name]
