"""The block forms of kernels (kernels/_math.block_form): the class-major forms of the multiclass row
kernels and the staged focal kernels. The CPU drivers run them in place of the kernels, so they must
give what the kernels give, for every policy, layout, dtype, block remainder, weight, label kind and
extreme margin."""
import numpy as np
import pytest

import boostobj as bo
from boostobj.drivers import (_FACTORIES, BLOCK_ROWS, ELEMENTWISE_BLOCK_ROWS, FINITE_LABELS, SPECIALISED_CLASSES,
                              driver_for)

ANY_LABEL = FINITE_LABELS  # the drivers' label test: any finite label

LOSSES = [
    bo.SoftmaxCrossEntropy(),
    bo.SoftmaxCrossEntropy(hessian="exact"),
    bo.SoftmaxCrossEntropy(class_weight=[1.0, 2.0, 0.5], label_smoothing=0.1, hessian="lightgbm"),
    bo.SoftmaxFocal(gamma=2.0),
    bo.SoftmaxFocal(gamma=2.0, hessian="upper"),
    bo.SoftmaxFocal(gamma=2.0, hessian="exact"),
    bo.SoftmaxFocal(gamma=0.5, alpha=[1.0, 3.0, 0.25]),
    bo.SoftmaxFocal(gamma=0.0, hessian="exact"),
]


ELEMENTWISE = [
    bo.Logistic(),
    bo.Logistic(pos_weight=3.0),
    bo.Focal(gamma=2.0),
    bo.Focal(gamma=2.0, hessian="exact"),
    bo.Focal(gamma=0.5, alpha=0.25),
    bo.Focal(gamma=0.0, hessian="exact"),
]


def _assert_same_bits(reference, driver, loss, y, z, w, step):
    """Both drivers over all rows of (y, z): finite, and bit for bit the same gradient and Hessian."""
    _, hmode, hval = loss._policy
    outs = []
    for d in (reference, driver):
        g, h = np.full_like(z, np.nan), np.full_like(z, np.nan)
        outs.append((d(0, z.shape[0], y, z, w, step, ANY_LABEL, loss._theta_array, hmode, hval, g, h), g, h))
    assert outs[0][0] and outs[1][0]
    np.testing.assert_array_equal(outs[1][1], outs[0][1])
    np.testing.assert_array_equal(outs[1][2], outs[0][2])


def test_every_block_form_is_covered():
    covered = {loss._policy[0] for loss in LOSSES + ELEMENTWISE}
    for cls in bo.available_losses().values():
        for kernel in getattr(cls, "hessians", {}).values():
            if getattr(kernel, "block_form", None) is not None:
                assert kernel in covered, f"{cls.__name__}: {kernel.__name__} has a block form no test covers"


