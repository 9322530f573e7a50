"""scikit-learn estimators: BoostRegressor and BoostClassifier on XGBoost, LightGBM or CatBoost.

They start every model from ``loss.init_score`` (passed to the engine and folded into the model),
predict through the loss's inverse link, encode class labels, honour sample weights, evaluate eval
sets with a boostobj metric (the loss itself by default) and stop early on it.
"""
import importlib
import inspect
import numbers
import warnings

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, _num_samples, check_is_fitted, validate_data

from . import _validation as V
from . import domains
from ._engines import LIGHTGBM_NO_METRIC, check_float32_weights, refuse_imbalance_keywords
from .losses import Logistic, Loss, SoftmaxCrossEntropy, SoftTargetCrossEntropy, SquaredError, available_losses, get_loss
from .metrics import Metric

ENGINES = ("xgboost", "lightgbm", "catboost")


def _check_numeric_columns(estimator, X):
    """A DataFrame with non-numeric columns is refused naming them (scikit-learn's conversion says only
    "could not convert string to float"); categorical features must be encoded as numbers first."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(X, "columns"):
        return
    import pandas as pd

    def numeric(column, t):  # a categorical or object column of numbers converts to them, as scikit-learn does
        if t == object:
            try:
                pd.to_numeric(X[column])
                return True
            except (TypeError, ValueError):
                return False
        t = t.categories.dtype if isinstance(t, pd.CategoricalDtype) else t
        return pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)

    bad = ", ".join(f"{c!r} ({t})" for c, t in dtypes.items() if not numeric(c, t))
    if bad:
        raise ValueError(f"{type(estimator).__name__} needs numeric features; column(s) {bad} of X are not: encode "
                         "them as numbers first (e.g. sklearn.preprocessing.OrdinalEncoder)")


def _adapter(engine):
    """The engine adapter module (boostobj.xgboost / .lightgbm / .catboost): all engine code is there."""
    return importlib.import_module(f"boostobj.{engine}")


class _BoostEstimator(BaseEstimator):
    def __init__(self, loss=None, engine="xgboost", n_estimators=100, learning_rate=0.1, max_depth=None,
                 random_state=None, n_jobs=None, early_stopping_rounds=None, eval_metric=None, device="cpu",
                 leaf_refresh=None, **engine_params):
        self.loss = loss
        self.engine = engine
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.early_stopping_rounds = early_stopping_rounds
        self.eval_metric = eval_metric
        self.device = device
        self.leaf_refresh = leaf_refresh
        for key, value in engine_params.items():
            setattr(self, key, value)

    # -- parameters: the explicit ones, any engine parameter, and the loss's own (loss__gamma) -------
    @classmethod
    def _explicit_params(cls):
        return [p for p in inspect.signature(cls.__init__).parameters
                if p not in ("self", "engine_params")]

    def _engine_param_names(self):
        explicit = set(self._explicit_params())
        return sorted(k for k in vars(self) if k not in explicit and not k.startswith(("_", "loss__"))
                      and not k.endswith("_"))

    def _engine_params(self):
        """The engine keywords given, with their values."""
        return {k: getattr(self, k) for k in self._engine_param_names()}

    def _stored_loss_params(self):
        """``loss__*`` values given to the constructor or set for a loss named by a string."""
        return {k: v for k, v in vars(self).items() if k.startswith("loss__")}

    def get_params(self, deep=True):
        params = {k: getattr(self, k) for k in self._explicit_params()}
        params.update({k: getattr(self, k) for k in self._engine_param_names()})
        if deep and isinstance(self.loss, Loss):
            params.update({f"loss__{k}": v for k, v in self.loss.params.items()})
        params.update(self._stored_loss_params())
        return params

    def set_params(self, **params):
        loss_updates = {}
        if "loss" in params:  # first: loss__* updates below apply to the new loss (GridSearchCV may pass both)
            self.loss = params.pop("loss")
        for key, value in params.items():
            if key.startswith("loss__"):
                if isinstance(self.loss, Loss) and key not in vars(self):
                    loss_updates[key[len("loss__"):]] = value
                else:  # a loss named by a string (or given loss__* at construction): kept as given
                    setattr(self, key, value)
                continue
            if "__" in key:
                raise ValueError(f"invalid parameter {key!r} for {type(self).__name__}")
            setattr(self, key, value)
        if loss_updates:
            self.loss = self.loss.with_params(**loss_updates)  # losses are immutable: replace
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True   # both engines route missing values natively
        tags.input_tags.sparse = True
        return tags

    # -- fitting ---------------------------------------------------------------------------------
    def _validate_settings(self):
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        if self.loss is not None and not isinstance(self.loss, (Loss, str)):
            raise TypeError(f"loss must be a boostobj loss (e.g. boostobj.Focal()) or a registered name "
                            f"(e.g. 'huber'), got {self.loss!r}")
        if isinstance(self.n_estimators, bool) or not (isinstance(self.n_estimators, numbers.Integral)
                                                       and int(self.n_estimators) >= 1):
            raise ValueError(f"n_estimators must be a positive integer, got {self.n_estimators!r}")
        rate = self.learning_rate
        if isinstance(rate, bool) or not (isinstance(rate, numbers.Real) and 0 < float(rate) < np.inf):
            raise ValueError(f"learning_rate must be a finite number > 0, got {self.learning_rate!r}")
        if self.device not in ("cpu", "cuda") and not str(self.device).startswith("cuda:"):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {self.device!r}")
        jobs = self.n_jobs  # 0 crashed CatBoost (SIGFPE) and means nothing in scikit-learn either
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs == 0):
            raise ValueError(f"n_jobs must be None, a positive number of threads or negative (-1: all cores, -2: all "
                             f"but one), got {jobs!r}")

    def _loss_updates(self):
        """The ``loss__*`` parameters kept on the estimator, without the prefix."""
        return {k[len("loss__"):]: v for k, v in self._stored_loss_params().items()}

    def _loss_object(self):
        """The loss given, a registered name resolved by ``get_loss`` (None: the estimator's default),
        with the ``loss__*`` parameters kept on the estimator applied."""
        updates = self._loss_updates()
        if isinstance(self.loss, str):
            return get_loss(self.loss, **updates)
        if updates:
            if self.loss is None:
                raise ValueError("loss__* parameters need an explicit loss (loss=None has none)")
            return self.loss.with_params(**updates)
        return self.loss

    def _metric(self, loss):
        metric = self.eval_metric
        if metric is None:
            return loss.metric()
        if isinstance(metric, Loss):
            return metric.metric()
        if not isinstance(metric, Metric):
            raise TypeError(f"eval_metric must be a boostobj metric or loss, got {metric!r}")
        return metric

    def _fit(self, X, y_encoded, sample_weight, eval_set, eval_sample_weight, loss, n_classes=None,
             encode_eval=None):
        _check_engine_keywords(self.engine, loss, self._engine_params())  # (not _settings: it draws a seed)
        sw = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        check_float32_weights(sw)
        loss = loss.bind(y_encoded, sw, n_classes=n_classes)
        init = loss.init_score(y_encoded, sw, n_classes=n_classes)
        evals = []
        if eval_sample_weight is not None and (np.ndim(eval_sample_weight) == 1 and not isinstance(
                eval_sample_weight, (list, tuple)) or len(eval_sample_weight) != len(eval_set or [])):
            raise ValueError("eval_sample_weight must be a list with one weight array (or None) per eval_set pair, "
                             f"got {type(eval_sample_weight).__name__} of length {len(eval_sample_weight)} for "
                             f"{len(eval_set or [])} pair(s)")
        for i, pair in enumerate(eval_set or []):
            Xe, ye = pair
            _check_numeric_columns(self, Xe)
            Xe = validate_data(self, Xe, reset=False, accept_sparse=["csr", "csc"], ensure_all_finite="allow-nan")
            # checked as the training labels and weights are (LightGBM read a NaN label as 0, silently)
            ye = V.as_labels((encode_eval or self._encode_eval)(ye), _num_samples(Xe), loss.domain, n_classes,
                             name=f"eval_set[{i}] y", what=loss)
            we = None if eval_sample_weight is None else eval_sample_weight[i]
            if we is not None:
                we = V.as_weights(we, _num_samples(Xe), name=f"eval_sample_weight[{i}]")
                if not we.sum() > 0:
                    raise ValueError(f"eval_sample_weight[{i}] sums to zero: the eval metric would be undefined")
                check_float32_weights(we, f"eval_sample_weight[{i}]")
            evals.append((Xe, ye, we))
        if self.early_stopping_rounds is not None and not evals:
            raise ValueError("early_stopping_rounds needs an eval_set in fit()")
        metric = self._metric(loss) if evals else None
        self.booster_, self.evals_result_, best = _adapter(self.engine).fit_estimator(
            X, y_encoded, sw, evals, loss, init, metric, _settings(self))
        self.loss_ = loss
        self.init_score_ = init
        self.best_iteration_ = best
        return self

    def _encode_eval(self, y):
        return np.asarray(y, dtype=np.float64)

    def _margin(self, X):
        """Raw margins including the start score: (n,) or (n, k) for multiclass."""
        check_is_fitted(self, "booster_")
        _check_numeric_columns(self, X)
        X = validate_data(self, X, reset=False, accept_sparse=["csr", "csc"], ensure_all_finite="allow-nan")
        return _adapter(self.engine).predict_margin(self.booster_, X, self.best_iteration_)

    @property
    def feature_importances_(self):
        """Total gain per feature, normalised to sum to 1 (zeros if no tree split)."""
        check_is_fitted(self, "booster_")
        gain = _adapter(self.engine).feature_gains(self.booster_, self.n_features_in_)
        total = gain.sum()
        return gain / total if total > 0 else gain


# Engine names of the estimators' own settings (one of the two would win silently: LightGBM's eta= lost to
# learning_rate=0.1) and parameters the estimator sets itself.
_SETTING_ALIASES = {
    "learning_rate": ("eta", "shrinkage_rate"),
    "n_estimators": ("num_iterations", "num_iteration", "n_iter", "num_tree", "num_trees", "num_round", "num_rounds",
                     "num_boost_round", "nrounds", "max_iter", "iterations"),
    "max_depth": ("depth",),
    "n_jobs": ("nthread", "num_threads", "num_thread", "nthreads", "thread_count"),
    "random_state": ("seed", "random_seed"),
}
_SET_BY_THE_ESTIMATOR = ("objective", "loss_function", "num_class", "num_classes", "classes_count", "base_score",
                         "init_score", "base_margin")
_LIGHTGBM_METRIC_KEYWORDS = ("metric", "metrics", "metric_types")


def _check_engine_keywords(engine, loss, extra):
    """Refuse engine keywords that would be ignored or computed on the wrong scale, and warn where
    one is named like a parameter of the loss (XGBoost's ``gamma`` is min_split_loss, its ``alpha``
    the L1 penalty: ``gamma=5`` left Focal's gamma at 2 without a word)."""
    refuse_imbalance_keywords(extra)
    for key in extra:
        setting = next((name for name, aliases in _SETTING_ALIASES.items() if key in aliases), None)
        if setting is not None:
            raise ValueError(f"{key}= is the engine's name for the estimator's {setting}: set {setting}= instead")
        if key in _SET_BY_THE_ESTIMATOR:
            raise ValueError(f"{key}= is set by the estimator (from the loss, the labels and its start score); "
                             "remove it")
        if (engine == "lightgbm" and key in _LIGHTGBM_METRIC_KEYWORDS and loss.link.name != "identity"
                and extra[key] not in LIGHTGBM_NO_METRIC):
            raise ValueError(f"{key}={extra[key]!r}: LightGBM computes its built-in metrics on the raw margins of a "
                             f"custom objective, not on {loss!r}'s predictions; pass a boostobj metric as eval_metric=")
        if key in loss.params:
            warnings.warn(f"{key}={extra[key]!r} goes to {engine} as its own parameter, not to {loss!r}; for the "
                          f"loss's {key} pass loss__{key}={extra[key]!r} (or a loss object)", UserWarning, stacklevel=4)


def _threads(n_jobs):
    """The engines' thread count for ``n_jobs`` (None: the engine's default), negative values as in
    joblib (-1: every core, -2: all but one), the same for the three engines."""
    if n_jobs is None or n_jobs > 0:
        return None if n_jobs is None else int(n_jobs)
    return max(1, joblib.cpu_count() + 1 + int(n_jobs))  # joblib's count: CPU affinity and cgroup limits


def _settings(est):
    """The engine-independent settings, normalised once for the adapters. A RandomState/int
    random_state gives the same seed to both engines."""
    seed = None
    if est.random_state is not None:
        seed = int(check_random_state(est.random_state).randint(np.iinfo(np.int32).max)) \
            if not isinstance(est.random_state, (int, np.integer)) else int(est.random_state)
    return {"learning_rate": float(est.learning_rate), "n_estimators": int(est.n_estimators),
            "max_depth": None if est.max_depth is None else int(est.max_depth),
            "n_jobs": _threads(est.n_jobs), "seed": seed, "device": est.device,
            "early_stopping_rounds": est.early_stopping_rounds, "leaf_refresh": est.leaf_refresh,
            "extra": est._engine_params()}


class BoostRegressor(RegressorMixin, _BoostEstimator):
    """Gradient-boosted regressor with a boostobj loss (default SquaredError) on XGBoost, LightGBM or CatBoost.

    Parameters: ``loss``, ``engine`` ("xgboost" | "lightgbm" | "catboost"), ``n_estimators``, ``learning_rate``,
    ``max_depth`` (None: engine default), ``random_state``, ``n_jobs``, ``early_stopping_rounds``
    (needs ``eval_set`` in fit), ``eval_metric`` (a boostobj metric; default: the loss), ``device``
    ("cpu" | "cuda", XGBoost), ``leaf_refresh`` (None: on for losses with a leaf rule, Quantile and
    AbsoluteError, whose leaves become weighted quantiles of their rows' residuals as in the engines'
    built-in objectives; False: the engine's Newton leaves) and any engine parameter as keyword (e.g. ``reg_lambda=1.0``,
    ``num_leaves=15``), passed to the engine unchanged, except those refused because the engine would ignore them
    or they repeat a setting above (``eta``, ``seed``, ``num_class``, ``scale_pos_weight``, ...; README,
    "scikit-learn estimators"). Fitted: ``booster_``, ``loss_``,
    ``init_score_``, ``best_iteration_``, ``evals_result_``, ``feature_importances_``.
    """

    def fit(self, X, y, sample_weight=None, eval_set=None, eval_sample_weight=None):
        _check_numeric_columns(self, X)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], ensure_all_finite="allow-nan",
                             y_numeric=True)
        self._validate_settings()
        loss = self._loss_object() or SquaredError()
        if loss.task != "regression":
            raise ValueError(f"BoostRegressor needs a regression loss, got {loss!r} ({loss.task})")
        return self._fit(X, y.astype(np.float64), sample_weight, eval_set, eval_sample_weight, loss)

    def predict(self, X):
        margin = self._margin(X)  # checks that the model is fitted
        return self.loss_.predict(margin)


