"""The generic loops that apply a scalar kernel over arrays (CPU), and how they are parallelised.

No loss writes its own loop. Each driver is built once per kernel and process (``driver_for``),
compiled lazily on first call and cached on disk. Drivers:
  * apply the driver part of the Hessian policy (mode 0 as the kernel returns it, 1 constant
    ``hval``, 2 floor at ``hval``; policies with a formula of their own are separate kernels),
  * multiply gradient and Hessian by the sample weight (unweighted: w = [1.0] and w_step = 0),
  * compute in float64 whatever the input dtype and write into the caller's ``out`` arrays,
  * work on the row range [lo, hi), so that ``launch`` can split a call into chunks,
  * return whether every value written is finite; the gradient drivers also fold in the margins
    and (elementwise) the labels they read, which is the only finiteness test ``Loss.grad_hess``
    makes on its way in: a separate pass over the inputs cost more than the logistic kernel's
    whole validation budget (two passes, ~0.55 ns per sample at 1e7 float32), the test inside the
    loop next to nothing. Weights need no test: a non-finite weight makes a non-finite output.
    Elementwise labels are tested against ``labels`` = (lo, hi), the interval of the loss's label
    domain (``Domain.interval``; (-max, max), finite labels, where the domain is checked before):
    lo <= y <= hi, and y an integer for drivers built with ``integer_labels`` (a constant of the
    compiled loop: the test costs nothing where it is off; measured, a runtime flag cost the logistic
    loop 0.27 ns per sample). Row-wise drivers take the same argument and ignore it: their class
    labels are checked before the loop (a row kernel reads its label as an index).

Parallelism: drivers are serial and release the GIL (nogil); ``launch`` runs the chunks of a large
array on a small pool of Python threads. Why not numba's ``parallel=True``: its OpenMP/TBB worker
threads spin after each region and, on a busy machine, starve the engine's own OpenMP threads
(measured: XGBoost 200 rounds on 300 rows, 0.13 s -> 1.8 s on 2 cores), and its default workqueue
layer aborts the process when two threads launch at once. Pool threads block instead of spinning,
and any number of user threads (Dask, joblib) may call concurrently.
"""
import concurrent.futures
import functools
import hashlib
import inspect
import os
import pathlib
import threading

import numpy as np
from numba.extending import register_jitable

from ._jit import cached_njit

from .kernels import SOURCE_TOKEN
from .kernels._math import apply_hessian_policy as _apply_policy



def kernel_token(kernel):
    """An integer that changes whenever the source of ``kernel`` changes.

    Numba's on-disk cache keys a driver on its own bytecode and closure only, so the drivers close
    over this token: editing a kernel (boostobj's own, or one of a user's loss, with the helpers in
    its file) never reuses stale machine code.
    """
    if kernel.__module__.startswith("boostobj.kernels"):
        return SOURCE_TOKEN
    try:
        source = pathlib.Path(inspect.getsourcefile(kernel) or "").read_bytes()
    except (TypeError, OSError):  # defined interactively: its bytecode is all there is
        source = kernel.__code__.co_code
    return int(hashlib.sha256(source).hexdigest()[:12], 16)


# The drivers' ``labels`` argument where the domain is checked before the loop: any finite label.
FINITE_LABELS = np.array([-np.finfo(np.float64).max, np.finfo(np.float64).max])


@register_jitable(forceinline=True)
def _label_in(y, lo, hi, any_value):
    """lo <= y <= hi, and y an integer unless ``any_value`` (a compile-time constant): a label in its
    domain's interval (False for NaN). Written with & and |, no branch, so that the loops vectorise."""
    return (y >= lo) & (y <= hi) & (any_value | (y == np.floor(y)))


