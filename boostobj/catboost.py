"""CatBoost adapter: train with a boostobj loss from its optimal constant; everything the estimators
need to know about CatBoost lives here.

A boostobj loss is a CatBoost objective as it is (``loss_function=loss``: it implements
``calc_ders_range`` and ``calc_ders_multi``, returning minus our gradient and Hessian because
CatBoost maximises), and a boostobj metric is a CatBoost ``eval_metric`` (``evaluate``,
``is_max_optimal``, ``get_final_error``). How the calls are made fast:

* binary and regression losses: CatBoost hands ``calc_ders_range`` numpy views of 1000-row chunks;
  one compiled driver call fills an (n, 2) array per chunk (no per-row Python);
* multiclass: CatBoost calls ``calc_ders_multi`` once per row (it has no range call for several
  dimensions); boostobj resolves the compiled row driver once and each call is one compiled call;
* CatBoost tries to ``numba.njit`` the methods of a user objective; boostobj's objects say
  ``no_jit`` (their methods use ``self`` for the loss's parameters and already call compiled code).

CatBoost starts a custom objective from 0 and has no fitted start score for it. ``train`` / ``fit``
put ``loss.init_score`` into the training and evaluation pools as ``baseline`` (on copies: a pool's
baseline is added by ``predict`` too) and fold it into the model with ``set_scale_and_bias``, so
``model.predict(X, prediction_type="RawFormulaVal")`` and a saved model include it.

Losses whose derivatives depend on all training rows at once (GHM, Dice, ClassBalanced without
bound counts) are refused: CatBoost never shows them all rows in one call.

Leaf refresh (losses with a ``leaf_rule``: Quantile, AbsoluteError, AbsolutePercentageError):
CatBoost cannot change a leaf during training, so boostobj trains in blocks of ``REFRESH_EVERY``
trees. Each block starts from the refreshed model's margins (the pools' baseline); after it, tree by
tree, each leaf becomes the learning rate times the weighted quantile of its training rows'
residuals against the refreshed model before that tree (what CatBoost's ``Quantile`` / ``MAE``
compute with their Exact leaves), and the blocks are summed into one model. Inside a block the
trees are grown on the scores of CatBoost's Newton leaves, made scale-aware by
``LabelScaledObjective``. Evaluation curves and early stopping are computed by boostobj on the
refreshed margins (``model.refreshed_evals_result_`` and ``refreshed_best_iteration_`` after
``train`` / ``fit``).
"""
from __future__ import annotations

from typing import Any

import catboost as cb
import numpy as np

from . import _leaves, domains
from ._engines import check_float32_labels, refuse_chunked, refuse_imbalance_keywords, start_score_rows


def _prepare(loss: Any, y: np.ndarray, w: np.ndarray | None, params: dict, init_score: Any,
             leaf_refresh: Any) -> tuple[Any, Any, bool]:
    """(bound loss, start score, whether to refresh leaves), refusing what CatBoost cannot train
    (``params``: the CatBoost parameters given)."""
    refuse_imbalance_keywords(params)
    n_classes = params.get("classes_count")
    check_float32_labels(y, "CatBoost")
    if isinstance(loss.domain, domains.RowIndices):
        raise ValueError(f"{loss!r} takes row indices as labels, which CatBoost refuses as multiclass targets (each must "
                         "be below the class count): train it with XGBoost or LightGBM")
    loss = loss.bind(y, w, n_classes=n_classes)
    refuse_chunked(loss)
    if loss.keeps_state:
        raise ValueError(f"{loss!r} keeps state across boosting rounds, which CatBoost's objective calls do not allow")
    refresh = _leaves.wanted(loss, leaf_refresh)
    if init_score is None:
        init = loss.init_score(y, w, n_classes=n_classes)
    else:
        init = np.asarray(init_score, dtype=np.float64)
        shape = (loss.resolve_n_classes(y, n_classes),) if loss.task == "multiclass" else ()
        if init.shape != shape or not np.isfinite(init).all():
            raise ValueError(f"init_score must be {'one finite margin per class, shape ' + str(shape) if shape else 'one finite number'} "
                             f"(the constant start score) for {loss!r}, got shape {init.shape}")
        init = init if shape else float(init)
    if loss.task == "multiclass" and np.size(init) == 2:  # CatBoost gives a user objective one dimension here
        raise ValueError(f"{loss!r} on 2 classes: CatBoost trains a custom objective on two classes with one "
                         "margin per row, not two; use a binary loss (bo.Logistic(), bo.Focal(), ...), or "
                         "XGBoost / LightGBM")
    if loss.task == "multiclass":
        missing = sorted(set(range(np.size(init))) - set(np.unique(y).astype(int).tolist()))
        if missing:  # CatBoost renumbers the classes it finds for a user objective: the dimensions would not match
            raise ValueError(f"CatBoost trains a multiclass user objective only when every class 0..{np.size(init) - 1} "
                             f"occurs in the training labels; missing: {missing}")
    return loss, init, refresh


