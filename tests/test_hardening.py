"""Regression tests for the hostile-input findings (issue 12): each failed before its fix."""
import threading
import warnings

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box
from boostobj import domains
from boostobj import metrics as M


# 3. metric inputs: space, shape and type
@pytest.mark.parametrize("call, match", [
    (lambda: M.LogLoss(from_margin=False)([0, 1], [1.5, 0.2]), r"probabilities in \[0, 1\], got 1.5 at row 0"),
    (lambda: M.MulticlassLogLoss(from_margin=False)([0, 1], [[2, -1, 0], [0.1, 0.2, 0.7]]), "probabilities in"),
    (lambda: M.MAE()([0, 1, 2], np.tile([0, 1, 2], (3, 1))), r"y_pred must be one-dimensional"),
    (lambda: M.MAE()([0, 1, 2], ["a", "b", "c"]), "y_pred must be numeric"),
    (lambda: M.MAE()([0, 1, 2], [0, 1, 2], sample_weight=2.0), "scalar"),
    (lambda: M.MulticlassLogLoss(from_margin=True)([0, 1], [0.3, 0.2]), r"y_pred must have shape"),
])
def test_metrics_validate_their_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_binary_logloss_reads_two_column_probabilities_like_sklearn():
    from sklearn.metrics import log_loss

    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    assert M.LogLoss(from_margin=False)([0, 1, 1], p) == pytest.approx(log_loss([0, 1, 1], p), rel=1e-12)


# 6. labels beyond float32 in both engines
@pytest.mark.parametrize("engine", ["xgboost", "lightgbm"])
def test_estimators_refuse_labels_beyond_float32(engine, reg_data):
    X, y, _ = reg_data
    with pytest.raises(ValueError, match=f"beyond the float32 range .* {'XGBoost' if engine == 'xgboost' else 'LightGBM'}"):
        bo.BoostRegressor(engine=engine, n_estimators=2).fit(X, y * 1e39)


# 7. changing the thread count while other threads compute
def test_set_num_threads_is_safe_during_calls():
    rng = np.random.default_rng(0)
    y, z = rng.normal(size=200_000), rng.normal(size=200_000)
    expected = bo.Huber().grad_hess(y, z)[0]
    errors, stop = [], threading.Event()

    def work():
        while not stop.is_set():
            try:
                if not np.array_equal(bo.Huber().grad_hess(y, z)[0], expected):
                    errors.append("wrong values")
            except Exception as err:  # noqa: BLE001 - any failure is the bug
                errors.append(repr(err))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(60):
            bo.set_num_threads(1 + i % 3)
    finally:
        stop.set()
        for t in threads:
            t.join()
        bo.set_num_threads(2)
    assert not errors, errors[:3]


def test_switching_thread_counts_keeps_a_large_enough_pool():
    from boostobj import drivers

    y, z = np.zeros(100_000), np.zeros(100_000)
    try:
        bo.set_num_threads(3)
        bo.Huber().grad_hess(y, z)
        pool = drivers._pool
        assert pool is not None
        for n in (1, 2, 3):  # a benchmark alternating thread counts starts no threads per call
            bo.set_num_threads(n)
            bo.Huber().grad_hess(y, z)
            assert drivers._pool is pool
        bo.set_num_threads(5)  # more workers needed: a new pool
        bo.Huber().grad_hess(np.zeros(200_000), np.zeros(200_000))
        assert drivers._pool is not pool and drivers._pool_workers == 4
    finally:
        bo.set_num_threads(2)


# 8. class weights as scikit-learn gives them
def test_class_weight_arrays_dicts_and_balanced():
    from sklearn.utils.class_weight import compute_class_weight

    y = np.array([0, 0, 0, 1.0])
    cw = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    for loss in (bo.Logistic(class_weight=cw), bo.Focal(class_weight=cw), bo.Logistic(class_weight={0: cw[0], 1: cw[1]})):
        np.testing.assert_allclose(loss.grad_hess(y, np.zeros(4))[0],
                                   type(loss)(class_weight=tuple(cw)).grad_hess(y, np.zeros(4))[0])
    assert bo.SoftmaxCrossEntropy(class_weight={0: 1.0, 1: 2.0, 2: 3.0}).n_classes == 3
    with pytest.raises(ValueError, match="'balanced' is not supported: it depends on the training labels"):
        bo.Logistic(class_weight="balanced")
    with pytest.raises(ValueError, match="dict must have the class indices 0..k-1"):
        bo.SoftmaxFocal(alpha={1: 2.0, 2: 1.0})


# 9. registry names in the estimators
def test_estimators_accept_loss_names(reg_data):
    X, y, _ = reg_data
    est = bo.BoostRegressor(loss="huber", n_estimators=3).set_params(loss__delta=0.5).fit(X, y)
    assert est.loss_ == bo.Huber(delta=0.5)
    assert bo.BoostRegressor(loss="quantile", n_estimators=3).fit(X, y).loss_ == bo.Quantile()


# 10. unclear errors
def test_parameters_are_checked_at_construction_and_numpy_scalars_accepted(reg_data):
    X, y, _ = reg_data
    with pytest.raises(ValueError, match="hessian must be one of"):
        bo.ClassBalanced(hessian="bogus")
    bo.BoostRegressor(learning_rate=np.float32(0.1), n_estimators=np.int64(2)).fit(X, y)


@pytest.mark.parametrize("engine, key", [("xgboost", "max_depht"), ("lightgbm", "num_leavs")])
def test_misspelled_engine_parameters_warn(engine, key, reg_data):
    X, y, _ = reg_data
    with pytest.warns(UserWarning, match=key):
        bo.BoostRegressor(engine=engine, n_estimators=2, **{key: 3}).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bo.BoostRegressor(engine=engine, n_estimators=2, reg_lambda=1.0, subsample=0.9).fit(X, y)


def test_lightgbm_continued_multiclass_training_without_num_class(multi_data):
    X, y, _ = multi_data
    params = {"num_leaves": 4, "verbose": -1}
    first = bol.train(params, lgb.Dataset(X, label=y), bo.SoftmaxCrossEntropy(), 3)
    more = bol.train(params, lgb.Dataset(X, label=y), bo.SoftmaxCrossEntropy(), 2, init_model=first)
    assert more.num_trees() == 15


def test_label_beyond_float32_with_float32_margins_is_named():
    with pytest.raises(ValueError, match=r"not representable in float32 \(raw margin 0.0, label 1e\+39\)"):
        bo.SquaredError().grad_hess([1e39], np.float32([0.0]))


# 11. numerics at the edges: finite and accurate, or a clear error
def test_extreme_margins_give_a_clear_error_not_inf():
    for raw in (np.float32([1e30]), np.float64([1e300])):
        with pytest.raises(ValueError, match=r"Exponential\(\): the .* at row 0 is not representable"):
            bo.Exponential().grad_hess([0.0], raw)
    with pytest.raises(ValueError, match="raw margin"):  # the engine objective's float32 outputs
        bo.SquaredError()(np.array([1e39, 0.0]), np.array([0.0, 0.0]))


