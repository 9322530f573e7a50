"""Soft multiclass targets (SoftTargetCrossEntropy, row-index labels), temperature, KLDivergence."""
import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box


def soft_data(n=600, k=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    logits = np.stack([X[:, j] - 0.5 * X[:, j + 1] ** 2 for j in range(k)], axis=1)
    q = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return X, q


def test_one_hot_targets_are_the_hard_label_loss():
    rng = np.random.default_rng(1)
    n, k = 40, 3
    y = rng.integers(0, k, n)
    z = rng.normal(0, 4, (n, k))
    w = rng.uniform(0.2, 2, n)
    soft, hard = bo.SoftTargetCrossEntropy(np.eye(k)[y]), bo.SoftmaxCrossEntropy()
    rows = soft.row_labels()
    for a, b in zip(soft.grad_hess(rows, z, w), hard.grad_hess(y, z, w)):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(soft.loss(rows, z), hard.loss(y, z), rtol=1e-14)
    np.testing.assert_allclose(soft.init_score(rows, w), hard.init_score(y, w), rtol=1e-13)


def test_kl_of_targets_to_themselves_is_zero_and_cross_entropy_differs_by_the_entropy():
    _, q = soft_data(50)
    q[0] = [0.0, 1.0, 0.0, 0.0]  # zero entries count 0 log 0 = 0
    rows = np.arange(50, dtype=np.float64)
    kl_p, kl_z = bo.metrics.KLDivergence(q, from_margin=False), bo.metrics.KLDivergence(q, from_margin=True)
    assert kl_p(rows, q) == pytest.approx(0.0, abs=1e-15)
    margins = np.log(np.maximum(q, 1e-300))
    assert kl_z(rows, margins) == pytest.approx(0.0, abs=1e-13)
    z = np.random.default_rng(2).normal(size=q.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(q > 0, q * np.log(q), 0.0).sum(1).mean()
    ce = bo.SoftTargetCrossEntropy(q).metric()(rows, z)
    assert ce - kl_z(rows, z) == pytest.approx(entropy, rel=1e-12)


def test_temperature_tempers_the_targets_and_keeps_the_fixed_point():
    q = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])
    loss = bo.SoftTargetCrossEntropy(q, temperature=2.0)
    tempered = np.sqrt(q) / np.sqrt(q).sum(1, keepdims=True)
    np.testing.assert_allclose(loss.tempered_targets, tempered, rtol=1e-14)
    # at z = log q (+ any constant per row), softmax(z / T) = tempered targets: zero gradient
    g, _ = loss.grad_hess([0.0, 1.0], np.log(q) + 3.0)
    np.testing.assert_allclose(g, 0.0, atol=1e-15)
    # the start score: softmax(c / T) is the mean tempered target
    c = loss.init_score([0.0, 1.0, 1.0])
    p = np.exp(c / 2.0) / np.exp(c / 2.0).sum()
    np.testing.assert_allclose(p, (tempered[0] + 2 * tempered[1]) / 3, rtol=1e-12)