# Each driver slices its [lo, hi) chunk first and loops over range(len): with a loop index known
# to be >= 0 numba drops its negative-index wrap-around check, which otherwise blocks vectorisation
# (measured: absolute error 9 ns -> 0.4 ns per sample). Weighted and unweighted rows get separate
# loops for the same reason (no gather, no branch inside the loop).
def _elementwise_grad_hess(kernel, integer_labels=False):
    token = kernel_token(kernel)
    any_y = not integer_labels

    @cached_njit(nogil=True, error_model="numpy")  # numpy errors: no zero-division checks (they block SIMD)
    def driver(lo, hi, y, z, w, w_step, labels, theta, hmode, hval, g_out, h_out):
        # (token & 0) == 0: ties the on-disk cache entry to the kernel sources (see kernels/).
        ys, zs, gs, hs = y[lo:hi], z[lo:hi], g_out[lo:hi], h_out[lo:hi + (token & 0)]
        y_lo, y_hi = labels[0], labels[1]
        # every input and stored value finite, every label in its domain (stores read back: a
        # float32 store can overflow)
        finite = True
        if w_step == 0:
            w0 = np.float64(w[0])
            for i in range(zs.shape[0]):
                yi, zi = np.float64(ys[i]), np.float64(zs[i])
                g, h = kernel(yi, zi, theta)
                gs[i] = g * w0
                hs[i] = _apply_policy(h, hmode, hval) * w0
                finite &= (abs(gs[i]) < np.inf) & (abs(hs[i]) < np.inf) & (abs(zi) < np.inf) & _label_in(yi, y_lo, y_hi, any_y)
        else:
            ws = w[lo:hi]
            for i in range(zs.shape[0]):
                yi, zi = np.float64(ys[i]), np.float64(zs[i])
                g, h = kernel(yi, zi, theta)
                wi = np.float64(ws[i])
                gs[i] = g * wi
                hs[i] = _apply_policy(h, hmode, hval) * wi
                finite &= (abs(gs[i]) < np.inf) & (abs(hs[i]) < np.inf) & (abs(zi) < np.inf) & _label_in(yi, y_lo, y_hi, any_y)
        return finite

    return driver


def _elementwise_value(kernel):
    token = kernel_token(kernel)

    @cached_njit(nogil=True, error_model="numpy")  # numpy errors: no zero-division checks (they block SIMD)
    def driver(lo, hi, y, z, w, w_step, theta, out):
        ys, zs, os_ = y[lo:hi], z[lo:hi], out[lo:hi + (token & 0)]
        finite = True
        if w_step == 0:
            w0 = np.float64(w[0])
            for i in range(zs.shape[0]):
                os_[i] = kernel(np.float64(ys[i]), np.float64(zs[i]), theta) * w0
                finite &= abs(os_[i]) < np.inf
        else:
            ws = w[lo:hi]
            for i in range(zs.shape[0]):
                os_[i] = kernel(np.float64(ys[i]), np.float64(zs[i]), theta) * np.float64(ws[i])
                finite &= abs(os_[i]) < np.inf
        return finite

    return driver


def _rowwise_grad_hess(kernel):
    token = kernel_token(kernel)

    @cached_njit(nogil=True, error_model="numpy")  # numpy errors: no zero-division checks (they block SIMD)
    def driver(lo, hi, y, z, w, w_step, labels, theta, hmode, hval, g_out, h_out):
        ys, zs, gs, hs = y[lo:hi], z[lo:hi], g_out[lo:hi], h_out[lo:hi + (token & 0)]
        k = zs.shape[1]
        # the kernel writes float64 rows (whatever the outputs' dtype), so it may keep intermediate
        # values there (softmax: each e^(z_j - m), computed once); weights and policy apply on the
        # copy. The rows are reused from row to row: a row kernel must write every entry.
        g_row = np.empty(k)
        h_row = np.empty(k)
        finite = True
        for i in range(zs.shape[0]):
            zi = zs[i]
            kernel(int(ys[i]), zi, theta, g_row, h_row)
            wi = np.float64(w[(lo + i) * w_step])
            gi = gs[i]
            hi_ = hs[i]
            for j in range(k):
                gi[j] = g_row[j] * wi
                hi_[j] = _apply_policy(h_row[j], hmode, hval) * wi
                finite &= (abs(gi[j]) < np.inf) & (abs(hi_[j]) < np.inf) & (abs(zi[j]) < np.inf)
        return finite

    return driver


