"""Batch-shape losses (GHM-C, GHM-R, Dice): identities, harmonizing weights, momentum state, the
Dice Hessian policy, and training through every API. Derivatives: tests/test_derivatives.py."""
import pickle

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box
from boostobj.losses.batch import MomentumObjective, harmonizing_weights


def _binary(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, n).astype(float), rng.normal(0, 3, n), rng.uniform(0.1, 3.0, n)


def test_one_bin_is_the_plain_loss():
    y, z, w = _binary()
    for harmonized, plain in [(bo.GHMC(bins=1), bo.Logistic()), (bo.GHMR(mu=0.3, bins=1), None)]:
        if plain is None:  # ASL1 = pseudo-Huber(delta = mu) / mu
            plain = bo.PseudoHuber(delta=0.3).exact()
            yr = z + np.random.default_rng(1).normal(0, 1, z.shape[0])
            g, h = harmonized.exact().grad_hess(yr, z, w)
            gp, hp = plain.grad_hess(yr, z, w)
            np.testing.assert_allclose(g, gp / 0.3, rtol=1e-13)
            np.testing.assert_allclose(h, hp / 0.3, rtol=1e-13)
            continue
        np.testing.assert_allclose(harmonized.grad_hess(y, z, w), plain.grad_hess(y, z, w), rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(harmonized.loss(y, z, w), plain.loss(y, z, w), rtol=1e-14)
    yk = np.arange(90) % 3
    zk = np.random.default_rng(2).normal(0, 3, (90, 3))
    np.testing.assert_allclose(bo.SoftmaxGHMC(bins=1).grad_hess(yk, zk), bo.SoftmaxCrossEntropy().grad_hess(yk, zk),
                               rtol=1e-14, atol=1e-300)


def test_harmonizing_weights_are_inverse_weighted_densities_summing_to_the_total_weight():
    y, z, w = _binary()
    loss = bo.GHMC(bins=10)
    stats = loss.statistics(y, z, w)
    p = 1 / (1 + np.exp(-z))
    norm = np.abs(p - y)
    counts = np.bincount(np.minimum((norm * 10).astype(int), 9), weights=w, minlength=10)
    np.testing.assert_allclose(stats, [w.sum(), *counts], rtol=1e-12)
    beta_row = harmonizing_weights(stats)[np.minimum((norm * 10).astype(int), 9)]
    np.testing.assert_allclose(beta_row, w.sum() / (np.count_nonzero(counts) * counts[(norm * 10).astype(int)]))
    assert np.sum(w * beta_row) == pytest.approx(w.sum(), rel=1e-12)
    g, h = loss.grad_hess(y, z, w)
    np.testing.assert_allclose(g, w * beta_row * (p - y), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h, w * beta_row * p * (1 - p), rtol=1e-12, atol=1e-300)
    # easy rows (the crowded low-norm bins) count less than under plain cross-entropy
    easy = norm < 0.1
    assert beta_row[easy].max() < 1.0


def test_zero_weight_rows_alone_in_a_bin_stay_finite_and_silent():
    y = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    z = np.array([-5.0, -5.0, 5.0, 5.0, -5.0])  # the last row: norm ~ 1, alone in the top bin
    w = np.array([1.0, 1.0, 1.0, 1.0, 0.0])
    g, h = bo.GHMC().grad_hess(y, z, w)
    assert np.isfinite(g).all() and np.isfinite(h).all() and g[-1] == 0.0 and h[-1] == 0.0
    assert np.isfinite(bo.GHMC().mean_loss(y, z, w))


def test_statistics_are_validated():
    y, z, w = _binary(20)
    with pytest.raises(ValueError, match="statistics must be 11 finite floats"):
        bo.GHMC().grad_hess(y, z, statistics=[1.0, 2.0])
    with pytest.raises(ValueError, match="not a batch loss"):
        bo.Logistic().grad_hess(y, z, statistics=[1.0])
    with pytest.raises(ValueError, match="bins must be an integer"):
        bo.GHMC(bins=0)
    with pytest.raises(ValueError, match="momentum"):
        bo.GHMC(momentum=1.0)


def test_momentum_smooths_bin_counts_across_rounds_in_the_training_objective_only():
    y, z, w = _binary(200)
    loss = bo.GHMC(bins=5, momentum=0.75)
    with pytest.raises(TypeError, match="training_objective"):
        loss(z, xgb.DMatrix(np.zeros((200, 1)), label=y))
    objective = loss.training_objective()
    assert isinstance(objective, MomentumObjective) and objective is not loss.training_objective()
    first, second = loss.statistics(y, z, w), loss.statistics(y, 0.3 * z, w)
    g1, _ = objective(y, z, w)
    np.testing.assert_allclose(g1, loss.grad_hess(y, z, w)[0], rtol=1e-6)  # the first round: momentum-free
    g2, _ = objective(y, 0.3 * z, w)
    filled_both = (first[1:] > 0) & (second[1:] > 0)
    expected = np.where(filled_both, 0.75 * first[1:] + 0.25 * second[1:], second[1:])
    np.testing.assert_allclose(objective.counts[second[1:] > 0], expected[second[1:] > 0], rtol=1e-12)
    smoothed = np.concatenate([second[:1], np.where(second[1:] > 0, expected, 0.0)])
    want, _ = loss.grad_hess(y, 0.3 * z, w, statistics=smoothed)
    np.testing.assert_allclose(g2, want, rtol=1e-6)
    # the loss object itself never changes
    assert loss == bo.GHMC(bins=5, momentum=0.75) and not hasattr(loss, "counts")
    assert bo.GHMC().training_objective() == bo.GHMC()


def test_dice_exact_hessian_goes_negative_and_the_positive_policy_bounds_it():
    rng = np.random.default_rng(3)
    y = (rng.uniform(size=400) < 0.1).astype(float)
    z = rng.normal(0, 3, 400)
    w = rng.uniform(0.2, 2.0, 400)
    exact, positive = bo.Dice(hessian="exact"), bo.Dice()
    _, he = exact.grad_hess(y, z, w)
    ge, hp = positive.grad_hess(y, z, w)
    np.testing.assert_array_equal(ge, exact.grad_hess(y, z, w)[0])
    p = 1 / (1 + np.exp(-z))
    misclassified = ((y == 0) & (p > 0.6)) | ((y == 1) & (p < 0.4))
    assert (he[misclassified] < 0).any() and (he[~misclassified] > 0).any()
    assert (hp > 0).all()
    stats = positive.statistics(y, z, w)
    d = stats[3] + stats[1] + positive.smooth
    bound = hp * (1 + 4 * w * p * p * (1 - p) / d)
    assert (np.abs(he) <= bound * (1 + 1e-12)).all()


def test_dice_start_score_minimises_the_batch_dice_and_tends_to_its_closed_form():
    rng = np.random.default_rng(4)
    y = (rng.uniform(size=500) < 0.2).astype(float)
    for smooth in (1.0, 1e-9):
        c = bo.Dice(smooth=smooth).init_score(y)
        around = [bo.Dice(smooth=smooth).mean_loss(y, np.full(500, c + d)) for d in (-1e-3, 0.0, 1e-3)]
        assert around[1] <= min(around[0], around[2])
    p = 1 / (1 + np.exp(-c))
    assert p == pytest.approx(np.sqrt(y.mean()), rel=1e-6)


def test_dice_objective_is_the_batch_dice_scaled_by_the_total_weight():
    y, z, w = _binary(50)
    p = 1 / (1 + np.exp(-z))
    dsc = (2 * np.sum(w * p * y) + 1.0) / (np.sum(w * p * p) + np.sum(w * y) + 1.0)
    assert bo.Dice().loss(y, z, w).sum() == pytest.approx(w.sum() * (1 - dsc), rel=1e-13)
    assert bo.Dice().mean_loss(y, z, w) == pytest.approx(1 - dsc, rel=1e-13)


def test_gpu_objective_refuses_batch_losses():
    from boostobj import gpu

    with pytest.raises(ValueError, match="batch loss.*device='cpu'"):
        gpu.DeviceObjective(bo.GHMC())
    with pytest.raises(ValueError, match="batch loss.*device='cpu'"):
        gpu.grad_hess_device(bo.Dice(), np.zeros(3), np.zeros(3))


LOSSES = [(bo.GHMC(), "binary"), (bo.GHMC(momentum=0.5), "binary"), (bo.Dice(), "binary"),
          (bo.SoftmaxGHMC(bins=5), "multiclass"), (bo.GHMR(mu=0.1), "regression")]


def _labels(kind, X):
    signal = X[:, 0] + 0.5 * X[:, 1] ** 2
    if kind == "binary":
        return (signal > 1.0).astype(float)
    if kind == "multiclass":
        return np.digitize(signal, [0.0, 1.0]).astype(float)
    return signal


def _better_than_the_start(loss, y, raw_before, raw_after):
    """GHM models are judged by the loss they weight (their own value moves with the weights)."""
    judge = loss.unharmonized() if hasattr(loss, "unharmonized") else loss
    return judge.mean_loss(y, raw_after) < judge.mean_loss(y, raw_before)


@pytest.mark.parametrize("loss, kind", LOSSES, ids=lambda v: repr(v) if not isinstance(v, str) else v)
def test_trains_through_the_helpers_and_the_estimators(loss, kind):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 4))
    y = _labels(kind, X)
    start = np.tile(loss.init_score(y), (400, 1)) if kind == "multiclass" else np.full(400, loss.init_score(y))
    params = {"max_depth": 3, "nthread": 1} | ({"num_class": 3} if kind == "multiclass" else {})
    b = box.train(params, xgb.DMatrix(X, label=y), loss, 20)
    assert _better_than_the_start(loss, y, start, b.predict(xgb.DMatrix(X), output_margin=True))
    lparams = {"num_threads": 1, "verbose": -1, "num_leaves": 8} | ({"num_class": 3} if kind == "multiclass" else {})
    lb = bol.train(lparams, lgb.Dataset(X, label=y), loss, 20)
    assert _better_than_the_start(loss, y, start, lb.predict(X, raw_score=True))
    Estimator = bo.BoostRegressor if kind == "regression" else bo.BoostClassifier
    for engine in ("xgboost", "lightgbm"):
        model = Estimator(loss=loss, engine=engine, n_estimators=20, n_jobs=1).fit(X, y)
        assert model.score(X, y) > 0.6


