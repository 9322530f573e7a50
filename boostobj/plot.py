"""Plots: a loss's value, gradient and Hessian; a reliability diagram; training curves.

Needs matplotlib (``pip install boostobj[plot]``), imported when a function is called. Every
function takes ``ax=`` (an Axes, or for :func:`plot_loss` a sequence of three) and returns the
Figure and the Axes it drew on, as matplotlib's and scikit-learn's plotting conventions expect.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

QUANTITIES = ("value", "gradient", "hessian")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("boostobj.plot needs matplotlib: pip install 'boostobj[plot]' (or matplotlib)") from None
    return plt


def _axes(ax, count):
    """(figure, list of ``count`` axes): new side-by-side axes, or the ones given."""
    if ax is None:
        fig, axes = _pyplot().subplots(1, count, figsize=(4.2 * count, 3.4), squeeze=False)
        return fig, list(axes[0])
    axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(axes) != count:
        raise ValueError(f"ax must be {count} Axes here, got {len(axes)}")
    return axes[0].figure, axes


def _default_label(loss):
    if loss.task == "regression":
        return 1.0  # inside every regression label domain (real, positive, non-negative, non-zero)
    return 1.0 if loss.task == "binary" else 0.0


def _default_margins(loss, label):
    if loss.task == "regression":
        return float(loss.link.link(np.array([label]))[0]) + np.linspace(-4.0, 4.0, 401)
    return np.linspace(-6.0, 6.0, 401)


def loss_curves(loss, margins=None, label=None):
    """The curves :func:`plot_loss` draws, as arrays.

    Parameters
    ----------
    loss : Loss
        Any boostobj loss.
    margins : array_like of shape (m,), optional
        Margins to evaluate at (multiclass: the margin of the label's class, the others 0).
        Default: 401 points within +-4 of the label's margin (regression) or +-6 (classification).
    label : float, optional
        The label (regression value, binary label in [0, 1], class index, or a soft-target loss's
        row index). Default: 1 for regression and binary losses, class 0 for multiclass.

    Returns
    -------
    dict
        ``margin``, ``value``, ``gradient``, ``hessian`` (the loss's own Hessian policy) and
        ``exact_hessian`` arrays of shape (m,). Batch losses (GHM, Dice) are evaluated as a batch
        of one row per margin (GHM's weight is then 1: the plain loss).
    """
    label = _default_label(loss) if label is None else float(label)
    z = np.asarray(_default_margins(loss, label) if margins is None else margins, dtype=np.float64).ravel()
    if loss.task == "multiclass":
        raw = np.zeros((z.shape[0], loss.n_classes or 3))
        column = 0 if loss.name == "soft_target_softmax" else int(label)
        raw[:, column] = z
    else:
        raw, column = z, None
    y = np.full(z.shape[0], label)
    out = {"margin": z}
    for name, version in (("policy", loss), ("exact", loss.exact())):
        if loss.is_batch:  # one batch per margin: the statistics of that row alone
            parts = [version.grad_hess(y[i:i + 1], raw[i:i + 1]) for i in range(z.shape[0])]
            g, h = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
            v = np.concatenate([version.loss(y[i:i + 1], raw[i:i + 1]) for i in range(z.shape[0])])
        else:
            g, h = version.grad_hess(y, raw)
            v = version.loss(y, raw)
        if column is not None:
            g, h = g[:, column], h[:, column]
        if name == "policy":
            out.update(value=v, gradient=g, hessian=h)
        else:
            out["exact_hessian"] = h
    return out


def plot_loss(losses: Any, margins: Any = None, label: Any = None, ax: Any = None):
    """Value, gradient and Hessian of one or several losses against the margin, on shared axes.

    The Hessian panel draws each loss's own Hessian policy (solid) and, where it differs, the exact
    Hessian (dashed, same colour): e.g. Focal's positive upper bound over its exact Hessian, which
    goes negative for badly misclassified rows.

    Parameters
    ----------
    losses : Loss or sequence of Loss
        The losses to draw (the legend names them by their repr).
    margins, label : optional
        As in :func:`loss_curves`: the margins (default: around the label's margin) and the label.
    ax : sequence of three matplotlib Axes, optional
        Where to draw value, gradient and Hessian; new axes side by side when omitted.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : list of three matplotlib.axes.Axes
        Value, gradient, Hessian.
    """
    losses = [losses] if not isinstance(losses, (list, tuple)) else list(losses)
    fig, axes = _axes(ax, 3)
    for i, loss in enumerate(losses):
        curves = loss_curves(loss, margins, label)
        color = f"C{i}"
        for a, quantity in zip(axes, QUANTITIES):
            a.plot(curves["margin"], curves[quantity], color=color, label=repr(loss))
        if not np.allclose(curves["hessian"], curves["exact_hessian"], rtol=1e-12, atol=1e-300):
            axes[2].plot(curves["margin"], curves["exact_hessian"], color=color, linestyle="--",
                         label=f"{loss!r}, exact")
    shown = {("class " if loss.task == "multiclass" else "") + f"{_default_label(loss) if label is None else label:g}"
             for loss in losses}
    x_name = f"margin z (label {', '.join(sorted(shown))})"
    for a, quantity in zip(axes, QUANTITIES):
        a.set_xlabel(x_name)
        a.set_title(quantity)
        a.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
    axes[0].legend(fontsize="small")
    axes[2].legend(fontsize="small")
    return fig, axes


def calibration_curve(y, proba, n_bins=10):
    r"""Reliability-diagram points and the expected calibration error.

    Parameters
    ----------
    y : array_like of shape (n,)
        Binary labels in {0, 1}, or class indices when ``proba`` is (n, k).
    proba : array_like of shape (n,) or (n, k)
        P(y = 1), or class probabilities (then the top class: confidence vs accuracy).
    n_bins : int, default=10
        Equal-width bins of [0, 1].

    Returns
    -------
    mean_predicted, observed, counts : ndarray of shape (b,)
        Per non-empty bin: mean predicted probability, observed frequency, number of rows.
    ece : float
        Expected calibration error: the count-weighted mean of :math:`|\text{observed} - \text{predicted}|`.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    y = np.asarray(y, dtype=np.float64).ravel()
    p = np.asarray(proba, dtype=np.float64)
    if y.size == 0:
        raise ValueError("calibration_curve needs at least one row")
    if p.ndim == 2:
        hit = (p.argmax(axis=1) == y).astype(np.float64)
        p = p.max(axis=1)
    else:
        hit = y
    if p.shape[0] != y.shape[0]:
        raise ValueError(f"y has {y.shape[0]} rows but proba has {p.shape[0]}")
    if not (np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all()):
        raise ValueError("proba must be probabilities in [0, 1]")
    index = np.minimum((p * n_bins).astype(np.int64), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    filled = counts > 0
    mean_p = np.bincount(index, weights=p, minlength=n_bins)[filled] / counts[filled]
    observed = np.bincount(index, weights=hit, minlength=n_bins)[filled] / counts[filled]
    ece = float(np.sum(counts[filled] * np.abs(observed - mean_p)) / y.shape[0])
    return mean_p, observed, counts[filled], ece


def plot_calibration(y, proba: Any, n_bins: int = 10, label: str | None = None, ax: Any = None):
    """Reliability diagram: observed frequency against mean predicted probability, per bin.

    Binary ``proba`` (n,) draws P(y = 1); multiclass (n, k) the top class (accuracy against
    confidence). The legend carries the expected calibration error (ECE). Call it again with the same
    ``ax`` to compare models.

    Parameters
    ----------
    y, proba, n_bins
        As in :func:`calibration_curve`.
    label : str, optional
        Legend name of the model.
    ax : matplotlib Axes, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    mean_p, observed, _, ece = calibration_curve(y, proba, n_bins)
    fig, (ax,) = _axes(ax, 1)
    if not any(line.get_label() == "perfectly calibrated" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", label="perfectly calibrated")
    ax.plot(mean_p, observed, marker="o", label=f"{label or 'model'} (ECE {ece:.4f})")
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize="small")
    return fig, ax


def _evaluation_history(source):
    """The {data set: {metric: [values]}} record of an engine run, from any of its holders."""
    if isinstance(source, dict):
        return source
    if hasattr(source, "evals_result_"):  # boostobj and LightGBM estimators
        return source.evals_result_
    if callable(getattr(source, "evals_result", None)):  # XGBoost's scikit-learn estimators
        return source.evals_result()
    raise TypeError("pass an evals_result dict (xgb.train(evals_result=...), lgb.record_evaluation) or a fitted "
                    f"estimator with evals_result_ / evals_result(); got {type(source).__name__}")


def plot_training_curve(source: Any, metrics: Sequence[str] | None = None, ax: Any = None):
    """The evaluation metrics of a training run against the boosting round.

    Parameters
    ----------
    source : dict or fitted estimator
        ``{data set: {metric: [value per round]}}`` as XGBoost's ``evals_result=`` and LightGBM's
        ``record_evaluation`` fill it, or an estimator holding one (``evals_result_`` of boostobj's
        and LightGBM's estimators, ``evals_result()`` of XGBoost's).
    metrics : str or sequence of str, optional
        The metric(s) to draw (default: all).
    ax : matplotlib Axes, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    history = _evaluation_history(source)
    if isinstance(metrics, str):
        metrics = [metrics]
    fig, (ax,) = _axes(ax, 1)
    drawn = 0
    for data_set, record in history.items():
        for metric, values in record.items():
            if metrics is not None and metric not in metrics:
                continue
            ax.plot(np.arange(1, len(values) + 1), np.asarray(values, dtype=np.float64), label=f"{data_set}: {metric}")
            drawn += 1
    if not drawn:
        raise ValueError(f"nothing to draw: the record holds {sorted({m for r in history.values() for m in r})} "
                         f"for {list(history)}, asked for {list(metrics) if metrics is not None else 'all'}")
    ax.set_xlabel("boosting round")
    ax.set_ylabel("metric")
    ax.legend(fontsize="small")
    return fig, ax
