r"""Batch-shape losses: a row's gradient depends on statistics of the whole batch of rows.

* Gradient harmonizing (GHM, Li, Liu & Wang, "Gradient Harmonized Single-stage Detector", AAAI
  2019): :class:`GHMC` (binary), :class:`SoftmaxGHMC` (multiclass) and :class:`GHMR` (regression)
  weight each row's loss by the inverse density of its gradient norm, so that the many easy rows
  and the few outliers (often mislabelled rows) both count less.
* :class:`Dice`: the soft Dice loss (Milletari et al., V-Net, 2016), non-decomposable: every row's
  gradient depends on sums over all rows.

Each call computes the statistics of the rows it is given (a reduction pass, then the ordinary
elementwise pass; ``loss.statistics`` exposes them). The engines call the objective with the whole
training set once per round, so on one machine the statistics are those of the training set; on
Dask each worker sees its own partition only, so the statistics (and the gradients) are per worker.
GHM's ``momentum`` keeps smoothed bin counts across rounds: that state lives in the object
``loss.training_objective()`` returns (one per training run), never in the loss.

Kernels and derivations: ``boostobj/kernels/batch.py``.
"""
import numbers
from typing import ClassVar

import numpy as np

from .. import _start
from .. import _validation as V
from .. import domains, links
from .._engines import is_engine_dataset, objective_call
from ..kernels import batch as K
from .base import Loss, register
from .binary import BinaryLoss, Logistic
from .multiclass import MulticlassLoss, SoftmaxCrossEntropy
from .regression import PseudoHuber, RegressionLoss

__all__ = ["GHMC", "SoftmaxGHMC", "GHMR", "Dice"]

MAX_BINS = 100_000


def _check_bins(bins):
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or not 1 <= int(bins) <= MAX_BINS:
        raise ValueError(f"bins must be an integer in [1, {MAX_BINS}], got {bins!r}")
    return int(bins)


def _check_momentum(momentum):
    return V.check_positive("momentum", momentum, allow_zero=True, upper=1.0)


def harmonizing_weights(statistics):
    r"""Per-bin weights :math:`\beta_b = N / (M \, c_b)` from GHM statistics
    ``[N, c_0, ..., c_{B-1}]`` (total weight, weight per bin), :math:`M` the number of non-empty
    bins; empty bins get 0 (no row of positive weight falls into them)."""
    total, counts = float(statistics[0]), np.asarray(statistics[1:], dtype=np.float64)
    filled = counts > 0
    beta = np.zeros_like(counts)
    beta[filled] = total / (np.count_nonzero(filled) * counts[filled])
    return beta


class _Unharmonized(_start.StartRule):
    """Start score of a GHM loss: that of the loss it weights. At a constant margin the GHM weights
    are a function of the margin itself, with no fixed point in general (e.g. binary: all rows of
    one class share a bin, so the weights balance the classes and move the optimum back)."""

    def __call__(self, loss, data):
        base = loss.unharmonized()
        return base.start(base, data)


class _Harmonized(Loss):
    """What the GHM losses share: bins, momentum, the statistics -> weights step."""

    start: ClassVar[_start.StartRule] = _Unharmonized()

    def _n_statistics(self):
        return 1 + self.bins

    def _theta_with(self, statistics):
        return np.concatenate([self._theta_array, harmonizing_weights(statistics)])

    def unharmonized(self) -> Loss:
        """The loss GHM weights (its start score is this loss's)."""
        raise NotImplementedError

    @property
    def keeps_state(self):
        return self.momentum > 0

    def training_objective(self):
        """A fresh :class:`MomentumObjective` when ``momentum > 0`` (one per training run), else the
        loss itself."""
        return MomentumObjective(self) if self.keeps_state else self


class _HarmonizedCrossEntropy(_Harmonized):
    """GHM-C, binary and multiclass: the classes are counted as they are (no class weights), and
    the link's inverse is the model's probability (as for the cross-entropy it weights)."""

    def __init__(self, bins=10, momentum=0.0, hessian="exact"):
        self._init(bins=bins, momentum=momentum, hessian=hessian)

    def class_mass(self, totals):
        return np.asarray(totals, dtype=np.float64)

    def _posterior_is_link(self):
        return True

    def _training_balances_priors(self):
        return False  # the density weights move the balance (a GHMC model over-predicts the rate)


