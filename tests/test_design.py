"""The self-describing design: every loss declares its link, label domain, Hessian policies and
start rule; the public surface is tidy; inputs keep their precision."""
import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.xgboost as box
from boostobj.domains import Domain
from boostobj.links import Link

from .reference import CASES, case_id


@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_every_loss_describes_itself(loss):
    assert isinstance(loss.link, Link) and isinstance(loss.domain, Domain)
    assert "exact" in loss.hessian_policies
    assert loss.exact().hessian_is_exact and loss.exact().exact() == loss.exact()
    # labels drawn from the loss's own domain are accepted; the start score is finite
    rng = np.random.default_rng(0)
    y = loss.domain.sample(rng, 50, loss.n_classes or (3 if loss.task == "multiclass" else None))
    assert np.isfinite(loss.init_score(y)).all()
    # link and inverse are each other's inverse on predictions the link can reach
    if loss.task == "multiclass":
        mu = bo.links.softmax(rng.normal(size=(5, 3)))
    elif loss.task == "binary":
        mu = np.array([0.05, 0.3, 0.5, 0.9])
    else:
        mu = np.array([0.2, 1.0, 7.5])
    np.testing.assert_allclose(loss.link.inverse(loss.link.link(mu)), mu, rtol=1e-12)


def test_xgboost_helper_predicts_means_for_a_log_link_loss():
    # Before: booster_params fell back to reg:squarederror, so booster.predict returned log-means.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = rng.poisson(np.exp(0.5 * X[:, 0] + 1.0)).astype(float)
    booster = box.train({"max_depth": 2, "eta": 0.3}, xgb.DMatrix(X, label=y), bo.Poisson(), 20)
    mean = booster.predict(xgb.DMatrix(X))
    margin = booster.predict(xgb.DMatrix(X), output_margin=True)
    np.testing.assert_allclose(mean, np.exp(margin), rtol=1e-5)
    np.testing.assert_allclose(box.predict(booster, X, bo.Poisson()), mean, rtol=1e-5)
    assert abs(mean.mean() / y.mean() - 1) < 0.05


def test_public_surface():
    names = dir(bo)
    assert not [n for n in names if n.startswith("_") and n != "__version__"]
    for private in ("drivers", "kernels", "losses", "_start", "_validation", "_engines"):
        assert private not in names
    for public in ("Huber", "Poisson", "BoostClassifier", "get_loss", "available_losses", "set_num_threads",
                   "metrics", "xgboost", "lightgbm", "dask", "testing", "kernel"):
        assert public in bo.__all__ and hasattr(bo, public)
    # no metric class shares a name with a loss: a loss's mean is loss.metric()
    assert not set(bo.metrics.__all__) & set(bo.available_losses()) and not {"Huber", "Focal", "LogCosh"} & set(
        bo.metrics.__all__)


def test_scalar_sample_weight_is_rejected_everywhere():
    # Before: grad_hess and init_score ignored a scalar weight and mean_loss divided by it.
    y, z = np.array([1.0, 2.0, 3.0]), np.zeros(3)
    for call in (lambda: bo.SquaredError().grad_hess(y, z, sample_weight=2.0),
                 lambda: bo.SquaredError().init_score(y, sample_weight=2.0),
                 lambda: bo.SquaredError().mean_loss(y, z, sample_weight=2.0),
                 lambda: bo.SquaredError().loss(y, z, sample_weight=2.0)):
        with pytest.raises(ValueError, match="one weight per row, got the scalar 2.0"):
            call()


def test_float32_margins_do_not_round_float64_labels():
    # Before: labels were cast to the margins' dtype (16777217 -> 16777216), giving a 0 gradient.
    g, _ = bo.SquaredError().grad_hess([16777217.0], np.float32([16777216.0]))
    assert g.dtype == np.float32 and g[0] == -1.0


def test_unknown_loss_has_no_reference():
    from . import reference

    class Unlisted:
        name = "unlisted"

    with pytest.raises(LookupError, match="no reference for 'unlisted'"):
        reference.reference_for(Unlisted())
