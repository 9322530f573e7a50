"""A loss defined entirely outside the package, through the public extension API only, gets the
drivers, both engines, the estimators, check_loss, the start score and the GPU path for free."""
import math

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box
from boostobj.testing import check_loss


# -- the user's code: scalar kernels (plain Python on math) and a small class ------------------------
@bo.kernel
def lorentz_value(y, z, theta):
    u = (z - y) / theta[0]
    return 0.5 * theta[0] ** 2 * math.log1p(u * u)


@bo.kernel
def lorentz_grad_hess(y, z, theta):
    u = (z - y) / theta[0]
    inv = 1.0 / (1.0 + u * u)
    return theta[0] * u * inv, (1.0 - u * u) * inv * inv   # exact: negative beyond |r| > c


def lorentz_grad_hess_irls(y, z, theta):  # not decorated: the class declaration registers it
    u = (z - y) / theta[0]
    inv = 1.0 / (1.0 + u * u)
    return theta[0] * u * inv, inv


class Lorentz(bo.Loss):
    """Cauchy loss c^2/2 log(1 + (r/c)^2) with exact and IRLS Hessians."""

    name = "lorentz"
    task = "regression"
    link = bo.links.IDENTITY
    domain = bo.domains.REAL
    value_kernel = lorentz_value
    hessians = {"irls": lorentz_grad_hess_irls, "exact": lorentz_grad_hess}
    hessian_may_be_negative = True

    def __init__(self, c=1.0, hessian="irls"):
        self._init(c=c, hessian=hessian)

    def _theta(self):
        if not self.c > 0:
            raise ValueError(f"c must be > 0, got {self.c!r}")
        return [float(self.c)]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 4))
    y = 3 * X[:, 0] + np.sin(2 * X[:, 1]) + 0.3 * rng.standard_cauchy(500)
    return X, y, rng.uniform(0.5, 2.0, 500)


def test_user_loss_is_checked_and_equals_builtin_cauchy(data):
    X, y, w = data
    for hessian in ("irls", "exact"):
        ours, builtin = Lorentz(c=1.5, hessian=hessian), bo.Cauchy(c=1.5, hessian=hessian)
        check_loss(ours)
        z = y + np.random.default_rng(0).normal(0, 3, y.shape[0])
        np.testing.assert_allclose(ours.grad_hess(y, z, w), builtin.grad_hess(y, z, w), rtol=1e-13)
        np.testing.assert_allclose(ours.loss(y, z), builtin.loss(y, z), rtol=1e-13)
    assert Lorentz().init_score(y, w) == pytest.approx(bo.Cauchy().init_score(y, w), abs=1e-10)
    assert Lorentz().exact() == Lorentz(hessian="exact")
    assert Lorentz().hessian_policies == ("irls", "exact")
    with pytest.raises(ValueError, match="hessian must be one of"):
        Lorentz(hessian="upper")


def test_user_loss_trains_in_both_engines_and_estimators(data):
    X, y, w = data
    loss = Lorentz(c=1.0)
    booster = box.train({"max_depth": 3, "eta": 0.3}, xgb.DMatrix(X, label=y, weight=w), loss, 30)
    pred_x = box.predict(booster, X, loss)
    booster = bol.train({"num_leaves": 8, "learning_rate": 0.3, "verbose": -1}, lgb.Dataset(X, label=y, weight=w),
                        loss, 30)
    pred_l = bol.predict(booster, X, loss)
    start = np.abs(y - loss.init_score(y, w)).mean()
    for pred in (pred_x, pred_l):
        assert np.median(np.abs(pred - y)) < 0.5 * start
    est = bo.BoostRegressor(loss=loss, engine="lightgbm", n_estimators=30, learning_rate=0.3, num_leaves=8).fit(X, y, w)
    np.testing.assert_allclose(est.predict(X), pred_l, rtol=1e-9)
    assert est.get_params()["loss__c"] == 1.0


def test_class_declaration_errors_are_clear():
    with pytest.raises(TypeError, match="must declare link"):
        class NoLink(bo.Loss):
            name, task, domain, value_kernel = "x", "regression", bo.domains.REAL, lorentz_value
            hessians = {"exact": lorentz_grad_hess}
    with pytest.raises(TypeError, match="'exact' kernel"):
        class NoExact(bo.Loss):
            name, task, link, domain = "x", "regression", bo.links.IDENTITY, bo.domains.REAL
            value_kernel = lorentz_value
            hessians = {"irls": lorentz_grad_hess_irls}


def nan_near_zero_grad_hess(y, z, theta):  # a user kernel with a 0/0 at r = 0
    r = z - y
    return r * (r / r), 1.0 + 0.0 * (r / r)


class NanNearZero(Lorentz):
    name = "nan_near_zero"
    hessians = {"exact": nan_near_zero_grad_hess}

    def __init__(self, c=1.0, hessian="exact"):
        self._init(c=c, hessian=hessian)


def test_check_loss_reports_a_kernel_that_returns_nan():
    """grad_hess raised out of check_loss even with raise_on_failure=False (no report), and its message said the
    inputs were 'this large' (margin 0.0): the report names the check, and the message says NaN."""
    y = np.array([0.0, 1.0, 2.0, 3.0])
    report = bo.testing.check_loss(NanNearZero(), y=y, raw=np.array([0.0, 1.5, 2.0, 2.5]), check_init=False,
                                   raise_on_failure=False)
    assert not report.ok
    assert any(f.startswith("derivatives: ") and "is NaN (raw margin 0.0, label 0.0)" in f and "undefined value" in f
               for f in report.failures), report.failures
    with pytest.raises(ValueError, match=r"gradient/Hessian at row 0 is NaN .* undefined value"):
        NanNearZero().grad_hess(y, np.zeros(4))