# Row kernels with a class-major block form (kernels/_math.block_form): the rows are copied in
# blocks of BLOCK_ROWS into (k, BLOCK_ROWS) float64 buffers, the block form computes the block with
# its inner loops over rows (they vectorise; a row kernel's loop over k classes does not), weights and
# policy apply on the buffers (vectorised too), and the block is copied out. The copies run along
# the arrays' memory order (XGBoost hands C-ordered margins, LightGBM F-ordered). 128 rows: the
# block's buffers stay in L1 for k <= 8. Up to SPECIALISED_CLASSES classes the driver is compiled for
# its k (a constant of the loops, ``classes``): the copies between the (n, k) arrays and the
# class-major buffers, scalar loops over a runtime k, then unroll and vectorise (measured, softmax
# focal at k = 4, 1 thread, 1e7 float32 margins: the copies 3.1 -> 1.9 ns per margin).
BLOCK_ROWS = 128
SPECIALISED_CLASSES = 8


def _blocked_grad_hess(block_kernel, classes=0):
    token = kernel_token(block_kernel)

    @cached_njit(nogil=True, error_model="numpy")  # numpy errors: no zero-division checks (they block SIMD)
    def driver(lo, hi, y, z, w, w_step, labels, theta, hmode, hval, g_out, h_out):
        # classes: the caller's k, compiled in (0: read it from z)
        k = (classes if classes else z.shape[1]) + (token & 0)
        zb = np.empty((k, BLOCK_ROWS))
        gb = np.empty((k, BLOCK_ROWS))
        hb = np.empty((k, BLOCK_ROWS))
        yb = np.empty(BLOCK_ROWS, dtype=np.int64)
        wb = np.empty(BLOCK_ROWS)
        if w_step == 0:
            wb[:] = np.float64(w[0])
        # finite once stored: a float64 value beyond the output dtype's largest becomes inf there
        largest_g, largest_h = np.float64(np.finfo(g_out.dtype).max), np.float64(np.finfo(h_out.dtype).max)
        z_rows, out_rows = z.flags.c_contiguous, g_out.flags.c_contiguous and h_out.flags.c_contiguous
        finite = True
        for start in range(lo, hi, BLOCK_ROWS):
            n = min(BLOCK_ROWS, hi - start)
            # slices first: indices from 0 need no negative-index checks (see _elementwise_grad_hess)
            ys, zs, gs, hs = y[start:start + n], z[start:start + n], g_out[start:start + n], h_out[start:start + n]
            for i in range(n):
                yb[i] = int(ys[i])
            if w_step != 0:  # unweighted: wb holds w[0] throughout (filled once, above)
                ws = w[start:start + n]
                for i in range(n):
                    wb[i] = np.float64(ws[i])
            if z_rows:
                for i in range(n):
                    for j in range(k):
                        zb[j, i] = np.float64(zs[i, j])
            else:
                for j in range(k):
                    for i in range(n):
                        zb[j, i] = np.float64(zs[i, j])
            for j in range(k):
                for i in range(n):
                    finite &= abs(zb[j, i]) < np.inf
            block_kernel(yb, zb, theta, gb, hb, n)
            for j in range(k):
                for i in range(n):
                    gb[j, i] = gb[j, i] * wb[i]
                    hb[j, i] = _apply_policy(hb[j, i], hmode, hval) * wb[i]
                    finite &= (abs(gb[j, i]) <= largest_g) & (abs(hb[j, i]) <= largest_h)
            if out_rows:
                for i in range(n):
                    for j in range(k):
                        gs[i, j] = gb[j, i]
                        hs[i, j] = hb[j, i]
            else:
                for j in range(k):
                    for i in range(n):
                        gs[i, j] = gb[j, i]
                        hs[i, j] = hb[j, i]
        return finite

    return driver


# Elementwise kernels with a block form (kernels/binary.py: the staged focal kernels): blocks of
# ELEMENTWISE_BLOCK_ROWS are converted to float64 buffers, computed by the block form, weighted,
# checked and stored, all in loops over the rows that vectorise (512 rows: 3-6 % faster than 128 for
# focal on Zen 3; the buffers still fit in L1).
ELEMENTWISE_BLOCK_ROWS = 512


