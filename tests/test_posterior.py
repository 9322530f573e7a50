"""Class posteriors from margins (loss.posterior, used by predict and the estimators' predict_proba):
the stationarity inversion p = g0 / (g0 - g1) and its k-class analogue."""
import numpy as np
import pytest

import boostobj as bo
from boostobj.links import expit, softmax

Z = np.linspace(-30, 30, 241)
ZK = np.random.default_rng(0).normal(0, 4, (200, 4))


def test_logistic_posterior_is_exactly_the_sigmoid():
    np.testing.assert_array_equal(bo.Logistic().predict(Z), expit(Z))
    np.testing.assert_array_equal(bo.Logistic().posterior(Z), expit(Z))
    np.testing.assert_array_equal(bo.Focal(gamma=0.0).posterior(Z), expit(Z))
    np.testing.assert_array_equal(bo.Exponential().posterior(Z), expit(2 * Z))
    np.testing.assert_array_equal(bo.SoftmaxCrossEntropy().posterior(ZK), softmax(ZK))


def test_class_weight_corrections_in_closed_form():
    s = expit(Z)
    np.testing.assert_allclose(bo.Logistic(pos_weight=4.0).posterior(Z), s / (s + 4.0 * (1 - s)), rtol=1e-12)
    np.testing.assert_allclose(bo.Logistic(alpha=0.25).posterior(Z), 0.75 * s / (0.75 * s + 0.25 * (1 - s)),
                               rtol=1e-12)
    c = np.array([1.0, 2.0, 4.0, 0.5])
    p = softmax(ZK) / c
    # a k x k solve per row: accurate to ~1e-16 absolute (not relative for tiny probabilities)
    np.testing.assert_allclose(bo.SoftmaxCrossEntropy(class_weight=c).posterior(ZK), p / p.sum(1, keepdims=True),
                               rtol=1e-10, atol=1e-14)
    eps, k = 0.2, 4  # smoothed targets: p_j = (1 - eps) pi_j + eps / k, inverted and clipped at 0
    pi = np.clip((softmax(ZK) - eps / k) / (1 - eps), 0, None)
    np.testing.assert_allclose(bo.SoftmaxCrossEntropy(label_smoothing=eps).posterior(ZK),
                               pi / pi.sum(1, keepdims=True), atol=1e-12)


@pytest.mark.parametrize("loss", [bo.Focal(), bo.Focal(gamma=5.0, alpha=0.25), bo.Focal(gamma=0.5, hessian="exact"),
                                  bo.ClassBalanced(beta=0.99, base="focal", counts=[90, 10])], ids=repr)
def test_binary_posterior_makes_the_expected_gradient_vanish(loss):
    z = np.linspace(-12, 12, 97)
    p = loss.posterior(z)
    g0, _ = loss.grad_hess(np.zeros_like(z), z)
    g1, _ = loss.grad_hess(np.ones_like(z), z)
    assert ((0 <= p) & (p <= 1)).all() and np.all(np.diff(p) >= 0)  # monotone (saturates at 1.0)
    np.testing.assert_allclose(p * g1 + (1 - p) * g0, 0.0, atol=1e-12)
    assert np.isfinite(loss.posterior(np.array([-1e4, 1e4]))).all()


@pytest.mark.parametrize("loss", [bo.SoftmaxFocal(), bo.SoftmaxFocal(gamma=1.0, alpha=[1, 2, 3, 4]),
                                  bo.ClassBalanced(beta=0.99, base="softmax_focal", counts=[50, 30, 15, 5])], ids=repr)
def test_multiclass_posterior_makes_the_expected_gradient_vanish(loss):
    p = loss.posterior(ZK)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-12)
    expected = sum(p[:, [y]] * loss.grad_hess(np.full(len(ZK), float(y)), ZK)[0] for y in range(4))
    np.testing.assert_allclose(expected, 0.0, atol=1e-10)
    extreme = loss.posterior(np.array([[1e4, -1e4, 0.0, 0.0], [30.0, 30.0, -30.0, 0.0]]))
    assert np.isfinite(extreme).all() and extreme[0].argmax() == 0


def test_losses_without_a_posterior_say_so():
    for loss in (bo.SmoothHinge(), bo.SquaredHinge()):
        assert not loss.has_posterior
        with pytest.raises(ValueError, match="no class posterior"):
            loss.posterior(Z)
        np.testing.assert_array_equal(loss.predict(Z), loss.link.inverse(Z))
    with pytest.raises(ValueError, match="needs the training class counts"):
        bo.ClassBalanced(beta=0.9).posterior(Z)
    with pytest.raises(ValueError, match="regression loss"):
        bo.Huber().posterior(Z)


