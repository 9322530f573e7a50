"""XGBoost helpers: train with a boostobj loss starting from its optimal constant.

``train`` sets ``base_score`` to ``loss.init_score`` (a vector for multiclass) and an ``objective``
parameter whose link matches the loss, so ``booster.predict(d)`` already returns predictions /
probabilities and ``booster.predict(d, output_margin=True)`` the raw margin including the start
score. Losses with another link (exponential, hinges) keep the identity objective: use
``predict(booster, d, loss)``, which works for every loss. With ``params["device"] = "cuda"`` the
gradients are computed on the GPU (``loss.on("cuda")``, see boostobj.gpu).
"""
import numpy as np
import xgboost as xgb

from ._engines import labels_and_weights
from .links import expit

# booster objective whose prediction transform equals the loss's inverse link
_OBJECTIVE_FOR_LINK = {"identity": "reg:squarederror", "logit": "binary:logistic", "softmax": "multi:softprob"}


def booster_params(params, loss, init):
    """Engine parameters for training ``loss`` from the constant ``init``."""
    params = dict(params)
    if "objective" in params:
        raise ValueError("params['objective'] is set by boostobj from the loss; remove it")
    objective = _OBJECTIVE_FOR_LINK.get(loss.link, "reg:squarederror")
    params["objective"] = objective
    if objective == "binary:logistic":
        params["base_score"] = float(expit(np.float64(init)))  # given as a probability there
    elif loss.task == "multiclass":
        params["num_class"] = int(np.size(init))
        params["base_score"] = [float(v) for v in np.ravel(init)]
    else:
        params["base_score"] = float(init)
    if "eval_metric" not in params:
        # Default metrics would be computed on the custom objective's margins: misleading numbers.
        params["disable_default_eval_metric"] = 1
    return params


def train(params, dtrain, loss, num_boost_round=10, **kwargs):
    """``xgb.train`` with ``obj=loss`` and the start score set to ``loss.init_score`` of the
    training labels and weights. Other keyword arguments go to ``xgb.train`` (evals,
    custom_metric, early_stopping_rounds, ...). Returns the Booster."""
    if "obj" in kwargs:
        raise ValueError("pass the loss as the third argument, not obj=")
    y, w = labels_and_weights(dtrain)
    loss = loss.bind(y, w)
    init = loss.init_score(y, w, n_classes=params.get("num_class"))
    objective = loss.on("cuda") if str(params.get("device", "cpu")).startswith("cuda") else loss
    booster = xgb.train(booster_params(params, loss, init), dtrain, num_boost_round, obj=objective, **kwargs)
    return booster


def predict(booster, data, loss, **kwargs):
    """Predictions through the loss's inverse link (probabilities for classification losses)."""
    if not isinstance(data, xgb.DMatrix):
        data = xgb.DMatrix(data)
    margin = booster.predict(data, output_margin=True, **kwargs)
    return loss.predict(margin)
