"""Inverse links: raw margin -> prediction. One function per link, numpy-vectorised and stable."""
import numpy as np


def expit(z):
    """Stable logistic sigmoid: exp is only taken of -|z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z, axis=1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _identity(z):
    return np.asarray(z, dtype=np.float64)


def _logit(z):
    return expit(np.asarray(z, dtype=np.float64))


def _logit_half(z):
    # Exponential loss: its population minimiser is half the log-odds, so p = sigmoid(2 z).
    return expit(2.0 * np.asarray(z, dtype=np.float64))


def _squared_hinge(z):
    # Squared hinge: the population minimiser is z* = 2p - 1, so p = (1 + z) / 2 clipped to [0, 1].
    return np.clip(0.5 * (1.0 + np.asarray(z, dtype=np.float64)), 0.0, 1.0)


def _smooth_hinge(z):
    # Smooth hinge: minimising p L(z) + (1 - p) L(-z) gives z* = (2p - 1) / p for p >= 1/2 and the
    # mirror image below, so p = 1 / (2 - z) on [0, 1) and (1 + z) / (2 + z) on (-1, 0).
    z = np.clip(np.asarray(z, dtype=np.float64), -1.0, 1.0)
    return np.where(z >= 0, 1.0 / (2.0 - z), (1.0 + z) / (2.0 + z))


def _softmax(z):
    return softmax(np.asarray(z, dtype=np.float64), axis=1)


INVERSE_LINKS = {
    "identity": _identity,
    "logit": _logit,
    "logit_half": _logit_half,
    "squared_hinge": _squared_hinge,
    "smooth_hinge": _smooth_hinge,
    "softmax": _softmax,
}


def inverse_link(link, z):
    """Predictions from raw margins: identity, probability of class 1 ((n,)), or class
    probabilities ((n, k), rows summing to 1)."""
    return INVERSE_LINKS[link](z)