class LabelScaledObjective:
    """The CatBoost objective for a loss with a leaf rule: the loss's derivatives with the gradient
    multiplied by ``scale``, the labels' mean absolute deviation from the start score (weighted as
    the leaf rule weighs rows).

    Why: these losses' gradients are signs (alpha, alpha - 1) with a constant Hessian, so a Newton
    leaf, -sum(g) / (sum(h) + l2), moves at most 1 in label units whatever the labels' scale: too
    little for labels in the thousands, too much for labels of 0.01, and CatBoost grows every tree on
    the scores those leaves give (measured, Quantile(0.9) test loss vs the built-in: 1.5x with labels
    x 1000, 2.6x with labels x 0.01, before the refresh after training). Scaled, the step is the same
    fraction of the residual spread at every scale; the leaf optimum (sum g = 0: the quantile) is
    unchanged, and the leaves are rewritten exactly after training anyway.
    """

    no_jit = True  # tells CatBoost not to numba-compile the method: it calls compiled code

    def __init__(self, loss: Any, scale: float):
        self.loss = loss
        self.scale = float(scale)

    def calc_ders_range(self, approxes: Any, targets: Any, weights: Any) -> np.ndarray:
        """CatBoost's objective call: the loss's (n, 2) derivatives, the first column times ``scale``."""
        ders = self.loss.calc_ders_range(approxes, targets, weights)
        ders[:, 0] *= self.scale
        return ders

    def __repr__(self) -> str:
        return f"LabelScaledObjective({self.loss!r}, scale={self.scale!r})"


def _training_objective(loss: Any, refresh: bool, y: np.ndarray, w: np.ndarray | None, init: Any) -> Any:
    """What CatBoost trains on: the loss, or for leaf refresh its ``LabelScaledObjective``."""
    if not refresh:
        return loss
    rows = _leaves.LeafRefresh(loss, y, w, _leaves.LIGHTGBM)  # the leaf rule's row weights
    spread = np.abs(rows.y - float(init))
    scale = float(np.average(spread, weights=rows.w) if rows.w.size else spread.mean())
    return LabelScaledObjective(loss, scale if scale > 0 else 1.0)


REFRESH_EVERY = 10  # trees between two leaf refreshes: Quantile(0.9) vs the built-in, 4 seeds, worst (mean)
# 1.022 (0.994) every 5 trees, 1.022 (1.004) every 10, 1.036 (1.005) every 20; time 2.9x, 2.2x, 1.9x the built-in


def _reload(model: Any, source: Any) -> None:
    """Load ``source``'s model into the CatBoost object ``model`` in place (CatBoost's private
    calls, as its own ``load_model`` makes them)."""
    model._object._deserialize_model(source._serialize_model())
    model._set_trained_model_attributes()


_ITERATIONS = ("iterations", "n_estimators", "num_boost_round", "num_trees")  # CatBoost's aliases
_SEEDS = ("random_seed", "random_state")
_QUANTIZATION = ("border_count", "max_bin", "feature_border_type", "per_float_feature_quantization", "nan_mode",
                 "input_borders", "ignored_features")


def _take(params: dict, names: tuple, default: Any = None) -> Any:
    """Remove every alias in ``names`` from ``params`` and return the value given (at most one)."""
    given = [name for name in names if params.get(name) is not None]
    if len(given) > 1:
        raise ValueError(f"only one of {', '.join(given)} may be given (CatBoost aliases)")
    values = [params.pop(name, None) for name in names]
    value = next((v for v in values if v is not None), None)
    return default if value is None else value


