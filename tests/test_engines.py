"""One loss object in the four engine APIs: parity with built-ins, weights, start scores."""
import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box

XP = {"max_depth": 3, "eta": 0.3, "tree_method": "hist"}
LP = {"verbose": -1, "num_leaves": 8, "learning_rate": 0.3, "min_data_in_leaf": 5, "num_threads": 2}


def margins(booster, X):
    return booster.predict(xgb.DMatrix(X), output_margin=True)


# -- parity with the engines' built-in objectives (same start score) ---------------------------
@pytest.mark.parametrize("builtin, loss, extra", [
    ("reg:squarederror", bo.SquaredError(), {}),
    ("reg:pseudohubererror", bo.PseudoHuber(delta=1.5), {"huber_slope": 1.5}),
])
def test_xgboost_regression_parity(reg_data, builtin, loss, extra):
    X, y, w = reg_data
    d = xgb.DMatrix(X, label=y, weight=w)
    params = {**XP, "base_score": 0.7}
    ref = xgb.train({**params, **extra, "objective": builtin}, d, 50)
    ours = xgb.train(params, d, 50, obj=loss)
    np.testing.assert_allclose(margins(ours, X), margins(ref, X), atol=1e-5)


def test_xgboost_logistic_and_softmax_parity(bin_data, multi_data):
    X, yb, w = bin_data
    d = xgb.DMatrix(X, label=yb, weight=w)
    ref = xgb.train({**XP, "objective": "binary:logistic", "base_score": 0.4}, d, 50)
    ours = xgb.train({**XP, "base_score": float(np.log(0.4 / 0.6))}, d, 50, obj=bo.Logistic())
    np.testing.assert_allclose(margins(ours, X), margins(ref, X), atol=1e-5)
    X, yk, w = multi_data
    d = xgb.DMatrix(X, label=yk, weight=w)
    ref = xgb.train({**XP, "objective": "multi:softprob", "num_class": 3, "base_score": 0.5}, d, 30)
    ours = xgb.train({**XP, "num_class": 3, "base_score": 0.5}, d, 30, obj=bo.SoftmaxCrossEntropy(hessian="xgboost"))
    np.testing.assert_allclose(margins(ours, X), margins(ref, X), atol=1e-5)


@pytest.mark.parametrize("builtin, loss, kind", [
    ("l2", bo.SquaredError(), "reg"),
    ("binary", bo.Logistic(), "bin"),
    ("multiclass", bo.SoftmaxCrossEntropy(hessian="lightgbm"), "multi"),
])
def test_lightgbm_parity(reg_data, bin_data, multi_data, builtin, loss, kind):
    X, y, w = {"reg": reg_data, "bin": bin_data, "multi": multi_data}[kind]
    extra = {"num_class": 3} if kind == "multi" else {}
    init = loss.init_score(y, w)
    init_rows = np.tile(init, (len(y), 1)) if kind == "multi" else np.full(len(y), init)

    def data():
        return lgb.Dataset(X, label=y, weight=w, init_score=init_rows)

    ref = lgb.train({**LP, **extra, "objective": builtin, "boost_from_average": False}, data(), 40)
    ours = lgb.train({**LP, **extra, "objective": loss}, data(), 40)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), ref.predict(X, raw_score=True), atol=1e-5)


@pytest.fixture(scope="module")
def positive_data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 4))
    mu = np.exp(0.6 * X[:, 0] - 0.4 * X[:, 1] + 0.5)
    counts = rng.poisson(mu).astype(np.float64)
    amounts = rng.gamma(2.0, mu / 2.0)
    compound = np.where(rng.uniform(size=400) < 0.3, 0.0, amounts)  # Tweedie: exact zeros and amounts
    return X, counts, amounts, compound, rng.uniform(0.5, 2.0, 400)


