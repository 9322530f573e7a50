"""Metrics: values vs scikit-learn, conventions, and the four engine call patterns."""
import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from sklearn import metrics as skm

import boostobj as bo
from boostobj import metrics as M

rng = np.random.default_rng(0)
N = 1000
Y = rng.normal(3, 2, N)
P = Y + rng.normal(0, 1, N)
W = rng.uniform(0.1, 3, N)
YB = rng.integers(0, 2, N).astype(float)
ZB = rng.normal(0, 3, N)
YK = rng.integers(0, 4, N).astype(float)
ZK = rng.normal(0, 2, (N, 4))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("ours, theirs, y, p", [
    (M.MAE(), skm.mean_absolute_error, Y, P),
    (M.RMSE(), skm.root_mean_squared_error, Y, P),
    (M.MAPE(), skm.mean_absolute_percentage_error, Y, P),
    (M.Pinball(alpha=0.2), lambda y, p, sample_weight=None: skm.mean_pinball_loss(y, p, alpha=0.2, sample_weight=sample_weight), Y, P),
    (M.LogLoss(from_margin=True), lambda y, z, sample_weight=None: skm.log_loss(y, sigmoid(z), sample_weight=sample_weight), YB, ZB),
    (M.LogLoss(from_margin=False), skm.log_loss, YB, sigmoid(ZB)),
    (M.MulticlassLogLoss(from_margin=True), lambda y, z, sample_weight=None: skm.log_loss(y, softmax(z), sample_weight=sample_weight), YK, ZK),
    (M.MulticlassLogLoss(from_margin=False), skm.log_loss, YK, softmax(ZK)),
], ids=lambda v: repr(v) if isinstance(v, M.Metric) else "")
def test_matches_sklearn(ours, theirs, y, p, w):
    assert ours(y, p, sample_weight=w) == pytest.approx(theirs(y, p, sample_weight=w), rel=1e-9, abs=1e-12)


def test_direct_formulas():
    assert M.SMAPE()(Y, P) == pytest.approx(np.mean(2 * np.abs(Y - P) / (np.abs(Y) + np.abs(P))), rel=1e-12)
    assert M.SMAPE()(Y, P, sample_weight=W) == pytest.approx(
        np.average(2 * np.abs(Y - P) / (np.abs(Y) + np.abs(P)), weights=W), rel=1e-12)
    assert M.WAPE()(Y, P, sample_weight=W) == pytest.approx(np.sum(W * np.abs(Y - P)) / np.sum(W * np.abs(Y)), rel=1e-12)
    r = P - Y
    huber = np.where(np.abs(r) <= 1.5, r * r / 2, 1.5 * (np.abs(r) - 0.75))
    assert bo.Huber(delta=1.5).metric()(Y, P, sample_weight=W) == pytest.approx(np.average(huber, weights=W), rel=1e-12)
    assert bo.LogCosh().metric()(Y, P) == pytest.approx(np.mean(np.log(np.cosh(r))), rel=1e-12)
    pt = np.where(YB == 1, sigmoid(ZB), 1 - sigmoid(ZB))
    at = np.where(YB == 1, 0.25, 0.75)
    focal = -at * (1 - pt) ** 2 * np.log(pt)
    assert bo.Focal(gamma=2, alpha=0.25).metric()(YB, ZB) == pytest.approx(np.mean(focal), rel=1e-10)
    assert bo.Focal(gamma=2, alpha=0.25).metric(from_margin=False)(YB, sigmoid(ZB)) == pytest.approx(np.mean(focal), rel=1e-8)
    # from_margin=False maps predictions through the loss's own link: Poisson means -> log
    mu = np.exp(ZB / 3)
    assert bo.Poisson().metric(from_margin=False)(YB, mu) == pytest.approx(bo.Poisson().metric()(YB, ZB / 3), rel=1e-12)
    assert bo.Huber(delta=0.5).metric()(Y, P) == pytest.approx(bo.Huber(delta=0.5).loss(Y, P).mean())