def _fit_pools(params: dict, train: cb.Pool, evals: list, loss: Any, init: Any, refresh: bool, y: np.ndarray,
               w: np.ndarray | None, fit_kwargs: dict, cut_by_default: bool, model: Any = None) -> Any:
    """Train on pools that carry the start score as baseline; returns the model with the start score
    folded in. Early stopping (``early_stopping_rounds`` / ``od_wait``, in ``params`` or
    ``fit_kwargs``) and ``use_best_model`` (default: ``cut_by_default`` when there is an eval set)
    are applied here, the same way with and without leaf refresh. ``model``: the CatBoost object
    that ends up holding the result (default: a new ``CatBoost``)."""
    params, fit_kwargs = dict(params), dict(fit_kwargs)
    stopping = fit_kwargs.pop("early_stopping_rounds", None)
    stopping = _take(params, ("early_stopping_rounds", "od_wait"), stopping)
    for name in ("od_type", "od_pval"):
        params.pop(name, None)
    cut = fit_kwargs.pop("use_best_model", params.pop("use_best_model", None))
    cut = bool(evals) and ((cut_by_default or stopping is not None) if cut is None else bool(cut))
    if not refresh:
        model = cb.CatBoost(params) if model is None else model
        model.fit(train, eval_set=evals or None, early_stopping_rounds=stopping, use_best_model=cut, **fit_kwargs)
        return fold_init_score(model, init)
    metric = params["eval_metric"]
    if evals and isinstance(metric, str):
        raise ValueError(f"leaf refresh computes the evaluation curves on the refreshed margins, which needs a boostobj "
                         f"metric as eval_metric (e.g. loss.metric()), not CatBoost's {metric!r}")
    total = int(_take(params, _ITERATIONS, 1000))  # CatBoost's default
    seed = int(_take(params, _SEEDS, 0))
    state = _leaves.LeafRefresh(loss, y, w, _leaves.LIGHTGBM)
    state.start_training_score(np.full(y.shape[0], float(init)))
    eval_data = [_labels_and_weights(pool) for pool in evals]
    eval_margins = [np.full(pool.num_row(), float(init)) for pool in evals]
    curves: list[list[float]] = [[] for _ in evals]
    blocks, trees, best = [], 0, None
    if not train.is_quantized() and not any(name in params for name in _QUANTIZATION):
        train.quantize()  # once, not in every block's fit (measured: training time 2.7x -> 2.2x the built-in's)
    while trees < total:
        assert state.train_score is not None
        train.set_baseline(state.train_score[:, None].copy())
        for pool, margin in zip(evals, eval_margins):
            pool.set_baseline(margin[:, None].copy())
        size = min(REFRESH_EVERY, total - trees)
        # metric_period: CatBoost's own metric values would be of the Newton leaves; boostobj computes the curves.
        # No early stopping or best-model cut inside a block: both are decided on the refreshed curves.
        block = cb.CatBoost({"metric_period": size, **params, "iterations": size, "random_seed": seed + trees})
        block.fit(train, eval_set=evals or None, use_best_model=False, **fit_kwargs)
        learning_rate = float(block.get_all_params()["learning_rate"])
        leaf = np.asarray(block.calc_leaf_indexes(train), dtype=np.int64)
        eval_leaf = [np.asarray(block.calc_leaf_indexes(pool), dtype=np.int64) for pool in evals]
        values = np.array(block.get_leaf_values(), dtype=np.float64)
        start = 0
        for tree, n_leaves in enumerate(np.asarray(block.get_tree_leaf_counts(), dtype=np.int64)):
            new = state.leaf_values(leaf[:, tree], learning_rate, int(n_leaves))
            tree_values = values[start:start + n_leaves]
            tree_values[:] = np.where(np.isnan(new), tree_values, new)  # a leaf without training rows keeps its value
            start += n_leaves
            for i, (margin, (ye, we)) in enumerate(zip(eval_margins, eval_data)):
                margin += tree_values[eval_leaf[i][:, tree]]
                curves[i].append(metric.compute(ye, margin, we))
        block.set_leaf_values(values)
        _reload(block, block)  # set_leaf_values changes the stored model, not the evaluator predict() uses
        blocks.append(block)
        trees += block.tree_count_
        if curves:
            watched = np.asarray(curves[-1])  # as CatBoost: the last eval set decides
            best = int(np.argmax(watched) if metric.higher_is_better else np.argmin(watched))
            if stopping is not None and trees - 1 - best >= stopping:
                break
    summed = cb.sum_models(blocks) if len(blocks) > 1 else blocks[0]
    if cut and best is not None and best + 1 < summed.tree_count_:
        summed.shrink(best + 1)
    # sum_models returns a model without parameters: the caller's object (or a CatBoost with the
    # training parameters) holds the trees instead
    model = cb.CatBoost({**params, "iterations": total}) if model is None else model
    _reload(model, summed)
    # the curves on the refreshed margins and their best iteration (CatBoost's get_evals_result /
    # get_best_iteration only know the blocks'); plain attributes, not kept by pickle
    model.refreshed_evals_result_ = {f"validation_{i}": {metric.name: c} for i, c in enumerate(curves)}
    model.refreshed_best_iteration_ = best
    return fold_init_score(model, init)


