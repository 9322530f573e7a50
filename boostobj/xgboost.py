"""XGBoost adapter: train with a boostobj loss from its optimal constant; everything the estimators
and Dask helpers need to know about XGBoost lives here.

``train`` sets ``base_score`` to ``loss.init_score`` (a vector for multiclass) and the ``objective``
parameter the loss's link names (``loss.link.xgboost_objective``: identity -> reg:squarederror,
log -> reg:tweedie, logit -> binary:logistic, softmax -> multi:softprob), so
``booster.predict(d)`` returns means / probabilities and ``predict(d, output_margin=True)`` the
margin including the start score. Links XGBoost cannot apply (the exponential loss's sigma(2z), the
hinge links) keep the identity objective: the booster then predicts margins; ``predict(booster, d,
loss)`` works for every loss. With ``params["device"] = "cuda"`` the gradients are computed on the
GPU (``objective(loss, "cuda")``, see boostobj.gpu).

Leaf refresh (losses with a ``leaf_rule``: Quantile, AbsoluteError): after each tree, ``train``
recomputes its leaves as ``eta`` times the weighted quantile of the residuals of their rows, as
XGBoost's ``reg:quantileerror`` / ``reg:absoluteerror`` do. XGBoost has no API to change a leaf of
a booster in training, so the objective and ``custom_metric`` read margins kept by boostobj, and
the leaf values are written into the returned booster once, at the end of training (callbacks that
predict with the booster during training see the engine's leaves).
"""
from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import xgboost as xgb

from . import _leaves, drivers
from ._engines import check_float32_labels, labels_and_weights, objective_call, refuse_imbalance_keywords


