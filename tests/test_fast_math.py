"""The vectorising exp / expm1 / log1p of boostobj/kernels/_math.py: accuracy against mpmath, the
special values, and that the drivers' hot loops really are packed SIMD code without libm calls."""
import math
import os
import pathlib
import platform
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import fast_math  # noqa: E402

ULP_BOUNDS = {"exp": 1.5, "expm1": 2.5, "log1p": 1.0, "log1p_unit": 1.0,  # results/fast_math.md: measured maxima
              "exp_excess": 3.5}


@pytest.mark.parametrize("name", sorted(ULP_BOUNDS))
def test_accuracy_against_mpmath_in_ulps(name):
    x = fast_math.sample(name, 3000, seed=1)
    errors = fast_math.ulp_errors(name, x)
    worst = int(np.argmax(errors))
    assert errors[worst] <= ULP_BOUNDS[name], (name, x[worst], errors[worst])


def _compiled(name, values):
    x = np.asarray(values, dtype=np.float64)
    out = np.empty_like(x)
    fast_math.COMPILED[name](x, out)
    return out


def test_special_values_are_exact():
    inf, nan = math.inf, math.nan
    np.testing.assert_array_equal(_compiled("exp", [0.0, -0.0, inf, -inf, 710.0, -746.0, 1e-300]),
                                  [1.0, 1.0, inf, 0.0, inf, 0.0, 1.0])
    assert np.isnan(_compiled("exp", [nan])[0]) and _compiled("exp", [-745.1])[0] == 5e-324
    got = _compiled("expm1", [0.0, -0.0, inf, -inf, 1e-300, -40.0, 709.7])
    np.testing.assert_array_equal(got, [0.0, -0.0, inf, -1.0, 1e-300, -1.0, math.expm1(709.7)])
    assert np.signbit(got[1]) and np.isnan(_compiled("expm1", [nan])[0])
    got = _compiled("log1p", [0.0, -0.0, inf, -1.0, 1e-300, 5e-324, 1e300])
    np.testing.assert_array_equal(got, [0.0, -0.0, inf, -inf, 1e-300, 5e-324, math.log1p(1e300)])
    assert np.signbit(got[1])
    assert np.isnan(_compiled("log1p", [-2.0, -inf, nan])).all()


def test_log1p_unit_is_log1p_and_the_reciprocal_on_the_unit_interval():
    """log1p_unit(x) = (log1p(x), 1 / (1 + x)) on [0, 1] (e^-|u|), bit for bit with _math's log1p and
    the division; NaN stays NaN."""
    from numba import njit

    from boostobj.kernels import _math as M

    @njit(error_model="numpy")
    def both(x, out):
        for i in range(x.shape[0]):
            out[i, 0], out[i, 1] = M.log1p_unit(x[i])
            out[i, 2] = M.log1p(x[i])

    rng = np.random.default_rng(4)
    x = np.concatenate([[0.0, 5e-324, 1e-300, 2.0 ** -53, 0.5, np.sqrt(2.0) - 1.0, 1.0 - 2.0 ** -53, 1.0],
                        rng.uniform(0.0, 1.0, 20000), np.exp(-rng.uniform(0.0, 745.0, 20000))])
    out = np.empty((x.size, 3))
    both(x, out)
    np.testing.assert_array_equal(out[:, 0], out[:, 2])
    np.testing.assert_array_equal(out[:, 1], 1.0 / (1.0 + x))
    nan = np.empty((1, 3))
    both(np.array([np.nan]), nan)
    assert np.isnan(nan).all()


def _has_avx2():
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        return " avx2" in pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