@pytest.mark.parametrize("loss, kind", [case for case in LOSSES if not case[0].keeps_state], ids=repr)
def test_the_engines_own_apis_take_the_loss_as_objective(loss, kind):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(300, 4))
    y = _labels(kind, X)
    k = {"num_class": 3} if kind == "multiclass" else {}
    b = xgb.train({"max_depth": 3, "nthread": 1, "base_score": 0.0, "disable_default_eval_metric": 1} | k,
                  xgb.DMatrix(X, label=y), 10, obj=loss)
    lb = lgb.train({"objective": loss, "num_threads": 1, "verbose": -1} | k, lgb.Dataset(X, label=y), 10)
    zero = np.zeros((300, 3)) if kind == "multiclass" else np.zeros(300)
    for raw in (b.predict(xgb.DMatrix(X), output_margin=True), lb.predict(X, raw_score=True)):
        assert _better_than_the_start(loss, y, zero, raw)
    sk = {"n_estimators": 10, "n_jobs": 1}
    if kind == "regression":
        xr = xgb.XGBRegressor(objective=loss, **sk).fit(X, y)
        lr = lgb.LGBMRegressor(objective=loss, verbose=-1, **sk).fit(X, y)
        assert _better_than_the_start(loss, y, zero, lr.predict(X, raw_score=True))
        assert np.corrcoef(xr.predict(X), y)[0, 1] > 0.5
    else:
        lc = lgb.LGBMClassifier(objective=loss, verbose=-1, **sk).fit(X, y)
        assert _better_than_the_start(loss, y, zero, lc.predict(X, raw_score=True))
        xc = xgb.XGBClassifier(objective=loss, **sk).fit(X, y)
        assert _better_than_the_start(loss, y, zero, xc.predict(X, output_margin=True))
    # the loss's metric is the batch value on the rows it is given
    assert loss.metric()(y, zero) == pytest.approx(loss.mean_loss(y, zero))