def _blocked_elementwise_grad_hess(block_kernel, integer_labels=False):
    token = kernel_token(block_kernel)
    any_y = not integer_labels

    @cached_njit(nogil=True, error_model="numpy")
    def driver(lo, hi, y, z, w, w_step, labels, theta, hmode, hval, g_out, h_out):
        rows = ELEMENTWISE_BLOCK_ROWS + (token & 0)
        y_lo, y_hi = labels[0], labels[1]
        yb, zb, wb, gb, hb = np.empty(rows), np.empty(rows), np.empty(rows), np.empty(rows), np.empty(rows)
        largest_g, largest_h = np.float64(np.finfo(g_out.dtype).max), np.float64(np.finfo(h_out.dtype).max)
        if w_step == 0:
            wb[:] = np.float64(w[0])
        finite = True
        for start in range(lo, hi, ELEMENTWISE_BLOCK_ROWS):
            n = min(ELEMENTWISE_BLOCK_ROWS, hi - start)
            ys, zs, gs, hs = y[start:start + n], z[start:start + n], g_out[start:start + n], h_out[start:start + n]
            for i in range(n):
                yb[i] = np.float64(ys[i])
                zb[i] = np.float64(zs[i])
                finite &= (abs(zb[i]) < np.inf) & _label_in(yb[i], y_lo, y_hi, any_y)
            if w_step != 0:  # unweighted: wb holds w[0] throughout (filled once, below)
                ws = w[start:start + n]
                for i in range(n):
                    wb[i] = np.float64(ws[i])
            block_kernel(yb, zb, theta, gb, hb, n)
            for i in range(n):
                gv = gb[i] * wb[i]
                hv = _apply_policy(hb[i], hmode, hval) * wb[i]
                finite &= (abs(gv) <= largest_g) & (abs(hv) <= largest_h)
                gs[i] = gv
                hs[i] = hv
        return finite

    return driver


def _rowwise_value(kernel):
    token = kernel_token(kernel)

    @cached_njit(nogil=True, error_model="numpy")  # numpy errors: no zero-division checks (they block SIMD)
    def driver(lo, hi, y, z, w, w_step, theta, out):
        ys, zs, os_ = y[lo:hi], z[lo:hi], out[lo:hi + (token & 0)]
        finite = True
        for i in range(zs.shape[0]):
            os_[i] = kernel(int(ys[i]), zs[i], theta) * np.float64(w[(lo + i) * w_step])
            finite &= abs(os_[i]) < np.inf
        return finite

    return driver


# -- the batch shape: a reduction pass, then the elementwise / row-wise pass -------------------------
# Losses whose per-sample gradient depends on statistics of the whole batch (GHM's gradient density,
# Dice's sums) declare a reduction kernel ``reduce(y, z, w, theta, acc)`` that adds one row's
# (weighted) contribution into ``acc``; each chunk of rows fills its own ``acc`` row and the chunks
# are summed (``reduce_rows``). The loss turns the sums into kernel parameters, and the ordinary
# drivers run the second pass.
def _elementwise_reduce(kernel):
    token = kernel_token(kernel)

    @cached_njit(nogil=True, error_model="numpy")
    def driver(lo, hi, y, z, w, w_step, theta, bounds, acc):
        ys, zs = y[lo:hi], z[lo:hi + (token & 0)]
        row = acc[np.searchsorted(bounds, lo, side="right") - 1]  # this chunk's accumulator
        for i in range(zs.shape[0]):
            kernel(np.float64(ys[i]), np.float64(zs[i]), np.float64(w[(lo + i) * w_step]), theta, row)
        return True

    return driver


def _rowwise_reduce(kernel):
    token = kernel_token(kernel)

    @cached_njit(nogil=True, error_model="numpy")
    def driver(lo, hi, y, z, w, w_step, theta, bounds, acc):
        ys, zs = y[lo:hi], z[lo:hi + (token & 0)]
        row = acc[np.searchsorted(bounds, lo, side="right") - 1]  # this chunk's accumulator
        for i in range(zs.shape[0]):
            kernel(int(ys[i]), zs[i], np.float64(w[(lo + i) * w_step]), theta, row)
        return True

    return driver


# Dice's exact Hessian diagonal has a term in w_i^2 (the row's own share of the global sums moves
# with its margin), so its kernels see the row weight: grad_hess(y, z, w, theta). The driver still
# multiplies g and h by w (the kernel's values are per unit of weight) and applies the policy.
def _self_weighted_grad_hess(kernel, integer_labels=False):
    token = kernel_token(kernel)
    any_y = not integer_labels

    @cached_njit(nogil=True, error_model="numpy")
    def driver(lo, hi, y, z, w, w_step, labels, theta, hmode, hval, g_out, h_out):
        ys, zs, gs, hs = y[lo:hi], z[lo:hi], g_out[lo:hi], h_out[lo:hi + (token & 0)]
        y_lo, y_hi = labels[0], labels[1]
        finite = True
        for i in range(zs.shape[0]):
            wi = np.float64(w[(lo + i) * w_step])
            yi, zi = np.float64(ys[i]), np.float64(zs[i])
            g, h = kernel(yi, zi, wi, theta)
            gs[i] = g * wi
            hs[i] = _apply_policy(h, hmode, hval) * wi
            finite &= (abs(gs[i]) < np.inf) & (abs(hs[i]) < np.inf) & (abs(zi) < np.inf) & _label_in(yi, y_lo, y_hi, any_y)
        return finite

    return driver


