"""Numerically stable scalar helpers shared by every kernel.

All functions are plain Python on ``math`` and decorated with ``register_jitable``: they run in
the interpreter, compile inline into CPU (``njit``) kernels and into CUDA device code, so each
formula exists exactly once. No branch evaluates ``exp`` of a positive argument larger than the
input allows, so nothing overflows for any finite input.
"""
import math

from numba.extending import register_jitable as jitable


@jitable
def softplus(x):
    """log(1 + e^x) without overflow (x large) or loss of precision (x very negative)."""
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@jitable
def logistic_parts(u):
    """(p, q, -log p, -log q) for p = sigma(u), q = sigma(-u), from one exp and one log1p.

    With e = e^-|u| <= 1: the larger of p, q is 1 / (1 + e), the smaller e / (1 + e);
    -log p = softplus(-u) = max(-u, 0) + log1p(e), -log q = softplus(u) = max(u, 0) + log1p(e).
    """
    e = math.exp(-abs(u))
    l1p = math.log1p(e)
    inv = 1.0 / (1.0 + e)
    if u >= 0.0:
        return inv, e * inv, l1p, u + l1p
    return e * inv, inv, l1p - u, l1p


@jitable
def logcosh(x):
    """log(cosh(x)) = |x| + log1p(e^-2|x|) - log 2, finite for every finite x."""
    a = abs(x)
    return a + math.log1p(math.exp(-2.0 * a)) - math.log(2.0)


@jitable
def sech2(x):
    """1 / cosh(x)^2 = 4 e^-2|x| / (1 + e^-2|x|)^2 (1 - tanh^2 cancels for |x| > ~9)."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


@jitable
def sign(x):
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


# Hessian policies (applied by the CPU and CUDA drivers after the kernel): exact, constant, floor.
HESSIAN_EXACT, HESSIAN_CONSTANT, HESSIAN_FLOOR = 0, 1, 2


@jitable
def apply_hessian_policy(h, mode, hval):
    if mode == HESSIAN_CONSTANT:
        return hval
    if mode == HESSIAN_FLOOR and not h >= hval:
        return hval
    return h