def test_large_scale_parameters_stay_accurate():
    assert bo.Fair(c=1e16).loss([0.0], [1.0])[0] == pytest.approx(0.5, rel=1e-12)
    assert bo.Fair(c=1e200).loss([0.0], [1.0])[0] == pytest.approx(0.5, rel=1e-12)
    assert bo.PseudoHuber(delta=1e200).loss([0.0], [1.0])[0] == pytest.approx(0.5, rel=1e-12)
    g, h = bo.PseudoHuber(delta=1e-300).grad_hess([0.0], [1e10])
    assert np.isfinite(g).all() and g[0] == pytest.approx(1e-300)


def test_huge_weights_give_a_finite_start_score():
    w = np.full(3, 1e308)
    assert bo.SquaredError().init_score([1.0, 2.0, 3.0], w) == pytest.approx(2.0)
    assert bo.Huber().init_score([1.0, 2.0, 3.0], w) == pytest.approx(2.0)
    assert bo.Logistic().init_score([0.0, 1.0, 1.0], w) == pytest.approx(np.log(2.0))


# 12. equality, hashing and the helpers' side effects
def test_equal_losses_hash_equal():
    assert hash(bo.Huber(delta=2)) == hash(bo.Huber(delta=2.0)) and bo.Huber(delta=2) == bo.Huber(delta=2.0)
    assert len({bo.Logistic(class_weight=np.array([1, 2])), bo.Logistic(class_weight=[1.0, 2.0])}) == 1


def test_lightgbm_train_leaves_the_callers_datasets_alone(reg_data):
    X, y, _ = reg_data
    ds, valid = lgb.Dataset(X, label=y), lgb.Dataset(X, label=y)
    bol.train({"verbose": -1, "num_leaves": 4}, ds, bo.SquaredError(), 2, valid_sets=[valid])
    assert ds.get_init_score() is None and valid.get_init_score() is None
    with pytest.raises(ValueError, match="already has an init_score"):
        bol.train({"verbose": -1}, lgb.Dataset(X, label=y, init_score=np.zeros(len(y))), bo.SquaredError(), 2)


def test_xgboost_train_refuses_a_base_score_it_would_override(reg_data):
    X, y, _ = reg_data
    with pytest.raises(ValueError, match="base_score.*init_score="):
        box.train({"base_score": 0.3}, xgb.DMatrix(X, label=y), bo.SquaredError(), 2)
    booster = box.train({"max_depth": 2, "eta": 0.0}, xgb.DMatrix(X, label=y), bo.SquaredError(), 1, init_score=1.25)
    np.testing.assert_allclose(booster.predict(xgb.DMatrix(X), output_margin=True), 1.25, rtol=1e-6)


# 5. Dask validates weights as the local API does (threaded scheduler, no cluster needed)
def test_dask_start_score_validates_weights():
    da = pytest.importorskip("dask.array")
    import boostobj.dask as bd

    y = da.from_array(np.array([0.0, 1.0, 1.0, 0.0]), chunks=2)
    for bad, match in ((np.array([1.0, np.nan, 1.0, 1.0]), "finite and non-negative, got nan at row 1"),
                       (np.array([1.0, -1.0, 1.0, 1.0]), "finite and non-negative, got -1.0 at row 1")):
        with pytest.raises(ValueError, match=match):
            bd.init_score(bo.Logistic(), y, da.from_array(bad, chunks=2))
    zeros = da.from_array(np.zeros(4), chunks=2)
    for loss in (bo.SquaredError(), bo.Huber()):
        with pytest.raises(ValueError, match="positive total sample weight"):
            bd.init_score(loss, y, zeros)


# -- findings of a review of the redesign (each failed before its fix) ------------------------------
def test_class_balanced_with_a_class_missing_from_the_labels(multi_data):
    X, y, _ = multi_data  # classes 0..2, trained as 4 classes
    loss = bo.ClassBalanced(beta=0.9, base="softmax")
    booster = box.train({"num_class": 4, "max_depth": 2}, xgb.DMatrix(X, label=y), loss, 2)
    assert booster.predict(xgb.DMatrix(X), output_margin=True).shape == (len(y), 4)
    booster = bol.train({"num_class": 4, "verbose": -1, "num_leaves": 4}, lgb.Dataset(X, label=y), loss, 2)
    assert booster.predict(X, raw_score=True).shape == (len(y), 4)
    counts = np.bincount(y.astype(int), minlength=4)
    np.testing.assert_allclose(loss.grad_hess(y, np.zeros((len(y), 4)))[0],
                               loss.with_params(counts=counts.tolist()).grad_hess(y, np.zeros((len(y), 4)))[0])


