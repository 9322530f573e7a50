"""The loss framework: a loss is an immutable, complete description of itself.

A subclass declares, in one place each:

* ``name`` and ``task`` ("regression" | "binary" | "multiclass");
* ``link`` (a :class:`boostobj.links.Link`) and ``domain`` (a :class:`boostobj.domains.Domain`);
* ``value_kernel`` and ``hessians``: the Hessian policies it offers, each a scalar kernel
  ``grad_hess(y, z, theta) -> (g, h)`` (row kernels ``(y, z, theta, g, h)`` for multiclass) or a
  :class:`Constant` bound; ``"exact"`` is required; a float ``hessian=f`` (the exact Hessian floored
  at ``f``) is always accepted;
* ``start``: its start-score rule (``boostobj._start``: MEAN, CLASS_RATES, SOLVE, quantile(...));
* ``reduce_kernel`` (optional, the batch shape): for losses whose per-sample gradient depends on
  statistics of the whole batch (GHM's gradient density, Dice's sums), a kernel
  ``reduce(y, z, w, theta, acc)`` adding one row's weighted contribution to ``acc``, and
  ``_n_statistics()`` / ``_theta_with(statistics)`` turning the sums into the kernel parameters
  of the second, ordinary pass (``statistics_are_constants``: whether the derivatives treat the
  statistics as constants, as GHM does, or differentiate through them, as Dice does);
* ``leaf_rule`` (optional): for losses whose optimal leaf value is not a Newton step, the rule the
  engine adapters recompute each new tree's leaves with (``_start.quantile(...)``: the weighted
  quantile of the leaf's residuals; see ``boostobj._leaves``); identity-link regression losses only;
* ``__init__`` calling ``self._init(**params)`` and ``_theta()`` returning the kernel parameter
  vector (validating the parameters it reads).

Everything else (drivers, weights, engines, estimators, Dask, GPU, ``check_loss``) reads that
description. A loss holds no data-dependent state.
"""
from __future__ import annotations

import inspect
import math
import numbers
import types
from typing import Any, Callable, ClassVar

import numpy as np

from .. import _priors, _start
from .. import _validation as V
from ..domains import Domain
from ..drivers import FINITE_LABELS, _label_in, driver_for, launch, reduce_rows, weights_and_step
from ..kernels._math import HESSIAN_CONSTANT, HESSIAN_EXACT, HESSIAN_FLOOR, jitable
from ..links import Link


_REGISTRY: dict[str, type[Loss]] = {}
TASKS = ("regression", "binary", "multiclass")