def test_bad_targets_and_labels_are_refused_with_the_row_named():
    with pytest.raises(ValueError, match=r"targets rows must sum to 1 \(within 1e-6\), got sum 0.9 at row 1"):
        bo.SoftTargetCrossEntropy([[0.5, 0.5], [0.4, 0.5]])
    with pytest.raises(ValueError, match=r"non-negative probabilities, got \[-0.5, 1.5\] at row 0"):
        bo.SoftTargetCrossEntropy([[-0.5, 1.5]])
    with pytest.raises(ValueError, match=r"\(n, k\) array .* got shape \(3,\)"):
        bo.SoftTargetCrossEntropy([0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="temperature must be > 0"):
        bo.SoftTargetCrossEntropy([[0.5, 0.5]], temperature=0.0)
    loss = bo.SoftTargetCrossEntropy([[0.5, 0.5], [0.1, 0.9]])
    with pytest.raises(ValueError, match=r"integer row indices in 0..1 \(rows of the targets\) .* got 2.0 at row 1"):
        loss.grad_hess([0.0, 2.0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="got 0.5 at row 0"):
        bo.metrics.KLDivergence([[0.5, 0.5]], from_margin=True)([0.5], np.zeros((1, 2)))


def test_train_helpers_refuse_class_labels_given_as_row_indices():
    # Before: class labels 0..k-1 are valid row indices, so every row silently took the targets of
    # rows 0..k-1 and the model learned those k rows' targets for everyone.
    X, q = soft_data(200)
    loss = bo.SoftTargetCrossEntropy(q)
    classes = q.argmax(1).astype(np.float64)
    with pytest.raises(ValueError, match="look like class labels; pass loss.row_labels"):
        box.train({"num_class": 4, "nthread": 1}, xgb.DMatrix(X, label=classes), loss, 2)
    with pytest.raises(ValueError, match="look like class labels"):
        bol.train({"num_class": 4, "num_threads": 1, "verbose": -1}, lgb.Dataset(X, label=classes), loss, 2)
    assert loss.bind(loss.row_labels()) is loss
    assert loss.bind(np.array([0.0, 1.0, 2.0])) is loss  # fewer rows than classes: cannot tell, accepted


def test_estimator_refuses_class_labels_for_the_soft_target_loss_clearly():
    X, q = soft_data(60)
    with pytest.raises(ValueError, match=r"takes soft targets: pass them as y, an \(n, k\) array"):
        bo.BoostClassifier(loss=bo.SoftTargetCrossEntropy(q), n_estimators=2).fit(X, q.argmax(1))
    with pytest.raises(ValueError, match="need loss=None or SoftTargetCrossEntropy"):
        bo.BoostClassifier(loss=bo.SoftmaxFocal(), n_estimators=2).fit(X, q)


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm"])
def test_estimator_fits_soft_targets_given_as_y(engine):
    X, q = soft_data()
    kw = {"engine": engine, "n_estimators": 20, "learning_rate": 0.3, "max_depth": 3, "random_state": 0}
    model = bo.BoostClassifier(loss="soft_target_softmax", loss__temperature=2.0, **kw).fit(X[:400], q[:400])
    assert list(model.classes_) == [0, 1, 2, 3] and model.loss_.temperature_value == 2.0
    p = model.predict_proba(X[400:])
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-12)
    kl = bo.metrics.KLDivergence(q[400:], from_margin=False)
    rows = np.arange(200, dtype=np.float64)
    uniform = np.full((200, 4), 0.25)
    assert kl(rows, p) < 0.5 * kl(rows, uniform)
    # the estimator equals the helper trained on the same rows (its targets are the rows of y)
    loss = bo.SoftTargetCrossEntropy(q[:400], temperature=2.0)
    if engine == "xgboost":
        params = {"num_class": 4, "max_depth": 3, "eta": 0.3, "seed": 0}
        b = box.train(params, xgb.DMatrix(X[:400], label=loss.row_labels()), loss, 20)
        native = b.predict(xgb.DMatrix(X[400:]), output_margin=True)
    else:
        params = {"num_class": 4, "max_depth": 3, "learning_rate": 0.3, "seed": 0, "verbose": -1}
        b = bol.train(params, lgb.Dataset(X[:400], label=loss.row_labels()), loss, 20)
        native = b.predict(X[400:], raw_score=True)
    np.testing.assert_allclose(model.decision_function(X[400:]), native, rtol=1e-5, atol=1e-5)
    # an eval set with its own probabilities: the default metric is the cross-entropy to them
    stopped = bo.BoostClassifier(early_stopping_rounds=3, **{**kw, "n_estimators": 200}).fit(
        X[:400], q[:400], eval_set=[(X[400:], q[400:])])
    curve = next(iter(next(iter(stopped.evals_result_.values())).values()))
    ce = bo.SoftTargetCrossEntropy(q[400:]).metric()
    assert curve[stopped.best_iteration_] == pytest.approx(ce(rows, stopped.decision_function(X[400:])), rel=1e-5)
    with pytest.raises(ValueError, match=r"every eval_set y must be probabilities of shape \(m, 4\)"):
        bo.BoostClassifier(**kw).fit(X[:400], q[:400], eval_set=[(X[400:], q[400:].argmax(1))])


@pytest.mark.parametrize("engine", ["xgboost", "lightgbm"])
def test_soft_targets_train_in_both_engines_and_follow_the_rows_through_a_shuffle(engine):
    X, q = soft_data()
    loss = bo.SoftTargetCrossEntropy(q, temperature=2.0)
    rows = loss.row_labels()
    order = np.random.default_rng(3).permutation(len(rows))
    kl = bo.metrics.KLDivergence(q, from_margin=True)

    def fit(X, labels):
        if engine == "xgboost":
            b = box.train({"num_class": 4, "max_depth": 3, "eta": 0.3, "nthread": 1}, xgb.DMatrix(X, label=labels),
                          loss, 30)
            return lambda A: b.predict(xgb.DMatrix(A), output_margin=True)
        b = bol.train({"num_class": 4, "num_leaves": 7, "learning_rate": 0.3, "num_threads": 1, "verbose": -1,
                       "min_data_in_leaf": 5}, lgb.Dataset(X, label=labels), loss, 30)
        return lambda A: b.predict(A, raw_score=True)

    model = fit(X, rows)
    start = np.tile(loss.init_score(rows), (len(rows), 1))
    assert kl(rows, model(X)) < 0.3 * kl(rows, start)
    # the same rows in another order, each with its own row index: the same model
    shuffled = fit(X[order], rows[order])
    np.testing.assert_allclose(shuffled(X), model(X), rtol=1e-4, atol=1e-4)


def test_plain_engine_apis_take_the_loss_as_objective():
    X, q = soft_data(300)
    loss = bo.SoftTargetCrossEntropy(q)
    rows = loss.row_labels()
    b = xgb.train({"num_class": 4, "max_depth": 3, "nthread": 1, "base_score": 0.0}, xgb.DMatrix(X, label=rows),
                  10, obj=loss)
    lb = lgb.train({"num_class": 4, "objective": loss, "num_threads": 1, "verbose": -1}, lgb.Dataset(X, label=rows), 10)
    kl = bo.metrics.KLDivergence(q, from_margin=True)
    zero = np.zeros((300, 4))
    assert kl(rows, b.predict(xgb.DMatrix(X), output_margin=True)) < kl(rows, zero)
    assert kl(rows, lb.predict(X, raw_score=True)) < kl(rows, zero)


def test_dask_start_score_equals_the_local_one():
    da = pytest.importorskip("dask.array")
    from boostobj import dask as bd

    _, q = soft_data(500)
    loss = bo.SoftTargetCrossEntropy(q, temperature=2.0)
    rows = loss.row_labels()
    w = np.random.default_rng(5).uniform(0.5, 2.0, 500)
    got = bd.init_score(loss, da.from_array(rows, chunks=120), da.from_array(w, chunks=120))
    np.testing.assert_allclose(got, loss.init_score(rows, w), rtol=1e-12)


def test_the_loss_keeps_its_own_targets_and_metrics_compare_them():
    _, q = soft_data(30)
    loss = bo.SoftTargetCrossEntropy(q)
    before = loss.grad_hess(loss.row_labels(), np.zeros((30, 4)))[0]
    q[:] = 0.25  # the caller edits its array afterwards: the loss (and its pickled copies) must not change
    np.testing.assert_array_equal(loss.grad_hess(loss.row_labels(), np.zeros((30, 4)))[0], before)
    assert loss != bo.SoftTargetCrossEntropy(q)
    other = bo.SoftTargetCrossEntropy(q)
    assert loss.metric() != other.metric() and hash(other) == hash(bo.SoftTargetCrossEntropy(q.copy()))
    assert len({loss.metric(), other.metric()}) == 2


def test_estimator_soft_target_eval_sets_are_checked_against_their_own_rows():
    X, q = soft_data(300)
    est = bo.BoostClassifier(n_estimators=2)
    with pytest.raises(ValueError, match=r"eval_set\[0\]: y of shape \(100, 4\), X with 99 rows"):
        est.fit(X[:200], q[:200], eval_set=[(X[200:299], q[200:])])
    bad = q[200:].copy()
    bad[7] = [0.5, 0.5, 0.5, 0.0]
    with pytest.raises(ValueError, match=r"eval_set\[0\] y rows must sum to 1 .* at row 7"):
        est.fit(X[:200], q[:200], eval_set=[(X[200:], bad)])