def _baseline_rows(init: Any, n: int) -> np.ndarray:
    """The start score as a CatBoost baseline: one column per dimension."""
    return start_score_rows(init, n).reshape(n, -1)


def _with_baseline(pool: cb.Pool, init: Any, what: str) -> cb.Pool:
    """A copy of ``pool`` carrying the start score as its baseline."""
    if pool.get_baseline().size:
        raise ValueError(f"the {what} Pool already has a baseline; boostobj sets it from the start score: pass "
                         "init_score=<margin> to choose another start")
    copy = pool.slice(np.arange(pool.num_row()))
    copy.set_baseline(_baseline_rows(init, pool.num_row()))
    return copy


def _labels_and_weights(pool: cb.Pool) -> tuple[np.ndarray, np.ndarray | None]:
    y = np.asarray(pool.get_label(), dtype=np.float64).ravel()
    w = np.asarray(pool.get_weight(), dtype=np.float64).ravel()
    return y, (None if w.size == 0 or np.all(w == 1.0) else w)


def fold_init_score(model: Any, init: Any) -> Any:
    """Add the start score(s) to the model's bias (``set_scale_and_bias``)."""
    scale, bias = model.get_scale_and_bias()
    init = np.asarray(init, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64) + init
    model.set_scale_and_bias(scale, float(bias) if bias.ndim == 0 else [float(b) for b in bias])
    return model


def params_for(params: dict, loss: Any, n_classes: int, objective: Any = None) -> dict:
    """CatBoost parameters for training ``loss`` (a bound loss; ``n_classes``: the size of its start
    score; ``objective``: what CatBoost calls, the loss itself by default)."""
    params = dict(params)
    if "loss_function" in params or "objective" in params:
        raise ValueError("the objective is the loss given to boostobj; remove params['loss_function']")
    params["loss_function"] = loss if objective is None else objective
    # CatBoost requires an eval metric with a user objective; its own metrics would read our margins
    params.setdefault("eval_metric", loss.metric())
    if loss.task == "multiclass":
        params["classes_count"] = int(n_classes)
    return params


def train(params: dict, pool: cb.Pool, loss: Any, iterations: int | None = None, eval_set: Any = None,
          init_score: Any = None, leaf_refresh: bool | None = None, **fit_kwargs: Any) -> cb.CatBoost:
    """Train a ``catboost.CatBoost`` model with ``loss_function=loss`` from ``loss.init_score`` of the
    pool's labels and weights (or ``init_score``), the start score folded into the model's bias.

    ``params`` are CatBoost parameters (``learning_rate``, ``depth``, ...; ``eval_metric`` defaults
    to ``loss.metric()``, CatBoost needs one); ``eval_set`` is a Pool or a list of Pools; other
    keyword arguments go to ``CatBoost.fit`` (``early_stopping_rounds``, ``verbose``, ...); with an
    eval set the model is cut at its best iteration unless ``use_best_model=False`` (CatBoost's
    default). The pools are not modified. Predict with ``predict`` below (the loss's link / posterior).
    """
    if fit_kwargs.get("init_model") is not None:
        raise ValueError("init_model: CatBoost would start from that model's predictions plus boostobj's start score; "
                         "continue training with CatBoost's own fit (loss_function=loss), which adds none")
    y, w = _labels_and_weights(pool)
    loss, init, refresh = _prepare(loss, y, w, params, init_score, leaf_refresh)
    params = params_for(params, loss, np.size(init), _training_objective(loss, refresh, y, w, init))
    if iterations is not None:
        _take(params, _ITERATIONS)  # the argument wins over an alias in params
        params["iterations"] = int(iterations)
    return _fit_pools(params, _with_baseline(pool, init, "training"), _eval_pools(eval_set, init, pool), loss, init,
                      refresh, y, w, fit_kwargs, cut_by_default=True)


