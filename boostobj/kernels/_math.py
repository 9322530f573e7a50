"""Numerically stable scalar helpers shared by every kernel.

Data-dependent choices are written as arithmetic on ``indicator(condition)``, ``min``/``max`` or
conditional expressions of plain values, not as branches with early returns: LLVM turns them into
selects, the loops vectorise and random labels cause no branch mispredictions (measured: Huber
20 ns -> 0.6 ns per sample).

All functions are plain Python on ``math`` and decorated with ``register_jitable``: they run in
the interpreter, compile inline into CPU (``njit``) kernels and into CUDA device code, so each
formula exists exactly once. No branch evaluates ``exp`` of a positive argument larger than the
input allows, so nothing overflows for any finite input.
"""
import math
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload, register_jitable

_JITABLE: set[int] = set()  # ids of the functions already made callable from compiled code


def jitable(fn):
    """Make a plain-Python scalar function callable from CPU and CUDA kernels (numba's
    ``register_jitable``); it still runs as ordinary Python. Public as ``boostobj.kernel``."""
    if id(fn) not in _JITABLE:
        # forceinline: LLVM inlines the kernel and its helpers into the driver's loop, which then
        # vectorises (focal: not inlined, 70 ns per margin; inlined, see benchmarks/kernels.py)
        register_jitable(forceinline=True)(fn)
        _JITABLE.add(id(fn))
    return fn


def block_form(kernel):
    """Decorator: the decorated kernel ``block(y, z, theta, g, h, n)`` is the block form of
    ``kernel``, the same derivatives for the rows i < n of a block, computed loop by loop over the
    rows (staged, or class-major), which vectorises where the kernel's own loop does not, or hides
    latency the fused loop cannot. Buffers are float64: elementwise, y, z, g, h of shape (rows,);
    row kernels, y int64 (rows,) and z, g, h (k, rows) with z[j, i] class j of row i. It writes what
    ``kernel`` gives for each row. ``boostobj.drivers`` runs it in place of the kernel on the CPU;
    the kernel itself still serves CUDA, CatBoost's single-row call and the value drivers."""
    def attach(block_kernel):
        jitable(block_kernel)
        kernel.block_form = block_kernel
        return block_kernel
    return attach


# -- exp, expm1, log1p that vectorise on the CPU ----------------------------------------------------
# numba compiles math.exp / expm1 / log1p to scalar libm calls, which keep every kernel loop scalar.
# These three are plain Python (math.*) in the interpreter and in CUDA device code (the device's
# own math), and on the CPU a branch-free implementation (``overload(target="cpu")``) built from
# multiply-adds, a division and integer operations on the float's bits, which LLVM turns into
# packed SIMD code. Accuracy against mpmath: benchmarks/results/fast_math.md (about 1.1, 2.3 and
# 0.7 ulp at most; tests/test_fast_math.py bounds them by 1.5, 2.5 and 1.0 ulp), with the exact
# special values (+-0, +-inf, NaN, subnormal results, overflow to inf).


@jitable
def exp(x):
    """e^x (the CPU form vectorises: see above)."""
    return math.exp(x)


@jitable
def expm1(x):
    """e^x - 1, accurate near 0 (the CPU form vectorises)."""
    return math.expm1(x)


@jitable
def log1p(x):
    """log(1 + x), accurate near 0 (the CPU form vectorises)."""
    return math.log1p(x)


def _bitcast(to_float):
    """An intrinsic reinterpreting the 64 bits of an int64 as a float64 (or the reverse)."""
    def typing(typingctx, value):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.DoubleType() if to_float else ir.IntType(64))
        return (types.float64(types.int64) if to_float else types.int64(types.float64)), codegen
    return intrinsic(typing)


_bits_as_float: Any = _bitcast(True)
_float_bits: Any = _bitcast(False)