@pytest.mark.parametrize("loss, xgb_builtin, lgb_builtin, label", [
    # count:poisson also caps every leaf at max_delta_step 0.7 (a tree parameter XGBoost sets for it)
    (bo.Poisson(hessian="damped"), {"objective": "count:poisson", "max_delta_step": 0.7}, {"objective": "poisson"}, 1),
    (bo.Gamma(), {"objective": "reg:gamma"}, {"objective": "gamma"}, 2),
    (bo.Tweedie(power=1.3), {"objective": "reg:tweedie", "tweedie_variance_power": 1.3},
     {"objective": "tweedie", "tweedie_variance_power": 1.3}, 3),
], ids=repr)
def test_log_link_parity_with_builtins(positive_data, loss, xgb_builtin, lgb_builtin, label):
    X, y, w = positive_data[0], positive_data[label], positive_data[4]
    init = loss.init_score(y, w)
    assert init == pytest.approx(np.log(np.average(y, weights=w)))
    d = xgb.DMatrix(X, label=y, weight=w)
    ref = xgb.train({**XP, **xgb_builtin, "base_score": float(np.exp(init))}, d, 50)
    ours = box.train({**XP, **{k: v for k, v in xgb_builtin.items() if k != "objective"}}, d, loss, 50)
    np.testing.assert_allclose(margins(ours, X), margins(ref, X), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.predict(xgb.DMatrix(X)), np.exp(margins(ours, X)), rtol=1e-5)
    rows = np.full(len(y), init)
    ref = lgb.train({**LP, **lgb_builtin, "boost_from_average": False},
                    lgb.Dataset(X, label=y, weight=w, init_score=rows), 50)
    ours = lgb.train({**LP, "objective": loss}, lgb.Dataset(X, label=y, weight=w, init_score=rows), 50)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), ref.predict(X, raw_score=True), rtol=1e-6, atol=1e-6)


# -- weights are honoured in all four APIs ------------------------------------------------------
def test_sklearn_apis_honour_weights(reg_data):
    X, y, w = reg_data
    c = float(np.average(y, weights=w))
    ref = xgb.XGBRegressor(objective="reg:squarederror", base_score=c, n_estimators=30, max_depth=3)
    ours = xgb.XGBRegressor(objective=bo.SquaredError(), base_score=c, n_estimators=30, max_depth=3)
    ref.fit(X, y, sample_weight=w)
    ours.fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-5)
    unweighted = xgb.XGBRegressor(objective=bo.SquaredError(), base_score=c, n_estimators=30, max_depth=3).fit(X, y)
    assert np.abs(unweighted.predict(X) - ours.predict(X)).max() > 1e-2

    init = np.full(len(y), c)
    kw = dict(n_estimators=30, num_leaves=8, verbose=-1, min_child_samples=5)
    ref = lgb.LGBMRegressor(objective="l2", boost_from_average=False, **kw).fit(X, y, sample_weight=w, init_score=init)
    ours = lgb.LGBMRegressor(objective=bo.SquaredError(), **kw).fit(X, y, sample_weight=w, init_score=init)
    np.testing.assert_allclose(ours.predict(X, raw_score=True), ref.predict(X, raw_score=True), atol=1e-5)
    unweighted = lgb.LGBMRegressor(objective=bo.SquaredError(), **kw).fit(X, y, init_score=init)
    assert np.abs(unweighted.predict(X) - ours.predict(X)).max() > 1e-2


def test_objective_signature_matches_both_sklearn_wrappers():
    import inspect

    params = inspect.signature(bo.Focal()).parameters
    assert len(params) == 3            # LightGBM passes the weight as 3rd positional argument
    assert "sample_weight" in params   # XGBoost looks the keyword up by name


def test_lightgbm_classifier_multiclass_gradients_are_n_by_k(multi_data):
    X, y, w = multi_data
    clf = lgb.LGBMClassifier(objective=bo.SoftmaxCrossEntropy(), n_estimators=20, verbose=-1)
    clf.fit(X, y.astype(int), sample_weight=w)
    raw = clf.predict(X, raw_score=True)
    assert raw.shape == (len(y), 3)
    assert (np.argmax(raw, 1) == y).mean() > 0.8


