"""Label domains: which labels a loss accepts, the error that names the first bad one, and a
generator of typical labels for tests (``boostobj.testing`` and the derivative tests draw from it).

``check(y, name, n_classes)`` receives finite float64 labels (shape and finiteness are checked
before, in one place) and raises ValueError naming the value and the row of the first bad label.
"""
from __future__ import annotations

import numpy as np


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


class Domain:
    """Base class: every finite label is accepted. Subclass it for a domain of your own."""

    description = "finite real numbers"
    is_classes = False  # labels are class indices (the loss needs n_classes)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        """Boolean mask of the labels outside the domain."""
        return np.zeros(y.shape, dtype=bool)

    def check(self, y: np.ndarray, name: str = "y", n_classes: int | None = None, what: str = "this loss") -> None:
        bad = self.bad(y, n_classes)
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(f"{name} must contain {self.describe(n_classes)} for {what}, got {float(y[i])!r} at row {i}")

    def describe(self, n_classes: int | None = None) -> str:
        return self.description

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        """Typical labels of this domain (float64)."""
        return rng.normal(0.0, 3.0, n)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Real(Domain):
    pass


class NonNegative(Domain):
    description = "non-negative numbers"

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return y < 0

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        y = rng.poisson(rng.uniform(0.2, 6.0, n)).astype(np.float64)  # counts, zeros included
        y[0] = 0.0
        return y


class Positive(Domain):
    description = "positive numbers"

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return y <= 0

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        return rng.gamma(2.0, 1.5, n) + 1e-3


class Binary(Domain):
    description = "only 0 and 1"
    is_classes = True

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return (y != 0) & (y != 1)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        y = rng.integers(0, 2, n).astype(np.float64)
        y[:2] = [0.0, 1.0]
        return y


class UnitInterval(Domain):
    """Soft binary labels: probabilities of class 1."""

    description = "numbers in [0, 1]"

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return (y < 0) | (y > 1)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        y = rng.uniform(0.0, 1.0, n)
        y[:2] = [0.0, 1.0]
        return y


class Classes(Domain):
    """Integer class indices 0..k-1."""

    is_classes = True

    def describe(self, n_classes: int | None = None) -> str:
        return "integer class indices in 0..k-1" if n_classes is None else \
            f"integer class indices in 0..{n_classes - 1}"

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        bad = (y < 0) | (y != np.floor(y))
        return bad if n_classes is None else bad | (y >= n_classes)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        k = n_classes or 3
        y = rng.integers(0, k, n).astype(np.float64)
        y[:k] = np.arange(k)
        return y


REAL = Real()
NON_NEGATIVE = NonNegative()
POSITIVE = Positive()
BINARY = Binary()
UNIT_INTERVAL = UnitInterval()
CLASSES = Classes()

__all__ = ["Domain", "Real", "NonNegative", "Positive", "Binary", "UnitInterval", "Classes",
           "REAL", "NON_NEGATIVE", "POSITIVE", "BINARY", "UNIT_INTERVAL", "CLASSES"]
