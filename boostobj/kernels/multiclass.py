"""Multiclass row kernels on raw margins z in R^k, label y in {0..k-1}.

Margins are read as float(z[j]). In compiled code that keeps a float32 margin a float32 (numba
types float() of a float32 as float32), so every quantity built from margins starts from a float64
(the row max starts at the float64 -inf, sums at 0.0) and differences z_j - m are formed in float64;
in the CUDA simulator (plain Python) float() gives a float64.

``*_grad_hess_row(y, z, theta, g, h)`` writes the gradient and the diagonal of the Hessian of one
row into the row views g and h; ``*_value_row(y, z, theta)`` returns the row's loss. Softmax
quantities come from log-sum-exp; 1 - p_j is never formed as a difference when p_j is close to 1
(see ``_max_and_sums``), so every output keeps full relative precision at large margins.

The row kernels' loops over the k classes of one row use libm's ``exp`` / ``log1p``, not the
vectorising ones of ``_math``: they run as scalar code, where libm's table-based functions have the
shorter latency. On the CPU the hot gradient kernels (softmax, softmax focal) also have a
*block form* (``block_form``): the same entries for a block of rows laid out class-major, every
inner loop over the rows, which vectorises with ``_math``'s polynomial exp / log1p. Both forms call
one entry function per loss (``_softmax_entry``, ``_softmax_focal_entry``), so each formula exists
once; the row kernels serve CUDA, CatBoost's single-row call and user-written row kernels.
"""
import math

import numpy as np

from ._math import block_form, exp, jitable, log1p, logistic_parts, power_of_probability


@jitable
def _block_max(z, n, y, skip_label, m, arg):
    """``_row_max`` for the rows i < n of a class-major block, into m and arg: the max over the
    classes (those j != y[i] when ``skip_label``) and its first index."""
    for i in range(n):
        m[i] = -math.inf
        arg[i] = 0
    for j in range(z.shape[0]):
        for i in range(n):
            larger = ((j != y[i]) | (not skip_label)) & (z[j, i] > m[i])
            m[i] = z[j, i] if larger else m[i]
            arg[i] = j if larger else arg[i]


@jitable
def _row_max(z, skip):
    """The max over the entries j != skip (-1: all) of a row and its (first) index, in float64
    (numba's float() keeps a float32 a float32: m starts as the float64 -inf so that z_j - m is
    formed in float64). Selects, not branches: the one max loop of every row kernel."""
    m = -math.inf
    arg = 0
    for j in range(z.shape[0]):
        larger = (j != skip) & (float(z[j]) > m)
        m = float(z[j]) if larger else m
        arg = j if larger else arg
    return m, arg


@jitable
def _max_and_sums(z, skip):
    """Over the entries j != skip: the max m, its index, S = sum e^(z_j - m) and S - 1.

    S - 1 (the sum without the maximal entry) is accumulated separately: 1 - p_max = (S - 1) / S
    is then exact even when p_max = 1 / S rounds to 1, and lse = m + math.log1p(S - 1) keeps the digits
    of lse - z_max (= -log p_max) that m + log(S) would round away.
    """
    k = z.shape[0]
    m, arg = _row_max(z, skip)
    rest = 0.0
    for j in range(k):
        if j != skip and j != arg:
            rest += math.exp(float(z[j]) - m)
    return m, arg, 1.0 + rest, rest


# The multiclass step conventions. Both engines take one Newton step per class from the diagonal
# of the row Hessian H = diag(p) - p p^T, for all k classes at once; the off-diagonal -p_i p_j are
# ignored, so the steps add up to more than the Newton step of H (k = 2: the margin difference moves
# by twice the logistic Newton step). Since sum_{j != i} |H_ij| = p_i (1 - p_i), Gershgorin's bound
# gives H <= 2 diag(p (1 - p)): XGBoost's doubled diagonal (mode 1, floored at 1e-16 as XGBoost does)
# majorises H, and its steps never overshoot the quadratic model. LightGBM scales by k / (k - 1)
# (mode 2, Friedman's (k - 1) / k leaf factor). Mode 0 leaves the diagonal as it is.
@jitable
def _multiclass_step(curvature, mode, k):
    if mode == 1:
        return max(2.0 * curvature, 1e-16)
    if mode == 2:
        return curvature * k / (k - 1.0)
    return curvature


# Softmax cross-entropy, theta = (eps, [class weights c_0..c_{k-1}]).
# Smoothed target q_j = (1 - eps) [j == y] + eps / k; L = c_y sum_j q_j (lse - z_j);
# g_j = c_y (p_j - q_j); exact diagonal h_j = c_y p_j (1 - p_j), under the step conventions above:
# XGBoost multi:softprob (mode 1, the default policy), LightGBM multiclass (mode 2).
@jitable
def _class_weight(theta, first, y):
    return theta[first + y] if theta.shape[0] > first else 1.0