def test_multiclass_loss_without_num_class_fails_clearly(multi_data):
    X, y, _ = multi_data
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_classes\)"):
        xgb.train(XP, xgb.DMatrix(X, label=y), 2, obj=bo.SoftmaxCrossEntropy())


# -- start scores through the helpers ------------------------------------------------------------
@pytest.mark.parametrize("loss, kind", [
    (bo.Huber(delta=0.5), "reg"), (bo.Quantile(alpha=0.8), "reg"), (bo.Focal(gamma=2.0), "bin"),
    (bo.Exponential(), "bin"), (bo.SoftmaxFocal(gamma=1.0), "multi"),
])
def test_xgboost_helper_starts_from_init_score(reg_data, bin_data, multi_data, loss, kind):
    X, y, w = {"reg": reg_data, "bin": bin_data, "multi": multi_data}[kind]
    init = loss.init_score(y, w)
    booster = box.train({"eta": 0.0, **{k: v for k, v in XP.items() if k != "eta"}},
                        xgb.DMatrix(X, label=y, weight=w), loss, 1)
    m = margins(booster, X)
    np.testing.assert_allclose(m, np.broadcast_to(init, m.shape), atol=2e-6 * (1 + np.max(np.abs(init))))
    if loss.link.xgboost_objective:  # the booster's own predict applies the link
        np.testing.assert_allclose(booster.predict(xgb.DMatrix(X)), loss.predict(m, link_only=True), rtol=1e-5,
                                   atol=1e-6)
    np.testing.assert_allclose(box.predict(booster, X, loss), loss.predict(m), rtol=1e-6)


@pytest.mark.parametrize("loss, kind", [
    (bo.Huber(delta=0.5), "reg"), (bo.Focal(gamma=2.0), "bin"), (bo.SoftmaxCrossEntropy(), "multi"),
])
def test_lightgbm_helper_folds_init_score_into_model(reg_data, bin_data, multi_data, loss, kind, tmp_path):
    X, y, w = {"reg": reg_data, "bin": bin_data, "multi": multi_data}[kind]
    init = loss.init_score(y, w)
    booster = bol.train(LP, lgb.Dataset(X, label=y, weight=w), loss, 20)
    # the same training by hand: init_score on the Dataset, added back to the raw predictions
    extra = {"num_class": 3} if kind == "multi" else {}
    rows = np.tile(init, (len(y), 1)) if kind == "multi" else np.full(len(y), init)
    manual = lgb.train({**LP, **extra, "objective": loss}, lgb.Dataset(X, label=y, weight=w, init_score=rows), 20)
    expected = manual.predict(X, raw_score=True) + init
    np.testing.assert_allclose(booster.predict(X, raw_score=True), expected, atol=1e-9)
    path = tmp_path / "model.txt"
    booster.save_model(str(path))
    reloaded = lgb.Booster(model_file=str(path))
    np.testing.assert_allclose(reloaded.predict(X, raw_score=True), expected, atol=1e-6)
    np.testing.assert_allclose(bol.predict(booster, X, loss), loss.predict(expected), rtol=1e-8)


def test_lightgbm_helper_reraises_a_failed_dataset_construction(reg_data):
    """A parameter LightGBM refuses while it constructs the Dataset leaves a null handle; clearing the
    start score on it afterwards crashed the process (segmentation fault) instead of raising."""
    X, y, _ = reg_data
    ds = lgb.Dataset(X, label=y)
    with pytest.raises(lgb.basic.LightGBMError, match="num_leaves"):
        bol.train({**LP, "num_leaves": -5}, ds, bo.SquaredError(), 3)
    assert ds.init_score is None
    with pytest.raises(lgb.basic.LightGBMError, match="num_leaves"):
        bo.BoostRegressor(engine="lightgbm", n_estimators=3, num_leaves=1).fit(X, y)