def test_predict_proba_is_calibrated_on_imbalanced_data():
    # 2 % positives: sigma(margin) of a focal model averaged 5x the base rate; the posterior fixes it
    import lightgbm as lgb

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40_000, 6))
    logit = 1.5 * X[:, 0] - X[:, 1] + np.sin(2 * X[:, 2]) - 5.0
    y = (rng.uniform(size=len(X)) < expit(logit)).astype(float)
    tr, te = slice(0, 20_000), slice(20_000, None)

    def ece(p, yy, bins=15):
        idx = np.minimum((p * bins).astype(int), bins - 1)
        return sum(np.mean(idx == b) * abs(p[idx == b].mean() - yy[idx == b].mean()) for b in range(bins)
                   if (idx == b).any())

    params = {"num_leaves": 15, "learning_rate": 0.1, "verbose": -1, "num_threads": 2}
    ref = lgb.train({**params, "objective": "binary"}, lgb.Dataset(X[tr], label=y[tr]), 100).predict(X[te])
    for loss in (bo.Focal(gamma=2.0), bo.ClassBalanced(beta=0.999, base="focal"), bo.Logistic(pos_weight=5.0)):
        est = bo.BoostClassifier(loss=loss, engine="lightgbm", n_estimators=100, num_leaves=15).fit(X[tr], y[tr])
        p = est.predict_proba(X[te])[:, 1]
        p_link = est.loss_.predict(est.predict_margin(X[te]), link_only=True)
        # within the noise of ECE at ~400 test positives (about 0.003) of 1.5x the built-in's
        assert ece(p, y[te]) <= 1.5 * ece(ref, y[te]) + 0.003, loss
        assert ece(p, y[te]) < 0.5 * ece(p_link, y[te]), loss
        assert abs(p.mean() / ref.mean() - 1) < 0.2, loss  # sigma(margin) of Focal: about 5x


def test_prior_shift_balances_the_rows_it_is_fitted_on():
    rng = np.random.default_rng(1)
    y = (rng.uniform(size=Z.size) < expit(Z / 4 - 2)).astype(float)
    w = rng.uniform(0.5, 2.0, Z.size)
    # the exponential loss and GHM-C: their posterior is their link, but their training does not balance it
    for loss in (bo.Logistic(pos_weight=10.0), bo.Focal(gamma=2.0), bo.Exponential(), bo.GHMC()):
        shift = loss.prior_shift(y, Z, w)
        assert shift != 0.0
        p = loss.posterior(Z, shift)
        assert np.average(p, weights=w) == pytest.approx(np.average(y, weights=w), rel=1e-10)
        assert np.all(np.diff(p) >= 0)  # a shift of the log-odds keeps the ranking
        inner = np.abs(Z) <= 10  # where the posterior's log-odds are finite in float64
        q = loss.posterior(Z[inner])
        np.testing.assert_allclose(p[inner], expit(np.log(q / (1 - q)) + shift), rtol=1e-9)
    # a constant model: the shift moves its posterior exactly onto the rate
    rate = 0.125
    yc = np.r_[np.ones(1), np.zeros(7)]
    loss = bo.Logistic(pos_weight=3.0)
    shift = loss.prior_shift(yc, np.full(8, 0.7))
    assert loss.posterior(np.full(8, 0.7), shift)[0] == pytest.approx(rate, rel=1e-12)
    # multiclass: every class's mean posterior equals its frequency; the first class is the reference
    c = np.array([1.0, 2.0, 4.0, 0.5])
    yk = np.argmax(ZK + rng.gumbel(size=ZK.shape), axis=1).astype(float)
    loss = bo.SoftmaxCrossEntropy(class_weight=c)
    shift = loss.prior_shift(yk, ZK)
    assert shift.shape == (4,) and shift[0] == 0.0
    np.testing.assert_allclose(loss.posterior(ZK, shift).mean(0), np.bincount(yk.astype(int), minlength=4) / 200,
                               rtol=1e-10)
    # where the posterior is the link, the training equations balance it already: no shift
    assert bo.Logistic().prior_shift(y, Z) == 0.0
    np.testing.assert_array_equal(bo.SoftmaxCrossEntropy().prior_shift(yk, ZK), np.zeros(4))