@jitable
def _softmax_entry(e, inv_total, rest, is_max, is_label, eps, k, c, mode):
    """(g_j, h_j) of one class from e = e^(z_j - m), 1 / S, S - 1 (see _max_and_sums), whether j is
    the row's (first) max and its label; c = c_y."""
    p = e * inv_total
    one_minus_p = rest * inv_total if is_max else 1.0 - p
    grad = -(one_minus_p - eps + eps / k) if is_label else p - eps / k
    return c * grad, c * _multiclass_step(p * one_minus_p, mode, k)


@jitable
def _softmax_row(y, z, theta, g, h, mode):
    k = z.shape[0]
    eps = theta[0]
    c = _class_weight(theta, 1, y)
    # as _max_and_sums, with each e^(z_j - m) computed once and kept in h until the last loop
    m, arg = _row_max(z, -1)
    rest = 0.0
    for j in range(k):
        e = math.exp(float(z[j]) - m)
        h[j] = e
        rest += e if j != arg else 0.0
    inv_total = 1.0 / (1.0 + rest)
    for j in range(k):
        g[j], h[j] = _softmax_entry(h[j], inv_total, rest, j == arg, j == y, eps, k, c, mode)


@jitable
def _softmax_block(y, z, theta, g, h, n, mode):
    k = z.shape[0]
    eps = theta[0]
    m = np.empty(n)
    arg = np.empty(n, dtype=np.int64)
    rest = np.zeros(n)
    c = np.empty(n)
    _block_max(z, n, y, False, m, arg)
    for j in range(k):
        for i in range(n):
            e = exp(z[j, i] - m[i])
            h[j, i] = e
            rest[i] += e if j != arg[i] else 0.0
    for i in range(n):
        c[i] = _class_weight(theta, 1, y[i])
        m[i] = 1.0 / (1.0 + rest[i])  # m now holds 1 / S
    for j in range(k):
        for i in range(n):
            g[j, i], h[j, i] = _softmax_entry(h[j, i], m[i], rest[i], j == arg[i], j == y[i], eps, k, c[i], mode)


@jitable
def softmax_grad_hess_row(y, z, theta, g, h):
    _softmax_row(y, z, theta, g, h, 0)


@jitable
def softmax_grad_hess_row_xgboost(y, z, theta, g, h):
    _softmax_row(y, z, theta, g, h, 1)


@jitable
def softmax_grad_hess_row_lightgbm(y, z, theta, g, h):
    _softmax_row(y, z, theta, g, h, 2)


@block_form(softmax_grad_hess_row)
def softmax_grad_hess_block(y, z, theta, g, h, n):
    _softmax_block(y, z, theta, g, h, n, 0)


@block_form(softmax_grad_hess_row_xgboost)
def softmax_grad_hess_block_xgboost(y, z, theta, g, h, n):
    _softmax_block(y, z, theta, g, h, n, 1)


@block_form(softmax_grad_hess_row_lightgbm)
def softmax_grad_hess_block_lightgbm(y, z, theta, g, h, n):
    _softmax_block(y, z, theta, g, h, n, 2)


@jitable
def softmax_value_row(y, z, theta):
    k = z.shape[0]
    eps = theta[0]
    c = _class_weight(theta, 1, y)
    m, arg, total, rest = _max_and_sums(z, -1)
    lse = m + math.log1p(rest)
    value = (1.0 - eps) * ((m - float(z[y])) + math.log1p(rest))
    if eps != 0.0:
        for j in range(k):
            value += eps / k * (lse - float(z[j]))
    return c * value


# Softmax focal, theta = (gamma, [alpha_0..alpha_{k-1}]): L = a_y q^gamma s with
# p = p_y, q = 1 - p, s = -log p = lse - z_y. Let r_j = p_j / q (the softmax over the classes
# other than y) and A = gamma p s + q. Using dp/dz_j = p (d_jy - p_j), ds/dz_j = p_j - d_jy,
# dr_j/dz_j = r_j (1 - r_j), dq/dz_j = p p_j for j != y:
#   g_y = -a q^gamma A                     g_j = a r_j q^gamma A            (sum_j g_j = 0)
#   h_y = a p q^gamma [gamma^2 p s + (1 + 2 gamma) q - gamma q s]          (as the binary focal)
#   h_j = a r_j q^gamma [(1 - r_j) A + gamma p r_j A + p q r_j (1 + gamma - gamma s)]
# The terms -gamma q s and -gamma s (inside the last bracket) can make h negative; the "upper"
# kernel drops them (positive upper bound). With d = lse_{-y} - z_y (the log-sum-exp over the other
# classes), p = sigma(-d) and q = sigma(d): q, q^gamma and r_j are exact even when p rounds to 1.
@jitable
def _others(y, z, h):
    """Over the classes j != y: their max mo, its index, S_o = sum e^(z_j - mo), S_o - 1 (as
    ``_max_and_sums``), with each e^(z_j - mo) kept in h[j]; and d = lse_{-y} - z_y formed as
    (mo - z_y) + math.log1p(S_o - 1), so that p_y = sigma(-d) and q = 1 - p_y = sigma(d) follow from one
    logistic step with full relative precision (d is not a difference of two rounded lse's)."""
    k = z.shape[0]
    mo, argo = _row_max(z, y)
    rest_o = 0.0
    for j in range(k):
        e = math.exp(float(z[j]) - mo)
        h[j] = e
        rest_o += e if (j != y) & (j != argo) else 0.0
    return argo, 1.0 + rest_o, rest_o, (mo - float(z[y])) + math.log1p(rest_o)


