"""Links: how a loss's raw margin z relates to its prediction (a mean or a class probability).

A link is an object with

* ``inverse(raw)``: margin -> prediction (what ``loss.predict`` returns);
* ``link(mu)``: prediction -> margin, clamped where the exact value is infinite (a probability of 0
  or 1, a mean of 0), so that a start score or a probability-space metric never becomes inf;
* ``xgboost_objective``: the XGBoost objective whose prediction transform equals ``inverse``
  (None when XGBoost has none: its booster then predicts margins, use boostobj's ``predict``);
* ``xgboost_base_score(init)``: the start score in the space XGBoost reads ``base_score`` in.

Every function is numpy-vectorised and stable (``exp`` only of non-positive arguments).
"""
from __future__ import annotations

from typing import Any

import numpy as np

# Probabilities and means are clamped at 1e-7 when mapped to margins: the exact margin of a
# probability 0 or 1 (or a mean 0) is infinite, and starting a model there would stall it.
PROB_FLOOR = 1e-7
XGBOOST_LOGIT_LIMIT = 13.8  # |margin| XGBoost's binary:logistic base_score can carry (p in [1e-6, 1 - 1e-6])


def expit(raw: Any) -> np.ndarray:
    r"""Stable logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`.

    ``exp`` is only taken of :math:`-|z|`, so nothing overflows.

    Parameters
    ----------
    raw : array_like
        Margins :math:`z`.

    Returns
    -------
    ndarray
        :math:`\sigma(z)` as float64, with the shape of ``raw``.
    """
    z = np.asarray(raw, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(raw: Any, axis: int = 1) -> np.ndarray:
    r"""Stable softmax :math:`p_j = e^{z_j} / \sum_i e^{z_i}` along ``axis``.

    The maximum along ``axis`` is subtracted before ``exp``, so nothing overflows.

    Parameters
    ----------
    raw : array_like
        Margins, e.g. of shape (n, k).
    axis : int, default=1
        The class axis.

    Returns
    -------
    ndarray
        Probabilities as float64, with the shape of ``raw``, summing to 1 along ``axis``.
    """
    z = np.asarray(raw, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _clamped_probability(p: Any) -> np.ndarray:
    return np.clip(np.asarray(p, dtype=np.float64), PROB_FLOOR, 1.0 - PROB_FLOOR)


class Link:
    """Base class of links; subclass it (``name``, ``inverse``, ``link``) for a link of your own.

    Attributes
    ----------
    name : str
        Short name of the link.
    xgboost_objective : str or None
        The XGBoost objective whose prediction transform equals ``inverse`` (None when XGBoost has
        none: its booster then predicts margins; use boostobj's ``predict``).
    """

    name: str = ""
    xgboost_objective: str | None = None

    def inverse(self, raw: Any) -> np.ndarray:
        """Map margins to predictions (what ``loss.predict`` returns).

        Parameters
        ----------
        raw : array_like
            Raw margins.

        Returns
        -------
        ndarray
            Predictions (means or probabilities) as float64.

        Raises
        ------
        NotImplementedError
            In the base class; subclasses implement it.
        """
        raise NotImplementedError

    def link(self, mu: Any) -> np.ndarray:
        """Map predictions to margins, clamped where the exact margin is infinite.

        Parameters
        ----------
        mu : array_like
            Predictions (means or probabilities).

        Returns
        -------
        ndarray
            Margins as float64, finite also for a probability of 0 or 1 or a mean of 0.

        Raises
        ------
        NotImplementedError
            In the base class; subclasses implement it.
        """
        raise NotImplementedError

    def check_prediction(self, mu: np.ndarray, name: str = "y_pred") -> None:
        """Raise ValueError when ``mu`` holds values this link cannot produce (none here)."""

    def xgboost_base_score(self, init: Any) -> Any:
        """``base_score`` for XGBoost: the margin itself unless the objective reads a prediction.

        Parameters
        ----------
        init : float or array_like
            The start score (a margin), e.g. from ``loss.init_score``.

        Returns
        -------
        float
            ``init`` as a float in the base class; subclasses whose ``xgboost_objective`` reads
            ``base_score`` as a prediction return that prediction.
        """
        return float(init)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Identity(Link):
    r"""Identity link :math:`\mu = z` (regression).

    ``xgboost_objective`` is ``"reg:squarederror"``.
    """

    name = "identity"
    xgboost_objective = "reg:squarederror"

    def inverse(self, raw: Any) -> np.ndarray:
        return np.asarray(raw, dtype=np.float64)

    def link(self, mu: Any) -> np.ndarray:
        return np.asarray(mu, dtype=np.float64)


class Log(Link):
    r"""Log link :math:`\mu = e^z` (Poisson, Gamma, Tweedie); ``link`` maps a mean of 0 (or below) to log 1e-7.

    ``xgboost_objective`` is ``"reg:tweedie"``, which predicts :math:`e^z` and reads ``base_score``
    as a mean; ``xgboost_base_score`` therefore returns :math:`e^{\text{init}}`.
    """

    name = "log"
    # reg:tweedie predicts exp(margin) and reads base_score as a mean, and accepts labels >= 0.
    # Not count:poisson: XGBoost then also caps every leaf at max_delta_step = 0.7 (a tree
    # parameter it sets for that objective alone), which would silently slow other losses down.
    xgboost_objective = "reg:tweedie"

    def inverse(self, raw: Any) -> np.ndarray:
        return np.exp(np.asarray(raw, dtype=np.float64))

    def link(self, mu: Any) -> np.ndarray:
        mu = np.asarray(mu, dtype=np.float64)
        return np.log(np.where(mu > 0, mu, PROB_FLOOR))  # a mean of 0 has margin -inf: floored

    def check_prediction(self, mu: np.ndarray, name: str = "y_pred") -> None:
        """Refuse negative means (a margin passed where a mean was expected, say)."""
        if (mu < 0).any():
            i = int(np.flatnonzero(mu < 0)[0])
            raise ValueError(f"{name} must be means >= 0 for the log link, got {float(mu[i])!r} at row {i} "
                             "(margins need from_margin=True)")

    def xgboost_base_score(self, init: Any) -> Any:
        """Return ``base_score`` for ``reg:tweedie``: the mean ``exp(init)``, with ``init`` clamped to
        [-80, 80] so that the mean is a normal float32 (XGBoost stores ``base_score`` in float32).

        Parameters
        ----------
        init : float
            The start score (a log-mean).

        Returns
        -------
        float
            ``exp(init)``.
        """
        return float(np.exp(np.clip(init, -80.0, 80.0)))


class Logit(Link):
    r"""Logit link :math:`p = \sigma(s z)`, the probability of class 1.

    ``link`` clamps probabilities to :math:`[10^{-7}, 1 - 10^{-7}]` and returns
    :math:`\log(p / (1 - p)) / s`.

    Parameters
    ----------
    scale : float, default=1.0
        The factor :math:`s`. ``scale=2`` is the exponential loss's link (its population minimiser
        is half the log-odds). Only at scale 1 is ``xgboost_objective`` ``"binary:logistic"``
        (which applies :math:`\sigma(z)`); otherwise it is None.
    """

    def __init__(self, scale: float = 1.0):
        self.scale = float(scale)
        self.name = "logit" if self.scale == 1.0 else f"logit({self.scale:g}z)"
        # binary:logistic applies sigma(z): it matches this link only at scale 1
        self.xgboost_objective = "binary:logistic" if self.scale == 1.0 else None

    def inverse(self, raw: Any) -> np.ndarray:
        return expit(self.scale * np.asarray(raw, dtype=np.float64))

    def link(self, mu: Any) -> np.ndarray:
        p = _clamped_probability(mu)
        return (np.log(p) - np.log1p(-p)) / self.scale

    def xgboost_base_score(self, init: Any) -> Any:
        """Return ``base_score`` for XGBoost: a probability at scale 1, the margin otherwise.

        Parameters
        ----------
        init : float
            The start score (a margin).

        Returns
        -------
        float
            ``inverse(init)`` at scale 1 (``binary:logistic`` reads ``base_score`` as a
            probability), ``init`` otherwise.
        """
        if self.xgboost_objective is None:
            return float(init)
        # binary:logistic reads base_score as a float32 probability and clips it to [1e-6, 1 - 1e-6]:
        # margins beyond +-13.8 cannot be represented, so the start is clamped there
        return float(self.inverse(np.clip(init, -XGBOOST_LOGIT_LIMIT, XGBOOST_LOGIT_LIMIT)))

    def __repr__(self) -> str:
        return "Logit()" if self.scale == 1.0 else f"Logit(scale={self.scale:g})"


class SquaredHingeLink(Link):
    r"""Squared hinge link :math:`p = (1 + z)/2`, clipped to [0, 1].

    The population minimiser of the squared hinge loss is :math:`z^* = 2p - 1`; ``link`` returns
    that (probabilities clipped to [0, 1] first). XGBoost has no matching objective.
    """

    name = "squared_hinge"

    def inverse(self, raw: Any) -> np.ndarray:
        return np.clip(0.5 * (1.0 + np.asarray(raw, dtype=np.float64)), 0.0, 1.0)

    def link(self, mu: Any) -> np.ndarray:
        return 2.0 * np.clip(np.asarray(mu, dtype=np.float64), 0.0, 1.0) - 1.0


class SmoothHingeLink(Link):
    r"""Smooth hinge link: the probability whose optimal smooth-hinge margin is :math:`z`.

    .. math::

        p = \begin{cases} 1 / (2 - z) & 0 \le z \le 1 \\ (1 + z) / (2 + z) & -1 \le z < 0
            \end{cases}

    (margins are clipped to [-1, 1] first). Derivation: minimising
    :math:`p L(z) + (1 - p) L(-z)` over :math:`z` gives :math:`z^* = (2p - 1) / p` for
    :math:`p \ge 1/2` and the mirror image :math:`(2p - 1) / (1 - p)` below; ``link`` returns
    :math:`z^*` (probabilities clipped to [0, 1] first). XGBoost has no matching objective.

    References
    ----------
    .. [1] J. D. M. Rennie and N. Srebro, "Loss Functions for Preference Levels: Regression with
       Discrete Ordered Labels", *Proceedings of the IJCAI Multidisciplinary Workshop on Advances
       in Preference Handling*, 2005.
    """

    name = "smooth_hinge"

    def inverse(self, raw: Any) -> np.ndarray:
        z = np.clip(np.asarray(raw, dtype=np.float64), -1.0, 1.0)
        return np.where(z >= 0, 1.0 / (2.0 - z), (1.0 + z) / (2.0 + z))

    def link(self, mu: Any) -> np.ndarray:
        p = np.clip(np.asarray(mu, dtype=np.float64), 0.0, 1.0)
        upper = (2.0 * p - 1.0) / np.maximum(p, 0.5)
        lower = (2.0 * p - 1.0) / np.maximum(1.0 - p, 0.5)
        return np.where(p >= 0.5, upper, lower)


class Softmax(Link):
    r"""Softmax link :math:`p_j = e^{z_j} / \sum_i e^{z_i}` of (n, k) margins (along the last axis).

    ``link`` normalises each row, then returns the log-probabilities (probabilities floored at
    1e-7): one representative of the margins that give them (softmax is invariant to adding a
    constant to a row). ``xgboost_objective`` is ``"multi:softprob"``.
    """

    name = "softmax"
    xgboost_objective = "multi:softprob"

    def inverse(self, raw: Any) -> np.ndarray:
        return softmax(raw, axis=-1)

    def link(self, mu: Any) -> np.ndarray:
        p = np.asarray(mu, dtype=np.float64)
        p = p / p.sum(axis=-1, keepdims=True)
        return np.log(np.maximum(p, PROB_FLOOR))

    def xgboost_base_score(self, init: Any) -> Any:
        """Return ``base_score`` for ``multi:softprob``: one start margin per class.

        Parameters
        ----------
        init : array_like of shape (k,)
            The start margins.

        Returns
        -------
        list of float
            The k margins.
        """
        return [float(v) for v in np.ravel(init)]  # one margin per class


IDENTITY = Identity()
LOG = Log()
LOGIT = Logit()
SOFTMAX = Softmax()

__all__ = ["Link", "Identity", "Log", "Logit", "SquaredHingeLink", "SmoothHingeLink", "Softmax",
           "IDENTITY", "LOG", "LOGIT", "SOFTMAX", "expit", "softmax"]
