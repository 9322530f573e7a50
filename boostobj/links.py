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


def expit(raw: Any) -> np.ndarray:
    """Stable logistic sigmoid: exp is only taken of -|z|."""
    z = np.asarray(raw, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(raw: Any, axis: int = 1) -> np.ndarray:
    z = np.asarray(raw, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _clamped_probability(p: Any) -> np.ndarray:
    return np.clip(np.asarray(p, dtype=np.float64), PROB_FLOOR, 1.0 - PROB_FLOOR)


class Link:
    """Base class of links; subclass it (``name``, ``inverse``, ``link``) for a link of your own."""

    name: str = ""
    xgboost_objective: str | None = None

    def inverse(self, raw: Any) -> np.ndarray:
        raise NotImplementedError

    def link(self, mu: Any) -> np.ndarray:
        raise NotImplementedError

    def xgboost_base_score(self, init: Any) -> Any:
        """``base_score`` for XGBoost: the margin itself unless the objective reads a prediction."""
        return float(init)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Identity(Link):
    """mu = z (regression)."""

    name = "identity"
    xgboost_objective = "reg:squarederror"

    def inverse(self, raw: Any) -> np.ndarray:
        return np.asarray(raw, dtype=np.float64)

    def link(self, mu: Any) -> np.ndarray:
        return np.asarray(mu, dtype=np.float64)


class Log(Link):
    """mu = exp(z) (Poisson, Gamma, Tweedie); ``link`` floors the mean at 1e-7."""

    name = "log"
    # reg:tweedie predicts exp(margin) and reads base_score as a mean, and accepts labels >= 0.
    # Not count:poisson: XGBoost then also caps every leaf at max_delta_step = 0.7 (a tree
    # parameter it sets for that objective alone), which would silently slow other losses down.
    xgboost_objective = "reg:tweedie"

    def inverse(self, raw: Any) -> np.ndarray:
        return np.exp(np.asarray(raw, dtype=np.float64))

    def link(self, mu: Any) -> np.ndarray:
        return np.log(np.maximum(np.asarray(mu, dtype=np.float64), PROB_FLOOR))

    def xgboost_base_score(self, init: Any) -> Any:
        return float(np.exp(init))


class Logit(Link):
    """p = sigma(scale z), the probability of class 1. ``scale=2`` is the exponential loss's link
    (its population minimiser is half the log-odds)."""

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
        if self.xgboost_objective is None:
            return float(init)
        return float(self.inverse(init))  # binary:logistic reads base_score as a probability

    def __repr__(self) -> str:
        return "Logit()" if self.scale == 1.0 else f"Logit(scale={self.scale:g})"


class SquaredHingeLink(Link):
    """Squared hinge: the population minimiser is z* = 2p - 1, so p = (1 + z) / 2 clipped to [0, 1]."""

    name = "squared_hinge"

    def inverse(self, raw: Any) -> np.ndarray:
        return np.clip(0.5 * (1.0 + np.asarray(raw, dtype=np.float64)), 0.0, 1.0)

    def link(self, mu: Any) -> np.ndarray:
        return 2.0 * np.clip(np.asarray(mu, dtype=np.float64), 0.0, 1.0) - 1.0


class SmoothHingeLink(Link):
    """Smooth hinge: minimising p L(z) + (1 - p) L(-z) gives z* = (2p - 1) / p for p >= 1/2 and the
    mirror image (2p - 1) / (1 - p) below, so p = 1 / (2 - z) on [0, 1] and (1 + z) / (2 + z) on
    [-1, 0)."""

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
    """Class probabilities p_j = exp(z_j) / sum_i exp(z_i) of (n, k) margins; ``link`` returns the
    log-probabilities (probabilities floored at 1e-7), one representative of the margins that give
    them (softmax is invariant to adding a constant to a row)."""

    name = "softmax"
    xgboost_objective = "multi:softprob"

    def inverse(self, raw: Any) -> np.ndarray:
        return softmax(raw, axis=-1)

    def link(self, mu: Any) -> np.ndarray:
        p = np.asarray(mu, dtype=np.float64)
        p = p / p.sum(axis=-1, keepdims=True)
        return np.log(np.maximum(p, PROB_FLOOR))

    def xgboost_base_score(self, init: Any) -> Any:
        return [float(v) for v in np.ravel(init)]  # one margin per class


IDENTITY = Identity()
LOG = Log()
LOGIT = Logit()
SOFTMAX = Softmax()

__all__ = ["Link", "Identity", "Log", "Logit", "SquaredHingeLink", "SmoothHingeLink", "Softmax",
           "IDENTITY", "LOG", "LOGIT", "SOFTMAX", "expit", "softmax"]