VECTORISATION_CHECK = r"""
import re, sys
import numpy as np
import boostobj as bo
from boostobj.drivers import driver_for
failures = []
fma = " fma" in open("/proc/cpuinfo").read()
# (the multiclass losses run their class-major block forms; row kernels of other multiclass losses
# loop over one row's classes as scalar code and use libm on purpose)
for loss in (bo.Logistic(), bo.Focal(gamma=2.0), bo.Focal(gamma=2.0, hessian="exact"), bo.LogCosh(), bo.Exponential(),
             bo.Poisson(), bo.SoftmaxCrossEntropy(), bo.SoftmaxCrossEntropy(hessian="exact"),
             bo.SoftmaxFocal(gamma=2.0), bo.SoftmaxFocal(gamma=2.0, hessian="exact")):  # ClassBalanced resolves to these
    z = np.zeros((8, 3) if loss.task == "multiclass" else 8, np.float32)
    loss.grad_hess(np.zeros(8, np.float32), z, out=(np.empty_like(z), np.empty_like(z)))
    kernel, _, _ = loss._policy
    # the driver grad_hess ran: its label test, and its k for multiclass
    driver = driver_for(kernel, loss._shape, "grad_hess", loss._label_test(True)[1], z.shape[1] if z.ndim == 2 else 0)
    (ir,) = driver.inspect_llvm().values()
    (asm,) = driver.inspect_asm().values()
    # scalar libm calls, direct or as LLVM intrinsics (llvm.exp.* lowers to them without a vector library)
    libm = sorted(set(re.findall(r"@((?:llvm\.)?(?:exp|expm1|log1p|log|pow|exp2))\b", ir)))
    packed = len(re.findall(r"<(?:4|8) x double>", ir))
    # the polynomials of _math contract to packed fused multiply-adds where the host has FMA
    packed_fma = len(re.findall(r"vfn?madd\w*pd\s+[^\n]*%[yz]mm", asm))
    if libm or packed < 20 or (fma and packed_fma < 10):
        failures.append(f"{loss!r}: libm calls {libm}, packed double values {packed}, packed FMA {packed_fma}")
print("\n".join(failures) or "ok")
sys.exit(1 if failures else 0)
"""


@pytest.mark.skipif(not _has_avx2(), reason="the packed-instruction check is for x86-64 hosts with AVX2")
def test_hot_loops_are_packed_simd_without_libm_calls(tmp_path):
    # a fresh numba cache: cached machine code cannot be inspected
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", VECTORISATION_CHECK], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]


def test_the_cpu_forms_keep_their_own_flags_inside_a_fastmath_caller():
    # numba passes a caller's fastmath and error model down to overloads that do not set their own:
    # reassociation folded the rounding trick (exp(1.7) gave 4.0) and log1p(-1) raised ZeroDivisionError
    from numba import njit

    from boostobj.kernels import _math as M

    @njit(fastmath=True)
    def fast(x):
        return M.exp(x), M.expm1(x), M.log1p(x)

    @njit
    def default_errors(x):
        return M.log1p(x)

    e, em1, l1p = fast(1.7)
    assert e == pytest.approx(math.exp(1.7), rel=1e-15) and em1 == pytest.approx(math.expm1(1.7), rel=1e-15)
    assert l1p == pytest.approx(math.log1p(1.7), rel=1e-15)
    assert default_errors(-1.0) == -math.inf


def test_focal_power_at_gamma_2_is_a_product_more_accurate_than_the_exponential_form():
    """power_of_probability(q, -log q, 2, squared=True) = q * q: within 3 ulp of q^2 wherever q^2 is
    a normal float; exp(-2 (-log q)) carries twice the absolute rounding error of -log q."""
    import mpmath
    import numba

    from boostobj.kernels._math import logistic_parts, power_of_probability

    @numba.njit
    def powers(u, out):
        for i in range(u.shape[0]):
            p, q, neg_log_p, neg_log_q = logistic_parts(u[i])  # q = sigma(-u)
            out[i, 0] = power_of_probability(q, neg_log_q, 2.0, True)
            out[i, 1] = power_of_probability(q, neg_log_q, 2.0, False)

    u = np.concatenate([np.linspace(-40.0, 5.0, 46), np.linspace(5.0, 40.0, 300), np.linspace(41.0, 350.0, 40)])
    out = np.empty((u.size, 2))
    powers(u, out)
    with mpmath.workdps(40):
        exact = np.array([float((1 / (1 + mpmath.exp(mpmath.mpf(x)))) ** 2) for x in u])
    rel = np.abs(out - exact[:, None]) / exact[:, None]
    assert rel[:, 0].max() < 3 * 2.0 ** -52, u[np.argmax(rel[:, 0])]
    assert rel[:, 1].max() > 10 * 2.0 ** -52  # the exponential form, for comparison
