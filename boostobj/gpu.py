"""CUDA path: the same scalar kernels compiled for the GPU, used through XGBoost's device option.

``boostobj.xgboost.objective(loss, "cuda")`` (or ``DeviceObjective(loss)``) is an XGBoost objective that copies the margins
to the GPU (XGBoost hands them over as host numpy), keeps labels, weights and the gradient buffers
resident on the device per DMatrix (labels are validated once, on the first round), runs the
generic CUDA drivers below and returns device arrays, which XGBoost reads through
``__cuda_array_interface__``: no host round trip of grad/hess.

Without a usable GPU it computes on the CPU instead and warns once (XGBoost itself falls back to
the CPU with "No visible GPU is found"). Under numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1,
used by the tests) the kernels run on the CPU and results are copied back to numpy, because
simulator arrays have no __cuda_array_interface__.
"""
import functools
import math
import threading
import warnings
import weakref

import numpy as np
from numba import cuda  # module level: the CUDA simulator swaps this global inside kernels

from . import _validation as V
from ._engines import is_engine_dataset, labels_and_weights
from .kernels._math import apply_hessian_policy

THREADS_PER_BLOCK = 256


def simulator_enabled():
    """True when numba's CUDA simulator is on (``NUMBA_ENABLE_CUDASIM=1``): kernels run on the CPU."""
    from numba import config

    return bool(getattr(config, "ENABLE_CUDASIM", False))


def cuda_available():
    """True when kernels can run on a GPU (or on the CUDA simulator)."""
    try:
        return bool(cuda.is_available())
    except Exception:  # noqa: BLE001 - a broken driver install means "no GPU"
        return False


# -- generic CUDA drivers: mirrors of the CPU drivers, one thread per row ---------------------------
def _elementwise_grad_hess(kernel):

    @cuda.jit
    def driver(y, z, w, theta, hmode, hval, g_out, h_out):
        i = cuda.grid(1)  # type: ignore[call-arg,var-annotated]
        if i < z.shape[0]:
            g, h = kernel(float(y[i]), float(z[i]), theta)
            h = apply_hessian_policy(h, hmode, hval)
            if w.shape[0] > 0:
                g *= w[i]
                h *= w[i]
            g_out[i] = g
            h_out[i] = h

    return driver


def _rowwise_grad_hess(kernel):

    @cuda.jit
    def driver(y, z, w, theta, hmode, hval, g_out, h_out):
        i = cuda.grid(1)  # type: ignore[call-arg,var-annotated]
        if i < z.shape[0]:
            # the kernel writes the output rows directly (float32 on the device), including the
            # intermediate values the softmax kernels keep there (e^(z_j - m)): rounded to float32,
            # which moves softmax results by about 2 float32 ulps (simulator, vs the CPU's float64 rows)
            gi = g_out[i]
            hi = h_out[i]
            kernel(int(y[i]), z[i], theta, gi, hi)
            wi = w[i] if w.shape[0] > 0 else 1.0
            for j in range(z.shape[1]):
                gi[j] = gi[j] * wi
                hi[j] = apply_hessian_policy(hi[j], hmode, hval) * wi

    return driver


_FACTORIES = {"elementwise": _elementwise_grad_hess, "rowwise": _rowwise_grad_hess}


@functools.lru_cache(maxsize=None)
def cuda_driver_for(kernel, shape):
    return _FACTORIES[shape](kernel)


def _on_device(a):
    """A numba device array (real or simulated) or any CUDA-array-interface object (CuPy...)."""
    return hasattr(a, "copy_to_host") or hasattr(a, "__cuda_array_interface__")


def _to_device(a, dtype=None):
    if hasattr(a, "copy_to_host"):
        return a
    if hasattr(a, "__cuda_array_interface__"):
        return cuda.as_cuda_array(a)
    return cuda.to_device(np.ascontiguousarray(a, dtype=dtype))


def _refuse_batch_losses(loss):
    if getattr(loss, "is_batch", False):
        raise ValueError(f"{loss!r} is a batch loss (its gradients need sums over all rows first): it has no CUDA "
                         "kernels yet: train it with device='cpu'")


