"""boostobj: exact, stable, fast custom objectives and metrics for XGBoost and LightGBM.

Public names: the losses, ``get_loss`` / ``available_losses``, the estimators ``BoostRegressor`` /
``BoostClassifier`` (need scikit-learn), ``set_num_threads`` / ``get_num_threads``, ``kernel`` (the
decorator for kernels of your own losses), and the submodules ``metrics``, ``links``, ``domains``,
``xgboost``, ``lightgbm``, ``dask``, ``testing``, ``plot`` (imported on first use, so that a missing optional
engine costs nothing until it is needed).
"""
import importlib as _importlib

from . import domains, links, metrics
from .drivers import get_num_threads, set_num_threads
from .kernels._math import jitable as kernel
from .losses import *  # noqa: F401,F403
from .losses import __all__ as _loss_names

__version__ = "0.2.0"

_LAZY_MODULES = ("xgboost", "lightgbm", "dask", "testing", "gpu", "sklearn", "plot")
_ESTIMATORS = ("BoostRegressor", "BoostClassifier")

__all__ = [*_loss_names, *_ESTIMATORS, "get_num_threads", "set_num_threads", "kernel",
           "metrics", "links", "domains", "xgboost", "lightgbm", "dask", "testing", "plot"]


def __getattr__(name):
    if name in _ESTIMATORS:  # scikit-learn is an optional dependency: import on use
        return getattr(_importlib.import_module(".sklearn", __name__), name)
    if name in _LAZY_MODULES:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'boostobj' has no attribute {name!r}")


def __dir__():
    return sorted([*__all__, "__version__"])