def register(cls: type[Loss]) -> type[Loss]:
    """Class decorator: make ``cls`` reachable as ``get_loss(cls.name, ...)``."""
    if cls.name in _REGISTRY:
        raise ValueError(f"a loss named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def get_loss(name: str, **params: Any) -> Loss:
    """Build a registered loss by name, e.g. ``get_loss("huber", delta=2.0)``."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; available: {', '.join(sorted(_REGISTRY))}") from None
    return cls(**params)


def available_losses() -> dict[str, type[Loss]]:
    """Registered loss names mapped to their classes."""
    return dict(sorted(_REGISTRY.items()))


class Constant:
    """A Hessian policy that returns a fixed upper bound of the curvature: ``Constant(1.0)``, or
    ``Constant(lambda loss: ...)`` when the bound depends on the parameters."""

    def __init__(self, bound: float | Callable[[Loss], float]):
        self.bound = bound

    def value(self, loss: Loss) -> float:
        return float(self.bound(loss) if callable(self.bound) else self.bound)


def _params_equal(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, (np.ndarray, list, tuple)) or isinstance(y, (np.ndarray, list, tuple)):
            try:  # numeric arrays compare fast as float64 (large soft targets)
                if not np.array_equal(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)):
                    return False
                continue
            except (TypeError, ValueError):
                pass
            try:
                if not np.array_equal(np.asarray(x, dtype=object), np.asarray(y, dtype=object)):
                    return False
            except ValueError:
                return False
        elif x != y:
            return False
    return True


def _is_series(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "pandas" and getattr(value, "ndim", 0) == 1 \
        and hasattr(value, "items")


def _hashable(value: Any) -> Any:
    """A hashable stand-in that is equal for values ``_params_equal`` calls equal."""
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in sorted(value.items()))
    if isinstance(value, (np.ndarray, list, tuple)):
        try:  # numeric: the float64 bytes (+ 0.0 makes -0.0 and 0.0 equal), fast for large arrays
            numeric = np.asarray(value, dtype=np.float64) + 0.0
            return ("float64", numeric.shape, numeric.tobytes())
        except (TypeError, ValueError):
            return tuple(_hashable(v) for v in np.asarray(value, dtype=object).ravel())
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, bool):
        return float(value)
    return value


class Loss:
    """Base class of every boostobj loss (see the module docstring for what a subclass declares).

    A loss is an immutable, validated holder of parameters: its constructor arguments are kept
    exactly as given (``loss.params``), the kernel parameter vector is derived once at construction;
    ``with_params`` returns a modified copy.

    Calling the loss object is the engine objective: ``loss(preds, dtrain)`` for ``xgb.train`` and
    ``lgb.train``, ``loss(y_true, y_pred, sample_weight)`` for the scikit-learn APIs of both engines.
    """

    name: ClassVar[str]
    task: ClassVar[str]
    link: ClassVar[Link]
    domain: ClassVar[Domain]
    value_kernel: ClassVar[Callable]
    hessians: ClassVar[dict]
    start: ClassVar[_start.StartRule] = _start.SOLVE
    leaf_rule: ClassVar[Any] = None  # recomputes each new tree's leaves (quantile losses), or None
    reduce_kernel: ClassVar[Any] = None  # the batch shape's reduction pass (GHM, Dice), or None
    statistics_are_constants: ClassVar[bool] = True  # batch losses: derivatives hold the statistics fixed
    hessian_may_be_negative: ClassVar[bool] = False  # can the exact Hessian be < 0?
    class_param: ClassVar[str | None] = None  # the per-class vector parameter (class weights), if any
    _wrapper: ClassVar[bool] = False  # a loss that delegates to another (ClassBalanced)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._wrapper or inspect.isabstract(cls) or "hessians" not in vars(cls) and "value_kernel" not in vars(cls):
            return  # an intermediate base class (RegressionLoss, ...) declares no kernels
        missing = [a for a in ("name", "task", "link", "domain", "value_kernel", "hessians") if not hasattr(cls, a)]
        if missing:
            raise TypeError(f"loss class {cls.__name__} must declare {', '.join(missing)}")
        if cls.task not in TASKS:
            raise TypeError(f"{cls.__name__}.task must be one of {TASKS}, got {cls.task!r}")
        if "exact" not in cls.hessians:
            raise TypeError(f"{cls.__name__}.hessians must declare the 'exact' kernel")
        if cls.leaf_rule is not None and (cls.task != "regression" or cls.link.name != "identity"):
            raise TypeError(f"{cls.__name__}.leaf_rule needs a regression loss with the identity link (leaf values "
                            "are quantiles of residuals y - F)")
        # a plain function attribute would bind as a method
        for attribute in ("value_kernel", "reduce_kernel"):
            function = vars(cls).get(attribute)
            if isinstance(function, types.FunctionType):
                setattr(cls, attribute, staticmethod(function))
        cls._register_kernels()

    @classmethod
    def _register_kernels(cls) -> None:
        """Make the declared kernels callable from compiled code (idempotent and cheap). Also run at
        every construction: a class that cloudpickle rebuilt by value in another process (a loss
        defined in a notebook, shipped to Dask workers) never went through __init_subclass__."""
        if cls._wrapper:
            return
        jitable(cls.value_kernel)
        if cls.reduce_kernel is not None:
            jitable(cls.reduce_kernel)
        for spec in cls.hessians.values():
            if isinstance(spec, types.FunctionType):
                jitable(spec)

    # -- construction ---------------------------------------------------------------------------
    def _init(self, **params: Any) -> None:
        type(self)._register_kernels()
        # a pandas Series parameter (class weights as 1 / value_counts()) is the mapping it holds: kept as a
        # dict, read by its index, compared and hashed as one (by position, it swapped classes)
        params = {k: dict(v.items()) if _is_series(v) else v for k, v in params.items()}
        object.__setattr__(self, "_params", params)
        theta = np.ascontiguousarray(self._theta(), dtype=np.float64).reshape(-1)
        theta.setflags(write=False)
        object.__setattr__(self, "_theta_array", theta)
        object.__setattr__(self, "_policy", self._resolve_hessian(params.get("hessian", "exact")))

    def _theta(self) -> Any:
        """The kernel parameter vector (validates the parameters it reads)."""
        return np.empty(0)

    @property
    def hessian_policies(self) -> tuple[str, ...]:
        """The named Hessian policies this loss offers (a float floor is always accepted)."""
        return tuple(self.hessians)

    def _resolve_hessian(self, hessian: Any) -> tuple[Callable, int, float]:
        """(kernel, driver mode, driver value) of a policy."""
        if isinstance(hessian, str) and hessian in self.hessians:
            spec = self.hessians[hessian]
            if isinstance(spec, Constant):
                return self.hessians["exact"], HESSIAN_CONSTANT, spec.value(self)
            return spec, HESSIAN_EXACT, 0.0
        if not isinstance(hessian, (str, bool)) and isinstance(hessian, numbers.Real) \
                and math.isfinite(float(hessian)) and float(hessian) >= 0:
            return self.hessians["exact"], HESSIAN_FLOOR, float(hessian)
        raise ValueError(f"{type(self).__name__}: hessian must be one of {self.hessian_policies} or a "
                         f"non-negative floor value, got {hessian!r}")

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; use .with_params({key}=...)")

    def __getattr__(self, key: str) -> Any:
        params = self.__dict__.get("_params")
        if params is not None and key in params:
            return params[key]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {key!r}")

    @property
    def params(self) -> dict[str, Any]:
        """Constructor arguments, as given. (Deliberately not named ``get_params``: scikit-learn
        would then treat a loss passed as ``objective=`` to XGBRegressor / LGBMRegressor as a nested
        estimator and forward ``objective__delta``-style junk parameters to the booster.)"""
        return dict(self._params)

    def with_params(self, **params: Any) -> Loss:
        """A new loss with some parameters replaced (the original is unchanged)."""
        unknown = set(params) - set(self._params)
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}; "
                             f"valid: {sorted(self._params)}")
        return type(self)(**{**self._params, **params})

    def exact(self) -> Loss:
        """This loss with the exact Hessian (itself when it already has it)."""
        if self._params.get("hessian", "exact") == "exact":
            return self
        return self.with_params(hessian="exact")

    @property
    def hessian_is_exact(self) -> bool:
        """True when grad_hess returns the exact second derivative."""
        return self._params.get("hessian", "exact") == "exact"

    def __repr__(self) -> str:
        """Class name and the parameters that differ from their defaults, e.g. Focal(gamma=5.0)."""
        defaults = {k: p.default for k, p in inspect.signature(type(self).__init__).parameters.items()}
        shown = {k: v for k, v in self._params.items() if not _params_equal({k: v}, {k: defaults.get(k, object())})}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and _params_equal(self._params, vars(other)["_params"])

    def __hash__(self) -> int:
        # equal losses hash equal: Huber(delta=2) == Huber(delta=2.0), arrays equal lists
        return hash((type(self), tuple((k, _hashable(v)) for k, v in sorted(self._params.items()))))

    def __getstate__(self) -> dict:
        return {"_params": self._params}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state["_params"])  # type: ignore[misc]

    # -- classes ---------------------------------------------------------------------------------
    @property
    def n_classes(self) -> int | None:
        """2 for binary losses; for multiclass the length of the per-class parameter when given
        (else None: taken from the labels); None for regression."""
        if self.task == "binary":
            return 2
        vector = self._params.get(self.class_param) if self.class_param else None
        return None if vector is None else len(vector)

    def resolve_n_classes(self, y: Any = None, n_classes: int | None = None) -> int | None:
        """The number of classes for labels ``y`` (and an explicit ``n_classes``), checked against
        what the loss itself fixes."""
        if self.task == "regression":
            return None
        known = self.n_classes
        if n_classes is not None:
            if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) \
                    or not 1 <= n_classes <= V.FLOAT32_EXACT_INTEGERS:
                raise ValueError(f"n_classes (num_class, classes_count) must be an integer from 2 to 2**24 (the "
                                 f"engines hold class labels in float32), got {n_classes!r}")
            if n_classes > 2 if self.task == "binary" else n_classes < 2:  # 1: LightGBM's num_class of a binary model
                raise ValueError(f"n_classes (num_class, classes_count) = {n_classes} for {self!r}, a {self.task} loss")
            if known is not None and known != int(n_classes) and self.task == "multiclass":
                raise ValueError(f"n_classes={n_classes} but {self!r} is set up for {known} classes")
            return known if self.task == "binary" else int(n_classes)
        if known is not None:
            return known
        y = np.asarray(y, dtype=np.float64).ravel()
        top = np.max(y[np.isfinite(y)]) if np.isfinite(y).any() else 1.0
        return max(int(min(top, V.FLOAT32_EXACT_INTEGERS - 1)) + 1, 2)  # a label of 1e300 is refused, not sized

    def class_mass(self, totals: np.ndarray) -> np.ndarray:
        """Class totals weighted as the loss weighs classes (what its optimal constant depends on)."""
        return np.asarray(totals, dtype=np.float64)

    # -- data-dependent parts -------------------------------------------------------------------
    def bind(self, y: Any, sample_weight: Any = None, n_classes: int | None = None) -> Loss:
        """This loss with any quantity that depends on the training labels fixed (itself here;
        ClassBalanced fixes its class counts). Estimators and train helpers call it once."""
        return self

    def bind_to(self, data: Any) -> Loss:
        """``bind`` for label data (``_start.LocalLabels`` or ``boostobj.dask.DaskLabels``)."""
        return self

    def resolve(self, data: Any) -> Loss:
        """The loss whose kernels apply to this label data (itself, except wrappers)."""
        return self

    def _concrete(self, y: np.ndarray, n_classes: int | None = None) -> Loss:
        return self

    # -- public computations --------------------------------------------------------------------
    def _prepare(self, y: Any, raw: Any, sample_weight: Any,
                 finite_in_loop: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Validated labels, margins and weights. ``finite_in_loop``: leave the finiteness tests to
        the gradient driver, which reports non-finite margins, labels (elementwise; class indices are
        checked here, before a row kernel reads one as an index) and weights, and tests elementwise
        labels against their domain's interval where it has one (see ``grad_hess``)."""
        z = V.as_margin(raw, self.task, self.n_classes if self.task == "multiclass" else None,
                        check_finite=not finite_in_loop)
        k = z.shape[1] if z.ndim == 2 else None
        y = V.as_labels(y, z.shape[0], self.domain, k, what=self,
                        check_finite=not finite_in_loop or self._shape == "rowwise",
                        check_domain=not self._domain_in_loop(finite_in_loop))
        w = V.as_weights(sample_weight, z.shape[0], check_finite=not finite_in_loop)
        return y, z, w

    def _domain_in_loop(self, finite_in_loop: bool) -> bool:
        """Whether the gradient driver tests the labels against the domain's interval (elementwise
        losses whose domain is one), in place of ``domain.check`` before the loop."""
        return finite_in_loop and self._shape == "elementwise" and self.domain.interval is not None

    def _label_test(self, finite_in_loop: bool) -> tuple[np.ndarray, bool]:
        """The gradient driver's label test: ``labels`` = (lo, hi) and ``integer_labels`` (see
        ``drivers``), the domain's interval where the loop tests it, else any finite label (the
        domain was checked before)."""
        interval = self.domain.interval if self._domain_in_loop(finite_in_loop) else None
        if interval is None:
            return FINITE_LABELS, False
        return np.array(interval[:2], dtype=np.float64), bool(interval[2])

    @property
    def _shape(self) -> str:
        return "rowwise" if self.task == "multiclass" else "elementwise"

    # -- the batch shape -------------------------------------------------------------------------
    @property
    def is_batch(self) -> bool:
        """True for losses whose per-sample derivatives depend on statistics of the whole batch
        (GHM, Dice): the gradient of a row changes with the other rows, and a batch split across
        workers (Dask) or chunks gives different values than the whole."""
        return self.reduce_kernel is not None

    def _n_statistics(self) -> int:
        return 0

    def _theta_with(self, statistics: np.ndarray) -> np.ndarray:
        """The kernel parameters of the second pass for the batch ``statistics``."""
        return self._theta_array

    def statistics(self, y: Any, raw: Any, sample_weight: Any = None) -> np.ndarray:
        """The batch statistics the derivatives of a batch loss depend on (its reduction pass), as
        a float64 vector; ``grad_hess(..., statistics=s)`` reuses them. Empty for other losses."""
        y, z, w = self._prepare(y, raw, sample_weight)
        return self._statistics(y, z, w)

    def _statistics(self, y: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
        if self.reduce_kernel is None:
            return np.empty(0)
        driver = driver_for(self.reduce_kernel, self._shape, "reduce")
        weights, step = weights_and_step(w)
        return reduce_rows(driver, z.shape[0], y, z, weights, step, self._theta_array, self._n_statistics())

    def _batch_theta(self, y: np.ndarray, z: np.ndarray, w: np.ndarray, statistics: Any) -> np.ndarray:
        if self.reduce_kernel is None:
            if statistics is not None:
                raise ValueError(f"{self!r} is not a batch loss: it takes no statistics")
            return self._theta_array
        if statistics is None:
            statistics = self._statistics(y, z, w)
            if not np.isfinite(statistics).all():
                raise ValueError(f"{self!r}: the weighted batch sums its derivatives depend on overflowed (largest "
                                 f"weight {float(w.max()) if w.size else 1.0:.3g}): rescale sample_weight (only the "
                                 "weights' ratios matter)")
        statistics = np.asarray(statistics, dtype=np.float64)
        if statistics.shape != (self._n_statistics(),) or not np.isfinite(statistics).all():
            raise ValueError(f"{self!r}: statistics must be {self._n_statistics()} finite floats (from "
                             f"loss.statistics), got shape {statistics.shape}")
        return np.ascontiguousarray(self._theta_with(statistics), dtype=np.float64)

    @property
    def keeps_state(self) -> bool:
        """True when training needs state kept across rounds (GHM's momentum): the engine objective
        is then ``training_objective()``, one per training run, not the loss itself."""
        return False

    def training_objective(self) -> Any:
        """The engine objective for one training run: the loss itself, or for a loss that keeps
        state across rounds a fresh object holding it (the train helpers and estimators call this;
        pass its result as ``obj=`` / ``objective=`` to the engines' own APIs)."""
        return self

    def grad_hess(self, y: Any, raw: Any, sample_weight: Any = None,
                  out: tuple[np.ndarray, np.ndarray] | None = None,
                  statistics: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample gradient and Hessian of the loss w.r.t. the raw margin.

        Returns (g, h) with the shape of ``raw`` ((n,), (n, 1) or (n, k)), in the dtype of ``raw``
        (float32 or float64) unless ``out=(g, h)`` arrays (of that shape) are given. Weights multiply both.
        Computed in float64; labels and weights keep their float64 precision. Batch losses (GHM,
        Dice) compute their batch statistics from these rows unless ``statistics`` are given.
        """
        if out is not None and _may_overwrite_inputs(out, y, raw, sample_weight):
            # out arrays over an input (in place, or a shifted view): a row would read what an earlier
            # row wrote. Computed into arrays of their own, then copied in.
            g_out, h_out = _outputs(out, out[0], out[0].shape)
            g, h = self.grad_hess(y, raw, sample_weight, out=(np.empty_like(g_out), np.empty_like(h_out)),
                                  statistics=statistics)
            np.copyto(g_out, g)
            np.copyto(h_out, h)
            return g_out, h_out
        # Inputs are checked on the way in where something reads them before the driver does: a batch
        # loss's reduction pass (GHM bins by the gradient's size) or ClassBalanced's label counts.
        y_in, raw_in, w_in = y, raw, sample_weight
        checked_in_loop = not self.reads_whole_batch
        y, z, w = self._prepare(y, raw, sample_weight, finite_in_loop=checked_in_loop)
        loss = self._concrete(y, z.shape[1] if z.ndim == 2 else None)
        theta = loss._batch_theta(y, z, w, statistics)
        g_out, h_out = _outputs(out, z, (z.shape[0], 1) if z.ndim == 1 and np.ndim(raw_in) == 2 else z.shape)
        g, h = (g_out[:, 0], h_out[:, 0]) if g_out.ndim > z.ndim else (g_out, h_out)  # (n, 1) columns, as (n,)
        kernel, hmode, hval = loss._policy
        labels, integer_labels = self._label_test(checked_in_loop)
        driver = driver_for(kernel, loss._shape, "grad_hess", integer_labels, z.shape[1] if z.ndim == 2 else 0)
        if not launch(driver, z.shape[0], y, z, *weights_and_step(w), labels, theta, hmode, hval, g, h):
            self._prepare(y_in, raw_in, w_in)  # names a non-finite margin, label or weight, or a label outside the domain
            if np.isfinite(g).all() and np.isfinite(h).all():  # a label in the domain's check, not in its interval
                raise _outside_interval(self, y, labels, integer_labels)
            raise _not_representable(self, "gradient/Hessian", g if not np.isfinite(g).all() else h, y, z, w)
        return g_out, h_out

    def loss(self, y: Any, raw: Any, sample_weight: Any = None, statistics: Any = None) -> np.ndarray:
        """Per-sample loss values (multiplied by the sample weight when given), shape (n,); their sum
        is the training objective (batch losses: see the loss's documentation)."""
        y, z, w = self._prepare(y, raw, sample_weight)
        loss = self._concrete(y, z.shape[1] if z.ndim == 2 else None)
        theta = loss._batch_theta(y, z, w, statistics)
        out = np.empty(z.shape[0], dtype=np.float64)
        if not launch(driver_for(loss.value_kernel, loss._shape, "value"), z.shape[0], y, z, *weights_and_step(w),
                      theta, out):
            raise _not_representable(self, "loss value", out, y, z, w)
        return out

    def mean_loss(self, y: Any, raw: Any, sample_weight: Any = None) -> float:
        """Weighted mean of the per-sample loss (what metrics report)."""
        what = f"the mean loss of {self!r}"
        if np.shape(raw)[:1] == (0,):
            raise ValueError(f"no rows: {what} of an empty input is undefined")
        if self.is_batch:  # the weights enter the batch statistics too: values come weighted
            values = self.loss(y, raw, sample_weight)
            w = V.as_weights(sample_weight, values.shape[0])
            total = float(w.sum()) if w.size else float(values.shape[0])
            if not total > 0:
                raise ValueError(f"sample_weight sums to zero: {what} is undefined")
            return float(values.sum() / total)
        values = self.loss(y, raw)
        return V.weighted_mean(values, V.as_weights(sample_weight, values.shape[0]), what)

    def init_score(self, y: Any, sample_weight: Any = None, n_classes: int | None = None) -> Any:
        """The constant raw score minimising the weighted loss over ``y``: a float, or (k,) margins
        for multiclass losses (``n_classes`` covers classes missing from the end of ``y``; other
        losses ignore it, so callers need not branch on the task)."""
        return _start.start_score(self, _start.LocalLabels(self, y, sample_weight, n_classes))

    def predict(self, raw: Any, link_only: bool = False, prior_shift: Any = None) -> np.ndarray:
        """Predictions of margins: the mean (regression, through the inverse link) or the class
        posterior (classification: ``posterior``, (n,) P(y = 1) or (n, k), with ``prior_shift``
        applied when given); the hinge losses, which have no posterior, and ``link_only=True`` give
        the plain inverse link (for a focal or class-weighted loss that is not the class probability)."""
        if link_only or self.task == "regression" or not self.has_posterior:
            if prior_shift is not None:
                raise ValueError(f"prior_shift shifts class posteriors; {self!r} with link_only={link_only} "
                                 "predicts through its link")
            k = self.n_classes if self.task == "multiclass" else None
            z = V.as_margin(raw, self.task, k)
            with np.errstate(over="ignore"):
                mean = self.link.inverse(z)
            if not np.isfinite(mean).all():  # the log link beyond a margin of 709: e^z is not a float
                row = int(np.argwhere(~np.isfinite(mean))[0][0])
                raise ValueError(f"{self!r}: the prediction at row {row} is not representable in float64 (raw margin "
                                 f"{np.asarray(z[row]).tolist()!r}): margins this large are outside what the link can map")
            return mean
        return self.posterior(raw, prior_shift)

    # -- class posteriors --------------------------------------------------------------------------
    has_posterior: ClassVar[bool] = True  # classification losses whose margin determines the posterior

    def _posterior_is_link(self) -> bool:
        """True when the inverse link already is the class posterior (unweighted logistic, softmax)."""
        return False

    def _training_balances_priors(self) -> bool:
        """True when the loss's own training makes the mean posterior on the training rows equal the
        class frequencies: its gradient is w (p - y) with p the posterior (unweighted logistic and
        softmax cross-entropy), so the intercept's stationarity is that balance. Not the exponential
        loss or GHM, although their posterior is their link. ``prior_shift`` is 0 for these."""
        return False

    def posterior(self, raw: Any, prior_shift: Any = None) -> np.ndarray:
        r"""Class posterior probabilities of margins: P(y = 1) as (n,) for binary losses, (n, k) rows
        summing to 1 for multiclass; ``prior_shift`` (from :meth:`prior_shift`) shifts their class
        priors.

        The margin :math:`z^*` a loss learns at posterior :math:`p` is where the expected gradient
        vanishes, :math:`p\,\partial_z L(1, z^*) + (1 - p)\,\partial_z L(0, z^*) = 0`, so
        :math:`p = g_0 / (g_0 - g_1)` with :math:`g_y = \partial_z L(y, z)` (Charoenphakdee et al.,
        CVPR 2021, for the focal loss). For k classes, :math:`\sum_y p_y \nabla_z L(y, z) = 0` with
        :math:`\sum_y p_y = 1`, one k x k linear system per row. This recovers :math:`\sigma(z)` for
        the logistic loss, the class-weight correction for weighted losses and the focal-loss
        posterior; where the inverse link is already the posterior it is used as is. ``predict``
        keeps the plain inverse link.
        """
        p = self._bayes_posterior(raw)
        return p if prior_shift is None else _priors.shift_priors(p, prior_shift)

    def prior_shift(self, y: Any, raw: Any, sample_weight: Any = None) -> Any:
        """The shift of class priors that makes the mean ``posterior`` of the rows ``raw`` (weighted)
        equal the class frequencies of their labels ``y``: calibration in the large, which the
        logistic loss's own training equations give and class-weighted, focal and class-balanced
        losses do not (see ``boostobj._priors``). Fit it on the training rows' margins and pass it
        to ``posterior`` / ``predict``; the boostobj classifiers do (``prior_shift_``).

        Returns a float (binary: added to the posterior's log-odds) or a (k,) vector (multiclass:
        added to the log-priors, first entry 0); 0 for the unweighted logistic and softmax losses,
        whose training balances it already.
        """
        y, z, w = self._prepare(y, raw, sample_weight)
        if self._training_balances_priors():
            return 0.0 if z.ndim == 1 else np.zeros(z.shape[1])
        return _priors.fit_prior_shift(self.posterior(z), y, w)

    def _bayes_posterior(self, raw: Any) -> np.ndarray:
        if self.task == "regression":
            raise ValueError(f"{self!r} is a regression loss: it has no class posterior (use predict)")
        if not self.has_posterior:
            raise ValueError(f"{self!r}: its margins determine no class posterior beyond the margin's flat "
                             "region; loss.predict gives the link's clipped estimate")
        z = np.asarray(V.as_margin(raw, self.task, self.n_classes if self.task == "multiclass" else None),
                       dtype=np.float64)
        if self._posterior_is_link():
            return self.link.inverse(z)
        n = z.shape[0]
        if self.task == "binary":
            g0, _ = self.grad_hess(np.zeros(n), z)
            g1, _ = self.grad_hess(np.ones(n), z)
            return g0 / (g0 - g1)
        k = z.shape[1]
        # system[i, j, y] = dL(y, z_i)/dz_j; the k equations sum to zero (softmax invariance), so the
        # last is replaced by sum_y p_y = 1
        system = np.stack([self.grad_hess(np.full(n, float(y)), z)[0] for y in range(k)], axis=2)
        system[:, -1, :] = 1.0
        rhs = np.zeros((n, k, 1))
        rhs[:, -1, 0] = 1.0
        try:
            p = np.linalg.solve(system, rhs)[..., 0]
        except np.linalg.LinAlgError:  # a degenerate row (gradients underflowed): least squares
            p = (np.linalg.pinv(system) @ rhs)[..., 0]
        p = np.clip(p, 0.0, None)  # e.g. label smoothing: a margin below eps/k means probability 0
        return p / p.sum(axis=1, keepdims=True)

    def metric(self, from_margin: bool = True) -> Any:
        """This loss as an evaluation metric (weighted mean loss), usable in every engine API like
        the metrics of boostobj.metrics. ``from_margin=False``: predictions are means /
        probabilities, mapped to margins by the loss's link first."""
        from ..metrics import LossMetric

        return LossMetric(self, from_margin=from_margin)

    # -- engine objective -----------------------------------------------------------------------
    def __call__(self, a: Any, b: Any, sample_weight: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Objective for every engine API (see the class docstring)."""
        from .._engines import objective_call

        if self.keeps_state:
            raise TypeError(f"{self!r} keeps state across boosting rounds: pass loss.training_objective() (one per "
                            "training run) as the engine objective, or train with boostobj.xgboost.train / "
                            "boostobj.lightgbm.train / the boostobj estimators, which do")
        return objective_call(self, a, b, sample_weight)


    # -- CatBoost's objective protocol (``loss_function=loss``; see boostobj.catboost) ------------
    no_jit: ClassVar[bool] = True  # tells CatBoost not to numba-compile these methods: they call compiled code

    def calc_ders_range(self, approxes: Any, targets: Any, weights: Any) -> np.ndarray:
        """CatBoost's objective call for binary and regression losses: (n, 2) first and second
        derivatives of the maximised objective, i.e. (-g, -h), for a chunk of rows."""
        if self.task == "multiclass":  # CatBoost calls the range form when it was not told the dimension
            raise ValueError(f"{self!r} is a multiclass loss but CatBoost called it for one dimension: pass "
                             "classes_count=<k> in the CatBoost parameters (boostobj.catboost.train / fit set it)")
        from .._engines import catboost_calls

        return catboost_calls(self).chunk(approxes, targets, weights)

    def calc_ders_multi(self, approx: Any, target: float, weight: float) -> tuple[list, list]:
        """CatBoost's objective call for multiclass losses, one row: -g (k,) and -diag(h) (k x k), as
        lists (CatBoost iterates over them in Python: lists are 4x faster to iterate than arrays)."""
        if self.task != "multiclass":  # CatBoost calls this form when told classes_count
            raise ValueError(f"{self!r} is a {self.task} loss: CatBoost calls it through calc_ders_range (one "
                             "dimension); do not pass classes_count")
        calls = self.__dict__.get("_catboost_calls")  # once per row: the cached lookup first
        if calls is None or calls.k != len(approx):
            from .._engines import catboost_calls

            calls = catboost_calls(self, len(approx))
        return calls.row(approx, target, weight)

    @property
    def reads_whole_batch(self) -> bool:
        """True when the derivatives of a row depend on the other rows of the call (batch losses;
        ClassBalanced without bound counts): an engine that hands the objective chunks (CatBoost)
        would get them wrong, so its adapter refuses the loss."""
        return self.is_batch


def _not_representable(loss: Loss, what: str, values: np.ndarray, y: np.ndarray, z: np.ndarray,
                       w: np.ndarray) -> ValueError:
    """The error for an output that overflowed its dtype, naming the row and its inputs."""
    row = int(np.argwhere(~np.isfinite(values))[0][0])
    weight = f", sample_weight {float(w[row])!r}" if w.size else ""
    if np.isnan(values[row]).any():  # not an overflow: an undefined operation (0/0, inf - inf) in the kernel
        return ValueError(
            f"{loss!r}: the {what} at row {row} is NaN (raw margin {np.asarray(z[row]).tolist()!r}, label "
            f"{float(y[row])!r}{weight}): the kernel computed an undefined value there (0/0, inf - inf, ...)")
    return ValueError(
        f"{loss!r}: the {what} at row {row} is not representable in {values.dtype} (raw margin "
        f"{np.asarray(z[row]).tolist()!r}, label {float(y[row])!r}{weight}); margins, labels or weights this large "
        "(or parameters of the loss this extreme) are outside what the loss can evaluate: rescale them")


def _outside_interval(loss: Loss, y: np.ndarray, labels: np.ndarray, integers: bool) -> ValueError:
    """The error for a label the gradient loop's interval test refused although ``domain.check``
    accepts it: a domain of one's own whose ``interval`` and ``bad`` disagree."""
    lo, hi = float(labels[0]), float(labels[1])
    with np.errstate(invalid="ignore"):
        inside = _label_in(y, lo, hi, not integers)  # the loop's own test, run by the interpreter
    row = int(np.argmin(inside))
    return ValueError(f"{loss!r}: the label {float(y[row])!r} at row {row} is outside the interval [{lo!r}, {hi!r}]"
                      f"{' of integers' if integers else ''} of {loss.domain!r}.interval, but its check accepts it: "
                      "a domain's interval must be exactly the labels its bad() accepts")


def _may_overwrite_inputs(out: Any, *inputs: Any) -> bool:
    """Whether an ``out`` array may share memory with an input (arrays, or what pandas holds)."""
    return out is not None and any(isinstance(o, np.ndarray) and hasattr(a, "__array__")
                                   and np.may_share_memory(o, np.asarray(a)) for o in out for a in inputs)


def _outputs(out: Any, z: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The (g, h) arrays grad_hess returns: ``out``'s, checked, or new ones of the margins' dtype and
    ``shape``, the shape the caller passed them in (an (n, 1) column stays a column: an (n,) result
    would broadcast against the caller's (n, 1) arrays to (n, n) without a word). ``out`` arrays
    may have that shape or the checked margins' z.shape ((n,) for a column)."""
    if out is None:
        return np.empty_like(z, order="K").reshape(shape), np.empty_like(z, order="K").reshape(shape)
    g, h = out
    for name, arr in (("out[0]", g), ("out[1]", h)):
        if not isinstance(arr, np.ndarray) or arr.shape not in (shape, z.shape):
            raise ValueError(f"{name} must be a numpy array of shape {shape} (the margins' shape)")
        if arr.dtype not in (np.float32, np.float64) or not arr.flags.writeable:
            raise ValueError(f"{name} must be a writeable float32 or float64 array, got {arr.dtype}")
    if np.shares_memory(g, h):  # the Hessian would overwrite the gradient (or mix with it) silently
        raise ValueError("out[0] and out[1] share memory: the gradient and the Hessian need separate arrays")
    return g, h