@jitable
def _softmax_focal_factors(a, gamma, d, upper, squared):
    """The row factors of the gradient and Hessian from d = lse_{-y} - z_y (see _others):
    G = a q^gamma A, K = a q^gamma (gamma p A + p q (1 + gamma - neg)) and the label's Hessian
    h_y, so that g_j = r_j G, h_j = r_j ((1 - r_j) G + r_j K) (j != y) and g_y = -G.
    ``squared``: gamma = 2 (``power_of_probability``)."""
    q, p, neg_log_q, s = logistic_parts(d)  # q = sigma(d) = 1 - p_y, s = -log p_y, neg_log_q = -log q
    qg = power_of_probability(q, neg_log_q, gamma, squared)
    big_a = gamma * p * s + q
    neg = (1.0 - upper) * gamma * s
    return (a * qg * big_a, a * qg * (gamma * p * big_a + p * q * (1.0 + gamma - neg)),
            a * p * qg * (gamma * gamma * p * s + (1.0 + 2.0 * gamma) * q - q * neg))


@jitable
def _softmax_focal_entry(e, inv_total_o, rest_o, is_max_other, is_label, big_g, big_k, h_label, mode, k):
    """(g_j, h_j) of one class from e = e^(z_j - mo), 1 / S_o, S_o - 1 (see _others), whether j is
    the max of the other classes or the label, and the row's factors (_softmax_focal_factors); h_j
    under the step convention ``mode`` (_multiclass_step)."""
    r = e * inv_total_o  # the softmax over the other classes (e is meaningless for the label: selected away)
    one_minus_r = rest_o * inv_total_o if is_max_other else 1.0 - r
    h = h_label if is_label else r * (one_minus_r * big_g + r * big_k)
    return (-big_g if is_label else r * big_g), _multiclass_step(h, mode, k)


@jitable
def _softmax_focal_row(y, z, theta, g, h, upper, mode):
    k = z.shape[0]
    argo, total_o, rest_o, d = _others(y, z, h)
    big_g, big_k, h_label = _softmax_focal_factors(_class_weight(theta, 1, y), theta[0], d, upper, theta[0] == 2.0)
    inv_total_o = 1.0 / total_o
    for j in range(k):
        g[j], h[j] = _softmax_focal_entry(h[j], inv_total_o, rest_o, j == argo, j == y, big_g, big_k, h_label, mode, k)


@jitable
def _softmax_focal_factor_rows(gamma, mo, z_label, rest_o, a, upper, squared, big_g, big_k, h_label, n):
    for i in range(n):
        d = (mo[i] - z_label[i]) + log1p(rest_o[i])  # as _others
        big_g[i], big_k[i], h_label[i] = _softmax_focal_factors(a[i], gamma, d, upper, squared)
        mo[i] = 1.0 / (1.0 + rest_o[i])  # mo now holds 1 / S_o


@jitable
def _softmax_focal_block(y, z, theta, g, h, n, upper, mode):
    k = z.shape[0]
    mo = np.empty(n)
    argo = np.empty(n, dtype=np.int64)
    rest_o = np.zeros(n)
    _block_max(z, n, y, True, mo, argo)
    for j in range(k):
        for i in range(n):
            e = exp(z[j, i] - mo[i])
            h[j, i] = e
            rest_o[i] += e if (j != y[i]) & (j != argo[i]) else 0.0
    # the gathers z_y and a_y in loops of their own: the loop below, with the transcendentals, then vectorises
    z_label, a = np.empty(n), np.empty(n)
    for i in range(n):
        z_label[i] = z[y[i], i]
        a[i] = _class_weight(theta, 1, y[i])
    big_g, big_k, h_label = np.empty(n), np.empty(n), np.empty(n)
    if theta[0] == 2.0:  # one loop per case, each with a constant ``squared``: see power_of_probability
        _softmax_focal_factor_rows(theta[0], mo, z_label, rest_o, a, upper, True, big_g, big_k, h_label, n)
    else:
        _softmax_focal_factor_rows(theta[0], mo, z_label, rest_o, a, upper, False, big_g, big_k, h_label, n)
    for j in range(k):
        for i in range(n):
            g[j, i], h[j, i] = _softmax_focal_entry(h[j, i], mo[i], rest_o[i], j == argo[i], j == y[i], big_g[i],
                                                    big_k[i], h_label[i], mode, k)