# Compiled with these flags whatever the caller's: numba passes a caller's fastmath down to overloads
# that do not set it, and reassociation would fold (x log2e + _ROUND) - _ROUND (exp(1.7) = 4.0); its
# default error model would raise ZeroDivisionError where log1p(-1) must give -inf.
_OWN_FLAGS: Any = {"forceinline": True, "fastmath": {"contract"}, "error_model": "numpy"}
_ROUND = 6755399441055744.0     # 1.5 * 2^52: x + _ROUND rounds x to an integer held in the low bits
_ROUND_BITS = 0x4338000000000000  # the bits of _ROUND
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k * _LN2_HI is exact for |k| < 2^11
_LN2_LO = 1.90821492927058770002e-10


@register_jitable(**_OWN_FLAGS)
def _exp_reduce(x):
    """x = k ln2 + r with |r| <= ln2 / 2 (Cody-Waite), x clamped to [-746, 710]; returns (k as
    int64, r, and e^r - 1 by its Taylor series to r^13: truncation < 0.2 ulp of e^r)."""
    xc = min(max(x, -746.0), 710.0)
    t = xc * _LOG2E + _ROUND
    kf = t - _ROUND
    k = _float_bits(t) - np.int64(_ROUND_BITS)  # round-to-nearest integer without a conversion
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    # Horner's 13 dependent multiply-adds were the loop's critical path (about 52 of the logistic
    # kernel's ~100 cycles of latency per vector); the tail c4 + ... + c13 r^9 in Estrin's form has
    # depth 4, and the leading terms stay in Horner's form, which keeps expm1's relative accuracy at 0.
    r2 = r * r
    r4 = r2 * r2
    tail = (((1.0 / 24.0 + r * (1.0 / 120.0)) + r2 * (1.0 / 720.0 + r * (1.0 / 5040.0)))
            + r4 * ((1.0 / 40320.0 + r * (1.0 / 362880.0)) + r2 * (1.0 / 3628800.0 + r * (1.0 / 39916800.0)))
            + (r4 * r4) * (1.0 / 479001600.0 + r * (1.0 / 6227020800.0)))
    em1 = r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * tail)))
    return k, em1


@register_jitable(**_OWN_FLAGS)
def _two_to(k):
    """2^k as two factors 2^(k//2) and 2^(k - k//2), each a normal float for k in [-1077, 1024]
    (their product then rounds to subnormals, 0 or inf as it should)."""
    half = k >> 1
    return _bits_as_float((half + 1023) << 52), _bits_as_float((k - half + 1023) << 52)


@overload(exp, target="cpu", jit_options=_OWN_FLAGS)
def _exp_cpu(x):
    def impl(x):
        k, em1 = _exp_reduce(x)
        s1, s2 = _two_to(k)
        return ((1.0 + em1) * s1) * s2 if x == x else x
    return impl


@overload(expm1, target="cpu", jit_options=_OWN_FLAGS)
def _expm1_cpu(x):
    def impl(x):
        # e^x - 1 = 2^k (e^r - 1) + (2^k - 1): no cancellation near 0 (k = 0 gives e^r - 1 itself)
        k, em1 = _exp_reduce(x)
        s1, s2 = _two_to(k)
        near = em1 * (s1 * s2) + (s1 * s2 - 1.0)
        far = ((1.0 + em1) * s1) * s2 - 1.0  # k > 56: the -1 is below half an ulp; 2^k alone may overflow
        out = far if k > 56 else near
        return out if (x == x) & (x != 0.0) else x  # NaN and the sign of 0 as they are
    return impl


_LG1, _LG2, _LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_LG4, _LG5, _LG6 = 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_SQRT_HALF_HIGH = 0x3FE6A09E  # high word of sqrt(2)/2


@register_jitable(**_OWN_FLAGS)
def _log1p_reduce(u):
    """u = 1 + x = 2^k m with m in [sqrt(2)/2, sqrt(2)), from u's bits: (k as int64, f = m - 1)."""
    high = (_float_bits(u) >> 32) + (0x3FF00000 - _SQRT_HALF_HIGH)
    k = (high >> 20) - 0x3FF
    low = _float_bits(u) & 0xFFFFFFFF
    m = _bits_as_float((((high & 0x000FFFFF) + _SQRT_HALF_HIGH) << 32) | low)
    return k, m - 1.0