def test_user_loss_pickled_by_value_works_in_a_fresh_process(tmp_path):
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import pickle, sys, cloudpickle, numpy as np, boostobj as bo
        def value(y, z, theta): return 0.5 * theta[0] * (z - y) ** 2
        def grad_hess(y, z, theta): return theta[0] * (z - y), theta[0]
        class Scaled(bo.Loss):
            name, task, link, domain = "scaled", "regression", bo.links.IDENTITY, bo.domains.REAL
            value_kernel, hessians = value, {"exact": grad_hess}
            def __init__(self, s=2.0): self._init(s=s)
            def _theta(self): return [float(self.s)]
        open(sys.argv[1], "wb").write(cloudpickle.dumps(Scaled()))
    """)
    path = tmp_path / "loss.pkl"
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    import os

    env = {**os.environ, **env}
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, env=env, cwd=tmp_path)
    check = ("import pickle, sys, numpy as np; loss = pickle.load(open(sys.argv[1], 'rb')); "
             "print(loss.grad_hess(np.array([0.0, 1.0]), np.array([1.0, 1.0]))[0].tolist(), "
             "loss.loss(np.array([0.0]), np.array([1.0])).tolist())")
    out = subprocess.run([sys.executable, "-c", check, str(path)], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[2.0, 0.0] [1.0]"


def test_log_link_start_scores_of_tiny_labels():
    y = np.array([1e-9, 2e-9, 3e-9])
    for loss in (bo.Gamma(), bo.Poisson(), bo.Tweedie()):
        assert loss.init_score(y) == pytest.approx(np.log(2e-9), rel=1e-12)
    assert bo.Poisson().loss([1e-300], [30.0])[0] == pytest.approx(np.exp(30.0) - 1e-300 * (30 + 690.7755), rel=1e-9)
    assert bo.Gamma(hessian=0.1) != bo.Gamma() and bo.Tweedie(hessian=0.1).grad_hess([0.0], [-30.0])[1][0] == 0.1


def test_dask_quantiles_are_the_local_ones():
    da = pytest.importorskip("dask.array")
    import boostobj.dask as bd

    for y, loss in (([0.0, 1, 2, 3], bo.AbsoluteError()), ([0.0, 1, 2, 3], bo.Quantile(alpha=0.75)),
                    ([-1e300, 0, 1, 2, 1e300], bo.AbsoluteError())):
        y = np.array(y)
        assert bd.init_score(loss, da.from_array(y, chunks=2)) == loss.init_score(y)


def test_loss_metrics_refuse_impossible_predictions_and_huge_weights():
    with pytest.raises(ValueError, match="means >= 0 for the log link"):
        bo.Poisson().metric(from_margin=False)([0.0, 2, 3], [-5.0, 2, 3])
    w = np.full(3, 1e308)
    for metric in (M.MAE(), M.RMSE(), M.WAPE(), M.Pinball(0.5), bo.Huber().metric()):
        assert metric([1.0, 2, 3], [1.5, 2, 2], sample_weight=w) == pytest.approx(metric([1.0, 2, 3], [1.5, 2, 2]))


def test_estimator_constructor_takes_loss_parameters(reg_data):
    from sklearn.base import clone

    X, y, _ = reg_data
    est = bo.BoostRegressor(loss="huber", loss__delta=2.0, n_estimators=2)
    assert clone(est).get_params()["loss__delta"] == 2.0
    assert est.fit(X, y).loss_ == bo.Huber(delta=2.0)


def test_xgboost_start_margins_beyond_float32_base_score_are_clamped_not_broken():
    X = np.random.default_rng(0).normal(size=(50, 2))
    d = xgb.DMatrix(X, label=np.zeros(50))
    booster = box.train({"max_depth": 1, "eta": 0.0}, d, bo.Logistic(), 1)  # start -16.1: clamped to -13.8
    np.testing.assert_allclose(booster.predict(d, output_margin=True), -13.8, atol=1e-3)
    booster = box.train({"max_depth": 1, "eta": 0.0}, xgb.DMatrix(X, label=np.ones(50)), bo.Poisson(), 1,
                        init_score=100.0)
    np.testing.assert_allclose(booster.predict(xgb.DMatrix(X), output_margin=True), 80.0, rtol=1e-5)


def test_string_labels_get_the_encoding_hint():
    with pytest.raises(TypeError, match="encode class labels as 0..k-1"):
        bo.SoftmaxCrossEntropy().init_score(["a", "b"])


def test_float32_inputs_are_computed_in_float64():
    # Before: numba's float() keeps a float32 a float32, so with float32 labels and margins the
    # drivers formed z - y in float32 (SquaredError value 3.4321997 instead of 3.4322000 here).
    y, z = np.array([0.38], np.float32), np.array([3.0], np.float32)
    for loss in (bo.SquaredError(), bo.Huber(delta=0.5), bo.LogCosh()):
        np.testing.assert_array_equal(loss.loss(y, z), loss.loss(y, z.astype(np.float64)))
        g32, h32 = loss.grad_hess(y, z)
        g64, h64 = loss.grad_hess(y, z.astype(np.float64))
        np.testing.assert_array_equal(g32, g64.astype(np.float32))
        np.testing.assert_array_equal(h32, h64.astype(np.float32))


def test_unweighted_quantile_start_is_the_cumulative_count_order_statistic():
    """The unweighted start score is found by selection (O(n)); it must be the label the weighted
    definition (smallest label with count(y <= c) >= alpha n) gives with unit weights."""
    from boostobj._start import weighted_quantile

    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 7, 10, 100, 1001):
        for y in (rng.normal(size=n), rng.integers(0, 3, size=n).astype(np.float64)):  # with ties
            for alpha in (1e-9, 0.1, 0.25, 0.5, 0.7, 0.9, 1 - 1e-9):
                assert weighted_quantile(y, np.empty(0), alpha) == weighted_quantile(y, np.ones(n), alpha), (n, alpha)


@pytest.mark.parametrize("domain, outside", [
    (domains.NonNegative(), -1e-300), (domains.Positive(), 0.0), (domains.UnitInterval(), 1.0 + 2e-16),
    (domains.UnitInterval(), -0.0 - 1e-300), (domains.Binary(), 0.5), (domains.NonZero(), 0.0),
    (domains.Classes(), 1.5), (domains.Real(), None)], ids=repr)
def test_the_fast_domain_test_agrees_with_bad(domain, outside):
    # check() answers valid labels with all_valid (min / max reductions for intervals) and only then
    # locates the row with bad(): both must agree, at the domain's very edges too
    rng = np.random.default_rng(0)
    y = domain.sample(rng, 1000, n_classes=3)
    assert domain.all_valid(y, 3) and not domain.bad(y, 3).any()
    domain.check(y, n_classes=3)
    if outside is None:
        return
    y[617] = outside
    assert not domain.all_valid(y, 3) and domain.bad(y, 3).any()
    with pytest.raises(ValueError, match="at row 617"):
        domain.check(y, n_classes=3)


# -- findings of the review of 2026-12-07: each failed (or returned NaN / inf / a wrong value) before ---
@pytest.mark.parametrize("call, match", [
    (lambda: M.MAE()([], []), "mae: no rows"),
    (lambda: M.WAPE()([], []), "wape: no rows"),  # was 0.0, a perfect score
    (lambda: M.MulticlassLogLoss(from_margin=True)(np.zeros(0), np.zeros((0, 3))), "no rows"),
    (lambda: M.MulticlassLogLoss(from_margin=False)([0, 1], [[0.2, 0.8], [0.4, 0.6]], np.zeros(2)),
     "sample_weight sums to zero"),
    (lambda: M.MAPE(zero="skip")([0.0, 1.0], [1.0, 1.0], [1.0, 0.0]), "sample_weight sums to zero"),
    (lambda: bo.Huber().mean_loss(np.zeros(0), np.zeros(0)), r"no rows: the mean loss of Huber"),
    (lambda: bo.Dice().mean_loss(np.zeros(0), np.zeros(0)), "no rows"),  # said "sample_weight sums to zero"
])
def test_empty_inputs_and_zero_weights_raise_instead_of_nan(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Mean of empty slice" on the way
        with pytest.raises(ValueError, match=match):
            call()


def test_metrics_of_large_finite_values_are_exact_or_refused():
    assert M.RMSE()([1e160], [0.0]) == pytest.approx(1e160, rel=1e-15)  # the square overflowed: inf
    assert M.RMSE()([3e200, 0.0], [0.0, 4e200]) == pytest.approx(np.sqrt(12.5) * 1e200, rel=1e-15)
    assert M.SMAPE()([1e308], [-1e308]) == 2.0  # inf / inf: NaN
    assert M.WAPE()([1e308, 1e308], [0.0, 0.0]) == 1.0  # both sums overflowed: NaN
    assert M.MAE()([1e308], [-1e307]) == pytest.approx(1.1e308, rel=1e-15)  # y - p overflows, the mean does not
    assert M.MAPE()([1e308], [-1e308]) == 2.0
    with pytest.raises(ValueError, match="mae: the metric is not representable in float64"):
        M.MAE()([1e308, -1e308], [-1e308, 1e308])  # 2e308: was inf with a warning
    # means of large terms, and scales set by rows of positive weight only
    assert M.MAE()([1e308, 1e308], [0.0, 0.0]) == 1e308
    assert M.MAPE()([1.0, 1.0], [1e308, 1e308]) == pytest.approx(1e308, rel=1e-15)
    assert M.MAE()([1e305], [0.0], [1e4]) == 1e305
    assert M.RMSE()([1e200, 1e-10], [0.0, 0.0], [0.0, 1.0]) == pytest.approx(1e-10, rel=1e-15)
    # ordinary values: the same numbers as scikit-learn
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error
    rng = np.random.default_rng(0)
    y, p, w = rng.normal(size=50), rng.normal(size=50), rng.uniform(0.1, 2.0, 50)
    assert M.RMSE()(y, p, w) == pytest.approx(root_mean_squared_error(y, p, sample_weight=w), rel=1e-13)
    assert M.MAE()(y, p, w) == pytest.approx(mean_absolute_error(y, p, sample_weight=w), rel=1e-13)


@pytest.mark.parametrize("where", ["raw", "y", "sample_weight"])
def test_complex_inputs_are_refused(where):
    args = {"y": np.array([0.0, 1.0, 2.0]), "raw": np.zeros(3), "sample_weight": np.ones(3)}
    args[where] = args[where] + 1j  # cast to real, the imaginary part was dropped with only a warning
    with pytest.raises(TypeError, match=rf"{where} must be numeric \(real numbers\), got dtype complex128"):
        bo.SquaredError().grad_hess(args["y"], args["raw"], args["sample_weight"])
    with pytest.raises(TypeError, match="real numbers"):
        M.MAE()(np.array([1.0, 2.0]) + 1j, [1.0, 2.0])


def test_weights_of_a_few_ulps_give_the_unweighted_results():
    tiny = np.full(5, 5e-324)
    y, p = np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1.5, 2.0, 2.0, 4.0, 6.0])
    assert M.MAE()(y, p, tiny) == M.MAE()(y, p)  # was 0.0
    assert bo.Quantile().init_score(y, tiny) == 3.0  # was 2.0
    assert bo.Huber().mean_loss(y, p, tiny) == pytest.approx(bo.Huber().mean_loss(y, p), rel=1e-15)


def test_posteriors_with_a_huge_prior_shift_stay_probabilities():
    raw = np.array([-800.0, 0.0, 3.0, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(bo.Focal().posterior(raw, prior_shift=1e308), [0.0, 1.0, 1.0, 1.0])  # was NaN
        np.testing.assert_array_equal(bo.Focal().posterior(raw, prior_shift=-1e308), [0.0, 0.0, 0.0, 1.0])
        p = bo.SoftmaxFocal().posterior(np.array([[0.0, 1.0, 2.0], [5.0, -900.0, 3.0]]),
                                        prior_shift=np.array([0.0, 1e308, -1e308]))
    np.testing.assert_array_equal(p, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    # moderate shifts: the direct product, Bayes' rule with shifted priors
    p0 = bo.SoftmaxFocal().posterior(np.array([[0.0, 1.0, 2.0]]))
    q = p0 * np.exp([0.0, 1.0, 2.0])
    np.testing.assert_allclose(bo.SoftmaxFocal().posterior(np.array([[0.0, 1.0, 2.0]]), prior_shift=np.array([0.0, 1.0, 2.0])),
                               q / q.sum(), rtol=1e-14)


def test_classifier_prior_shift_must_be_a_bool(bin_data):
    X, y, _ = bin_data
    with pytest.raises(ValueError, match="prior_shift must be True or False, got 'no'"):
        bo.BoostClassifier(loss=bo.Focal(), n_estimators=2, prior_shift="no").fit(X, y)  # was: the shift applied


@pytest.mark.parametrize("loss", [bo.Dice(), bo.GHMC(), bo.GHMR()], ids=repr)
def test_batch_sums_that_overflow_name_the_weights(loss):
    # was: "statistics must be 4 finite floats (from loss.statistics), got shape (4,)", with no statistics passed
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"batch sums .* overflowed \(largest weight 1e\+308\): rescale sample_weight"):
        loss.grad_hess(y, np.zeros(5), np.full(5, 1e308))


def test_an_extreme_parameter_is_named_as_a_possible_cause():
    with pytest.raises(ValueError, match=r"SmoothL1\(beta=1e-320\).*parameters of the loss this extreme"):
        bo.SmoothL1(beta=1e-320).grad_hess(np.array([0.0, 2.0]), np.array([0.0, 0.0]))


def test_pinball_errors_name_the_metrics_arguments():
    with pytest.raises(ValueError, match="y_true has 3 rows but the predictions have 2"):  # said "y has 3 rows"
        M.Pinball()([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_pred contains a non-finite value at row 1"):
        M.Pinball()([1.0, 2.0], [1.0, np.nan])
    assert M.Pinball(alpha=0.9)([1.0, 2.0], [0.0, 3.0], [1.0, 3.0]) == pytest.approx((0.9 + 3 * 0.1) / 4)


def test_binary_loss_metrics_read_two_column_probabilities():
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])  # predict_proba's layout: was refused
    y = [0, 1, 1]
    assert bo.Logistic().metric(from_margin=False)(y, p) == pytest.approx(M.LogLoss(from_margin=False)(y, p), rel=1e-12)
    assert bo.Focal().metric(from_margin=False)(y, p) == bo.Focal().metric(from_margin=False)(y, p[:, 1])
    rows = np.array([[0.2, 0.2], [0.6, 0.2]])  # rows renormalised, as LogLoss and scikit-learn do
    assert bo.Logistic().metric(from_margin=False)([1, 0], rows) == pytest.approx(
        M.LogLoss(from_margin=False)([1, 0], rows), rel=1e-12)


def test_non_numeric_dataframe_columns_are_named(reg_data):
    pd = pytest.importorskip("pandas")
    X, y, _ = reg_data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["colour"] = pd.Categorical(np.where(y > 0, "red", "blue"))  # was: "could not convert string to float"
    for engine in ("xgboost", "lightgbm"):
        with pytest.raises(ValueError, match=r"numeric features; column\(s\) 'colour' \(category\) of X are not"):
            bo.BoostRegressor(engine=engine, n_estimators=2).fit(frame, y)
    frame["colour"] = pd.Categorical((y > 0).astype(int))  # categories that are numbers convert, as in scikit-learn
    bo.BoostRegressor(n_estimators=2).fit(frame, y).predict(frame)
    numbers_as_objects = pd.DataFrame(X.astype(object))  # so do object columns of numbers
    bo.BoostRegressor(n_estimators=2).fit(numbers_as_objects, y).predict(numbers_as_objects)


@pytest.mark.parametrize("loss", [bo.Poisson(), bo.Gamma(), bo.Tweedie()], ids=repr)
def test_log_link_predictions_beyond_float64_are_refused(loss):
    # was inf with only numpy's overflow warning (grad_hess refused the same margins by name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"prediction at row 1 is not representable in float64 \(raw margin 1e\+300\)"):
            loss.predict(np.array([0.0, 1e300]))
        assert np.isfinite(loss.predict(np.array([0.0, 700.0]))).all()


@pytest.mark.parametrize("loss", [bo.Huber(), bo.Focal(), bo.Poisson()], ids=repr)
def test_column_margins_give_column_gradients(loss):
    # (n, 1) margins gave (n,) gradients: g - target with an (n, 1) target broadcast to (n, n) silently
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    z = np.linspace(-1.0, 1.0, 5).astype(np.float32)
    g, h = loss.grad_hess(y, z[:, None])
    g1, h1 = loss.grad_hess(y, z)
    assert g.shape == h.shape == (5, 1) and g.dtype == np.float32
    np.testing.assert_array_equal(g[:, 0], g1)
    np.testing.assert_array_equal(h[:, 0], h1)
    for shape in ((5, 1), (5,)):  # out arrays of the margins' shape (was refused) or of their rows
        out = (np.full(shape, np.nan, np.float32), np.full(shape, np.nan, np.float32))
        assert loss.grad_hess(y, z[:, None], out=out)[0] is out[0]
        np.testing.assert_array_equal(out[0].ravel(), g1)
        np.testing.assert_array_equal(out[1].ravel(), h1)
    with pytest.raises(ValueError, match=r"out\[0\] must be a numpy array of shape \(5,\)"):
        loss.grad_hess(y, z, out=(np.empty((5, 1)), np.empty((5, 1))))


def test_catboost_protocol_checks_what_it_indexes():
    # called directly with inconsistent arrays the compiled driver read past their ends (garbage rows)
    z, y = np.array([0.1, 0.2, 0.3]), np.array([0.0, 1.0, 1.0], np.float32)
    for targets, weights in ((y, np.ones(1, np.float32)), (y[:2], None)):
        with pytest.raises(ValueError, match="approxes, targets and weights .* of one length"):
            bo.Logistic().calc_ders_range(z, targets, weights)
    with pytest.raises(ValueError, match="CatBoost passed 3 margins per row but .* has 2 classes"):
        bo.SoftmaxCrossEntropy(class_weight=[1, 2]).calc_ders_multi(z, 1.0, 1.0)  # was a silent answer
    with pytest.raises(ValueError, match="binary loss: CatBoost calls it through calc_ders_range"):
        bo.Logistic().calc_ders_multi(z, 1.0, 1.0)  # was KeyError
    as_list = bo.SoftmaxCrossEntropy().calc_ders_multi(list(z), 1.0, 1.0)  # was a numba TypingError
    assert as_list == bo.SoftmaxCrossEntropy().calc_ders_multi(z, 1.0, 1.0)


@pytest.mark.parametrize("loss", [bo.SquaredError(), bo.Focal(), bo.GHMC(), bo.Dice(), bo.SoftmaxCrossEntropy()],
                         ids=repr)
def test_out_arrays_over_shifted_inputs(loss):
    # a gradient written one row ahead of the margins it reads gave zeros (SquaredError) or worse
    k = 3 if loss.task == "multiclass" else 1
    y = np.array([0.0, 1.0, 2.0, 1.0, 0.0]) if k > 1 else np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    buffer = np.linspace(-2.0, 2.0, 6 * k).reshape((6, k) if k > 1 else 6)
    start = buffer.copy()
    want = loss.grad_hess(y, start[:5])
    for out in ((buffer[1:], np.empty_like(buffer[:5])), (np.empty_like(buffer[:5]), buffer[:5])):
        buffer[:] = start
        got = loss.grad_hess(y, buffer[:5], out=out)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_class_balanced_counts_soft_labels_as_bind_does():
    # without counts, a call counted int(y): 0.9 went to class 0, and training disagreed with init_score
    y, z = np.array([0.0, 0.9, 0.9, 0.9]), np.zeros(4)
    loss = bo.ClassBalanced()
    np.testing.assert_allclose(loss.loss(y, z), loss.bind(y).loss(y, z), rtol=1e-15)
    assert abs(loss.grad_hess(y, np.full(4, loss.init_score(y)))[0].sum()) < 1e-12


def test_class_weights_read_a_series_by_its_index_and_refuse_non_numbers():
    pd = pytest.importorskip("pandas")
    y = np.array([0.0, 1.0, 1.0, 1.0])
    balanced = len(y) / (2 * pd.Series(y).value_counts())  # index [1.0, 0.0]: was read by position
    np.testing.assert_array_equal(bo.Logistic(class_weight=balanced).grad_hess(y, np.zeros(4))[0],
                                  bo.Logistic(class_weight=balanced.to_dict()).grad_hess(y, np.zeros(4))[0])
    xgb = pytest.importorskip("xgboost")
    import boostobj.xgboost as box
    X = np.random.default_rng(0).normal(size=(4, 2))
    box.train({}, xgb.DMatrix(X, label=y), bo.Logistic(class_weight=balanced), 2)  # the Series is kept as a dict
    assert bo.Logistic(class_weight=balanced) == bo.Logistic(class_weight=balanced.to_dict())
    counts = pd.Series(y).value_counts()  # index [1.0, 0.0]
    np.testing.assert_array_equal(bo.ClassBalanced(counts=counts).grad_hess(y, np.zeros(4))[0],
                                  bo.ClassBalanced(counts=[1, 3]).grad_hess(y, np.zeros(4))[0])
    for bad in (["1", "2", "3"], [True, True, False], [True, 2.0], "foo"):  # strings and bools converted silently
        with pytest.raises(ValueError, match=r"class_weight must be one positive weight \(a number\) per class"):
            bo.SoftmaxCrossEntropy(class_weight=bad)
    for bad in (["3", "4"], [True, 3]):
        with pytest.raises(ValueError, match="counts must be one non-negative count per class"):
            bo.ClassBalanced(counts=bad)


def test_softmax_focal_start_does_not_depend_on_the_weights_scale():
    # weights summing to 1e-10 or less stopped the k-D Newton at once: SoftmaxCrossEntropy's start (2e-4 .. 0.2 off)
    rng = np.random.default_rng(1)
    y, w = rng.integers(0, 3, 40).astype(float), rng.uniform(0.1, 5.0, 40)
    want = bo.SoftmaxFocal().init_score(y, sample_weight=w)
    for scale in (1e-10, 1e-100, 1e100):
        got = bo.SoftmaxFocal().init_score(y, sample_weight=w * scale)
        np.testing.assert_allclose(got - got[0], want - want[0], atol=1e-9)


@pytest.mark.parametrize("temperature", [1e20, 1e7, 1e-310, 1e-7])
def test_soft_target_temperature_outside_its_accurate_range_is_refused(temperature):
    # T = 1e20 gave [[0, 0, 11102.2]] for gradients of order 1 summing to 0; a subnormal T gave NaN targets
    with pytest.raises(ValueError, match=r"temperature must be in \[1e-06, 1e\+06\]"):
        bo.SoftTargetCrossEntropy(np.array([[0.2, 0.3, 0.5]]), temperature=temperature)


@pytest.mark.parametrize("loss", [bo.SquaredError(), bo.Poisson(), bo.Quantile(alpha=0.3)], ids=repr)
def test_xgboost_continued_training_keeps_the_models_start(loss):
    # xgb_model=b1 with new labels replaced b1's base_score: every old tree's prediction moved (by 50 here)
    xgb = pytest.importorskip("xgboost")
    import boostobj.xgboost as box
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.exp(X[:, 0]) + 1.0
    params = {"max_depth": 2, "eta": 0.3, "nthread": 1}
    first = box.train(params, xgb.DMatrix(X, label=y), loss, 5)
    more = box.train(params, xgb.DMatrix(X, label=y + 50.0), loss, 1, xgb_model=first)
    np.testing.assert_array_equal(more.predict(xgb.DMatrix(X), output_margin=True, iteration_range=(0, 5)),
                                  first.predict(xgb.DMatrix(X), output_margin=True))
    with pytest.raises(ValueError, match="init_score with xgb_model"):
        box.train(params, xgb.DMatrix(X, label=y), loss, 1, xgb_model=first, init_score=0.0)


def test_xgboost_train_refuses_a_dmatrix_with_a_base_margin():
    # training started from the base_margin, predictions on new data from base_score: shifted silently
    xgb = pytest.importorskip("xgboost")
    import boostobj.xgboost as box
    X, y = np.random.default_rng(0).normal(size=(50, 2)), np.arange(50.0)
    with pytest.raises(ValueError, match="has a base_margin"):
        box.train({}, xgb.DMatrix(X, label=y, base_margin=np.zeros(50)), bo.SquaredError(), 2)
    with pytest.raises(ValueError, match="has a base_margin"):
        box.train({}, xgb.DMatrix(X, label=y), bo.SquaredError(), 2,
                  evals=[(xgb.DMatrix(X, label=y, base_margin=np.zeros(50)), "valid")])


def test_lightgbm_linear_trees_are_refused():
    # linear leaves ignore the leaf values the start score is folded into: predictions of mean 0 for labels of mean 100
    lgb = pytest.importorskip("lightgbm")
    import boostobj.lightgbm as bol
    X = np.random.default_rng(0).normal(size=(200, 3))
    y = 100.0 + 5.0 * X[:, 0]
    for params, data_params in (({"linear_tree": True}, None), ({"linear_trees": True}, None),
                                ({}, {"linear_tree": True})):
        with pytest.raises(ValueError, match="linear_tree=True is not supported"):
            bol.train({"verbose": -1, **params}, lgb.Dataset(X, label=y, params=data_params), bo.SquaredError(), 3)
    with pytest.raises(ValueError, match="linear_tree=True is not supported"):
        bo.BoostClassifier(engine="lightgbm", linear_tree=True, n_estimators=2).fit(X, y > 100)


@pytest.mark.parametrize("n_jobs", [0, 1.5, True, "2"])
def test_estimators_refuse_meaningless_n_jobs(n_jobs):
    # n_jobs=0 killed the process on CatBoost (SIGFPE), before any Python error
    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(ValueError, match="n_jobs must be None, a positive number of threads or negative"):
        bo.BoostClassifier(engine="catboost", n_jobs=n_jobs, n_estimators=2).fit(X, X[:, 0] > 0)


def test_engine_keywords_that_would_be_ignored_or_misread(recwarn):
    # scale_pos_weight / is_unbalance did nothing (bit-identical probabilities); LightGBM's binary_logloss ran on
    # raw margins and drove early stopping; gamma=5 went to XGBoost (min_split_loss) and Focal kept gamma=2
    lgb, xgb = pytest.importorskip("lightgbm"), pytest.importorskip("xgboost")
    import boostobj.lightgbm as bol
    import boostobj.xgboost as box
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(float)
    for engine, keyword in (("xgboost", {"scale_pos_weight": 10}), ("lightgbm", {"is_unbalance": True}),
                            ("catboost", {"auto_class_weights": "Balanced"})):
        with pytest.raises(ValueError, match="has no effect with a custom objective"):
            bo.BoostClassifier(engine=engine, n_estimators=2, **keyword).fit(X, y)
    with pytest.raises(ValueError, match="has no effect with a custom objective"):
        box.train({"scale_pos_weight": 3}, xgb.DMatrix(X, label=y), bo.Logistic(), 2)
    with pytest.raises(ValueError, match="has no effect with a custom objective"):
        bol.train({"is_unbalance": True, "verbose": -1}, lgb.Dataset(X, label=y), bo.Logistic(), 2)
    with pytest.raises(ValueError, match="built-in metrics on the raw margins"):
        bo.BoostClassifier(engine="lightgbm", metric="binary_logloss", n_estimators=2).fit(X, y)
    bo.BoostRegressor(engine="lightgbm", metric="l2", n_estimators=2).fit(X, X[:, 0])  # identity link: right scale
    with pytest.warns(UserWarning, match=r"gamma=5 goes to xgboost as its own parameter, not to Focal\(\)"):
        bo.BoostClassifier(loss="focal", gamma=5, n_estimators=2).fit(X, y)


@pytest.mark.parametrize("dtype", [np.float16, np.bool_])
def test_lightgbm_leaf_refresh_reads_features_as_lightgbm_does(dtype):
    # float16 / bool features were a numba TypingError in the refresh's tree walk
    pytest.importorskip("lightgbm")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2)).astype(dtype)
    y = X[:, 0].astype(np.float64) + rng.normal(size=300)
    import boostobj.lightgbm as bol
    model = bo.BoostRegressor(loss="quantile", engine="lightgbm", n_estimators=3).fit(X, y)
    for tree in range(model.booster_.num_trees()):  # the refresh walk puts every row in the leaf LightGBM does
        arrays, _ = bol._tree_of(model.booster_, tree)
        np.testing.assert_array_equal(bol._tree_leaves(bol._dense(X), *arrays)[0],
                                      model.booster_.predict(X, pred_leaf=True)[:, tree])


def test_log_link_labels_beyond_the_exact_exponential_are_refused():
    # Poisson with labels of 1e23 trained towards margins in the continued exponential's range: predictions were
    # 1e4 times the labels, without a word
    with pytest.raises(ValueError, match=r"non-negative numbers up to e\^50 .* for Poisson\(\), got 1e\+23 at row 1"):
        bo.Poisson().grad_hess(np.array([1.0, 1e23]), np.zeros(2))
    with pytest.raises(ValueError, match=r"up to e\^50 .* for Tweedie"):
        bo.Tweedie().init_score(np.array([1.0, 1e23]))
    with pytest.raises(ValueError, match=r"positive numbers from e\^-50 .* for Gamma\(\), got 1e-23 at row 0"):
        bo.Gamma().grad_hess(np.array([1e-23, 1.0]), np.zeros(2))
    y = np.array([0.0, 5e21])  # within: the start is the optimum, and predicts the mean
    assert bo.Poisson().predict(np.array([bo.Poisson().init_score(y)]))[0] == pytest.approx(y.mean(), rel=1e-12)


def test_mean_losses_near_the_float64_limit():
    # the sum overflowed where the mean is representable: inf for a mean of 1.125e308
    assert bo.SquaredError().mean_loss(np.full(2, 1.5e154), np.zeros(2)) == pytest.approx(1.125e308, rel=1e-15)
    assert M.Pinball(alpha=0.9)(np.full(2, 1.7e308), np.zeros(2)) == pytest.approx(0.9 * 1.7e308, rel=1e-15)
    assert M.LogLoss(from_margin=True)(np.zeros(2), np.full(2, 1.7e308)) == pytest.approx(1.7e308, rel=1e-15)
    values = np.random.default_rng(0).uniform(0.0, 3.0, 7)  # the scaling is by a power of two: exact
    assert bo.SquaredError().mean_loss(values, np.zeros(7)) == np.mean(values ** 2 / 2)


def test_focal_gamma_is_bounded_where_the_powers_would_underflow_together():
    # Focal(gamma=1100).predict(0) was NaN (0 / 0 of two underflowed powers); up to 1000 they stay normal
    for loss in (bo.Focal(gamma=1000.0), bo.ClassBalanced(base="focal", gamma=1000.0, counts=[3, 1])):
        p = loss.predict(np.array([-700.0, -30.0, 0.0, 30.0, 700.0]))
        assert np.isfinite(p).all() and (np.diff(p) >= 0).all()
    assert np.isfinite(bo.SoftmaxFocal(gamma=1000.0).predict(np.array([[0.0, 0.0, 0.0], [30.0, 0.0, -30.0]]))).all()
    for make in (lambda: bo.Focal(gamma=1100), lambda: bo.SoftmaxFocal(gamma=2000),
                 lambda: bo.ClassBalanced(base="focal", gamma=1e300)):
        with pytest.raises(ValueError, match=r"gamma must be >= 0 and <= 1000"):
            make()


def test_start_scores_with_class_weights_near_the_float64_limit():
    # the weighted class totals overflowed: NaN start scores, with numpy's warnings only
    y, yk = np.array([0.0, 1.0, 1.0]), np.array([0.0, 1.0, 1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bo.Logistic(class_weight=[1e308, 1e308]).init_score(y) == bo.Logistic().init_score(y)
        np.testing.assert_allclose(bo.SoftmaxCrossEntropy(class_weight=[1e308] * 3).init_score(yk),
                                   bo.SoftmaxCrossEntropy().init_score(yk), rtol=1e-15)
        assert np.isfinite(bo.Logistic(pos_weight=1.7e308).init_score(y))


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm", "catboost"])
def test_multiclass_losses_on_two_classes(engine):
    # decision_function gave (n, 2): roc_auc scoring NaN; CatBoost failed inside ("baselines data size (2) ...")
    X = np.random.default_rng(0).normal(size=(80, 2))
    y = (X[:, 0] > 0).astype(int)
    model = bo.BoostClassifier(loss="softmax", engine=engine, n_estimators=3)
    if engine == "catboost":
        with pytest.raises(ValueError, match="on 2 classes: CatBoost trains a custom objective on two classes"):
            model.fit(X, y)
        return
    scores = model.fit(X, y).decision_function(X)
    assert scores.shape == (80,)
    np.testing.assert_array_equal(scores > 0, model.predict(X) == 1)


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm"])
def test_eval_sets_are_checked_as_training_data_is(engine):
    # LightGBM read a NaN eval label as 0 (early stopping on it); NaN eval weights said "sums to zero" or
    # "Weights must be positive"; too few weight arrays gave IndexError; a bare array, a JSON error
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = X[:, 0].copy()
    bad_y = y[:50].copy()
    bad_y[3] = np.nan
    model = bo.BoostRegressor(engine=engine, n_estimators=2)
    cases = [({"eval_set": [(X[:50], bad_y)]}, r"eval_set\[0\] y contains a non-finite label \(nan\) at row 3"),
             ({"eval_set": [(X[:50], y[:50])], "eval_sample_weight": [np.full(50, np.nan)]},
              r"eval_sample_weight\[0\] must be finite and non-negative"),
             ({"eval_set": [(X[:50], y[:50])], "eval_sample_weight": [np.zeros(50)]}, "sums to zero"),
             ({"eval_set": [(X[:50], y[:50])] * 2, "eval_sample_weight": [np.ones(50)]}, "one weight array .* per"),
             ({"eval_set": [(X[:50], y[:50])], "eval_sample_weight": np.ones(50)}, "must be a list")]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            model.fit(X, y, **kwargs)
    with pytest.raises(ValueError, match=r"eval_set\[0\] y must contain non-negative numbers"):
        bo.BoostRegressor(loss="poisson", engine=engine, n_estimators=2).fit(X, np.abs(y), eval_set=[(X, y)])


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm", "catboost"])
def test_weights_beyond_float32_are_refused_by_the_estimators(engine):
    # XGBoost said "Weights must be positive values", CatBoost blamed a derivative, LightGBM trained on inf
    X = np.random.default_rng(0).normal(size=(40, 2))
    w = np.ones(40)
    w[7] = 1e39
    with pytest.raises(ValueError, match=r"sample_weight has a weight beyond the float32 range \(1e\+39 at row 7\)"):
        bo.BoostRegressor(engine=engine, n_estimators=2).fit(X, X[:, 0], sample_weight=w)


def test_set_params_applies_loss_parameters_to_the_new_loss():
    # set_params(loss__gamma=1.0, loss="focal") on an estimator holding a loss object: AttributeError ('str' ...)
    X = np.random.default_rng(0).normal(size=(60, 2))
    for params in ({"loss__gamma": 1.0, "loss": "focal"}, {"loss": "focal", "loss__gamma": 1.0},
                   {"loss__gamma": 1.0, "loss": bo.Focal(gamma=3.0)}):
        model = bo.BoostClassifier(loss=bo.Focal(), n_estimators=2).set_params(**params)
        assert model.fit(X, X[:, 0] > 0).loss_.gamma == 1.0


@pytest.mark.parametrize("keyword, match", [
    ({"eta": 0.5}, "engine's name for the estimator's learning_rate"), ({"num_threads": 1}, "n_jobs"),
    ({"seed": 3}, "random_state"), ({"num_iterations": 7}, "n_estimators"),
    ({"num_class": 5}, "is set by the estimator"), ({"objective": "binary"}, "is set by the estimator")])
def test_engine_aliases_of_the_estimators_settings_are_refused(keyword, match):
    # LightGBM's eta= lost to learning_rate=0.1 silently; num_class=5 on a binary problem gave engine errors
    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(ValueError, match=match):
        bo.BoostClassifier(engine="lightgbm", n_estimators=2, **keyword).fit(X, X[:, 0] > 0)


def test_class_counts_and_tweedie_power_are_checked_with_the_right_message():
    # n_classes=0 said "class indices in 0..-1", '3' and 2.5 were accepted, 10**12 a MemoryError, a label of 1e300 a
    # 300-digit class range; Tweedie(power=-1) said "must be > 0 and < 2"
    for n in (0, "3", 2.5, True, 10 ** 12):
        with pytest.raises(ValueError, match=r"n_classes \(num_class, classes_count\) must be an integer from 2"):
            bo.SoftmaxCrossEntropy().init_score(np.array([0.0, 1.0]), n_classes=n)
    with pytest.raises(ValueError, match=r"= 1 for SoftmaxCrossEntropy\(\), a multiclass loss"):
        bo.SoftmaxCrossEntropy().init_score(np.array([0.0, 1.0]), n_classes=1)
    with pytest.raises(ValueError, match=r"class indices in 0..16777215 .* got 1e\+300 at row 1"):
        bo.SoftmaxCrossEntropy().init_score(np.array([0.0, 1e300]))
    for power in (-1, 2, float("nan")):
        with pytest.raises(ValueError, match=r"power must be in the open interval \(1, 2\)"):
            bo.Tweedie(power=power)


def test_weights_beside_an_engine_data_set_are_refused():
    xgb = pytest.importorskip("xgboost")
    X = np.random.default_rng(0).normal(size=(20, 2))
    data = xgb.DMatrix(X, label=X[:, 0])
    with pytest.raises(ValueError, match="sample_weight given with a DMatrix / Dataset"):  # was ignored silently
        bo.SquaredError().metric()(np.zeros(20), data, sample_weight=np.ones(20))
    with pytest.raises(ValueError, match="sample_weight given with a DMatrix / Dataset"):
        bo.SquaredError()(np.zeros(20), data, sample_weight=np.ones(20))


def test_engine_keyword_checks_leave_legitimate_settings_alone():
    # found by the review of the keyword checks: metric="None" (no metric) was refused, a RandomState random_state
    # gave another seed (the check drew from it), num_class=1 (LightGBM's binary) was refused; max_iter slipped by
    lgb = pytest.importorskip("lightgbm")
    import boostobj.lightgbm as bol
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(float)
    bo.BoostClassifier(engine="lightgbm", metric="None", n_estimators=2).fit(X, y)
    state, once = np.random.RandomState(0), np.random.RandomState(0)
    bo.BoostRegressor(n_estimators=2, random_state=state).fit(X, X[:, 0])
    once.randint(np.iinfo(np.int32).max)  # the one seed the fit draws (the check drew a second one)
    assert state.randint(1 << 30) == once.randint(1 << 30)
    bol.train({"num_class": 1, "verbose": -1, "min_data_in_leaf": 1}, lgb.Dataset(X, label=y), bo.Logistic(), 2)
    with pytest.raises(ValueError, match="n_estimators"):
        bo.BoostRegressor(engine="lightgbm", n_estimators=3, max_iter=7).fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"= 5 for Logistic\(\), a binary loss"):
        bo.Logistic().init_score(y, n_classes=5)
    weights = np.ones((1, 60))  # one row per eval set, as an array
    bo.BoostRegressor(n_estimators=2).fit(X, X[:, 0], eval_set=[(X, X[:, 0])], eval_sample_weight=weights)


def _relative_error(got, want):
    return abs(got - float(want)) / abs(float(want))


def test_loss_values_near_their_optimum_keep_their_digits():
    # textbook forms cancelled near the optimum (mpmath, 60 digits): log-cosh 8.9e-5 relative at r = 1e-6; Tweedie
    # 1e-3 at power 1.5, 1.1e-4 at power 1.999999, 1.9e-5 at 1 + 1e-9, 0.0 for 4.8e-3 at 2 - 2^-52; Poisson 0.64 at
    # a label of 1e18 (the stable form stopped at z = 40), Gamma 0.0 for 5e-15 at 1e-18
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 60
    for r in (1e-8, 1e-6, 1e-3, 0.5, 0.999, 1.0, 1.5, 30.0):
        got = bo.LogCosh().loss(np.array([0.0]), np.array([r]))[0]
        assert _relative_error(got, mp.log(mp.cosh(mp.mpf(r)))) < 4e-15, r
    for power, y, z in ((1.5, 1.0, 1e-6), (1.999999, 1.0, 1e-3), (1.0 + 1e-9, 1.0, 0.1), (2.0 - 2.0 ** -52, 1.0, 0.1),
                        (1.5, 3.0, 5.0), (1.3, 1e-300, 0.0), (1.7, 2.0, -3.0)):
        p, yy, zz = mp.mpf(power), mp.mpf(y), mp.mpf(z)
        a, b, mu = 1 - p, 2 - p, mp.e ** zz
        want = yy ** b / (a * b) - yy * mu ** a / a + mu ** b / b
        got = bo.Tweedie(power=power).loss(np.array([y]), np.array([z]))[0]
        assert _relative_error(got, want) < 1e-12, (power, y, z)
    for y, z in ((1e18, float(np.log(1e18)) + 1e-7), (4e17, float(np.log(4e17)) + 1e-6), (1.0, 1e-12)):
        yy, zz = mp.mpf(y), mp.mpf(z)
        got = bo.Poisson().loss(np.array([y]), np.array([z]))[0]
        assert _relative_error(got, mp.e ** zz - yy * zz - yy + yy * mp.log(yy)) < 1e-6, (y, z)  # log(y) rounds
    for y, z in ((1e-18, float(np.log(1e-18)) - 1e-7), (1.0, 1e-12)):
        yy, zz = mp.mpf(y), mp.mpf(z)
        got = bo.Gamma().loss(np.array([y]), np.array([z]))[0]
        assert _relative_error(got, yy / mp.e ** zz + zz - 1 - mp.log(yy)) < 1e-6, (y, z)


def test_derivatives_at_extreme_parameters():
    # Quantile / Expectile at alpha = 1e-17 gave g = 0 ((1 - a) - 1 cancels); Fair's c r overflowed (c = 10 and a
    # residual of 1e308, c = 1e305 and 1e4); Cauchy's value formed c * c (c > 1.3e154: every input failed)
    np.testing.assert_array_equal(bo.Quantile(alpha=1e-17).grad_hess(np.array([1.0]), np.array([0.0]))[0], [-1e-17])
    np.testing.assert_array_equal(bo.Expectile(alpha=1e-17).grad_hess(np.array([1.0]), np.array([0.0])),
                                  ([-2e-17], [2e-17]))
    assert bo.Fair(c=10.0).grad_hess(np.array([1e308]), np.array([0.0]))[0][0] == pytest.approx(-10.0, rel=1e-15)
    assert bo.Fair(c=1e305).grad_hess(np.array([0.0]), np.array([1e4]))[0][0] == pytest.approx(1e4, rel=1e-15)
    assert bo.Cauchy(c=1e155).loss(np.array([0.0]), np.array([1.0]))[0] == pytest.approx(0.5, rel=1e-12)
