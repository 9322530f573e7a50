"""Public loss classes and the name registry. Each module lists its losses in ``__all__``."""
from . import batch, binary, multiclass, regression
from .base import Constant, Loss, available_losses, get_loss, register
from .binary import *  # noqa: F401,F403
from .multiclass import *  # noqa: F401,F403
from .regression import *  # noqa: F401,F403
from .batch import *  # noqa: F401,F403

LOSSES = [*regression.__all__, *binary.__all__, *multiclass.__all__, *batch.__all__]
__all__ = ["Loss", "Constant", "available_losses", "get_loss", "register", *LOSSES]