def objective(loss: Any, device: str = "cpu") -> Any:
    """The XGBoost objective for ``loss`` computing on ``device``: the loss itself on the CPU, a
    ``boostobj.gpu.DeviceObjective`` for "cuda" (CPU fallback with a warning without a GPU)."""
    if device == "cpu":
        return loss.training_objective()
    if not str(device).startswith("cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    from .gpu import DeviceObjective

    return DeviceObjective(loss, device)


def booster_params(params: dict, loss: Any, init: Any) -> dict:
    """Engine parameters for training ``loss`` from the constant ``init``."""
    params = dict(params)
    refuse_imbalance_keywords(params)
    if "objective" in params:
        raise ValueError("params['objective'] is set by boostobj from the loss's link; remove it")
    if "base_score" in params:
        raise ValueError("params['base_score'] is set by boostobj from loss.init_score; pass init_score=<margin> "
                         "to boostobj.xgboost.train to choose the start score")
    link = loss.link
    params["objective"] = link.xgboost_objective or "reg:squarederror"
    params["base_score"] = link.xgboost_base_score(init)
    if loss.task == "multiclass":
        params["num_class"] = int(np.size(init))
    if "eval_metric" not in params:
        # Default metrics would be computed on the custom objective's margins: misleading numbers.
        params["disable_default_eval_metric"] = 1
    return params


def train(params: dict, dtrain: xgb.DMatrix, loss: Any, num_boost_round: int = 10, init_score: Any = None,
          leaf_refresh: bool | None = None, **kwargs: Any) -> xgb.Booster:
    """``xgb.train`` with ``obj=loss`` and the start score set to ``loss.init_score`` of the
    training labels and weights (or ``init_score`` when given). Other keyword arguments go to
    ``xgb.train`` (evals, custom_metric, early_stopping_rounds, ...). Returns the Booster.

    ``leaf_refresh`` (default: on for losses with a leaf rule) recomputes each tree's leaves as the
    weighted quantile of their rows' residuals (module docstring); it refuses ``subsample < 1``,
    DART, random forests and built-in ``eval_metric`` (use ``custom_metric``).

    A DMatrix that carries a ``base_margin`` is refused (training would start from it while the
    model's start score is ``base_score``). With ``xgb_model`` XGBoost continues from that model's
    predictions, its start score included: none is set (``init_score`` is refused).
    """
    if "obj" in kwargs:
        raise ValueError("pass the loss as the third argument, not obj=")
    for d in (dtrain, *(d for d, _ in kwargs.get("evals") or [])):
        if d.get_base_margin().size:
            raise ValueError("a DMatrix given to boostobj.xgboost.train has a base_margin: training would start from "
                             "it, the model's predictions from base_score; the start score is set from the loss "
                             "(pass init_score=<margin> to choose it)")
    continuing = kwargs.get("xgb_model") is not None
    if continuing and init_score is not None:
        raise ValueError("init_score with xgb_model: training continues from the model's predictions, whose start "
                         "score is the model's own")
    y, w = labels_and_weights(dtrain)
    loss = loss.bind(y, w, n_classes=params.get("num_class"))
    init = loss.init_score(y, w, n_classes=params.get("num_class")) if init_score is None else init_score
    params = booster_params(params, loss, init)
    if continuing:  # a base_score here would replace the model's and shift every tree it has
        del params["base_score"]
    if not _leaves.wanted(loss, leaf_refresh):
        return xgb.train(params, dtrain, num_boost_round, obj=objective(loss, str(params.get("device", "cpu"))),
                         **kwargs)
    _check_refresh_params(params, loss)
    hooks = _LeafRefresh(loss, dtrain, y, w, kwargs.get("evals") or [])
    kwargs["callbacks"] = [hooks, *(kwargs.get("callbacks") or [])]  # first: refresh before the others run
    if kwargs.get("custom_metric") is not None:
        kwargs["custom_metric"] = hooks.metric(kwargs["custom_metric"])
    return xgb.train(params, dtrain, num_boost_round, obj=hooks.objective, **kwargs)


def _check_refresh_params(params: dict, loss: Any) -> None:
    def refuse(what, hint=""):
        _leaves.refuse("XGBoost", loss, what, hint)
    if float(params.get("subsample", 1.0)) < 1.0:
        refuse("subsample < 1", " (the rows XGBoost samples for a tree are not visible to a custom objective)")
    if params.get("booster", "gbtree") != "gbtree":
        refuse(f"booster={params['booster']!r}")
    if int(params.get("num_parallel_tree", 1)) != 1:
        refuse("num_parallel_tree > 1")
    if params.get("process_type", "default") != "default":
        refuse(f"process_type={params['process_type']!r}")
    if "eval_metric" in params:
        refuse("a built-in eval_metric", " (it reads XGBoost's cached predictions, which never see the refreshed "
               "leaves): pass a boostobj metric as custom_metric=, e.g. loss.metric(),")


class _LeafRefresh(xgb.callback.TrainingCallback):
    """Leaf refresh for one ``xgb.train`` run: its objective, metric wrapper and callback."""

    def __init__(self, loss, dtrain, y, w, evals):
        super().__init__()
        self.loss = loss
        self.dtrain = dtrain
        # each data set once, however often it is listed: a tree moves its margins once
        self.evals = list({id(d): d for d, _ in evals if d is not dtrain}.values())
        self.state = _leaves.LeafRefresh(loss, y, w, _leaves.XGBOOST)
        self.booster: xgb.Booster | None = None
        self.new_leaves: dict[int, np.ndarray] = {}  # tree index -> leaf values by node id

    def before_training(self, model):
        self.booster = model
        self.state.trees_done = model.num_boosted_rounds()
        for d in self.evals:
            self.state.track(d, model.predict(d, output_margin=True))
        return model

    def objective(self, raw, dtrain):
        self.catch_up()
        return objective_call(self.loss, self.state.start_training_score(raw), dtrain)

    def metric(self, user_metric):
        def refreshed_metric(raw, dmat):
            self.catch_up()
            return user_metric(self.state.score_of(dmat, self.dtrain), dmat)
        return refreshed_metric

    def after_iteration(self, model, epoch, evals_log):
        self.catch_up()
        return False

    def after_training(self, model):
        self.catch_up()
        return _with_leaf_values(model, self.new_leaves)

    def catch_up(self):
        """Refresh the trees grown since the last call."""
        with drivers.engine_call():
            self._catch_up()

    def _catch_up(self):
        booster = self.booster
        assert booster is not None
        while self.state.trees_done < booster.num_boosted_rounds():
            i = self.state.trees_done
            tree = booster[i:i + 1]
            eta = float(json.loads(booster.save_config())["learner"]["gradient_booster"]["tree_train_param"]["eta"])
            leaf = tree.predict(self.dtrain, pred_leaf=True).astype(np.int64)
            values = self.state.leaf_values(leaf, eta, 0, float32=True)
            self.new_leaves[i] = values
            for d in self.evals:
                leaf = tree.predict(d, pred_leaf=True).astype(np.int64)
                if leaf.max() >= values.size or np.isnan(values[leaf]).any():  # a leaf without training rows
                    values = _leaf_values_filled(tree, values)
                self.state.advance(d, leaf, values)
            self.state.trees_done += 1


def _leaf_values_filled(tree: xgb.Booster, values: np.ndarray) -> np.ndarray:
    """``values`` by node id, with the engine's value for leaves that got none (no training rows)."""
    nodes = json.loads(tree.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"][0]
    engine = np.asarray(nodes["split_conditions"], dtype=np.float64)
    filled = np.full(engine.size, np.nan)
    filled[:values.size] = values
    return np.where(np.isnan(filled), engine, filled)


def _with_leaf_values(booster: xgb.Booster, new_leaves: dict) -> xgb.Booster:
    """A copy of ``booster`` with the given leaf values (tree index -> values by node id)."""
    if not new_leaves:
        return booster
    model = json.loads(booster.save_raw("json"))
    trees = model["learner"]["gradient_booster"]["model"]["trees"]
    for i, values in new_leaves.items():
        tree = trees[i]
        for node in np.flatnonzero(np.asarray(tree["left_children"][:values.size]) == -1):
            if not np.isnan(values[node]):  # a leaf without training rows keeps its value
                tree["split_conditions"][node] = tree["base_weights"][node] = float(values[node])
    patched = xgb.Booster(model_file=bytearray(json.dumps(model).encode()))
    patched.load_config(booster.save_config())
    return patched


def predict(booster: xgb.Booster, data: Any, loss: Any, **kwargs: Any) -> np.ndarray:
    """Predictions through the loss's inverse link (probabilities for classification losses)."""
    if not isinstance(data, xgb.DMatrix):
        data = xgb.DMatrix(data)
    return loss.predict(booster.predict(data, output_margin=True, **kwargs))


# -- what the scikit-learn estimators need (boostobj.sklearn calls these, never XGBoost itself) ------
def fit_estimator(X, y, sample_weight, evals, loss, init, metric, settings):
    """Train for a boostobj estimator; returns (booster, evals_result, best_iteration or None)."""
    named = {"max_depth": settings["max_depth"], "nthread": settings["n_jobs"], "seed": settings["seed"]}
    # verbosity 1 (XGBoost's default): it reports misspelled parameters ("... are not used")
    params = {"eta": settings["learning_rate"], "verbosity": 1, "device": settings["device"],
              **{k: v for k, v in named.items() if v is not None}, **settings["extra"]}
    check_float32_labels(y, "XGBoost")
    dtrain = xgb.DMatrix(X, label=y, weight=sample_weight)
    watch = [(xgb.DMatrix(Xe, label=ye, weight=we), f"validation_{i}") for i, (Xe, ye, we) in enumerate(evals)]
    result: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        booster = train(params, dtrain, loss, settings["n_estimators"], init_score=init, evals=watch,
                        custom_metric=metric, early_stopping_rounds=settings["early_stopping_rounds"],
                        evals_result=result, verbose_eval=False, leaf_refresh=settings["leaf_refresh"])
    for w in caught:  # pass XGBoost's warnings on, except the GPU fallback the estimator documents
        if "No visible GPU" not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    best = booster.best_iteration if settings["early_stopping_rounds"] is not None else None
    return booster, result, best


def predict_margin(booster: xgb.Booster, X: Any, best_iteration: int | None) -> np.ndarray:
    """Raw margins including the start score, up to the best iteration when early stopping chose one."""
    rng = (0, best_iteration + 1) if best_iteration is not None else (0, 0)
    return booster.predict(xgb.DMatrix(X), output_margin=True, iteration_range=rng)


def feature_gains(booster: xgb.Booster, n_features: int) -> np.ndarray:
    """Total gain per feature."""
    score = booster.get_score(importance_type="total_gain")
    return np.array([score.get(f"f{i}", 0.0) for i in range(n_features)], dtype=np.float64)


# -- Dask ---------------------------------------------------------------------------------------------
def dask_train(client, params, X, y, loss, sample_weight=None, num_boost_round=10, leaf_refresh=None, **kwargs):
    """``xgboost.dask.train`` with ``obj=loss`` started from the global start score
    (``boostobj.dask.init_score``, as ``base_score``). Returns xgboost.dask's {"booster", "history"}.
    Leaf refresh is not available on Dask: losses with a leaf rule need ``leaf_refresh=False``."""
    from xgboost import dask as dxgb

    from . import dask as bdask

    n_classes = params.get("num_class")
    loss, init = bdask.bound_start(loss, y, sample_weight, n_classes, leaf_refresh)
    dtrain = dxgb.DaskDMatrix(client, X, y, weight=sample_weight)
    return dxgb.train(client, booster_params(params, loss, init), dtrain, num_boost_round,
                      obj=loss.training_objective(), **kwargs)


def dask_predict(client, booster, X, loss):
    """Predictions through the loss's link (a Dask array); margins include the start score."""
    from xgboost import dask as dxgb

    margin = dxgb.predict(client, booster, X, output_margin=True)
    return margin.map_blocks(loss.predict, dtype=np.float64)