@jitable
def softmax_focal_grad_hess_row(y, z, theta, g, h):
    _softmax_focal_row(y, z, theta, g, h, 0.0, 0)


@jitable
def softmax_focal_grad_hess_row_upper(y, z, theta, g, h):
    _softmax_focal_row(y, z, theta, g, h, 1.0, 0)


@jitable
def softmax_focal_grad_hess_row_xgboost(y, z, theta, g, h):
    _softmax_focal_row(y, z, theta, g, h, 1.0, 1)


@block_form(softmax_focal_grad_hess_row)
def softmax_focal_grad_hess_block(y, z, theta, g, h, n):
    _softmax_focal_block(y, z, theta, g, h, n, 0.0, 0)


@block_form(softmax_focal_grad_hess_row_upper)
def softmax_focal_grad_hess_block_upper(y, z, theta, g, h, n):
    _softmax_focal_block(y, z, theta, g, h, n, 1.0, 0)


@block_form(softmax_focal_grad_hess_row_xgboost)
def softmax_focal_grad_hess_block_xgboost(y, z, theta, g, h, n):
    _softmax_focal_block(y, z, theta, g, h, n, 1.0, 1)


@jitable
def softmax_focal_value_row(y, z, theta):
    gamma = theta[0]
    a = _class_weight(theta, 1, y)
    mo, argo, total_o, rest_o = _max_and_sums(z, y)
    q, p, neg_log_q, s = logistic_parts((mo - float(z[y])) + math.log1p(rest_o))  # as _others
    return a * power_of_probability(q, neg_log_q, gamma, gamma == 2.0) * s


# Cross-entropy to soft targets at temperature T (distillation), theta = (T, q_0 .. q_{n k - 1}):
# the targets of every training row, already sharpened or softened to q ∝ teacher^(1/T) and
# flattened row-major; the label y is the row of its targets (an integer row index, not a class).
# With u = z / T and p = softmax(u): L = T^2 sum_j q_j (lse(u) - u_j) (Hinton et al.'s T^2 keeps
# the gradient's scale independent of T), g_j = T (p_j - q_j) (dlse(u)/dz_j = p_j / T), exact
# diagonal h_j = p_j (1 - p_j) (T^2 / T^2). 1 - p_j of the largest p_j is the sum of the others.
@jitable
def _scaled_max_and_sums(z, t):
    """``_max_and_sums`` of z / t (t > 0): max m of z / t, its index, S = sum e^(z_j / t - m), S - 1."""
    k = z.shape[0]
    m = -math.inf
    arg = -1
    for j in range(k):
        if float(z[j]) / t > m:
            m = float(z[j]) / t
            arg = j
    rest = 0.0
    for j in range(k):
        if j != arg:
            rest += math.exp(float(z[j]) / t - m)
    return m, arg, 1.0 + rest, rest


@jitable
def _soft_target_row(y, z, theta, g, h, mode):
    k = z.shape[0]
    t = theta[0]
    first = 1 + int(y) * k  # this row's targets in theta
    m, arg, total, rest = _scaled_max_and_sums(z, t)
    for j in range(k):
        q = theta[first + j]
        if j == arg:
            one_minus_p = rest / total
            p = 1.0 / total
            g[j] = t * ((1.0 - q) - one_minus_p)  # p - q without forming p ~ 1
        else:
            p = math.exp(float(z[j]) / t - m) / total
            one_minus_p = 1.0 - p
            g[j] = t * (p - q)
        h[j] = _multiclass_step(p * one_minus_p, mode, k)


@jitable
def soft_target_grad_hess_row(y, z, theta, g, h):
    _soft_target_row(y, z, theta, g, h, 0)


@jitable
def soft_target_grad_hess_row_xgboost(y, z, theta, g, h):
    _soft_target_row(y, z, theta, g, h, 1)


@jitable
def soft_target_value_row(y, z, theta):
    k = z.shape[0]
    t = theta[0]
    first = 1 + int(y) * k
    m, arg, total, rest = _scaled_max_and_sums(z, t)
    log_total = math.log1p(rest)
    value = 0.0
    for j in range(k):
        q = theta[first + j]
        if q != 0.0:  # a zero target contributes 0 whatever its -log p_j (even inf)
            value += q * ((m - float(z[j]) / t) + log_total)
    return t * t * value