@register_jitable(**_OWN_FLAGS)
def _log1p_assemble(k, f, c):
    """log(1 + x) = k ln2 + log(1 + f) + c, with c the rounding error of u = 1 + x over u;
    log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f) (minimax R, error < 2^-58)."""
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    big_r = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
    dk = float(k)
    return s * (hfsq + big_r) + (dk * _LN2_LO + c) - hfsq + f + dk * _LN2_HI


@overload(log1p, target="cpu", jit_options=_OWN_FLAGS)
def _log1p_cpu(x):
    def impl(x):
        # fdlibm's log1p, branch-free (_log1p_reduce, _log1p_assemble)
        u = 1.0 + x
        k, f = _log1p_reduce(u)
        c = ((1.0 - (u - x)) if k >= 2 else (x - (u - 1.0))) / u if k < 54 else 0.0
        out = _log1p_assemble(k, f, c)
        # x = -1: -inf; x < -1 or NaN: NaN; x = +inf: inf (the reduction sees garbage bits there)
        out = out if x != 0.0 else x  # the sign of 0
        return out if (u > 0.0) & (u < math.inf) else (-math.inf if u == 0.0 else (x if x > 0.0 else math.nan))
    return impl


@jitable
def log1p_unit(x):
    """(log(1 + x), 1 / (1 + x)) for x in [0, 1] (e^-|u|, the logistic losses' one exponential),
    from one shared 1 + x: the focal losses need both, and on the CPU the second costs the division
    log1p's rounding correction makes anyway (the CPU form is correct only on [0, 1] and NaN)."""
    return math.log1p(x), 1.0 / (1.0 + x)


@overload(log1p_unit, target="cpu", jit_options=_OWN_FLAGS)
def _log1p_unit_cpu(x):
    def impl(x):
        # _log1p_cpu on [0, 1]: u = 1 + x in [1, 2], so k is 0 or 1 and the rounding correction is
        # c = (x - (u - 1)) / u, here a product with 1 / u (c is below an ulp of the result: the
        # product's extra rounding does not reach it; same bits as _log1p_cpu, tested). No special
        # values but NaN can occur, so none of log1p's selects but that one.
        u = 1.0 + x
        inv = 1.0 / u
        k, f = _log1p_reduce(u)
        out = _log1p_assemble(k, f, (x - (u - 1.0)) * inv)
        return (out if x == x else x), inv
    return impl


@jitable
def indicator(condition):
    """1.0 or 0.0 (compiles to a select, not a branch)."""
    return 1.0 if condition else 0.0


@jitable
def softplus(x):
    """log(1 + e^x) without overflow (x large) or loss of precision (x very negative)."""
    if x > 0.0:
        return x + log1p(exp(-x))
    return log1p(exp(x))


@jitable
def logistic_parts(u):
    """(p, q, -log p, -log q) for p = sigma(u), q = sigma(-u), from one exp and one log1p.

    With e = e^-|u| <= 1: the larger of p, q is 1 / (1 + e), the smaller e / (1 + e);
    -log p = softplus(-u) = max(-u, 0) + log1p(e), -log q = softplus(u) = max(u, 0) + log1p(e).
    """
    e = exp(-abs(u))
    l1p, inv = log1p_unit(e)
    return logistic_parts_from(u, e, l1p, inv)


@jitable
def logistic_parts_from(u, e, l1p, inv):
    """``logistic_parts(u)`` from e = e^-|u|, l1p = log1p(e) and inv = 1 / (1 + e) computed before
    (``log1p_unit``; staged kernels)."""
    pos = indicator(u >= 0.0)
    return (pos + (1.0 - pos) * e) * inv, ((1.0 - pos) + pos * e) * inv, l1p + max(-u, 0.0), l1p + max(u, 0.0)