class MomentumObjective:
    """The engine objective of one training run of a GHM loss with momentum.

    Bin counts are smoothed across rounds as in the paper: a bin that holds rows this round updates
    its count to ``momentum * previous + (1 - momentum) * current``, and the weights of this round's
    rows use the smoothed counts of their bins. A bin's first count is taken as is, so the first
    round is momentum-free (mmdetection starts its running counts at 0 instead, which scales every
    weight of its first round by 1 / (1 - momentum): Newton leaf values do not change under a common
    factor, up to the engines' L2 penalty and minimum child weight). Callable as every engine objective (``obj=`` /
    ``objective=``); create one per training run. The state is kept per training data set (the
    DMatrix / Dataset the engine passes), so ``xgb.cv``'s folds, which share one objective, do not
    mix their counts.
    """

    def __init__(self, loss):
        if not isinstance(loss, _Harmonized):
            raise TypeError(f"MomentumObjective needs a GHM loss, got {loss!r}")
        self.loss = loss
        self._counts: dict = {}  # smoothed weight per bin, per training data set (id of the DMatrix / Dataset)
        self._last = None

    def __getstate__(self):
        # a copy (a Dask worker's) starts afresh: the ids of this process's data sets mean nothing there
        return {"loss": self.loss, "_counts": {}, "_last": None}

    @property
    def counts(self):
        """The smoothed bin counts of the last data set seen (None before the first round)."""
        return self._counts.get(self._last) if self._counts else None

    def smoothed(self, statistics, key=None):
        """This round's statistics with their bin counts replaced by the smoothed ones (and the
        state of data set ``key`` advanced)."""
        m = float(self.loss.momentum)
        current = np.asarray(statistics[1:], dtype=np.float64)
        previous = self._counts.get(key)
        if previous is None:
            counts = current.copy()
        else:
            updated = np.where(previous > 0, m * previous + (1.0 - m) * current, current)
            counts = np.where(current > 0, updated, previous)
        self._counts[key] = counts
        self._last = key
        return np.concatenate([statistics[:1], np.where(current > 0, counts, 0.0)])

    def __call__(self, a, b, sample_weight=None):
        # the engines pass their training DMatrix / Dataset: one state per data set (xgb.cv calls one
        # objective for every fold); plain arrays share one state
        key = id(b) if is_engine_dataset(b) else None
        return objective_call(self.loss, a, b, sample_weight, smooth=lambda s: self.smoothed(s, key))

    def __repr__(self):
        return f"MomentumObjective({self.loss!r}, data sets seen: {len(self._counts)})"


_GHM_NOTES = r"""
    The weights are treated as constants w.r.t. the margin (as in the paper): :math:`g = \beta_i
    \partial_z L_i`, :math:`h = \beta_i \partial^2_z L_i`, and ``loss.loss`` gives
    :math:`\beta_i L_i`. :math:`\beta_i = N / (M\, c(b_i))`: :math:`N` the total sample weight of the
    batch, :math:`c(b)` the weight of the rows whose gradient norm falls into bin :math:`b` of
    ``bins`` equal-width bins of [0, 1], :math:`M` the number of non-empty bins (the paper's
    density normalisation as implemented in mmdetection: the :math:`\beta_i` sum to :math:`N`, and
    one bin gives :math:`\beta = 1`, the plain loss). Sample weights count in the densities and
    multiply gradient and Hessian.

    ``momentum`` :math:`\in [0, 1)`: exponential moving average of the bin counts across boosting
    rounds. The loss itself holds no state: with momentum > 0 the engine objective is
    ``loss.training_objective()`` (``boostobj.xgboost.train`` / ``lightgbm.train`` and the
    estimators create one per run; passing the loss itself as an engine objective raises).
    ``loss.grad_hess`` is always the momentum-free value of its batch.

    Batch statistics: see the module docstring (per worker on Dask).
"""