# -- engine behaviours that boostobj relies on (ENGINE_NOTES), pinned so a new version is noticed -
def test_engine_custom_objective_start_scores(reg_data):
    X, y, _ = reg_data
    b = xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=y + 100), 1, obj=bo.SquaredError())
    # XGBoost: a custom objective starts from base_score 0.5, never estimated
    first_leaf_shift = margins(b, X) - 0.5
    assert np.abs(first_leaf_shift).max() < 60
    b = lgb.train({**LP, "objective": bo.SquaredError()}, lgb.Dataset(X, label=y, init_score=np.full(len(y), 5.0)), 1)
    # LightGBM: predict() does not add the Dataset's init_score back
    assert np.abs(b.predict(X, raw_score=True)).max() < 5.0


def test_unsupported_combinations_raise():
    with pytest.raises(ValueError, match="objective"):
        box.train({"objective": "reg:squarederror"}, xgb.DMatrix(np.zeros((4, 1)), label=np.zeros(4)), bo.SquaredError())
    with pytest.raises(ValueError, match="objective"):
        bol.train({"objective": "l2"}, lgb.Dataset(np.zeros((4, 1)), label=np.zeros(4)), bo.SquaredError())


def test_loss_in_sklearn_wrappers_forwards_no_junk_parameters(reg_data):
    # A loss with a get_params() method made scikit-learn treat it as a nested estimator, so
    # XGBRegressor forwarded "objective__delta" to the booster ("Parameters ... are not used").
    X, y, _ = reg_data
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        xgb.XGBRegressor(objective=bo.Huber(delta=2.0), n_estimators=2).fit(X, y)
    assert not [w for w in caught if "not used" in str(w.message)]
    assert "objective__delta" not in xgb.XGBRegressor(objective=bo.Huber(delta=2.0)).get_params()


def test_logcosh_irls_hessian_trains_on_unscaled_targets():
    # With the exact sech^2 Hessian (1e-61 at residuals ~70) LightGBM's leaf steps exploded on the
    # diabetes data (RMSE 1306); the IRLS Hessian (used by the demo) keeps the steps bounded.
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    params = {"num_leaves": 8, "learning_rate": 0.05, "verbose": -1, "min_data_in_leaf": 5}
    booster = bol.train(params, lgb.Dataset(X, label=y), bo.LogCosh(hessian="irls"), 200)
    rmse = float(np.sqrt(np.mean((booster.predict(X, raw_score=True) - y) ** 2)))
    assert rmse < 60
    exact = bol.train(params, lgb.Dataset(X, label=y), bo.LogCosh(), 200)
    assert float(np.sqrt(np.mean((exact.predict(X, raw_score=True) - y) ** 2))) > 2 * rmse


def test_calls_from_an_engine_use_a_thread_per_half_million_rows(monkeypatch):
    """The engine's OpenMP threads spin right after its regions: a call from the training loop gets
    a thread only per drivers.ENGINE_MIN_ROWS_PER_THREAD rows (benchmarks/engine_threads.py)."""
    from boostobj import drivers

    chunks = []
    launch_ranges = drivers.launch_ranges

    def counting(driver, bounds, *args):
        chunks.append(len(bounds) - 1)
        return launch_ranges(driver, bounds, *args)

    monkeypatch.setattr(drivers, "launch_ranges", counting)
    threads = bo.get_num_threads()
    bo.set_num_threads(4)
    try:
        loss = bo.Focal()
        for n, direct, from_engine in ((200_000, 4, 1), (1_000_000, 4, 2)):
            y = (np.arange(n) % 2).astype(np.float32)
            z = np.zeros(n, np.float32)
            chunks.clear()
            loss.grad_hess(y, z)
            loss(y, z)  # the scikit-learn APIs' call of the engine objective
            assert chunks == [direct, from_engine]
        with pytest.raises(RuntimeError), drivers.engine_call():  # the context is restored on errors
            with drivers.engine_call():
                assert drivers.row_chunks(1_000_000).size - 1 == 2
            assert drivers.row_chunks(1_000_000).size - 1 == 2
            raise RuntimeError
        assert drivers.row_chunks(1_000_000).size - 1 == 4
    finally:
        bo.set_num_threads(threads)
