"""LightGBM adapter: train with a boostobj loss starting from its optimal constant; everything the
estimators and Dask helpers need to know about LightGBM lives here.

LightGBM starts a custom objective from 0 and ``predict`` never adds a Dataset's ``init_score``.
``train`` sets ``init_score`` on the training and validation sets, trains, then adds the constant
to every leaf of the first iteration's tree(s): the returned Booster's ``predict(raw_score=True)``
(and a saved model) then includes the start score with nothing to remember.
"""
import warnings

import lightgbm as lgb
import numpy as np

from ._engines import check_float32_labels, labels_and_weights


def _row_init_score(init, n):
    init = np.asarray(init, dtype=np.float64)
    return np.full(n, float(init)) if init.ndim == 0 else np.tile(init, (n, 1))


def _labels_and_weights(dataset):
    """Labels and weights of a Dataset, constructed or not (constructing it here would bin the
    data before ``lgb.train`` sees the parameters)."""
    if dataset._handle is not None:
        return labels_and_weights(dataset)
    if dataset.label is None:
        raise ValueError("the LightGBM Dataset has no label")
    y = np.asarray(dataset.label, dtype=np.float64).ravel()
    w = None if dataset.weight is None else np.asarray(dataset.weight, dtype=np.float64).ravel()
    return y, w


def fold_init_score(booster, init):
    """Add the constant start score(s) to the leaves of the first iteration's trees."""
    init = np.atleast_1d(np.asarray(init, dtype=np.float64))
    if booster.num_trees() < init.size:
        raise ValueError("the booster has no complete first iteration to hold the start score")
    trees = booster.dump_model(num_iteration=1)["tree_info"]
    for tree_id, c in enumerate(init):
        for leaf in range(trees[tree_id]["num_leaves"]):
            booster.set_leaf_output(tree_id, leaf, booster.get_leaf_output(tree_id, leaf) + float(c))
    return booster


def train(params, train_set, loss, num_boost_round=100, valid_sets=None, init_score=None, **kwargs):
    """``lgb.train`` with ``objective=loss``, started from ``loss.init_score`` of the training
    labels and weights (or ``init_score`` when given), the start score folded into the model.
    ``metric`` defaults to "None" (built-in metrics would see raw scores); use boostobj metrics via
    ``feval``. LightGBM never applies a custom objective's link: predict with ``predict`` below.

    The start score is set as ``init_score`` on the training and validation sets for the duration of
    training and removed afterwards (a Dataset that already carries an ``init_score`` is refused:
    pass ``init_score=`` here to choose the start). With ``init_model`` LightGBM continues from that
    model's predictions and no start score is added.
    """
    params = dict(params)
    if "objective" in params or "fobj" in kwargs:
        raise ValueError("the objective is the loss given as third argument; remove params['objective']")
    y, w = _labels_and_weights(train_set)
    check_float32_labels(y, "LightGBM")
    loss = loss.bind(y, w, n_classes=params.get("num_class"))
    params["objective"] = loss
    params.setdefault("metric", "None")
    datasets = [train_set, *(valid_sets or [])]
    init = None
    if kwargs.get("init_model") is None:
        for ds in datasets:
            if (ds.init_score if ds._handle is None else ds.get_init_score()) is not None:
                raise ValueError("a Dataset given to boostobj.lightgbm.train already has an init_score; the start "
                                 "score is set from the loss (pass init_score=<margin> to choose it)")
        init = loss.init_score(y, w, n_classes=params.get("num_class")) if init_score is None else init_score
        for ds in datasets:
            ds.set_init_score(_row_init_score(init, len(_labels_and_weights(ds)[0])))
    if loss.task == "multiclass":
        params["num_class"] = int(np.size(init)) if init is not None else _num_class(params, kwargs["init_model"])
    try:
        booster = lgb.train(params, train_set, num_boost_round, valid_sets=valid_sets, **kwargs)
    finally:
        if init is not None:
            for ds in datasets:  # leave the caller's Datasets as they were (set_init_score(None)
                if ds._handle is not None:  # clears only the Python attribute, not LightGBM's copy)
                    ds.set_field("init_score", None)
                ds.init_score = None
    if init is not None:
        fold_init_score(booster, init)
    return booster


def _num_class(params, init_model):
    """The number of classes when continuing a multiclass model."""
    if "num_class" in params:
        return int(params["num_class"])
    model = init_model if isinstance(init_model, lgb.Booster) else lgb.Booster(model_file=str(init_model))
    return int(model.num_model_per_iteration())


