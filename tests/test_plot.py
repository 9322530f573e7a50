"""boostobj.plot: the figures hold the expected lines, labels and data (not pixels)."""
import numpy as np
import pytest

import boostobj as bo

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from boostobj import plot  # noqa: E402


def labels(ax):
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_loss_draws_value_gradient_and_both_hessians_where_they_differ():
    fig, axes = plot.plot_loss([bo.Focal(gamma=2.0), bo.Logistic()])
    assert [a.get_title() for a in axes] == ["value", "gradient", "hessian"]
    assert labels(axes[0]) == ["Focal()", "Logistic()"]
    assert labels(axes[2]) == ["Focal()", "Focal(), exact", "Logistic()"]  # Logistic's policy is exact
    exact = axes[2].get_lines()[1]
    assert exact.get_linestyle() == "--" and np.min(exact.get_ydata()) < 0  # focal's exact Hessian dips below 0
    z = axes[1].get_lines()[1].get_xdata()
    np.testing.assert_allclose(axes[1].get_lines()[1].get_ydata(), bo.Logistic().grad_hess(np.ones_like(z), z)[0])
    assert "label 1" in axes[0].get_xlabel()


def test_loss_curves_cover_every_registered_loss():
    from .test_properties import LOSSES

    for loss in LOSSES:
        curves = plot.loss_curves(loss, margins=np.linspace(-3, 3, 7))
        for key in ("value", "gradient", "hessian", "exact_hessian"):
            assert curves[key].shape == (7,) and np.isfinite(curves[key]).all(), (loss, key)


def test_plot_loss_uses_given_axes_and_refuses_the_wrong_number():
    fig, axes = plt.subplots(1, 3)
    got_fig, got_axes = plot.plot_loss(bo.Huber(delta=0.5), label=2.0, ax=axes)
    assert got_fig is fig and list(got_axes) == list(axes)
    np.testing.assert_allclose(axes[0].get_lines()[0].get_xdata()[[0, -1]], [-2.0, 6.0])
    with pytest.raises(ValueError, match="ax must be 3 Axes"):
        plot.plot_loss(bo.Huber(), ax=axes[0])


def test_calibration_curve_and_plot():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=20000)
    y = (rng.uniform(size=20000) < p).astype(float)
    mean_p, observed, counts, ece = plot.calibration_curve(y, p)
    assert counts.sum() == 20000 and ece < 0.02
    np.testing.assert_allclose(observed, mean_p, atol=0.03)
    _, _, _, ece_bad = plot.calibration_curve(y, p ** 3)
    assert ece_bad > 0.1
    fig, ax = plot.plot_calibration(y, p, label="calibrated")
    plot.plot_calibration(y, p ** 3, label="skewed", ax=ax)
    names = labels(ax)
    assert names[0] == "perfectly calibrated" and names.count("perfectly calibrated") == 1
    assert names[1].startswith("calibrated (ECE 0.0") and names[2].startswith("skewed (ECE")
    # multiclass: the top class, confidence against accuracy
    proba = np.full((4, 3), 0.1)
    proba[np.arange(4), [0, 1, 2, 0]] = 0.8
    mean_p, observed, _, ece = plot.calibration_curve(np.array([0, 1, 0, 0]), proba)
    np.testing.assert_allclose([mean_p[0], observed[0], ece], [0.8, 0.75, 0.05])
    with pytest.raises(ValueError, match="probabilities in"):
        plot.calibration_curve([0, 1], [0.5, 1.5])


def test_training_curve_from_both_engines_and_the_estimators():
    lgb = pytest.importorskip("lightgbm")
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=200)
    record: dict = {}
    xgb.train({"nthread": 1}, xgb.DMatrix(X, label=y), 5, evals=[(xgb.DMatrix(X, label=y), "train")],
              evals_result=record, verbose_eval=False)
    fig, ax = plot.plot_training_curve(record)
    (line,) = ax.get_lines()
    assert line.get_label() == "train: rmse" and list(line.get_xdata()) == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(line.get_ydata(), record["train"]["rmse"])
    lgb_record: dict = {}
    lgb.train({"verbose": -1, "metric": "l1"}, lgb.Dataset(X, label=y), 4, valid_sets=[lgb.Dataset(X, label=y)],
              valid_names=["valid"], callbacks=[lgb.record_evaluation(lgb_record)])
    _, ax = plot.plot_training_curve(lgb_record)
    assert labels(ax) == ["valid: l1"]
    model = xgb.XGBRegressor(n_estimators=4, n_jobs=1).fit(X, y, eval_set=[(X, y)], verbose=False)
    _, ax = plot.plot_training_curve(model)
    assert labels(ax) == ["validation_0: rmse"]
    ours = bo.BoostRegressor(loss=bo.Huber(), n_estimators=3, n_jobs=1).fit(X, y, eval_set=[(X, y)])
    _, ax = plot.plot_training_curve(ours)
    assert len(ax.get_lines()) == 1 and len(ax.get_lines()[0].get_xdata()) == 3
    with pytest.raises(ValueError, match="nothing to draw"):
        plot.plot_training_curve(record, metrics=["mae"])
    with pytest.raises(TypeError, match="evals_result"):
        plot.plot_training_curve([1, 2])