def _eval_pools(eval_set: Any, init: Any, like: cb.Pool | None = None, cat_features: Any = None) -> list:
    """Copies of the eval Pools, or Pools of (X, y) pairs, carrying the start score as baseline."""
    if eval_set is None:
        return []
    if isinstance(eval_set, (cb.Pool, tuple)):
        eval_set = [eval_set]
    pools = []
    for i, pair in enumerate(eval_set):
        if not isinstance(pair, cb.Pool):
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise TypeError(f"eval_set[{i}] must be a catboost.Pool or an (X, y) pair, got {type(pair).__name__}")
            features = cat_features if like is None else like.get_cat_feature_indices() or None
            pair = cb.Pool(_features(pair[0]), np.asarray(pair[1], dtype=np.float64), cat_features=features)
        pools.append(_with_baseline(pair, init, f"eval_set[{i}]"))
    return pools


def fit(model: Any, X: Any, y: Any, sample_weight: Any = None, eval_set: Any = None, init_score: Any = None,
        leaf_refresh: bool | None = None, **fit_kwargs: Any) -> Any:
    """``model.fit`` for a CatBoost estimator (CatBoostRegressor / CatBoostClassifier) built with
    ``loss_function=<boostobj loss>``, from the loss's start score, folded into the model.

    Class labels must be 0..k-1 (CatBoost does not encode labels for a custom objective, and its
    classifier's ``predict`` / ``classes_`` do not work with one: use ``predict(model, X, loss)``
    for probabilities, or ``boostobj.BoostClassifier(engine="catboost")``). ``eval_set``: (X, y)
    pairs or Pools. For a loss with a leaf rule the model's ``loss_function`` becomes its
    ``LabelScaledObjective`` (what CatBoost trained on).
    """
    loss = model.get_params().get("loss_function")
    loss = loss.loss if isinstance(loss, LabelScaledObjective) else loss  # as a previous fit left it
    if loss is None or isinstance(loss, str):
        raise ValueError("the model needs a boostobj loss as loss_function (e.g. CatBoostClassifier("
                         "loss_function=boostobj.Focal()))")
    if fit_kwargs.get("init_model") is not None:
        raise ValueError("init_model: CatBoost would start from that model's predictions plus boostobj's start score; "
                         "continue training with the estimator's own fit, which adds none")
    try:
        y = np.asarray(y, dtype=np.float64).ravel()
    except ValueError:
        raise ValueError("CatBoost does not encode labels for a user objective: y must be numbers (class indices "
                         "0..k-1 for classification; boostobj.BoostClassifier(engine='catboost') encodes any labels)") \
            from None
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).ravel()
    loss, init, refresh = _prepare(loss, y, w, model.get_params(), init_score, leaf_refresh)
    updates = {"loss_function": _training_objective(loss, refresh, y, w, init)}
    if "eval_metric" not in model.get_params():
        updates["eval_metric"] = loss.metric()
    if loss.task == "multiclass":
        updates["classes_count"] = int(np.size(init))
    if model.is_fitted():  # CatBoost's set_params refuses a fitted model, though its fit retrains it
        model._init_params.update(updates)
    else:
        model.set_params(**updates)
    cat_features = fit_kwargs.pop("cat_features", None) or model.get_params().get("cat_features")
    train = cb.Pool(_features(X), y, weight=w, baseline=_baseline_rows(init, y.shape[0]), cat_features=cat_features)
    return _fit_pools({**model.get_params(), **updates}, train, _eval_pools(eval_set, init, cat_features=cat_features),
                      loss, init, refresh, y, w, fit_kwargs, cut_by_default=True, model=model)


