"""Public loss classes and the name registry."""
from .base import Loss, available_losses, get_loss, register
from .binary import Exponential, Focal, Logistic, SmoothHinge, SquaredHinge
from .multiclass import ClassBalanced, SoftmaxCrossEntropy, SoftmaxFocal
from .regression import (AbsoluteError, Expectile, Fair, Huber, LogCosh, PseudoHuber, Quantile,
                         SquaredError)

__all__ = [
    "Loss", "available_losses", "get_loss", "register",
    "SquaredError", "AbsoluteError", "Huber", "PseudoHuber", "LogCosh", "Quantile", "Expectile", "Fair",
    "Logistic", "Focal", "Exponential", "SmoothHinge", "SquaredHinge",
    "SoftmaxCrossEntropy", "SoftmaxFocal", "ClassBalanced",
]