def predict(booster, data, loss, **kwargs):
    """Predictions through the loss's inverse link (probabilities for classification losses)."""
    return loss.predict(booster.predict(data, raw_score=True, **kwargs))


# -- what the scikit-learn estimators need (boostobj.sklearn calls these, never LightGBM itself) -----
def fit_estimator(X, y, sample_weight, evals, loss, init, metric, settings):
    """Train for a boostobj estimator; returns (booster, evals_result, best_iteration or None)."""
    named = {"max_depth": settings["max_depth"], "num_threads": settings["n_jobs"], "seed": settings["seed"]}
    # feature_pre_filter=False: with few rows LightGBM would otherwise drop every feature at Dataset
    # construction (min_data_in_leaf) and abort training with a custom objective.
    params = {"learning_rate": settings["learning_rate"], "verbose": -1, "feature_pre_filter": False,
              **{k: v for k, v in named.items() if v is not None}, **settings["extra"]}
    _warn_unknown_parameters(settings["extra"])
    if settings["device"] != "cpu":
        raise ValueError("device='cuda' computes gradients through XGBoost's device option; "
                         "use engine='xgboost' (LightGBM's GPU builds take no custom objective on the device)")
    dtrain = lgb.Dataset(X, label=y, weight=sample_weight, free_raw_data=True)
    valid = [lgb.Dataset(Xe, label=ye, weight=we, reference=dtrain) for Xe, ye, we in evals]
    result: dict = {}
    callbacks = [lgb.record_evaluation(result)]
    if settings["early_stopping_rounds"] is not None:
        callbacks.append(lgb.early_stopping(int(settings["early_stopping_rounds"]), verbose=False))
    booster = train(params, dtrain, loss, settings["n_estimators"], valid_sets=valid or None, init_score=init,
                    valid_names=[f"validation_{i}" for i in range(len(valid))] or None,
                    feval=metric, callbacks=callbacks)
    stopped = settings["early_stopping_rounds"] is not None and booster.best_iteration
    return booster, result, booster.best_iteration - 1 if stopped else None


def _warn_unknown_parameters(params):
    """Warn about parameter names LightGBM does not know (it would, with verbose >= 0)."""
    try:
        from lightgbm.basic import _ConfigAliases

        known = {name for names in _ConfigAliases._get_all_param_aliases().values() for name in names}
        known |= set(_ConfigAliases._get_all_param_aliases())
    except (ImportError, AttributeError):  # a LightGBM without the alias table: nothing to check against
        return
    unknown = sorted(set(params) - known)
    if unknown:
        warnings.warn(f"Unknown LightGBM parameter(s): {', '.join(unknown)} (misspelled?); they are ignored",
                      UserWarning, stacklevel=4)


def predict_margin(booster, X, best_iteration):
    """Raw margins including the start score (LightGBM predicts at the best iteration by itself)."""
    return booster.predict(X, raw_score=True)


def feature_gains(booster, n_features):
    """Total gain per feature."""
    return booster.feature_importance(importance_type="gain").astype(np.float64)


# -- Dask ---------------------------------------------------------------------------------------------
def dask_fit(client, X, y, loss, sample_weight=None, **params):
    """Fit ``lightgbm.dask`` with ``objective=loss`` from the global start score
    (``boostobj.dask.init_score``), folded into the model, so ``model.predict(X, raw_score=True)``
    includes it. Returns the fitted Dask model (``dask_predict`` gives probabilities)."""
    import dask.array as da
    from lightgbm import dask as dlgb

    from . import dask as bdask

    loss, init = bdask.bound_start(loss, y, sample_weight, params.get("num_class"))
    ya = bdask._as_dask_array(y).ravel()
    chunks = ya.chunks[0]
    if np.ndim(init) == 0:
        init_rows = da.full(ya.shape, float(init), chunks=chunks)
    else:
        init_rows = da.tile(da.from_array(np.asarray(init)[None, :]), (ya.shape[0], 1)).rechunk((chunks, -1))
    cls = dlgb.DaskLGBMRegressor if loss.task == "regression" else dlgb.DaskLGBMClassifier
    params = {"verbose": -1, "metric": "None", **params}
    model = cls(client=client, objective=loss, **params)
    model.fit(X, y, sample_weight=sample_weight, init_score=init_rows)
    fold_init_score(model.booster_, init)
    return model


def dask_predict(model, X, loss):
    """Predictions through the loss's link (a Dask array)."""
    raw = model.predict(X, raw_score=True)
    return raw.map_blocks(loss.predict, dtype=np.float64)