def test_classifier_fits_the_prior_shift_on_its_training_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24_000, 6))
    y = (rng.uniform(size=len(X)) < expit(1.5 * X[:, 0] - X[:, 1] + np.sin(2 * X[:, 2]) - 4.0)).astype(float)
    tr, te = slice(0, 12_000), slice(12_000, None)
    kw = {"engine": "xgboost", "n_estimators": 60, "max_depth": 4, "n_jobs": 2}
    loss = bo.Logistic(pos_weight=10.0)
    est = bo.BoostClassifier(loss=loss, **kw).fit(X[tr], y[tr])
    off = bo.BoostClassifier(loss=loss, prior_shift=False, **kw).fit(X[tr], y[tr])
    assert off.prior_shift_ is None and est.prior_shift_ > 0  # the weighted model under-predicts
    assert est.predict_proba(X[tr])[:, 1].mean() == pytest.approx(y[tr].mean(), rel=1e-9)
    bias, bias_off = (e.predict_proba(X[te])[:, 1].mean() - y[te].mean() for e in (est, off))
    assert abs(bias) < 0.5 * abs(bias_off), (bias, bias_off)
    np.testing.assert_array_equal(off.predict_proba(X[te])[:, 1], loss.posterior(off.predict_margin(X[te])))
    plain = bo.BoostClassifier(**kw).fit(X[tr], y[tr])  # Logistic: the sigmoid as is
    assert plain.prior_shift_ is None
    np.testing.assert_array_equal(plain.predict_proba(X[te])[:, 1], expit(plain.decision_function(X[te])))
    # predict, predict_proba and decision_function agree (scikit-learn's check_classifiers_train)
    for e in (est, off):
        d, p = e.decision_function(X[te]), e.predict_proba(X[te])
        np.testing.assert_array_equal(e.classes_[(d > 0).astype(int)], e.predict(X[te]))
        np.testing.assert_array_equal(np.argmax(p, axis=1), (d > 0).astype(int))


@pytest.mark.parametrize("loss", [bo.Focal(), bo.Logistic(pos_weight=3.0), bo.Exponential(), bo.SoftmaxFocal(),
                                  bo.SoftmaxCrossEntropy(class_weight=[1.0, 2.0, 3.0])], ids=repr)
def test_predict_proba_decision_function_and_predict_agree(loss):
    """What scikit-learn's check_classifiers_train asserts (it also fits a binary loss on three
    classes, so it is spelled out here): predict is the argmax of predict_proba and the sign (binary)
    or argmax of decision_function, which ranks rows as predict_proba does."""
    from sklearn.datasets import make_blobs

    k = 3 if loss.task == "multiclass" else 2
    X, y = make_blobs(n_samples=300, centers=k, cluster_std=3.0, random_state=0)
    est = bo.BoostClassifier(loss=loss, n_estimators=10, n_jobs=1).fit(X, y)
    d, p, pred = est.decision_function(X), est.predict_proba(X), est.predict(X)
    assert est.prior_shift_ is not None
    np.testing.assert_array_equal(est.classes_[np.argmax(p, axis=1)], pred)
    if k == 2:
        np.testing.assert_array_equal(est.classes_[(d > 0).astype(int)], pred)
        assert np.all(np.diff(p[np.argsort(d, kind="stable"), 1]) >= 0)
    else:
        np.testing.assert_array_equal(est.classes_[np.argmax(d, axis=1)], pred)


def test_prior_shift_out_of_reach_stays_finite_and_bounded():
    import warnings

    from boostobj._priors import MAX_SHIFT

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # label smoothing clips class 2's posterior to exactly 0 on 980 of 1000 rows: 5 % of labels unreachable
        loss = bo.SoftmaxCrossEntropy(label_smoothing=0.1)
        z = np.tile([2.0, 0.0, -2.0], (1000, 1))
        z[:20] = 0.0
        y = np.zeros(1000)
        y[500:550], y[600:700] = 2, 1
        shift = loss.prior_shift(y, z)
        assert np.isfinite(shift).all() and shift[2] == MAX_SHIFT
        assert np.isfinite(loss.posterior(z, shift)).all()
        # saturated margins: the posterior is exactly 0 or 1, the rate cannot move
        yb = np.r_[np.ones(10), np.zeros(90)]
        assert bo.Logistic(pos_weight=10.0).prior_shift(yb, np.r_[np.full(50, 800.0), np.full(50, -800.0)]) == -MAX_SHIFT
        assert bo.Logistic(pos_weight=10.0).prior_shift(np.zeros(0), np.zeros(0)) == 0.0  # no rows
        assert bo.Focal().prior_shift([0, 1, 1], [0.0, 1.0, 2.0], [0, 0, 0]) == 0.0  # no weight


def test_prior_shift_of_the_wrong_kind_is_refused():
    for loss, z, bad in ((bo.Logistic(pos_weight=2.0), Z, [np.nan, np.inf, [0.5, 0.5], "a"]),
                         (bo.SoftmaxCrossEntropy(class_weight=[1, 2, 3, 4]), ZK,
                          [np.zeros(3), np.zeros((4, 1)), [0, 0, np.nan, 0], 0.5])):
        for shift in bad:
            with pytest.raises(ValueError, match="prior_shift must be a finite"):
                loss.posterior(z, shift)
    for loss, kw in ((bo.SmoothHinge(), {}), (bo.Huber(), {}), (bo.Focal(), {"link_only": True})):
        with pytest.raises(ValueError, match="prior_shift shifts class posteriors"):
            loss.predict(Z, prior_shift=0.5, **kw)