@register
class GHMC(_HarmonizedCrossEntropy, BinaryLoss):
    __doc__ = r"""Gradient-harmonized binary cross-entropy (GHM-C).

    :math:`L_i = \beta_i \, \mathrm{CE}(y_i, \sigma(z_i))` with gradient norm
    :math:`g_i = |\sigma(z_i) - y_i| \in [0, 1]`. Labels in [0, 1] (soft labels: the cross-entropy
    to the target, as :class:`Logistic`). Exact Hessian :math:`\beta_i p (1 - p) > 0`. Start score:
    the log-odds of the weighted label mean (:class:`Logistic`'s). ``predict``: :math:`\sigma(z)`;
    the harmonizing weights down-weight the easy rows, so the probabilities are not calibrated
    like a plain cross-entropy's (see the README's calibration table for weighted losses).
    """ + _GHM_NOTES

    name = "ghmc"
    domain = domains.UNIT_INTERVAL
    reduce_kernel = K.ghmc_reduce
    value_kernel = K.ghmc_value
    hessians = {"exact": K.ghmc_grad_hess}

    def _theta(self):
        _check_momentum(self.momentum)
        return [_check_bins(self.bins)]

    def unharmonized(self):
        return Logistic()


@register
class SoftmaxGHMC(_HarmonizedCrossEntropy, MulticlassLoss):
    __doc__ = r"""Gradient-harmonized softmax cross-entropy (GHM-C for k classes).

    One weight per row: :math:`L_i = \beta_i \, \mathrm{CE}(y_i, \mathrm{softmax}(z_i))` with the
    row's gradient norm :math:`g_i = 1 - p_{y_i} = \tfrac12 \lVert p - e_{y_i} \rVert_1 \in [0, 1]`
    (the binary :math:`|p - y|` for two classes; a per-class norm would weight one row's classes
    differently and break the softmax's shift invariance). :math:`g_j = \beta_i (p_j - [j = y_i])`,
    exact diagonal :math:`\beta_i p_j (1 - p_j)`; ``hessian="xgboost"`` (default) doubles it (floored
    at 1e-16), the multiclass step convention of :class:`SoftmaxCrossEntropy`. Start score: the log class rates
    (:class:`SoftmaxCrossEntropy`'s). ``predict``: softmax of the margins (not calibrated like a
    plain cross-entropy's, see :class:`GHMC`).
    """ + _GHM_NOTES

    name = "softmax_ghmc"
    reduce_kernel = K.softmax_ghmc_reduce
    value_kernel = K.softmax_ghmc_value_row
    hessians = {"xgboost": K.softmax_ghmc_grad_hess_row_xgboost, "exact": K.softmax_ghmc_grad_hess_row}

    def __init__(self, bins=10, momentum=0.0, hessian="xgboost"):
        self._init(bins=bins, momentum=momentum, hessian=hessian)

    def _theta(self):
        _check_momentum(self.momentum)
        return [0.0, _check_bins(self.bins)]  # theta[0:1]: the softmax kernels' (no label smoothing)

    def unharmonized(self):
        return SoftmaxCrossEntropy()


@register
class GHMR(_Harmonized, RegressionLoss):
    __doc__ = r"""Gradient-harmonized regression (GHM-R) on the paper's authentic smooth L1 (ASL1).

    :math:`L_i = \beta_i \left(\sqrt{d_i^2 + \mu^2} - \mu\right)`, :math:`d = z - y`, gradient
    norm :math:`|d| / \sqrt{d^2 + \mu^2} \in [0, 1)` (the paper's; it is also the ASL1 gradient).
    ASL1 is :class:`PseudoHuber` with :math:`\delta = \mu`, divided by :math:`\mu`.

    Hessian policies: ``"irls"`` (default) :math:`\beta / (\mu s)` with
    :math:`s = \sqrt{1 + (d/\mu)^2}`, an upper bound of the curvature whose Newton step is the
    residual itself (the exact value :math:`\beta / (\mu s^3)` makes steps of
    :math:`d^2/\mu`-size for residuals beyond :math:`\mu`: with the paper's :math:`\mu = 0.02`,
    steps of thousands on unit-scale targets); ``"exact"``; a float floors the exact value.
    Start score: :class:`PseudoHuber`'s (:math:`\delta = \mu`), a 1-D solve.

    :math:`\mu` is in label units. The paper's 0.02 is for box offsets normalised to unit scale;
    elsewhere take it near the noise scale of the residuals: with :math:`\mu` far below it nearly
    every row's norm is close to 1, and the few well-fitted rows fill the low bins alone and get
    very large weights.
    """ + _GHM_NOTES

    name = "ghmr"
    reduce_kernel = K.ghmr_reduce
    value_kernel = K.ghmr_value
    hessians = {"irls": K.ghmr_grad_hess_irls, "exact": K.ghmr_grad_hess}

    def __init__(self, mu=0.02, bins=10, momentum=0.0, hessian="irls"):
        self._init(mu=mu, bins=bins, momentum=momentum, hessian=hessian)

    def _theta(self):
        _check_momentum(self.momentum)
        return [V.check_positive("mu", self.mu), _check_bins(self.bins)]

    def unharmonized(self):
        return PseudoHuber(delta=self.mu)