def test_dask_start_scores_equal_the_local_ones():
    # at a constant margin the statistics depend on the labels only through the class totals (Dice)
    # or not at all (GHM takes its base loss's start), so the start is global on Dask too
    da = pytest.importorskip("dask.array")
    from boostobj import dask as bd

    y, _, w = _binary(500)
    yr = np.random.default_rng(7).normal(2.0, 1.0, 500)
    for loss, labels in [(bo.GHMC(), y), (bo.Dice(), y), (bo.GHMR(mu=0.5), yr)]:
        got = bd.init_score(loss, da.from_array(labels, chunks=120), da.from_array(w, chunks=120))
        assert got == pytest.approx(loss.init_score(labels, w), rel=1e-12, abs=1e-12)


def test_every_weighted_row_keeps_a_positive_harmonizing_weight_at_bin_edges():
    # Before: SoftmaxGHMC's counting pass and gradient pass computed 1 - p_y with two different exp
    # functions; at the start score with 100 bins every class-0 row read the weight of an empty
    # neighbouring bin and got g = h = 0 (the plain softmax gives -0.9).
    loss = bo.SoftmaxGHMC(bins=100)
    c = loss.link.link(np.array([100.0, 900.0]))
    y = np.repeat([0.0, 1.0], [100, 900])
    z = np.tile(c, (1000, 1))
    g, h = loss.grad_hess(y, z)
    g0, _ = bo.SoftmaxCrossEntropy().grad_hess(y, z)
    assert (np.abs(g).sum(axis=1) > 0).all() and (h > 0).all()
    beta = g[:, 0] / g0[:, 0]
    assert (beta > 0).all()
    rng = np.random.default_rng(8)
    for harmonized, plain, labels, margins in [
            (bo.GHMC(bins=30), bo.Logistic(), rng.integers(0, 2, 2000).astype(float), rng.normal(0, 3, 2000)),
            (bo.SoftmaxGHMC(bins=30), bo.SoftmaxCrossEntropy(), rng.integers(0, 3, 2000).astype(float),
             rng.normal(0, 3, (2000, 3))),
            (bo.GHMR(mu=0.5, bins=30, hessian="exact"), bo.PseudoHuber(delta=0.5).exact(), rng.normal(size=2000),
             rng.normal(size=2000))]:
        g, _ = harmonized.grad_hess(labels, margins)
        g0, _ = plain.grad_hess(labels, margins)
        moving = np.abs(g0) > 1e-12
        assert (np.abs(g)[moving] > 0).all(), harmonized


def test_momentum_state_is_per_training_data_set():
    # xgb.cv calls one objective for every fold: each fold keeps its own smoothed counts
    y, z, w = _binary(200)
    objective = bo.GHMC(bins=5, momentum=0.9).training_objective()
    first, second = xgb.DMatrix(np.zeros((200, 1)), label=y), xgb.DMatrix(np.zeros((200, 1)), label=1.0 - y)
    objective(z, first)
    g_second, _ = objective(z, second)  # a new data set: momentum-free first round, not mixed with `first`
    np.testing.assert_allclose(g_second, bo.GHMC(bins=5).grad_hess(1.0 - y, z)[0], rtol=1e-6)
    assert "data sets seen: 2" in repr(objective)
    clone = pickle.loads(pickle.dumps(objective))
    assert "data sets seen: 0" in repr(clone)