# CatBoost calls a multiclass objective once per row (boostobj._engines.CatBoostRows): one compiled
# call returns that row's derivatives of the maximised objective in CatBoost's layout, -g (k,) and
# the diagonal -h as a (k, k) matrix, so no Python array work is left per row.
def _single_row_ders(kernel):
    token = kernel_token(kernel)

    @cached_njit(nogil=True, error_model="numpy")
    def driver(y, z, w, theta, hmode, hval):
        k = z.shape[0] + (token & 0)
        g = np.empty(k)
        h = np.empty(k)
        kernel(int(y), z, theta, g, h)
        der2 = np.zeros((k, k))
        finite = True
        for j in range(k):
            g[j] = -g[j] * w
            der2[j, j] = -_apply_policy(h[j], hmode, hval) * w
            finite &= (abs(g[j]) < np.inf) & (abs(der2[j, j]) < np.inf)
        return g, der2, finite

    return driver


_FACTORIES = {
    ("rowwise", "single_row_ders"): _single_row_ders,
    ("self_weighted", "grad_hess"): _self_weighted_grad_hess,
    ("self_weighted", "value"): _elementwise_value,
    ("elementwise", "reduce"): _elementwise_reduce,
    ("self_weighted", "reduce"): _elementwise_reduce,
    ("rowwise", "reduce"): _rowwise_reduce,
    ("elementwise", "grad_hess"): _elementwise_grad_hess,
    ("elementwise", "value"): _elementwise_value,
    ("rowwise", "grad_hess"): _rowwise_grad_hess,
    ("rowwise", "value"): _rowwise_value,
}


_BLOCK_FACTORIES = {
    ("elementwise", "grad_hess"): _blocked_elementwise_grad_hess,
    ("rowwise", "grad_hess"): _blocked_grad_hess,
}


def driver_for(kernel, shape, what, integer_labels=False, classes=0):
    """The (lazily compiled) driver applying ``kernel``; one dispatcher per kernel per process (and
    per variant: ``integer_labels`` builds an elementwise gradient driver whose loop also requires
    integral labels, as Binary's interval does; ``classes``, the k of the (n, k) margins it will be
    called with, a row-wise block driver compiled for that k, up to SPECIALISED_CLASSES). A kernel's
    gradient runs through its block form where it has one (``kernels._math.block_form``)."""
    block = getattr(kernel, "block_form", None)
    blocked = block is not None and (shape, what) in _BLOCK_FACTORIES
    specialised = classes if blocked and shape == "rowwise" and 0 < classes <= SPECIALISED_CLASSES else 0
    return _driver(block if blocked else kernel, shape, what, blocked, bool(integer_labels), specialised)


@functools.lru_cache(maxsize=None)
def _driver(kernel, shape, what, blocked, integer_labels, classes):
    options = {"integer_labels": True} if integer_labels else {}
    if classes:
        options["classes"] = classes
    return (_BLOCK_FACTORIES if blocked else _FACTORIES)[shape, what](kernel, **options)


# -- parallel launch -------------------------------------------------------------------------------
MIN_ROWS_PER_THREAD = 32_768  # below this a thread hand-off costs more than it saves
# Inside an engine's training round (``engine_call``) a call gets a thread per this many rows at most.
# The engine calls us right after its own OpenMP regions, whose workers then spin for milliseconds
# (libgomp's default wait policy) on the cores our pool threads would use, so a split pays only
# for long calls. Measured (benchmarks/engine_threads.py, 2 cores, objective call inside the round,
# 1 / 2 threads): focal 200k rows 2.8 / 3.0 ms, softmax focal 200k x 4 10.7 / 10.9 ms, focal 1M
# 12.9 / 12.4 ms, softmax focal 1M x 4 52 / 30 ms; LightGBM's leaf refresh at 150k rows 8 % faster
# per round on one thread. Outside training, 2 threads halve the same calls.
ENGINE_MIN_ROWS_PER_THREAD = 500_000