@jitable
def power_of_probability(q, neg_log_q, gamma, squared):
    """q^gamma for a probability q with -log q = neg_log_q. ``squared`` (gamma = 2, the focal losses'
    default): q * q, no exponential, within 3 ulp of q^2, where exp(-2 (-log q)) carries twice the
    absolute rounding error of -log q (up to 31 ulp for q = sigma(-u), u in 5..40; tested).
    Otherwise exp(-gamma neg_log_q), no branch on gamma (exp(-0) = 1 exactly), which keeps q^gamma's
    relative precision when q itself underflows (gamma < 1). Loops pass ``squared`` as a constant,
    so that each compiles one side of the select (a runtime flag keeps both: binary._focal_block)."""
    return q * q if squared else exp(-gamma * neg_log_q)


# 1/19!, ..., 1/3!, 1/2!: the series of e^x - 1 - x, in Horner's order (truncation below 1e-17 relative at |x| = 1)
_EXCESS_SERIES = tuple(1.0 / math.factorial(k) for k in range(19, 1, -1))


@jitable
def exp_excess(x):
    """e^x - 1 - x without cancellation: below |x| = 1 its series x^2/2! + ... + x^19/19!, beyond
    expm1(x) - x (which cancels by less than a factor 2.4 there). The log-link losses' values near
    their optimum are this of the log-ratio of label and mean. Accuracy: benchmarks/results/fast_math.md."""
    t = min(max(x, -1.0), 1.0)
    s = 0.0
    for c in _EXCESS_SERIES:
        s = c + t * s
    return t * t * s if abs(x) < 1.0 else expm1(x) - x


@jitable
def logcosh(x):
    """log(cosh(x)), finite for every finite x: |x| + log1p(e^-2|x|) - log 2, which cancels for
    small x (8.9e-5 relative at 1e-6), so below |x| = 1 log1p(2 sinh(|x|/2)^2), with
    sinh(a) = m (2 + m) / (2 (1 + m)) from m = expm1(a) (no cancellation)."""
    a = abs(x)
    m = expm1(0.5 * min(a, 1.0))
    sinh_half = m * (2.0 + m) / (2.0 * (1.0 + m))
    small = log1p(2.0 * sinh_half * sinh_half)
    return small if a < 1.0 else a + log1p(exp(-2.0 * a)) - math.log(2.0)


@jitable
def sech2(x):
    """1 / cosh(x)^2 = 4 e^-2|x| / (1 + e^-2|x|)^2 (1 - tanh^2 cancels for |x| > ~9)."""
    e = exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


@jitable
def sign(x):
    return indicator(x > 0.0) - indicator(x < 0.0)


# The exponential continued beyond a knee: e^x is not representable beyond x = 88 (float32) or 709
# (float64), so beyond EXP_KNEE losses built on it continue with the second-order Taylor expansion
# at the knee, E(x) = e^K (1 + d + d^2/2) with d = x - K: convex, C^2, increasing, and finite for
# every finite x (at x = 1e4 about 3e29, below float32's max). Below the knee E(x) = e^x exactly.
EXP_KNEE = 50.0


@jitable
def exp_continued(x):
    """(E(x), E'(x), E''(x)) of the continued exponential above, from one exp."""
    e = exp(min(x, EXP_KNEE))
    d = max(x - EXP_KNEE, 0.0)
    return e * (1.0 + d + 0.5 * d * d), e * (1.0 + d), e


# How the drivers treat the Hessian a kernel returns: as is, replaced by a constant bound, or floored.
# (Policies that need another formula, such as IRLS weights, are kernels of their own.)
HESSIAN_EXACT, HESSIAN_CONSTANT, HESSIAN_FLOOR = 0, 1, 2


@jitable
def apply_hessian_policy(h, mode, hval):
    floored = h if h >= hval else hval  # NaN-safe: a NaN Hessian becomes the floor
    return hval if mode == HESSIAN_CONSTANT else (floored if mode == HESSIAN_FLOOR else h)