def _margins(rng, n, k, scale, dtype, order):
    z = rng.normal(0.0, scale, (n, k))
    z[::7, 0] = z[::7, 1]  # ties for the row max
    z[::11] = np.clip(np.sign(z[::11]) * 1e4, -1e4, 1e4)  # extremes: p rounds to 0 or 1
    return np.asarray(z, dtype=dtype, order=order)


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_block_form_equals_row_kernel(loss, dtype, order):
    rng = np.random.default_rng(0)
    kernel, hmode, hval = loss._policy
    row_driver = _FACTORIES["rowwise", "grad_hess"](kernel)
    block_driver = driver_for(kernel, "rowwise", "grad_hess")
    assert block_driver is not row_driver
    k = loss.n_classes or 4
    for n in (1, BLOCK_ROWS - 1, BLOCK_ROWS, 2 * BLOCK_ROWS + 5):
        for scale in (1.0, 30.0):
            z = _margins(rng, n, k, scale, dtype, order)
            y = rng.integers(0, k, n).astype(dtype)
            for w, step in ((np.ones(1, dtype), 0), (rng.uniform(0.1, 3.0, n).astype(dtype), 1)):
                outs = []
                for driver in (row_driver, block_driver):
                    g, h = np.full_like(z, np.nan), np.full_like(z, np.nan)
                    finite = driver(0, n, y, z, w, step, ANY_LABEL, loss._theta_array, hmode, hval, g, h)
                    outs.append((finite, g, h))
                assert outs[0][0] and outs[1][0]
                rtol = 1e-12 if dtype == np.float64 else 2e-7  # polynomial vs libm exp: a few ulps
                np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=rtol, atol=1e-300)
                np.testing.assert_allclose(outs[1][2], outs[0][2], rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("loss", [LOSSES[0], LOSSES[3], LOSSES[5]], ids=repr)
def test_block_form_reports_values_its_output_cannot_hold(loss):
    # the block form checks finiteness against the output dtype: a float64 value beyond float32's
    # largest would become inf only when stored
    n = 300
    y = np.zeros(n, np.float32)
    z = np.zeros((n, 3), np.float32)
    w = np.ones(n)
    w[257] = 1e39
    with pytest.raises(ValueError, match="row 257 is not representable in float32"):
        loss.grad_hess(y, z, sample_weight=w)
    g, h = loss.grad_hess(y, z.astype(np.float64), sample_weight=w)  # float64 holds it
    assert np.isfinite(g).all() and np.isfinite(h).all()


def test_block_form_is_used_for_any_row_range():
    # launch splits rows across threads at arbitrary bounds: a chunk starting mid-block
    loss = LOSSES[3]
    rng = np.random.default_rng(1)
    z = rng.normal(0, 3, (1000, 4))
    y = rng.integers(0, 4, 1000).astype(np.float64)
    kernel, hmode, hval = loss._policy
    full = loss.grad_hess(y, z)
    g, h = np.empty_like(z), np.empty_like(z)
    driver = driver_for(kernel, "rowwise", "grad_hess")
    for lo, hi in ((0, 301), (301, 777), (777, 1000)):
        assert driver(lo, hi, y, z, np.ones(1), 0, ANY_LABEL, loss._theta_array, hmode, hval, g, h)
    np.testing.assert_array_equal(g, full[0])
    np.testing.assert_array_equal(h, full[1])


def test_block_form_checks_each_output_against_its_own_dtype():
    # out=(float64 g, float32 h): an h beyond float32's largest must be reported, not stored as inf
    loss = LOSSES[0]
    n = 200
    y = np.zeros(n)
    z = np.zeros((n, 3))
    z[150] = [0.0, 1.0, 0.0]  # h of row 150 is about 0.2 per unit weight: 2e39 > float32 max
    w = np.ones(n)
    w[150] = 1e40
    g, h = np.empty((n, 3)), np.empty((n, 3), np.float32)
    with pytest.raises(ValueError, match="row 150 is not representable"):
        loss.grad_hess(y, z, sample_weight=w, out=(g, h))


@pytest.mark.parametrize("loss", ELEMENTWISE, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_staged_block_form_gives_the_fused_kernels_bits(loss, dtype):
    # the same operations in another order of loops: bit for bit, for hard labels (one power per
    # margin), soft labels (both sides) and blocks that mix them
    rng = np.random.default_rng(2)
    kernel = loss._policy[0]
    fused = _FACTORIES["elementwise", "grad_hess"](kernel)
    staged = driver_for(kernel, "elementwise", "grad_hess")
    assert staged is not fused
    for n in (1, ELEMENTWISE_BLOCK_ROWS - 1, ELEMENTWISE_BLOCK_ROWS, 3 * ELEMENTWISE_BLOCK_ROWS + 7):
        z = rng.normal(0.0, 4.0, n)
        z[::11] = np.where(rng.uniform(size=z[::11].size) < 0.5, -1e4, 1e4)
        z[::13] = 0.0
        z = z.astype(dtype)
        hard = rng.integers(0, 2, n).astype(dtype)
        soft = rng.uniform(0.0, 1.0, n).astype(dtype)
        mixed = hard.copy()
        mixed[n // 2] = 0.3  # one soft label: its block takes the soft path
        for y in (hard, soft, mixed):
            for w, step in ((np.ones(1, dtype), 0), (rng.uniform(0.1, 3.0, n).astype(dtype), 1)):
                _assert_same_bits(fused, staged, loss, y, z, w, step)


def test_staged_block_form_reports_values_its_output_cannot_hold():
    n = ELEMENTWISE_BLOCK_ROWS + 300
    y = np.ones(n, np.float32)
    z = np.full(n, -3.0, np.float32)
    w = np.ones(n)
    w[n - 10] = 1e40
    with pytest.raises(ValueError, match=f"row {n - 10} is not representable in float32"):
        bo.Focal(gamma=2.0).grad_hess(y, z, sample_weight=w)


@pytest.mark.parametrize("loss", [LOSSES[0], LOSSES[3]], ids=repr)
@pytest.mark.parametrize("k", [2, 3, 4, SPECIALISED_CLASSES])
def test_drivers_compiled_for_their_class_count_give_the_same_bits(loss, k):
    """grad_hess runs a block driver compiled for its k (up to SPECIALISED_CLASSES): the same
    operations as the generic one, in both memory orders, weighted or not, over partial blocks."""
    rng = np.random.default_rng(3)
    kernel = loss._policy[0]
    generic = driver_for(kernel, "rowwise", "grad_hess")
    specialised = driver_for(kernel, "rowwise", "grad_hess", classes=k)
    assert specialised is not generic
    n = 2 * BLOCK_ROWS + 37
    y = rng.integers(0, k, n).astype(np.float32)
    for order in ("C", "F"):
        z = _margins(rng, n, k, 3.0, np.float32, order)
        for w, step in ((np.ones(1), 0), (rng.uniform(0.1, 3.0, n), 1)):
            _assert_same_bits(generic, specialised, loss, y, z, w, step)
    many = SPECIALISED_CLASSES + 1  # beyond: the generic driver
    assert driver_for(kernel, "rowwise", "grad_hess", classes=many) is generic
