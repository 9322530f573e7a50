"""The loss framework: frozen parameter holders that point at their kernels."""
import numbers

import numpy as np

from .. import _validation as V
from ..drivers import HESSIAN_CONSTANT, HESSIAN_EXACT, HESSIAN_FLOOR, driver_for, launch, weights_and_step

_REGISTRY = {}


def register(cls):
    """Class decorator: make ``cls`` reachable as ``get_loss(cls.name, ...)``."""
    if cls.name in _REGISTRY:
        raise ValueError(f"a loss named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def get_loss(name, **params):
    """Build a registered loss by name, e.g. ``get_loss("huber", delta=2.0)``."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; available: {', '.join(sorted(_REGISTRY))}") from None
    return cls(**params)


def available_losses():
    """Registered loss names mapped to their classes."""
    return dict(sorted(_REGISTRY.items()))


def _params_equal(a, b):
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, (np.ndarray, list, tuple)) or isinstance(y, (np.ndarray, list, tuple)):
            try:
                if not np.array_equal(np.asarray(x, dtype=object), np.asarray(y, dtype=object)):
                    return False
            except ValueError:
                return False
        elif x != y:
            return False
    return True


class Loss:
    """Base class of every boostobj loss.

    A loss is an immutable, validated holder of parameters. Its constructor arguments are stored
    exactly as given (``loss.params``); the numeric form used
    by the kernels is derived once at construction. Use ``with_params`` for a modified copy.

    Calling the loss object is the engine objective: ``loss(preds, dtrain)`` for ``xgb.train`` and
    ``lgb.train``, ``loss(y_true, y_pred, sample_weight)`` for the scikit-learn APIs of both engines.
    """

    name = None                 # registry name
    task = None                 # "regression" | "binary" | "multiclass"
    link = None                 # "identity" | "logit" | ... (see boostobj.links)
    label_domain = None         # "real" | "binary" | "class"
    default_metric = None       # name of the metric that reports this loss
    hessian_may_be_negative = False  # can the exact Hessian be < 0?
    _grad_hess_kernel = None
    _value_kernel = None
    _shape = "elementwise"
    _hessian_choices = ("exact",)  # accepted strings; a float >= 0 is always accepted (a floor)
    _hessian_bound = None          # the value used by hessian="constant"
    _class_param = None            # multiclass: the per-class vector parameter, if any

    # -- construction ---------------------------------------------------------------------------
    def _init(self, **params):
        object.__setattr__(self, "_params", dict(params))
        theta = np.ascontiguousarray(self._theta(), dtype=np.float64).reshape(-1)
        theta.setflags(write=False)
        object.__setattr__(self, "_theta_array", theta)
        hmode, hval = self._hessian_policy(params.get("hessian", "exact"))
        object.__setattr__(self, "_hmode", hmode)
        object.__setattr__(self, "_hval", hval)

    def _theta(self):
        """The kernel parameter vector (validates the parameters it reads)."""
        return np.empty(0)

    def _hessian_policy(self, hessian):
        if isinstance(hessian, str):
            if hessian not in self._hessian_choices:
                raise ValueError(
                    f"{type(self).__name__}: hessian must be one of {self._hessian_choices} or a "
                    f"non-negative floor value, got {hessian!r}"
                )
            if hessian == "constant":
                return HESSIAN_CONSTANT, float(self._hessian_bound)
            return HESSIAN_EXACT, 0.0
        if isinstance(hessian, bool) or not isinstance(hessian, numbers.Real) or not (
            np.isfinite(hessian) and hessian >= 0
        ):
            raise ValueError(
                f"{type(self).__name__}: hessian must be one of {self._hessian_choices} or a "
                f"non-negative floor value, got {hessian!r}"
            )
        return HESSIAN_FLOOR, float(hessian)

    def __setattr__(self, key, value):
        raise AttributeError(f"{type(self).__name__} is immutable; use .with_params({key}=...)")

    def __getattr__(self, key):
        params = self.__dict__.get("_params")
        if params is not None and key in params:
            return params[key]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {key!r}")

    @property
    def params(self):
        """Constructor arguments, as given. (Deliberately not named ``get_params``: scikit-learn
        would then treat a loss passed as ``objective=`` to XGBRegressor / LGBMRegressor as a nested
        estimator and forward ``objective__delta``-style junk parameters to the booster.)"""
        return dict(self._params)

    def with_params(self, **params):
        """A new loss with some parameters replaced (the original is unchanged)."""
        unknown = set(params) - set(self._params)
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}; "
                             f"valid: {sorted(self._params)}")
        return type(self)(**{**self._params, **params})

    def __repr__(self):
        """Class name and the parameters that differ from their defaults, e.g. Focal(gamma=5.0)."""
        import inspect

        defaults = {k: p.default for k, p in inspect.signature(type(self).__init__).parameters.items()}
        shown = {k: v for k, v in self._params.items() if not _params_equal({k: v}, {k: defaults.get(k, object())})}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def __eq__(self, other):
        return type(self) is type(other) and _params_equal(self._params, other._params)

    def __hash__(self):
        return hash((type(self), repr(sorted(self._params.items()))))

    def __getstate__(self):
        return {"_params": self._params}

    def __setstate__(self, state):
        self.__init__(**state["_params"])

    # -- data-dependent parts -------------------------------------------------------------------
    def bind(self, y, sample_weight=None):
        """This loss with any quantity that depends on the training labels fixed (identity here;
        ClassBalanced fixes its class counts). Estimators and train helpers call it once."""
        return self

    def _concrete(self, y):
        """The loss whose kernels and parameters apply to labels ``y`` (self, except wrappers)."""
        return self

    def _n_classes(self, z=None, y=None):
        return None

    # -- public computations --------------------------------------------------------------------
    def _prepare(self, y, raw, sample_weight):
        z = V.as_margin(raw, self.task, self._n_classes())
        n = z.shape[0]
        k = z.shape[1] if z.ndim == 2 else None
        y = V.as_labels(y, n, self.label_domain, k, dtype=z.dtype)
        w = V.as_weights(sample_weight, n, dtype=z.dtype)
        return y, z, w

    def grad_hess(self, y, raw, sample_weight=None, out=None):
        """Per-sample gradient and Hessian of the loss w.r.t. the raw margin.

        Returns (g, h) with the shape of ``raw`` ((n,) or (n, k)), in the dtype of ``raw``
        (float32 or float64) unless ``out=(g, h)`` arrays are given. Weights multiply both.
        """
        y, z, w = self._prepare(y, raw, sample_weight)
        loss = self._concrete(y)
        g, h = _outputs(out, z)
        driver = driver_for(loss._grad_hess_kernel, loss._shape, "grad_hess")
        launch(driver, z.shape[0], y, z, *weights_and_step(w), loss._theta_array, loss._hmode, loss._hval, g, h)
        return g, h

    def loss(self, y, raw, sample_weight=None):
        """Per-sample loss values (multiplied by the sample weight when given), shape (n,)."""
        y, z, w = self._prepare(y, raw, sample_weight)
        loss = self._concrete(y)
        out = np.empty(z.shape[0], dtype=np.float64)
        launch(driver_for(loss._value_kernel, loss._shape, "value"), z.shape[0], y, z, *weights_and_step(w),
               loss._theta_array, out)
        return out

    def mean_loss(self, y, raw, sample_weight=None):
        """Weighted mean of the per-sample loss (what metrics report)."""
        values = self.loss(y, raw, sample_weight)
        if sample_weight is None or np.size(sample_weight) == 0:
            return float(values.mean())
        total = float(np.sum(sample_weight))
        if not total > 0:
            raise ValueError("sample_weight sums to zero: the weighted mean loss is undefined")
        return float(values.sum() / total)

    def init_score(self, y, sample_weight=None, n_classes=None):
        """The constant raw score minimising the weighted loss over ``y`` (a float; a (k,) vector for
        multiclass losses, where ``n_classes`` covers classes missing from the end of ``y``; it is
        ignored by other losses, so callers need not branch on the task)."""
        y = V.as_labels(y, None, self.label_domain, self._n_classes(y=y))
        w = V.as_weights(sample_weight, y.shape[0])
        if y.shape[0] == 0:
            raise ValueError("init_score needs at least one label")
        if w.size and not w.sum() > 0:
            raise ValueError("init_score needs a positive total sample weight")
        return self._concrete(y)._init_score(y, w)

    def _init_score(self, y, w):
        raise NotImplementedError

    def _minimise_1d(self, y, w, lo, hi, x0=None):
        """Constant c in [lo, hi] where the weighted gradient sum changes sign (exact Hessian used
        for the Newton steps, bisection where it is zero or the step leaves the bracket)."""
        from .._solve import newton_1d

        weights = w if w.size else None
        exact = self.with_params(hessian="exact") if "hessian" in self._params else self

        def sum_grad_hess(c):
            g, h = exact.grad_hess(y, np.full(y.shape[0], c), weights)
            return float(g.sum()), float(h.sum())

        return newton_1d(sum_grad_hess, lo, hi, x0=x0)

    def predict(self, raw):
        """Inverse link: predictions (regression) or probabilities (classification)."""
        from ..links import inverse_link

        return inverse_link(self.link, V.as_margin(raw, self.task, self._n_classes()))

    @property
    def hessian_is_exact(self):
        """True when grad_hess returns the exact second derivative."""
        return self._hmode == HESSIAN_EXACT and self._params.get("hessian", "exact") == "exact"

    def metric(self):
        """This loss as an evaluation metric (mean weighted loss on raw margins), usable in every
        engine API like the metrics of boostobj.metrics."""
        from ..metrics import LossMetric

        return LossMetric(self)

    def on(self, device):
        """This loss as an XGBoost objective computing on ``device`` ("cpu" -> the loss itself;
        "cuda" -> a boostobj.gpu.DeviceObjective, falling back to the CPU without a GPU)."""
        if device == "cpu":
            return self
        if not str(device).startswith("cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
        from ..gpu import DeviceObjective

        return DeviceObjective(self, device)

    # -- engine objective -----------------------------------------------------------------------
    def __call__(self, a, b, sample_weight=None):
        """Objective for every engine API (see the class docstring)."""
        from .._engines import objective_call

        return objective_call(self, a, b, sample_weight)


def _outputs(out, z):
    if out is None:
        return np.empty_like(z, order="K"), np.empty_like(z, order="K")
    g, h = out
    for name, arr in (("out[0]", g), ("out[1]", h)):
        if not isinstance(arr, np.ndarray) or arr.shape != z.shape:
            raise ValueError(f"{name} must be a numpy array of shape {z.shape}")
        if arr.dtype not in (np.float32, np.float64) or not arr.flags.writeable:
            raise ValueError(f"{name} must be a writeable float32 or float64 array, got {arr.dtype}")
    return g, h