class BoostClassifier(ClassifierMixin, _BoostEstimator):
    """Gradient-boosted classifier with a boostobj loss on XGBoost, LightGBM or CatBoost.

    Default loss: Logistic for two classes, SoftmaxCrossEntropy for more. ``predict_proba`` gives
    the loss's class posterior of the margin (``loss.posterior``; the link for the hinge losses)
    ((n, 2) for binary, rows sum to 1); ``predict`` returns the original labels (``classes_``) of
    the most probable class, ``decision_function`` scores whose sign / argmax is ``predict``
    (the raw margins for the logistic and softmax losses; for every loss: ``predict_margin``).
    ``prior_shift`` (default True): for every loss but the unweighted logistic and softmax
    (class-weighted, focal, class-balanced, exponential, GHM-C), shift the posterior's class priors
    so that its mean on the training rows equals the (weighted) class frequencies
    (``loss.prior_shift``; fitted ``prior_shift_``, None where not applied), the balance the
    logistic loss's own training gives; False: the loss's posterior as is. Other parameters as
    BoostRegressor.

    **Soft targets**: ``y`` of shape (n, k), rows of class probabilities (a teacher's
    ``predict_proba``), trains :class:`~boostobj.SoftTargetCrossEntropy` (``loss=None``, its name, or
    an instance whose temperature is kept; its targets become the rows of y). ``classes_`` is then
    0..k-1, and every ``eval_set`` pair needs its own (m, k) probabilities.
    """

    def __init__(self, loss=None, engine="xgboost", n_estimators=100, learning_rate=0.1, max_depth=None,
                 random_state=None, n_jobs=None, early_stopping_rounds=None, eval_metric=None, device="cpu",
                 leaf_refresh=None, prior_shift=True, **engine_params):
        super().__init__(loss, engine, n_estimators, learning_rate, max_depth, random_state, n_jobs,
                         early_stopping_rounds, eval_metric, device, leaf_refresh, **engine_params)
        self.prior_shift = prior_shift

    def _validate_settings(self):
        super()._validate_settings()
        if not isinstance(self.prior_shift, (bool, np.bool_)):  # a truthy string would switch it on
            raise ValueError(f"prior_shift must be True or False, got {self.prior_shift!r}")

    def fit(self, X, y, sample_weight=None, eval_set=None, eval_sample_weight=None):
        shape = np.shape(np.asarray(y))  # (through __array__: array-likes that refuse numpy functions too)
        if len(shape) == 2 and shape[1] >= 2:
            return self._fit_soft_targets(X, y, sample_weight, eval_set, eval_sample_weight)
        _check_numeric_columns(self, X)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], ensure_all_finite="allow-nan")
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        k = len(self.classes_)
        if k < 2:
            raise ValueError(f"BoostClassifier needs at least 2 classes in y, got 1 class: {self.classes_[0]!r}")
        self._validate_settings()
        loss = self._loss_object()
        if loss is None:
            loss = Logistic() if k == 2 else SoftmaxCrossEntropy()
        if loss.task == "regression" or (loss.task == "binary" and k > 2):
            raise ValueError(f"{loss!r} is a {loss.task} loss; y has {k} classes")
        if isinstance(loss.domain, domains.RowIndices):
            raise ValueError(f"{loss!r} takes soft targets: pass them as y, an (n, k) array of class probabilities "
                             "(fit(X, y) with class labels cannot carry its row-index labels)")
        y_encoded = y_encoded.astype(np.float64)
        self._fit(X, y_encoded, sample_weight, eval_set, eval_sample_weight, loss, n_classes=k)
        self.prior_shift_ = None
        if self.prior_shift and self.loss_.has_posterior and not self.loss_._training_balances_priors():
            margin = _adapter(self.engine).predict_margin(self.booster_, X, self.best_iteration_)
            sw = None if sample_weight is None else _check_sample_weight(sample_weight, X)
            self.prior_shift_ = self.loss_.prior_shift(y_encoded, margin, sw)
        return self

    def _fit_soft_targets(self, X, Y, sample_weight, eval_set, eval_sample_weight):
        """``fit`` with y an (n, k) matrix of class probabilities: SoftTargetCrossEntropy, whose labels
        are row indices into targets built here from the rows of y and of every eval set's y (stacked),
        so scikit-learn's splits, which slice X and y together, keep every row with its targets."""
        _check_numeric_columns(self, X)
        X, Y = validate_data(self, X, Y, accept_sparse=["csr", "csc"], ensure_all_finite="allow-nan",
                             multi_output=True, y_numeric=True)
        self._validate_settings()
        blocks, evals = [V.probability_rows("y", Y)], []
        for i, (Xe, Ye) in enumerate(eval_set or []):
            Ye = np.asarray(Ye, dtype=np.float64)
            if Ye.ndim != 2 or Ye.shape[1] != Y.shape[1] or Ye.shape[0] != _num_samples(Xe):
                raise ValueError(f"with soft targets (y of shape {Y.shape}) every eval_set y must be probabilities "
                                 f"of shape (m, {Y.shape[1]}) with m the rows of its X; eval_set[{i}]: y of shape "
                                 f"{Ye.shape}, X with {_num_samples(Xe)} rows")
            Ye = V.probability_rows(f"eval_set[{i}] y", Ye)  # errors name the eval set's own row
            start = sum(b.shape[0] for b in blocks)
            blocks.append(Ye)
            evals.append((Xe, np.arange(start, start + blocks[-1].shape[0], dtype=np.float64)))
        loss = self._soft_target_loss(np.vstack(blocks))
        self.classes_ = np.arange(Y.shape[1])
        self._fit(X, np.arange(Y.shape[0], dtype=np.float64), sample_weight, evals, eval_sample_weight,
                  loss, encode_eval=lambda rows: rows)
        self.prior_shift_ = None  # its posterior is the softmax link
        return self

    def _soft_target_loss(self, targets):
        updates = self._loss_updates()
        loss = self.loss
        if loss is None or (isinstance(loss, str) and available_losses().get(loss)
                            is SoftTargetCrossEntropy):
            return SoftTargetCrossEntropy(targets, **updates)
        if isinstance(loss, SoftTargetCrossEntropy):
            return loss.with_params(targets=targets, **updates)
        raise ValueError(f"y of shape (n, k) holds soft targets (class probabilities), which need "
                         f"loss=None or SoftTargetCrossEntropy; got loss={loss!r}")

    def _encode_eval(self, y):
        y = np.asarray(y)
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        if not np.all(self.classes_[idx] == y):
            raise ValueError("eval_set contains labels not seen in the training data")
        return idx.astype(np.float64)

    def predict_margin(self, X):
        """Raw margins including the start score: (n,) for binary losses, (n, k) for multiclass (the
        engines' ``output_margin`` / ``raw_score``); ``loss_.posterior`` maps them to probabilities."""
        return self._margin(X)

    def decision_function(self, X):
        """Scores whose sign (binary) or argmax (multiclass) is ``predict``, ranked as
        ``predict_proba``: the raw margins where the probabilities are their link (logistic, softmax,
        the hinges), otherwise the log-odds (multiclass: log-probabilities) of ``predict_proba``,
        floored at log(1e-300). A class-weighted, focal or prior-shifted margin of 0 is not
        probability 1/2, so its sign would disagree with ``predict``; ``predict_margin`` gives it.
        Two classes give one score per row, as scikit-learn expects (a softmax loss: the second
        class's score minus the first's)."""
        margin = self._margin(X)
        shift = getattr(self, "prior_shift_", None)
        if shift is None and (not self.loss_.has_posterior or self.loss_._posterior_is_link()):
            scores = margin
        else:
            p = self.loss_.predict(margin, prior_shift=shift)
            tiny = 1e-300
            if p.ndim == 1:
                return np.log(np.maximum(p, tiny)) - np.log(np.maximum(1.0 - p, tiny))
            scores = np.log(np.maximum(p, tiny))
        # a multiclass loss on two classes: (n, 2) made roc_auc scoring NaN
        return scores[:, 1] - scores[:, 0] if scores.ndim == 2 and scores.shape[1] == 2 else scores

    def predict_proba(self, X):
        """Class probabilities: the loss's class posterior of the margin (``loss.posterior``: a focal
        or class-weighted margin is not a log-odds) with the fitted ``prior_shift_``, or its link for
        the hinge losses, which have none."""
        margin = self._margin(X)  # checks that the model is fitted
        p = self.loss_.predict(margin, prior_shift=getattr(self, "prior_shift_", None))
        if p.ndim == 1:
            return np.column_stack([1.0 - p, p])
        return p

    def predict(self, X):
        check_is_fitted(self, "booster_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