def test_zero_conventions():
    y = np.array([0.0, 1.0, 2.0, 0.0])
    p = np.array([0.5, 1.5, 2.0, 0.0])
    assert M.MAPE()(y, p) == pytest.approx(skm.mean_absolute_percentage_error(y, p), rel=1e-12)  # epsilon, as sklearn
    skip = M.MAPE(zero="skip")
    assert skip(y, p) == pytest.approx(np.mean([0.5, 0.0]))
    assert skip.skipped_rows == 2
    with pytest.raises(ValueError, match="every label is 0"):
        M.MAPE(zero="skip")(np.zeros(3), np.ones(3))
    assert M.SMAPE()(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0  # 0/0 counts as perfect
    assert M.SMAPE()(np.array([0.0]), np.array([2.0])) == 2.0
    assert M.WAPE()(np.zeros(3), np.zeros(3)) == 0.0
    assert M.WAPE()(np.zeros(3), np.ones(3)) == float("inf")


def test_space_must_be_stated_and_inputs_checked():
    with pytest.raises(TypeError, match="from_margin=True for raw margins"):
        M.LogLoss()
    with pytest.raises(TypeError, match="from_margin"):
        M.MulticlassLogLoss()
    with pytest.raises(TypeError, match="got 'False'"):  # a string is not a space (it was truthy)
        M.LogLoss(from_margin="False")
    with pytest.raises(ValueError, match="non-finite label"):
        M.MAE()([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        M.RMSE()([1.0, 2.0], [1.0, 2.0], sample_weight=[0.0, 0.0])
    with pytest.raises(ValueError, match="zero must be"):
        M.MAPE(zero="drop")


def test_one_million_rows_match_numpy():
    # no timing here (a shared machine makes timed assertions flaky): speed is in benchmarks/
    y = rng.normal(size=1_000_000)
    p = y + 0.1
    assert M.SMAPE()(y, p) == pytest.approx(np.mean(2 * np.abs(p - y) / (np.abs(y) + np.abs(p))), rel=1e-12)


# -- the four engine call patterns, with early stopping -------------------------------------------
@pytest.fixture(scope="module")
def split():
    r = np.random.default_rng(1)
    X = r.normal(size=(600, 4))
    y = 10 + 3 * X[:, 0] + r.normal(size=600)
    w = r.uniform(0.5, 2, 600)
    return X[:400], y[:400], w[:400], X[400:], y[400:], w[400:]


@pytest.mark.parametrize("metric", [M.MAPE(), M.SMAPE(), M.WAPE(), M.MAE(), M.RMSE(), M.Pinball(0.5),
                                    bo.Huber(delta=1.0).metric(), bo.LogCosh().metric(), bo.SquaredError().metric()], ids=repr)
def test_engine_call_patterns_and_early_stopping(split, metric):
    Xt, yt, wt, Xv, yv, wv = split
    loss = bo.SquaredError()
    # xgb.train(custom_metric=)
    res = {}
    dv = xgb.DMatrix(Xv, label=yv, weight=wv)
    booster = xgb.train({"eta": 0.3, "max_depth": 4, "base_score": 10.0, "disable_default_eval_metric": 1},
                        xgb.DMatrix(Xt, label=yt, weight=wt), 200, obj=loss, evals=[(dv, "valid")],
                        custom_metric=metric, early_stopping_rounds=10, evals_result=res, verbose_eval=False)
    curve = res["valid"][metric.name]
    assert curve[-1] == pytest.approx(metric(yv, booster.predict(dv, output_margin=True), sample_weight=wv), rel=1e-5)
    assert booster.best_iteration == int(np.argmin(curve))
    # lgb.train(feval=)
    res = {}
    ds_v = lgb.Dataset(Xv, label=yv, weight=wv, init_score=np.full(len(yv), 10.0))
    booster = lgb.train({"objective": loss, "metric": "None", "verbose": -1, "learning_rate": 0.3},
                        lgb.Dataset(Xt, label=yt, weight=wt, init_score=np.full(len(yt), 10.0)), 200,
                        valid_sets=[ds_v], feval=metric,
                        callbacks=[lgb.early_stopping(10, verbose=False), lgb.record_evaluation(res)])
    curve = res["valid_0"][metric.name]
    assert booster.best_iteration == int(np.argmin(curve)) + 1
    assert min(curve) == pytest.approx(metric(yv, booster.predict(Xv, raw_score=True) + 10.0, sample_weight=wv), rel=1e-6)
    # XGBoost scikit-learn API
    reg = xgb.XGBRegressor(objective=loss, base_score=10.0, eval_metric=metric, early_stopping_rounds=10,
                           n_estimators=200, learning_rate=0.3, disable_default_eval_metric=1)
    reg.fit(Xt, yt, sample_weight=wt, eval_set=[(Xv, yv)], sample_weight_eval_set=[wv], verbose=False)
    curve = reg.evals_result()["validation_0"][metric.name]
    assert reg.best_iteration == int(np.argmin(curve))
    # LightGBM scikit-learn API
    reg = lgb.LGBMRegressor(objective=loss, metric="None", n_estimators=200, learning_rate=0.3, verbose=-1)
    reg.fit(Xt, yt, sample_weight=wt, init_score=np.full(len(yt), 10.0), eval_set=[(Xv, yv)],
            eval_sample_weight=[wv], eval_init_score=[np.full(len(yv), 10.0)], eval_metric=metric.lgbm_sklearn,
            callbacks=[lgb.early_stopping(10, verbose=False)])
    curve = reg.evals_result_["valid_0"][metric.name]
    assert reg.best_iteration_ == int(np.argmin(curve)) + 1


def test_classification_metrics_in_engines(multi_data):
    X, y, w = multi_data
    metric = M.MulticlassLogLoss(from_margin=True)
    res = {}
    d = xgb.DMatrix(X, label=y, weight=w)
    xgb.train({"num_class": 3, "disable_default_eval_metric": 1}, d, 5, obj=bo.SoftmaxCrossEntropy(),
              evals=[(d, "train")], custom_metric=metric, evals_result=res, verbose_eval=False)
    assert np.all(np.diff(res["train"]["mlogloss"]) < 0)
    name, value, higher = metric(np.zeros((len(y), 3)), lgb.Dataset(X, label=y, weight=w).construct())
    assert (name, higher) == ("mlogloss", False) and value == pytest.approx(np.log(3))