def predict(model: Any, data: Any, loss: Any, **kwargs: Any) -> np.ndarray:
    """Predictions through the loss's inverse link (class posteriors for classification losses)."""
    return loss.predict(model.predict(data, prediction_type="RawFormulaVal", **kwargs))


def _features(X: Any) -> Any:
    """X as CatBoost takes it: sparse matrices in CSR with int32 indices (CatBoost refuses int64 ones)."""
    if not hasattr(X, "tocsr"):
        return X
    import scipy.sparse as sp

    X = sp.csr_matrix(X)
    if X.nnz > np.iinfo(np.int32).max or X.shape[1] > np.iinfo(np.int32).max:
        raise ValueError(f"CatBoost takes sparse matrices with 32-bit indices; this one has {X.nnz} stored values "
                         f"and {X.shape[1]} columns")
    return sp.csr_matrix((X.data, X.indices.astype(np.int32), X.indptr.astype(np.int32)), shape=X.shape)


# -- what the scikit-learn estimators need (boostobj.sklearn calls these, never CatBoost itself) ----
def fit_estimator(X, y, sample_weight, evals, loss, init, metric, settings):
    """Train for a boostobj estimator; returns (model, evals_result, best_iteration or None)."""
    if settings["device"] != "cpu":
        raise ValueError("device='cuda' computes gradients through XGBoost's device option; CatBoost runs user "
                         "objectives on the CPU only: use engine='xgboost'")
    classes = {"classes_count": np.size(init)} if loss.task == "multiclass" else {}
    loss, init, refresh = _prepare(loss, y, sample_weight, {**settings["extra"], **classes}, init,
                                   settings["leaf_refresh"])
    named = {"depth": settings["max_depth"], "thread_count": settings["n_jobs"], "random_seed": settings["seed"]}
    params = {"learning_rate": settings["learning_rate"], "iterations": settings["n_estimators"],
              "verbose": False, "allow_writing_files": False,
              **{k: v for k, v in named.items() if v is not None}, **settings["extra"]}
    if metric is not None:
        params["eval_metric"] = metric
    params = params_for(params, loss, np.size(init), _training_objective(loss, refresh, y, sample_weight, init))
    train_pool = cb.Pool(_features(X), y, weight=sample_weight, baseline=_baseline_rows(init, y.shape[0]))
    pools = [cb.Pool(_features(Xe), ye, weight=we, baseline=_baseline_rows(init, np.shape(ye)[0]))
             for Xe, ye, we in evals]
    model = _fit_pools(params, train_pool, pools, loss, init, refresh, y, sample_weight,
                       {"early_stopping_rounds": settings["early_stopping_rounds"]}, cut_by_default=False)
    name = params["eval_metric"].name
    if refresh:
        stopped = settings["early_stopping_rounds"] is not None and pools
        return model, model.refreshed_evals_result_, model.refreshed_best_iteration_ if stopped else None
    # CatBoost names one eval set "validation", several "validation_i", and reports the training set
    # as "learn"; the estimators report eval sets as "validation_i", curves under the metric's name
    result = {(key if key.startswith("validation_") else "validation_0"): {name: list(next(iter(curves.values())))}
              for key, curves in model.get_evals_result().items() if key != "learn"}
    best = model.get_best_iteration() if settings["early_stopping_rounds"] is not None and pools else None
    return model, result, best


def predict_margin(model: Any, X: Any, best_iteration: int | None) -> np.ndarray:
    """Raw margins including the start score (a model trained with early stopping is already cut at
    its best iteration: ``use_best_model``)."""
    return np.asarray(model.predict(_features(X), prediction_type="RawFormulaVal"), dtype=np.float64)


def feature_gains(model: Any, n_features: int) -> np.ndarray:
    """CatBoost's PredictionValuesChange importance per feature (its default, a gain-like total)."""
    return np.asarray(model.get_feature_importance(), dtype=np.float64)
