"""Kernels of the batch-shape losses: each row's derivatives depend on statistics of the whole batch.

A reduction kernel ``reduce(y, z, w, theta, acc)`` adds one row's weighted contribution to ``acc``;
the loss turns the sums into the parameters of the second pass (``Loss._theta_with``), whose
kernels are ordinary ones reading those parameters from ``theta``.

Gradient harmonizing (Li, Liu & Wang, AAAI 2019): each row's loss is weighted by
beta = N / (M count(bin of g)), g its gradient norm in [0, 1], N the total weight, count the weight
in its bin of ``bins`` equal-width bins, M the number of non-empty bins (mmdetection's
normalisation: the betas of all rows sum to N). The weights are constants w.r.t. the margin, as in
the paper: g = beta dL/dz, h = beta d2L/dz2. Statistics: [N, count_0, ..., count_{bins-1}];
theta of the second pass: [loss parameters..., beta_0, ..., beta_{bins-1}].
"""
import math

from ._math import exp, jitable, softplus
from .multiclass import _max_and_sums, _softmax_row, softmax_value_row


@jitable
def _bin(norm, bins):
    """The bin of a gradient norm in [0, 1] (1 falls into the last bin)."""
    return min(int(norm * bins), bins - 1)


@jitable
def _count(norm, w, bins, acc):
    acc[0] += w
    acc[1 + _bin(norm, bins)] += w


# GHM-C, binary, theta = (bins, betas...): beta-weighted cross-entropy, gradient norm |p - y|
# (labels in [0, 1]: the soft-label cross-entropy's gradient is p - y too). p, q = 1 - p and p q
# from one exp, as the logistic kernel.
@jitable
def _logistic_pq(z):
    e = exp(-abs(z))
    inv = 1.0 / (1.0 + e)
    pos = z >= 0.0
    return (1.0 if pos else e) * inv, (e if pos else 1.0) * inv, e * inv * inv


@jitable
def ghmc_reduce(y, z, w, theta, acc):
    p, q, pq = _logistic_pq(z)
    _count(abs((1.0 - y) * p - y * q), w, int(theta[0]), acc)


@jitable
def ghmc_grad_hess(y, z, theta):
    p, q, pq = _logistic_pq(z)
    g = (1.0 - y) * p - y * q  # p - y without cancellation
    beta = theta[1 + _bin(abs(g), int(theta[0]))]
    return beta * g, beta * pq


@jitable
def ghmc_value(y, z, theta):
    p, q, pq = _logistic_pq(z)
    beta = theta[1 + _bin(abs((1.0 - y) * p - y * q), int(theta[0]))]
    return beta * (y * softplus(-z) + (1.0 - y) * softplus(z))


# GHM-C, multiclass, theta = (0.0, bins, betas...): theta[0:1] is the softmax kernels' theta (no
# label smoothing). Gradient norm of a row: 1 - p_y, which is |p - e_y|_1 / 2 (the binary |p - y|
# for k = 2), computed as the sum of the other probabilities when p_y is the largest.
@jitable
def _one_minus_p(y, z):
    m, arg, total, rest = _max_and_sums(z, -1)
    return rest / total if arg == y else 1.0 - exp(float(z[y]) - m) / total


@jitable
def softmax_ghmc_reduce(y, z, w, theta, acc):
    _count(_one_minus_p(y, z), w, int(theta[1]), acc)


@jitable
def _softmax_ghmc_row(y, z, theta, g, h, mode):
    # the bin from the very function the counting pass used: a norm computed another way (here
    # g_y = p_y - 1 from the softmax kernel) can differ by an ulp at a bin edge and read the weight
    # of a neighbouring, possibly empty, bin (weight 0: the row would silently stop learning)
    beta = theta[2 + _bin(_one_minus_p(y, z), int(theta[1]))]
    _softmax_row(y, z, theta[0:1], g, h, mode)  # mode: the multiclass step convention (kernels/multiclass.py)
    for j in range(z.shape[0]):
        g[j] = beta * g[j]
        h[j] = beta * h[j]


@jitable
def softmax_ghmc_grad_hess_row(y, z, theta, g, h):
    _softmax_ghmc_row(y, z, theta, g, h, 0)


@jitable
def softmax_ghmc_grad_hess_row_xgboost(y, z, theta, g, h):
    _softmax_ghmc_row(y, z, theta, g, h, 1)


@jitable
def softmax_ghmc_value_row(y, z, theta):
    return theta[2 + _bin(_one_minus_p(y, z), int(theta[1]))] * softmax_value_row(y, z, theta[0:1])


