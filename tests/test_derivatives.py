"""Every registered loss: derivatives vs finite differences and vs an mpmath reference, stability,
init_score, weights, out arrays, layouts, pickling."""
import pickle
import re

import cloudpickle
import numpy as np
import pytest

import boostobj as bo
from boostobj.drivers import _label_in
from boostobj.testing import check_loss

from boostobj.testing import regression_center

from . import reference
from .reference import CASES, case_id


def checked_version(loss):
    """The loss with its exact Hessian, unless the reference knows its policy (the engines'
    softmax variants are checked as they are)."""
    if reference.REFERENCES[loss.name].row_grad_hess is not None:
        return loss
    return loss.exact()


def sample_points(loss, spread, n=16, seed=0):
    """Labels from the loss's own domain; margins up to ``spread`` away from a typical margin
    (regression: the link of the label's neighbourhood), both signs at the extremes."""
    rng = np.random.default_rng(seed)
    if loss.task == "regression":
        y = loss.domain.sample(rng, n)
        offsets = rng.uniform(-spread, spread, n)
        offsets[:2] = [spread, -spread]
        return y, regression_center(loss, y) + offsets
    if loss.task == "binary":
        y = np.tile([0.0, 1.0], n // 2)
        if loss.domain is bo.domains.UNIT_INTERVAL:  # soft labels too (every other row stays hard)
            y[4::2] = rng.uniform(0.0, 1.0, y[4::2].shape[0])
        raw = rng.uniform(-spread, spread, n)
        raw[:4] = [spread, spread, -spread, -spread]
        return y, raw
    k = loss.n_classes or 3
    y = (np.arange(n) % k).astype(np.float64)
    raw = rng.uniform(-spread, spread, (n, k))
    raw[0] = spread * np.linspace(-1, 1, k)
    return y, raw


def test_every_registered_loss_has_cases():
    assert {c.name for c in CASES} == set(bo.available_losses())


@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_public_checker_passes(loss):
    y, raw = sample_points(loss, 6.0, n=48, seed=3)
    w = np.random.default_rng(4).uniform(0.2, 2.0, y.shape[0])
    report = check_loss(loss, y, raw)
    assert report.checked["hessian_vs_fd"] > 0
    check_loss(loss, y, raw, sample_weight=w)  # weighted init_score


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("spread", [5.0, 50.0, 1e4], ids=["ordinary", "large", "extreme"])
@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_against_mpmath(loss, spread, dtype):
    y, raw = sample_points(loss, spread)
    raw = raw.astype(dtype)
    y = y.astype(dtype).astype(np.float64)  # the kernels see labels in the margins' dtype
    checked = checked_version(loss)
    g, h = checked.grad_hess(y, raw)
    assert g.dtype == dtype and h.dtype == dtype
    ref_loss = checked._concrete(y)
    g_ref, h_ref = reference.grad_hess(ref_loss, y, raw.astype(np.float64))
    atol = 1e-300 if dtype == np.float64 else 1e-37
    rtol = 1e-6
    np.testing.assert_allclose(g, g_ref, rtol=rtol, atol=atol)
    np.testing.assert_allclose(h, h_ref, rtol=rtol, atol=atol)
    v = loss.loss(y, raw)
    np.testing.assert_allclose(v, reference.value(ref_loss, y, raw.astype(np.float64)), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_finite_at_extreme_margins(loss, dtype):
    for spread in (1e4, -1e4):
        y, raw = sample_points(loss, 1.0)
        raw = np.full_like(raw, spread, dtype=dtype)
        if raw.ndim == 2:
            raw[:, 0] = -spread / 2
        for out in (*loss.grad_hess(y, raw), loss.loss(y, raw)):
            assert np.isfinite(out).all(), (spread, out)


@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_weights_out_layout_and_pickle(loss):
    y, raw = sample_points(loss, 4.0, n=20)
    w = np.linspace(0.0, 2.0, y.shape[0])
    g, h = loss.grad_hess(y, raw)
    gw, hw = loss.grad_hess(y, raw, sample_weight=w)
    wc = w if raw.ndim == 1 else w[:, None]
    # batch losses: the weights enter the statistics too; at the weighted statistics they multiply
    # g and the loss (and h, except Dice's self term, which carries w_i twice: checked by check_loss)
    weighted = {"statistics": loss.statistics(y, raw, w)} if loss.is_batch else {}
    g_at, h_at = loss.grad_hess(y, raw, **weighted)
    np.testing.assert_array_equal(gw, g_at * wc)
    if loss._shape != "self_weighted":
        np.testing.assert_array_equal(hw, h_at * wc)
    np.testing.assert_array_equal(loss.loss(y, raw, sample_weight=w), loss.loss(y, raw, **weighted) * w)
    # out arrays are filled and returned
    out = (np.empty_like(raw, dtype=np.float32), np.empty_like(raw, dtype=np.float32))
    g32, h32 = loss.grad_hess(y, raw, out=out)
    assert g32 is out[0] and h32 is out[1]
    np.testing.assert_allclose(g32, g, rtol=1e-6, atol=1e-30)
    # non-contiguous and read-only inputs give the same numbers
    strided_raw = np.stack([raw, raw], axis=-1)[..., 0]
    assert not strided_raw.flags.c_contiguous
    ro = raw.copy()
    ro.setflags(write=False)
    y_ro = y.copy()
    y_ro.setflags(write=False)
    for r in (strided_raw, ro, np.asfortranarray(raw)):
        g2, h2 = loss.grad_hess(y_ro, r)
        np.testing.assert_array_equal(g2, g)
        np.testing.assert_array_equal(h2, h)
    # pickle and cloudpickle round trips
    for dumps, loads in ((pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)):
        clone = loads(dumps(loss))
        assert clone == loss
        np.testing.assert_array_equal(clone.grad_hess(y, raw)[0], g)


def test_identities():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200).astype(float)
    z = rng.normal(0, 4, 200)
    for a, b in [(bo.Focal(gamma=0.0), bo.Logistic()),
                 (bo.Focal(gamma=0.0, alpha=0.3), bo.Logistic(alpha=0.3)),
                 (bo.ClassBalanced(beta=0.0, base="logistic"), bo.Logistic()),
                 (bo.ClassBalanced(beta=0.0, base="focal", gamma=2.0), bo.Focal(gamma=2.0))]:
        np.testing.assert_allclose(a.grad_hess(y, z), b.grad_hess(y, z), rtol=1e-14)
        np.testing.assert_allclose(a.loss(y, z), b.loss(y, z), rtol=1e-14)
        assert a.init_score(y) == pytest.approx(b.init_score(y), abs=1e-12)
    yk = rng.integers(0, 3, 200).astype(float)
    zk = rng.normal(0, 4, (200, 3))
    for a, b in [(bo.SoftmaxFocal(gamma=0.0), bo.SoftmaxCrossEntropy()),
                 (bo.SoftmaxFocal(gamma=0.0, alpha=[1, 2, 3]), bo.SoftmaxCrossEntropy(class_weight=[1, 2, 3])),
                 (bo.ClassBalanced(beta=0.0, base="softmax"), bo.SoftmaxCrossEntropy()),
                 (bo.ClassBalanced(beta=0.0, base="softmax_focal"), bo.SoftmaxFocal())]:
        np.testing.assert_allclose(a.grad_hess(yk, zk), b.grad_hess(yk, zk), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(a.loss(yk, zk), b.loss(yk, zk), rtol=1e-12)
        np.testing.assert_allclose(a.init_score(yk), b.init_score(yk), atol=1e-8)
    # two-class softmax on (0, z) is the logistic loss on z
    z2 = np.stack([np.zeros_like(z), z], axis=1)
    g2, h2 = bo.SoftmaxCrossEntropy(hessian="exact").grad_hess(y, z2)
    g1, h1 = bo.Logistic().grad_hess(y, z)
    np.testing.assert_allclose(g2[:, 1], g1, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(h2[:, 1], h1, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(bo.SoftmaxCrossEntropy().loss(y, z2), bo.Logistic().loss(y, z), rtol=1e-12)
    # Expectile(0.5) is SquaredError
    yr, zr = rng.normal(size=50), rng.normal(size=50)
    np.testing.assert_allclose(bo.Expectile(0.5).grad_hess(yr, zr), bo.SquaredError().grad_hess(yr, zr))


def test_class_balanced_weights_follow_cui_et_al():
    cb = bo.ClassBalanced(beta=0.99, counts=[900, 100])
    raw = np.array([(1 - 0.99) / (1 - 0.99 ** 900), (1 - 0.99) / (1 - 0.99 ** 100)])
    np.testing.assert_allclose(cb.class_weights([900, 100]), raw * 2 / raw.sum(), rtol=1e-12)
    y = np.array([0.0] * 90 + [1.0] * 10)
    bound = bo.ClassBalanced(beta=0.99).bind(y)
    assert bound.counts == [90.0, 10.0]
    g_train, _ = bo.ClassBalanced(beta=0.99).grad_hess(y, np.zeros(100))
    np.testing.assert_allclose(bound.grad_hess(y, np.zeros(100))[0], g_train)


def test_class_balanced_without_counts_keeps_no_state():
    # Before: the counts of the first labels seen were cached inside the "immutable" loss, so a
    # second data set was weighted with the first one's counts (90/10 then 10/90 labels gave
    # gradients [-0.862, 0.138] instead of [-0.138, 0.862]) and == still said equal.
    lazy = bo.ClassBalanced(beta=0.99)
    first = np.array([0.0] * 90 + [1.0] * 10)
    second = 1.0 - first
    lazy.grad_hess(first, np.zeros(100))
    g, _ = lazy.grad_hess(second, np.zeros(100))
    fresh, _ = bo.ClassBalanced(beta=0.99).grad_hess(second, np.zeros(100))
    np.testing.assert_array_equal(g, fresh)
    np.testing.assert_allclose(g[[0, -1]], [-0.138, 0.862], atol=1e-3)
    assert vars(lazy).keys() == vars(bo.ClassBalanced(beta=0.99)).keys()
    assert pickle.loads(pickle.dumps(lazy)) == bo.ClassBalanced(beta=0.99)


def test_two_class_softmax_default_step_is_the_logistic_newton_step():
    # the engines step every class by -g_j / h_j; with k = 2 the margin difference z_1 - z_0 then
    # moves by (g_0 - g_1) / h. The default (doubled) diagonal makes that the logistic Newton step
    # -g / h of the difference (the exact diagonal doubles it), for the focal family too at gamma = 0
    rng = np.random.default_rng(3)
    d = rng.normal(0, 3, 400)
    y = rng.integers(0, 2, 400).astype(float)
    z2 = np.stack([np.zeros_like(d), d], axis=1)
    g1, h1 = bo.Logistic().grad_hess(y, d)
    for loss in (bo.SoftmaxCrossEntropy(), bo.SoftmaxFocal(gamma=0.0)):
        g, h = loss.grad_hess(y, z2)
        np.testing.assert_allclose(-g[:, 1] / h[:, 1] + g[:, 0] / h[:, 0], -g1 / h1, rtol=1e-10)
    g, h = bo.SoftmaxCrossEntropy(hessian="exact").grad_hess(y, z2)
    np.testing.assert_allclose(-g[:, 1] / h[:, 1] + g[:, 0] / h[:, 0], -2 * g1 / h1, rtol=1e-10)


def test_softmax_default_hessian_majorises_the_row_hessian():
    # Gershgorin: diag(p) - p p^T <= 2 diag(p (1 - p)), so (2 D - H) is positive semi-definite
    rng = np.random.default_rng(4)
    z = rng.normal(0, 2, (50, 5))
    _, h = bo.SoftmaxCrossEntropy().grad_hess(np.zeros(50), z)
    p = bo.SoftmaxCrossEntropy().predict(z)
    for pi, hi in zip(p, h):
        gap = np.diag(hi) - (np.diag(pi) - np.outer(pi, pi))
        assert np.linalg.eigvalsh(gap).min() > -1e-12
    _, h_exact = bo.SoftmaxCrossEntropy(hessian="exact").grad_hess(np.zeros(50), z)
    worst = min(np.linalg.eigvalsh(np.diag(he) - (np.diag(pi) - np.outer(pi, pi))).min() for pi, he in zip(p, h_exact))
    assert worst < -1e-3  # the exact diagonal does not


def test_focal_default_hessian_is_positive_upper_bound():
    z = np.linspace(-30, 30, 601)
    for y in (0.0, 1.0):
        yy = np.full_like(z, y)
        _, h_upper = bo.Focal(gamma=2.0).grad_hess(yy, z)
        _, h_exact = bo.Focal(gamma=2.0, hessian="exact").grad_hess(yy, z)
        assert (h_exact < 0).any()          # the exact Hessian really goes negative
        assert (h_upper >= 0).all() and (h_upper >= h_exact).all()
    zk = np.random.default_rng(0).normal(0, 8, (300, 4))
    yk = np.arange(300) % 4
    _, hu = bo.SoftmaxFocal(gamma=3.0).grad_hess(yk, zk)
    _, he = bo.SoftmaxFocal(gamma=3.0, hessian="exact").grad_hess(yk, zk)
    assert (he < 0).any() and (hu >= 0).all() and (hu >= he - 1e-15).all()


def test_registry():
    assert bo.get_loss("huber", delta=2.0) == bo.Huber(delta=2.0)
    with pytest.raises(ValueError, match="unknown loss 'hubber'"):
        bo.get_loss("hubber")
    with pytest.raises(ValueError, match="no parameter"):
        bo.Huber().with_params(delta2=1)
    with pytest.raises(AttributeError, match="immutable"):
        bo.Huber().delta = 3


@pytest.mark.parametrize("make, match", [
    (lambda: bo.Quantile(alpha=1.5), r"alpha must be in the open interval \(0, 1\), got 1.5"),
    (lambda: bo.Quantile(alpha=0.0), "alpha must be in the open interval"),
    (lambda: bo.Huber(delta=-1), "delta must be > 0, got -1"),
    (lambda: bo.Focal(gamma=-0.5), "gamma must be >= 0"),
    (lambda: bo.Focal(hessian="upperr"), "hessian must be one of"),
    (lambda: bo.Huber(hessian=-1.0), "hessian must be one of"),
    (lambda: bo.Logistic(pos_weight=2, alpha=0.3), "give only one of pos_weight / alpha"),
    (lambda: bo.SoftmaxCrossEntropy(label_smoothing=1.0), "label_smoothing must be >= 0 and < 1.0"),
    (lambda: bo.SoftmaxFocal(alpha=[1, -1, 1]), "alpha must be a sequence of at least 2 positive"),
    (lambda: bo.ClassBalanced(beta=1.0), "beta must be >= 0 and < 1.0"),
    (lambda: bo.ClassBalanced(base="hinge"), "base must be one of"),
    (lambda: bo.ClassBalanced(counts=[1, 2, 3]), "counts must be one non-negative count per class"),
])
def test_invalid_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_say_what_and_where():
    sq, lg, sm = bo.SquaredError(), bo.Logistic(), bo.SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"y contains a non-finite label \(nan\) at row 2"):
        sq.grad_hess([1.0, 2.0, np.nan], np.zeros(3))
    with pytest.raises(ValueError, match="y has 3 rows but the predictions have 4"):
        sq.grad_hess([1.0, 2.0, 3.0], np.zeros(4))
    with pytest.raises(ValueError, match=r"sample_weight must be finite and non-negative, got -1.0 at row 1"):
        sq.grad_hess([1.0, 2.0], np.zeros(2), sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(2,\)"):
        sq.grad_hess([1.0, 2.0], np.zeros(2), sample_weight=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"y must contain numbers in \[0, 1\] for Logistic\(\), got 2.0 at row 1"):
        lg.grad_hess([0, 2], np.zeros(2))
    with pytest.raises(ValueError, match=r"integer class indices in 0..2 for SoftmaxCrossEntropy\(\), got 3.0 at row 0"):
        sm.grad_hess([3, 0], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"raw contains a non-finite value \(inf\) at row 1"):
        sq.grad_hess([1.0, 2.0], [0.0, np.inf])
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_classes\)"):
        sm.grad_hess([0, 1], np.zeros(2))
    with pytest.raises(ValueError, match="one-dimensional"):
        sq.grad_hess([0, 1], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="positive total sample weight"):
        sq.init_score([1.0, 2.0], sample_weight=[0.0, 0.0])
    with pytest.raises(ValueError, match="2 columns but the loss expects 3 classes"):
        bo.SoftmaxCrossEntropy(class_weight=[1, 1, 1]).grad_hess([0, 1], np.zeros((2, 2)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_non_finite_inputs_are_named(loss, dtype):
    """grad_hess leaves the finiteness of margins, labels and weights to the compiled loop (one pass
    less over each); every non-finite input must still be refused by name and row, including the
    ones a kernel would turn into finite outputs (a NaN label in Quantile's indicator, an infinite
    margin in Logistic). 700 rows: the bad row sits in a later block of the blocked drivers."""
    y, raw = sample_points(loss, 4.0, n=700)
    raw = raw.astype(dtype)
    row = 601
    for bad in (np.nan, np.inf, -np.inf):
        r = raw.copy()
        r[(row, 1) if r.ndim == 2 else row] = bad
        with pytest.raises(ValueError, match=rf"raw contains a non-finite value \({bad}\) at row {row}"):
            loss.grad_hess(y, r)
        yy = y.copy()
        yy[row] = bad
        with pytest.raises(ValueError, match=rf"y contains a non-finite label \({bad}\) at row {row}"):
            loss.grad_hess(yy, raw)
        if bad != -np.inf:
            w = np.ones(y.shape[0])
            w[row] = bad
            with pytest.raises(ValueError, match=rf"sample_weight must be finite and non-negative, got {bad} at row {row}"):
                loss.grad_hess(y, raw, sample_weight=w)


# finite labels at and around the bounds of every built-in domain (both signs of 0, the smallest
# subnormal, the neighbours of 1, integers and non-integers)
EDGE_LABELS = [-1e300, -2.0, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1e-300, 0.5, 1.0 - 2.0 ** -53, 1.0,
               1.0 + 2.0 ** -52, 1.5, 2.0, 3.0, 1e300]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", CASES, ids=case_id)
def test_labels_outside_the_domain_are_named(loss, dtype):
    """An elementwise loss whose domain is an interval tests its labels inside the compiled loop
    (``Domain.interval``), not with ``domain.check`` before it: every finite label the domain refuses
    must still be named by value and row, and every label it accepts let through."""
    y, raw = sample_points(loss, 4.0, n=700)
    row = 601
    k = raw.shape[1] if raw.ndim == 2 else None
    for value in EDGE_LABELS:
        if abs(value) > float(np.finfo(dtype).max):  # +-1e300 in float32: test_non_finite_inputs_are_named
            continue
        yy = y.astype(dtype)
        yy[row] = value
        stored = yy[row:row + 1].astype(np.float64)
        if loss.domain.bad(stored, k)[0]:
            with pytest.raises(ValueError, match=rf"y must contain .* got {re.escape(repr(float(stored[0])))} at row {row}"):
                loss.grad_hess(yy, raw)
        else:
            try:
                loss.grad_hess(yy, raw)
            except ValueError as error:  # a kernel may not take an extreme label (1e300), but not for its domain
                assert "must contain" not in str(error), (value, error)


def test_domain_intervals_are_exactly_their_checks():
    """``Domain.interval`` replaces ``check`` in the gradient loop: for every built-in domain that has
    one, the interval accepts exactly the finite labels ``bad`` accepts, in both dtypes."""
    e50 = np.exp(50.0)  # the log-link domains' bounds, and the floats next to them
    values = EDGE_LABELS + [np.nan, np.inf, -np.inf, 1.0 - 2.0 ** -24, 7.0, -3.0, e50, np.nextafter(e50, np.inf),
                            np.nextafter(e50, 0), 1 / e50, np.nextafter(1 / e50, 0), np.nextafter(1 / e50, 1)]
    with_interval = [d for d in vars(bo.domains).values() if isinstance(d, bo.domains.Domain) and d.interval]
    assert {type(d).__name__ for d in with_interval} == {"Real", "NonNegative", "Positive", "Binary", "UnitInterval",
                                                         "NonNegativeExp", "PositiveExp"}
    for domain in with_interval:
        lo, hi, integers = domain.interval
        for dtype in (np.float64, np.float32):
            with np.errstate(over="ignore", invalid="ignore"):  # 1e300 becomes inf in float32
                y = np.array(values, dtype=dtype).astype(np.float64)
                inside = _label_in(y, lo, hi, not integers)  # the drivers' test, run by the interpreter
                np.testing.assert_array_equal(inside, np.isfinite(y) & ~domain.bad(y), err_msg=repr(domain))


def test_a_narrowed_domain_is_checked_by_its_own_methods():
    """A subclass of an interval domain that narrows ``bad`` loses the parent's interval and its
    min / max shortcut ``all_valid``, so that its own ``bad`` decides (before, UnitInterval's
    ``all_valid`` let 0.5 through a narrowed [0, 0.25] silently)."""
    class Quarter(bo.domains.UnitInterval):
        description = "numbers in [0, 0.25]"

        def bad(self, y, n_classes=None):
            return (y < 0) | (y > 0.25)

    class Tagged(bo.domains.UnitInterval):  # no narrowing: keeps the interval
        description = "probabilities"

    assert Quarter.interval is None and Tagged.interval == (0.0, 1.0, False)
    assert not Quarter().all_valid(np.array([0.1, 0.5])) and Tagged().all_valid(np.array([0.1, 0.5]))
    with pytest.raises(ValueError, match=r"got 0.5 at row 1"):
        Quarter().check(np.array([0.1, 0.5]))

    class QuarterLogistic(bo.Logistic):
        domain = Quarter()

    y = np.zeros(700)
    y[601] = 0.5
    with pytest.raises(ValueError, match=r"y must contain numbers in \[0, 0.25\] .* got 0.5 at row 601"):
        QuarterLogistic().grad_hess(y, np.zeros(700))

    # a narrowed Real (whose own check does nothing) and a bad() from a mixin: their bad() decides too
    class NonNegativeReal(bo.domains.Real):
        description = "non-negative numbers"

        def bad(self, y, n_classes=None):
            return y < 0

    class AtMostHalf:
        def bad(self, y, n_classes=None):
            return (y < 0) | (y > 0.5)

    class Half(AtMostHalf, bo.domains.UnitInterval):
        description = "numbers in [0, 0.5]"

    assert NonNegativeReal.interval is None and Half.interval is None
    with pytest.raises(ValueError, match="got -1.0 at row 1"):
        type("NonNegativeSquaredError", (bo.SquaredError,), {"domain": NonNegativeReal()})().grad_hess(
            np.array([0.1, -1.0]), np.zeros(2))
    with pytest.raises(ValueError, match="got 0.9 at row 0"):
        type("HalfLogistic", (bo.Logistic,), {"domain": Half()})().grad_hess(np.array([0.9]), np.zeros(1))


def test_a_domain_whose_interval_and_bad_disagree_says_so():
    """A domain of one's own that sets an interval but not the matching bad(): the loop refuses a label
    its check accepts; the error says which and why (was an IndexError)."""
    class Bounded(bo.domains.Domain):
        interval = (0.0, 10.0, False)

    loss = type("BoundedSquaredError", (bo.SquaredError,), {"domain": Bounded()})()
    with pytest.raises(ValueError, match=r"label 11.0 at row 1 is outside the interval \[0.0, 10.0\] .* must be exactly"):
        loss.grad_hess(np.array([1.0, 11.0]), np.zeros(2))


def test_non_finite_inputs_read_before_the_loop_are_named():
    """Where something reads the inputs before the compiled loop does, they are checked on the way in:
    ClassBalanced counts its labels. And an ``out`` array over the margins (computed apart, then copied)."""
    y = np.tile([0.0, 1.0], 350)
    y[601] = np.nan
    for loss in (bo.ClassBalanced(), bo.ClassBalanced(base="focal")):
        with pytest.raises(ValueError, match=r"y contains a non-finite label \(nan\) at row 601"):
            loss.grad_hess(y, np.zeros(700))
    z = np.zeros(700)
    z[601] = np.inf
    with pytest.raises(ValueError, match=r"raw contains a non-finite value \(inf\) at row 601"):
        bo.Logistic().grad_hess(np.zeros(700), z, out=(z, np.empty(700)))
    zk = np.zeros((700, 3))
    zk[601, 1] = np.nan
    with pytest.raises(ValueError, match=r"raw contains a non-finite value \(nan\) at row 601"):
        bo.SoftmaxCrossEntropy().grad_hess(np.zeros(700), zk, out=(zk, np.empty((700, 3))))
    # a finite call may still write its gradient over the margins it reads
    z = np.linspace(-3, 3, 700)
    want = bo.Logistic().grad_hess(np.ones(700), z)[0]
    np.testing.assert_array_equal(bo.Logistic().grad_hess(np.ones(700), z, out=(z, np.empty(700)))[0], want)


def test_out_arrays_that_share_memory_are_refused():
    """out=(o, o) returned the Hessian as the gradient, without a word; disjoint views of one buffer
    stay allowed."""
    y, z = np.array([0.0, 1.0, 1.0, 0.0]), np.linspace(-2.0, 2.0, 4)
    o = np.empty(4)
    with pytest.raises(ValueError, match=r"out\[0\] and out\[1\] share memory"):
        bo.Logistic().grad_hess(y, z, out=(o, o))
    zk, ok = np.zeros((4, 3)), np.empty((4, 6))
    with pytest.raises(ValueError, match="share memory"):
        bo.SoftmaxCrossEntropy().grad_hess(np.array([0, 1, 2, 0]), zk, out=(ok[:, :3], ok[:, 1:4]))
    buffer = np.empty(8)
    g, h = bo.Logistic().grad_hess(y, z, out=(buffer[::2], buffer[1::2]))
    want = bo.Logistic().grad_hess(y, z)
    np.testing.assert_array_equal(g, want[0])
    np.testing.assert_array_equal(h, want[1])


def test_init_scores_closed_forms():
    y = np.array([1.0, 2.0, 3.0, 10.0])
    w = np.array([1.0, 1.0, 1.0, 5.0])
    assert bo.SquaredError().init_score(y, w) == pytest.approx(56 / 8)
    assert bo.AbsoluteError().init_score(y, w) == 10.0
    assert bo.Quantile(alpha=0.2).init_score(y) == 1.0
    yb = np.array([0, 0, 0, 1.0])
    assert bo.Logistic().init_score(yb) == pytest.approx(np.log(1 / 3))
    assert bo.Logistic(pos_weight=3.0).init_score(yb) == pytest.approx(0.0, abs=1e-12)
    assert bo.Logistic().init_score(np.zeros(5)) == pytest.approx(-16.118, abs=1e-3)  # clamped
    yk = np.array([0, 1, 1, 2, 2, 2])
    np.testing.assert_allclose(np.exp(bo.SoftmaxCrossEntropy().init_score(yk)), [1 / 6, 2 / 6, 3 / 6])
    assert bo.SoftmaxCrossEntropy().init_score(yk, n_classes=4).shape == (4,)
