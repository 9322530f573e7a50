"""boostobj: exact, stable, fast custom objectives and metrics for XGBoost and LightGBM."""
from .losses import *  # noqa: F401,F403
from .losses import __all__ as _loss_names
from . import metrics  # noqa: E402
from .drivers import get_num_threads, set_num_threads  # noqa: E402

__version__ = "0.1.0"


def __getattr__(name):  # the estimators need scikit-learn, an optional dependency: import on use
    if name in ("BoostRegressor", "BoostClassifier"):
        from . import sklearn as _sk

        return getattr(_sk, name)
    raise AttributeError(f"module 'boostobj' has no attribute {name!r}")
__all__ = list(_loss_names) + ["metrics", "get_num_threads", "set_num_threads"]
