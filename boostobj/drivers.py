"""The generic parallel loops that apply a scalar kernel over arrays (CPU).

No loss writes its own loop. Each driver is built once per kernel and process (``driver_for``),
compiled lazily on first call and cached on disk. Drivers:
  * apply the Hessian policy (mode 0 exact, 1 constant ``hval``, 2 floor at ``hval``),
  * multiply gradient and Hessian by the sample weight (an empty ``w`` means unweighted),
  * compute in float64 whatever the input dtype and write into the caller's ``out`` arrays.
"""
import functools
import threading

import numba
from numba import njit, prange

from .kernels import SOURCE_TOKEN

HESSIAN_EXACT, HESSIAN_CONSTANT, HESSIAN_FLOOR = 0, 1, 2

# nogil: other Python threads (Dask, joblib) keep running while a kernel computes.
# error_model="numpy": no Python-style zero-division checks in the hot loop (they block SIMD).
_JIT = dict(parallel=True, cache=True, nogil=True, error_model="numpy")


@njit(cache=True, inline="always")
def _apply_policy(h, mode, hval):
    if mode == HESSIAN_CONSTANT:
        return hval
    if mode == HESSIAN_FLOOR and not h >= hval:
        return hval
    return h


def _elementwise_grad_hess(kernel):
    token = SOURCE_TOKEN

    @njit(**_JIT)
    def driver(y, z, w, theta, hmode, hval, g_out, h_out):
        # (token & 0) == 0: ties the on-disk cache entry to the kernel sources (see kernels/).
        n = z.shape[0] + (token & 0)
        weighted = w.shape[0] > 0
        for i in prange(n):
            g, h = kernel(float(y[i]), float(z[i]), theta)
            h = _apply_policy(h, hmode, hval)
            if weighted:
                wi = float(w[i])
                g *= wi
                h *= wi
            g_out[i] = g
            h_out[i] = h

    return driver


def _elementwise_value(kernel):
    token = SOURCE_TOKEN

    @njit(**_JIT)
    def driver(y, z, w, theta, out):
        n = z.shape[0] + (token & 0)
        weighted = w.shape[0] > 0
        for i in prange(n):
            v = kernel(float(y[i]), float(z[i]), theta)
            out[i] = v * float(w[i]) if weighted else v

    return driver


def _rowwise_grad_hess(kernel):
    token = SOURCE_TOKEN

    @njit(**_JIT)
    def driver(y, z, w, theta, hmode, hval, g_out, h_out):
        n = z.shape[0] + (token & 0)
        k = z.shape[1]
        weighted = w.shape[0] > 0
        for i in prange(n):
            gi = g_out[i]
            hi = h_out[i]
            kernel(int(y[i]), z[i], theta, gi, hi)
            wi = float(w[i]) if weighted else 1.0
            for j in range(k):
                gi[j] = gi[j] * wi
                hi[j] = _apply_policy(float(hi[j]), hmode, hval) * wi

    return driver


def _rowwise_value(kernel):
    token = SOURCE_TOKEN

    @njit(**_JIT)
    def driver(y, z, w, theta, out):
        n = z.shape[0] + (token & 0)
        weighted = w.shape[0] > 0
        for i in prange(n):
            v = kernel(int(y[i]), z[i], theta)
            out[i] = v * float(w[i]) if weighted else v

    return driver


_FACTORIES = {
    ("elementwise", "grad_hess"): _elementwise_grad_hess,
    ("elementwise", "value"): _elementwise_value,
    ("rowwise", "grad_hess"): _rowwise_grad_hess,
    ("rowwise", "value"): _rowwise_value,
}


@functools.lru_cache(maxsize=None)
def driver_for(kernel, shape, what):
    """The (lazily compiled) driver applying ``kernel``; one dispatcher per kernel per process."""
    return _FACTORIES[shape, what](kernel)


# Numba's default "workqueue" threading layer aborts the process when two threads launch parallel
# kernels at once (Dask threads, joblib threading backend). Calls are serialised there; each call
# already uses every core. With the tbb or omp layers no lock is taken.
_LAUNCH_LOCK = threading.Lock()


def _layer_is_threadsafe():
    try:
        return numba.threading_layer() in ("tbb", "omp")
    except ValueError:  # no parallel region launched yet in this process
        return False


def launch(driver, *args):
    if _layer_is_threadsafe():
        driver(*args)
        return
    with _LAUNCH_LOCK:
        driver(*args)
