"""Straightforward numpy implementations of the same gradient/Hessian formulas (the baseline a user
would write; stable where the naive form overflows, so the comparison is like for like)."""
import numpy as np


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable sigmoid in one vectorised call


def squared_error(y, z):
    return z - y, np.ones_like(z)


def absolute_error(y, z):
    return np.sign(z - y), np.ones_like(z)


def huber(y, z, delta=1.0):
    r = z - y
    inside = np.abs(r) <= delta
    return np.clip(r, -delta, delta), np.where(inside, 1.0, delta / np.maximum(np.abs(r), delta))


def pseudo_huber(y, z, delta=1.0):
    r = z - y
    s = np.sqrt(1 + (r / delta) ** 2)
    return r / s, 1 / s ** 3


def logcosh(y, z):
    r = z - y
    g = np.tanh(r)
    safe = np.where(np.abs(r) < 1e-4, 1.0, r)
    return g, np.where(np.abs(r) < 1e-4, 1.0, g / safe)  # the IRLS Hessian, as LogCosh(hessian="irls")


def quantile(y, z, alpha=0.5):
    return np.where(y > z, -alpha, 1 - alpha), np.ones_like(z)


def expectile(y, z, alpha=0.5):
    w = np.where(y >= z, alpha, 1 - alpha)
    return 2 * w * (z - y), 2 * w


def fair(y, z, c=1.0):
    r = z - y
    d = np.abs(r) + c
    return c * r / d, (c / d) ** 2


def logistic(y, z):
    p = _sig(z)
    return p - y, p * (1 - p)


def focal(y, z, gamma=2.0):
    t = 2 * y - 1
    u = t * z
    p = _sig(u)
    q = 1 - p
    s = np.logaddexp(0, -u)
    qg = q ** gamma
    g = -t * qg * (gamma * p * s + q)
    h = qg * p * (gamma * gamma * p * s + (1 + 2 * gamma) * q)
    return g, h


def exponential(y, z):
    t = 2 * y - 1
    e = np.exp(np.minimum(-t * z, 50.0))
    return -t * e, e


def smooth_hinge(y, z):
    t = 2 * y - 1
    m = t * z
    g = np.where(m <= 0, -t, np.where(m < 1, t * (m - 1), 0.0))
    return g, np.ones_like(z)


def squared_hinge(y, z):
    t = 2 * y - 1
    m = t * z
    return -2 * t * np.maximum(0, 1 - m), np.full_like(z, 2.0)


def softmax(y, z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    g = p.copy()
    g[np.arange(len(y)), y.astype(int)] -= 1
    return g, p * (1 - p)


def softmax_focal(y, z, gamma=2.0):
    n = len(y)
    idx = (np.arange(n), y.astype(int))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p_all = e / e.sum(axis=1, keepdims=True)
    p = p_all[idx][:, None]
    q = 1 - p
    s = -np.log(p)
    qg = q ** gamma
    big_a = gamma * p * s + q
    r = p_all / q
    g = r * qg * big_a
    h = r * qg * ((1 - r) * big_a + gamma * p * r * big_a + p * q * r * (1 + gamma))
    g[idx] = -(qg * big_a)[:, 0]
    h[idx] = (p * qg * (gamma * gamma * p * s + (1 + 2 * gamma) * q))[:, 0]
    return g, h
