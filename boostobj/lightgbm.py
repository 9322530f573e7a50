"""LightGBM helpers: train with a boostobj loss starting from its optimal constant.

LightGBM starts a custom objective from 0 and ``predict`` never adds a Dataset's ``init_score``.
``train`` sets ``init_score`` on the training and validation sets, trains, then adds the constant
to every leaf of the first iteration's tree(s): the returned Booster's ``predict(raw_score=True)``
(and a saved model) then includes the start score with nothing to remember.
"""
import numpy as np
import lightgbm as lgb

from ._engines import labels_and_weights


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


def train(params, train_set, loss, num_boost_round=100, valid_sets=None, **kwargs):
    """``lgb.train`` with ``objective=loss``, started from ``loss.init_score`` of the training
    labels and weights, the start score folded into the model. ``metric`` defaults to "None"
    (built-in metrics would see raw scores); use boostobj metrics via ``feval``."""
    params = dict(params)
    if "objective" in params or "fobj" in kwargs:
        raise ValueError("the objective is the loss given as third argument; remove params['objective']")
    y, w = _labels_and_weights(train_set)
    loss = loss.bind(y, w)
    params["objective"] = loss
    params.setdefault("metric", "None")
    init = None
    if kwargs.get("init_model") is None:
        init = loss.init_score(y, w, n_classes=params.get("num_class"))
        for ds in [train_set, *(valid_sets or [])]:
            ds.set_init_score(_row_init_score(init, len(_labels_and_weights(ds)[0])))
    if loss.task == "multiclass":
        params["num_class"] = int(np.size(init)) if init is not None else params["num_class"]
    booster = lgb.train(params, train_set, num_boost_round, valid_sets=valid_sets, **kwargs)
    if init is not None:
        fold_init_score(booster, init)
    return booster


def predict(booster, data, loss, **kwargs):
    """Predictions through the loss's inverse link (probabilities for classification losses)."""
    return loss.predict(booster.predict(data, raw_score=True, **kwargs))