_num_threads = int(os.environ.get("BOOSTOBJ_NUM_THREADS", 0)) or os.cpu_count() or 1
_pool = None
_pool_workers = 0
_pool_lock = threading.Lock()
_calling = threading.local()  # .engine: inside engine_call() on this thread


class engine_call:
    """Context of a call from an engine's training loop (objective, leaf refresh): calls split
    into chunks of at least ENGINE_MIN_ROWS_PER_THREAD rows (see there). Re-entrant."""

    def __enter__(self):
        self._outer = getattr(_calling, "engine", False)
        _calling.engine = True

    def __exit__(self, *exc):
        _calling.engine = self._outer


def set_num_threads(n):
    """Threads used by one gradient call (default: BOOSTOBJ_NUM_THREADS or all cores)."""
    global _num_threads, _pool
    if int(n) < 1:
        raise ValueError(f"n must be >= 1, got {n!r}")
    with _pool_lock:
        _num_threads = int(n)
        # A pool with enough workers is kept (a call submits at most n - 1 chunks to it): switching
        # between thread counts, as a benchmark does before each call, must not start threads every
        # time. A smaller one is dropped without shutdown, since a call running in another thread may
        # still submit to it; its idle workers exit when it is garbage-collected.
        if _pool is not None and _pool_workers < _num_threads - 1:
            _pool = None


def get_num_threads():
    """The number of threads the kernels split a call over (``set_num_threads`` sets it)."""
    return _num_threads


def _get_pool():
    global _pool, _pool_workers
    with _pool_lock:
        if _pool is None:
            _pool_workers = max(_num_threads - 1, 1)
            _pool = concurrent.futures.ThreadPoolExecutor(max_workers=_pool_workers, thread_name_prefix="boostobj")
        return _pool


def _forget_pool_after_fork():
    global _pool, _pool_lock
    _pool = None  # the parent's threads do not exist in the child
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def weights_and_step(w):
    """(w, 1) for per-row weights, ([1.0], 0) for none: what the drivers index as w[i * step]."""
    if w.shape[0] > 0:
        return w, 1
    return np.ones(1, dtype=w.dtype), 0


def launch(driver, n, *args):
    """Run ``driver`` over rows [0, n), split across threads when the array is large; True when
    every value written is finite."""
    return launch_ranges(driver, list(row_chunks(n)), *args)


def launch_ranges(driver, bounds, *args):
    """Run ``driver(bounds[c], bounds[c + 1], *args)`` for every range, in parallel (the calling
    thread takes the first); True when every call returns a true value."""
    if len(bounds) <= 2:
        return bool(driver(bounds[0], bounds[-1], *args))
    pool = _get_pool()
    futures = [pool.submit(driver, bounds[c], bounds[c + 1], *args) for c in range(1, len(bounds) - 1)]
    first = bool(driver(bounds[0], bounds[1], *args))
    return all([f.result() for f in futures]) and first


def reduce_rows(driver, n, y, z, w, w_step, theta, n_statistics):
    """Sum a reduction driver's accumulators over rows [0, n): (n_statistics,) float64. The chunks
    of ``row_chunks`` run in parallel (``launch_ranges``), each into its own row of the accumulator."""
    bounds = row_chunks(n)
    acc = np.zeros((bounds.shape[0] - 1, n_statistics), dtype=np.float64)
    launch_ranges(driver, list(bounds), y, z, w, w_step, theta, bounds, acc)
    return acc.sum(axis=0)


def row_chunks(n):
    """The row ranges ``launch`` and ``reduce_rows`` split ``n`` rows into, as bounds (one range per
    thread, at least MIN_ROWS_PER_THREAD rows each, ENGINE_MIN_ROWS_PER_THREAD inside ``engine_call``)."""
    per_thread = ENGINE_MIN_ROWS_PER_THREAD if getattr(_calling, "engine", False) else MIN_ROWS_PER_THREAD
    chunks = max(min(_num_threads, n // per_thread), 1)
    return np.array([n * c // chunks for c in range(chunks + 1)], dtype=np.int64)