@register
class Dice(BinaryLoss):
    r"""Soft Dice loss for imbalanced binary labels (Milletari et al., V-Net, 2016).

    .. math::

        F = W \left(1 - \frac{2 \sum_i w_i p_i y_i + s}{\sum_i w_i p_i^2 + \sum_i w_i y_i + s}\right),
        \qquad p_i = \sigma(z_i), \quad W = \sum_i w_i,

    the Dice coefficient with the squared denominator of V-Net, on the batch of rows (labels in
    [0, 1]: soft labels enter the sums as they are). It is not a
    sum over rows: each row's gradient depends on the three sums (the batch shape: a reduction
    pass, then the elementwise pass), exactly differentiated (derivation in
    ``boostobj/kernels/batch.py``). The factor :math:`W` keeps a row's gradient O(1), as a
    cross-entropy's (``1 - DSC`` alone gives O(1/n) gradients, which the engines' L2 leaf penalty
    would swamp). ``loss.loss`` gives :math:`w_i (1 - \mathrm{DSC})` for every row: they sum to
    :math:`F`, and ``mean_loss`` is :math:`1 - \mathrm{DSC}`.

    Hessian: the exact diagonal is negative for misclassified rows (:math:`y = 0` with
    :math:`p > 1/2`, :math:`y = 1` with :math:`p < 1/2`). ``"positive"`` (default) takes the
    magnitudes of its two leading terms, :math:`W w_i [p' |B_i| + 2 N p'^2] / D^2 > 0`
    (:math:`p' = p(1-p)`, :math:`N`, :math:`D` the numerator and denominator, :math:`B_i = 2 p_i N
    - 2 y_i D`), leaving out the row's own :math:`O(w_i / W)` share; it bounds the exact value,
    :math:`|h| \le h_+ (1 + 4 w_i p_i p'_i / D)`, and its Newton steps are at most about 1 per row.
    ``"exact"``; a float floors the exact value.

    ``smooth`` :math:`s > 0` keeps the ratio defined for a batch without positives. Start score: the
    constant margin minimising :math:`F` (1-D solve; without smoothing, :math:`\sigma(c) =
    \sqrt{W_1 / W}`). Dice is not a proper scoring rule: the margins are scores to rank or
    threshold, not log-odds (``predict`` gives :math:`\sigma(z)`; there is no posterior). On Dask
    the sums are per worker (module docstring).
    """

    name = "dice"
    domain = domains.UNIT_INTERVAL
    has_posterior = False
    hessian_may_be_negative = True
    statistics_are_constants = False
    reduce_kernel = K.dice_reduce
    value_kernel = K.dice_value
    hessians = {"positive": K.dice_grad_hess_positive, "exact": K.dice_grad_hess}
    start = _start.SOLVE

    def __init__(self, smooth=1.0, hessian="positive"):
        self._init(smooth=smooth, hessian=hessian)

    def _theta(self):
        return [V.check_positive("smooth", self.smooth)]

    @property
    def _shape(self):
        return "self_weighted"

    def _n_statistics(self):
        return 4

    def _theta_with(self, statistics):
        total, positives, overlap, squares = (float(v) for v in statistics)
        s = float(self._theta_array[0])
        return np.array([s, total, 2.0 * overlap + s, squares + positives + s])