def grad_hess_device(loss, y, raw, sample_weight=None):
    """Gradient and Hessian computed by the CUDA kernels; device arrays in, device arrays out
    (numpy arrays are copied to the device first). Validation is the caller's job."""
    _refuse_batch_losses(loss)
    z = _to_device(raw)
    yd = _to_device(y, np.float64)
    wd = cuda.device_array(0, dtype=np.float64) if sample_weight is None else _to_device(sample_weight, np.float64)
    g = cuda.device_array(z.shape, dtype=np.float32)
    h = cuda.device_array(z.shape, dtype=np.float32)
    concrete = loss._concrete(None if _on_device(y) else np.asarray(y))
    _launch(concrete, yd, z, wd, g, h)
    return g, h


def _launch(loss, yd, zd, wd, g, h):
    theta = cuda.to_device(loss._theta_array) if loss._theta_array.size else cuda.to_device(np.zeros(1))
    n = zd.shape[0]
    blocks = max(1, math.ceil(n / THREADS_PER_BLOCK))
    kernel, hmode, hval = loss._policy
    driver = cuda_driver_for(kernel, loss._shape)
    driver[blocks, THREADS_PER_BLOCK](yd, zd, wd, theta, hmode, hval, g, h)


class _Resident:
    """Per-DMatrix device state: labels, weights and output buffers, reused every round."""

    def __init__(self, loss, dtrain, shape):
        y, w = labels_and_weights(dtrain)
        k = shape[1] if len(shape) == 2 else None
        # labels and weights stay float64 on the device too: a float32 label would round before the
        # residual is formed (see _validation.as_labels)
        y = V.as_labels(y, shape[0], loss.domain, k, what=loss)
        self.loss = loss._concrete(y, k)
        self.y = cuda.to_device(y)
        w = V.as_weights(w, shape[0])
        self.w = cuda.to_device(w) if w.size else cuda.device_array(0, dtype=np.float64)
        self.g = cuda.device_array(shape, dtype=np.float32)
        self.h = cuda.device_array(shape, dtype=np.float32)


class DeviceObjective:
    """XGBoost objective computing on the GPU (see the module docstring). Picklable; the device
    cache is rebuilt wherever the object lands."""

    def __init__(self, loss, device="cuda"):
        _refuse_batch_losses(loss)
        self.loss = loss
        self.device = device
        self._state: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._reset()

    def _reset(self):
        self._state = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._warned = False

    def __getstate__(self):
        return {"loss": self.loss, "device": self.device}

    def __setstate__(self, state):
        self.loss, self.device = state["loss"], state["device"]
        self._reset()

    def __repr__(self):
        return f"DeviceObjective({self.loss!r}, {self.device!r})"

    def _fallback(self, a, b, sample_weight):
        if not self._warned:
            warnings.warn("boostobj: no usable CUDA device; computing gradients on the CPU", RuntimeWarning,
                          stacklevel=3)
            self._warned = True
        return self.loss(a, b, sample_weight)

    def __call__(self, a, b, sample_weight=None):
        if not cuda_available():
            return self._fallback(a, b, sample_weight)
        if not is_engine_dataset(b):
            # scikit-learn call pattern (y_true, y_pred[, sample_weight]): no DMatrix to cache on, so
            # labels and weights are validated and copied to the device on every call.
            y, z, w = self.loss._prepare(a, b, sample_weight)
            g, h = grad_hess_device(self.loss, y, z, w if w.size else None)
            return self._out(g, h)
        z = np.asarray(a)
        if not np.isfinite(z).all():
            V.as_margin(z, self.loss.task)  # raises the usual, located error
        with self._lock:
            state = self._state.get(b)
            if state is None or state.g.shape != z.shape:
                state = _Resident(self.loss, b, z.shape)
                self._state[b] = state
        zd = cuda.to_device(np.ascontiguousarray(z))
        _launch(state.loss, state.y, zd, state.w, state.g, state.h)
        return self._out(state.g, state.h)

    @staticmethod
    def _out(g, h):
        if simulator_enabled():  # simulator arrays have no __cuda_array_interface__
            return g.copy_to_host(), h.copy_to_host()
        return g, h