# GHM-R (the paper's authentic smooth L1, ASL1), theta = (mu, bins, betas...):
# L = sqrt(d^2 + mu^2) - mu with d = z - y, i.e. mu (sqrt(1 + t^2) - 1) with t = d / mu;
# dL/dz = t / s with s = sqrt(1 + t^2) (also the gradient norm, in [0, 1)); d2L/dz2 = 1 / (mu s^3).
# t is clipped at 1e150 (as pseudo-Huber) so that t^2 stays finite; the value is written as
# |d| min(|d| / (mu (s + 1)), 1) = mu (s - 1), without the cancellation of s - 1 at small t.
@jitable
def _asl1_parts(y, z, mu):
    t = min(max((z - y) / mu, -1e150), 1e150)
    return t, math.sqrt(1.0 + t * t)


@jitable
def ghmr_reduce(y, z, w, theta, acc):
    t, s = _asl1_parts(y, z, theta[0])
    _count(abs(t) / s, w, int(theta[1]), acc)


@jitable
def ghmr_grad_hess(y, z, theta):
    mu = theta[0]
    t, s = _asl1_parts(y, z, mu)
    beta = theta[2 + _bin(abs(t) / s, int(theta[1]))]
    return beta * t / s, beta / (mu * s * s * s)


@jitable
def ghmr_grad_hess_irls(y, z, theta):
    # IRLS curvature beta / (mu s) >= the exact beta / (mu s^3): the Newton step is the residual d
    mu = theta[0]
    t, s = _asl1_parts(y, z, mu)
    beta = theta[2 + _bin(abs(t) / s, int(theta[1]))]
    return beta * t / s, beta / (mu * s)


@jitable
def ghmr_value(y, z, theta):
    mu = theta[0]
    t, s = _asl1_parts(y, z, mu)
    a = abs(z - y)
    return theta[2 + _bin(abs(t) / s, int(theta[1]))] * a * min(a / (mu * (s + 1.0)), 1.0)


# Soft Dice (Milletari et al. 2016, squared denominator), binary labels, p = sigma(z):
#   DSC = (2 I + s) / D,  I = sum w p y,  D = sum w p^2 + sum w y + s  (s: smoothing)
# The objective is F = W (1 - DSC), W = sum w: scaled by the total weight so that a row's gradient
# is O(1) like a cross-entropy's (1 - DSC alone would give O(1/n) gradients, drowned by the
# engines' L2 leaf penalty). With N = 2 I + s, p' = p (1 - p), p'' = p' (1 - 2 p), for row i:
#   dN/dz_i = 2 w y p',  dD/dz_i = 2 w p p'
#   dF/dz_i = W w p' B / D^2,  B = 2 p N - 2 y D
#   dB/dz_i = 2 N p'  (the w terms cancel)
#   d2F/dz_i^2 = W w [p'' B / D^2 + 2 N p'^2 / D^2 - 4 w p p'^2 B / D^3]
# The last term is the row's own share of D moving with its margin (O(w_i / W)): the kernel sees
# the row weight for it. The exact diagonal is negative where p'' B < 0 dominates (misclassified
# rows: y = 0 with p > 1/2, y = 1 with p < 1/2). The "positive" policy takes the magnitudes of the
# first two terms, W [p' |B| + 2 N p'^2] / D^2 > 0 (|1 - 2p| <= 1), leaving out the self term;
# |exact| <= positive (1 + 4 w p p' / D).
# Statistics: [W, sum w y, I, sum w p^2]; theta of the second pass: (s, W, N, D).
@jitable
def dice_reduce(y, z, w, theta, acc):
    p, q, pq = _logistic_pq(z)
    acc[0] += w
    acc[1] += w * y
    acc[2] += w * p * y
    acc[3] += w * p * p


@jitable
def _dice(y, z, w, theta, exact):
    big_w, n, d = theta[1], theta[2], theta[3]
    p, q, pq = _logistic_pq(z)
    b = 2.0 * p * n - 2.0 * y * d
    g = big_w * pq * b / (d * d)
    if exact:
        h = big_w * (pq * (q - p) * b / (d * d) + 2.0 * n * pq * pq / (d * d) - 4.0 * w * p * pq * pq * b / (d * d * d))
    else:
        h = big_w * (pq * abs(b) + 2.0 * n * pq * pq) / (d * d)
    return g, h


@jitable
def dice_grad_hess(y, z, w, theta):
    return _dice(y, z, w, theta, True)


@jitable
def dice_grad_hess_positive(y, z, w, theta):
    return _dice(y, z, w, theta, False)


@jitable
def dice_value(y, z, theta):
    return 1.0 - theta[2] / theta[3]  # per unit of weight: the rows' weighted values sum to F
