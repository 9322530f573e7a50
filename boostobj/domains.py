"""Label domains: which labels a loss accepts, and the error that names the first bad one.

Each domain also has a generator of typical labels for tests (``boostobj.testing`` and the
derivative tests draw from it).

``check(y, name, n_classes)`` receives float labels of the right shape and raises ValueError naming
the value and the row of the first bad label. On the gradient path (``Loss.grad_hess``, called by the
engines every round) the labels' finiteness is tested afterwards, inside the compiled loop, so
``bad`` and ``all_valid`` may see NaN or infinite labels: write them as comparisons (NaN compares
false), not as arithmetic that could warn or raise. A label ``check`` refuses is tested for
finiteness first, so a NaN is reported as non-finite rather than as outside the domain.

A domain that is exactly an interval of float64 values (integers only, or all of them) says so in
``interval``; the gradient loop of an elementwise loss then tests its labels against it, next to
the finiteness test, and ``check`` does not run on that path (a separate pass over 1e7 float32 labels cost
0.2-0.4 ns per label for the intervals' min / max, 1.2 ns for Binary's masks, about what the
hinge kernels take). Only when the loop finds a bad label does ``check`` run, to name it.
"""
from __future__ import annotations

import numpy as np

from ._validation import _first_bad
from .kernels._math import EXP_KNEE

_LARGEST = float(np.finfo(np.float64).max)
_SMALLEST_POSITIVE = float(np.nextafter(0.0, 1.0))  # y > 0 as a closed bound (float32 labels are exact in float64)
# The log-link losses' exponential is exact up to e^EXP_KNEE and continued beyond it (kernels._math):
# a label beyond e^50 (or, for Gamma's e^-z, below e^-50) would have its optimal margin where the
# training loss no longer is the textbook one, and predictions (e^z) would miss it silently.
_EXP_LARGEST = float(np.exp(EXP_KNEE))
_EXP_SMALLEST = float(np.exp(-EXP_KNEE))


class Domain:
    """Base class of label domains: every finite label is accepted. Subclass it for a domain of your own.

    A subclass overrides ``bad`` (and ``description`` or ``describe`` for the error message) and
    ``sample``.

    Attributes
    ----------
    description : str
        What the labels must be, as used in error messages ("... must contain {description} ...").
    is_classes : bool
        True when the labels are class indices (the loss then needs the number of classes).
    interval : tuple of (float, float, bool) or None
        ``(lo, hi, integers)`` when the domain is exactly the finite float64 labels with
        ``lo <= y <= hi`` (integers only, if ``integers``): the gradient loop of an elementwise loss
        then tests its labels itself and ``check`` runs only to name a bad one (so it must be exactly
        the labels ``bad`` accepts; where they disagree the call fails saying so). None (the default,
        and for a subclass that overrides ``bad``, ``all_valid`` or ``check`` without setting it):
        ``check`` runs before every gradient call.
    """

    description = "finite real numbers"
    is_classes = False  # labels are class indices (the loss needs n_classes)
    # (lo, hi, integers): the domain is exactly the float64 values y with lo <= y <= hi (integers
    # only, if set), NaN and infinities excluded; None when it is no such interval (see the module
    # docstring).
    interval: tuple[float, float, bool] | None = None

    def __init_subclass__(cls, **kwargs):
        # A shortcut written for a parent's ``bad`` must not decide for a class whose ``bad`` (or check)
        # is its own, or a mixin's: where ``bad`` comes from a class nearer in the MRO than the one that
        # wrote ``all_valid`` or ``check`` (Real's check does nothing), those are the generic ones (from
        # ``bad``); and ``interval`` is dropped where ``bad``, ``all_valid`` or ``check`` is nearer than it.
        super().__init_subclass__(**kwargs)

        def owner(name):  # the MRO position of the class the attribute comes from (0: cls itself)
            return next(i for i, k in enumerate(cls.__mro__) if name in vars(k))

        bad = owner("bad")
        if owner("all_valid") > bad:
            cls.all_valid = Domain.all_valid  # type: ignore[method-assign]
        if owner("check") > bad:
            cls.check = Domain.check  # type: ignore[method-assign]
        if owner("interval") > min(bad, owner("all_valid"), owner("check")):
            cls.interval = None

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        """Boolean mask of the labels outside the domain.

        Parameters
        ----------
        y : ndarray of shape (n,)
            Float labels, possibly not finite (see the module docstring).
        n_classes : int, optional
            Number of classes, for domains of class indices.

        Returns
        -------
        ndarray of bool, shape (n,)
            True where a label is outside the domain (all False in the base class).
        """
        return np.zeros(y.shape, dtype=bool)

    def check(self, y: np.ndarray, name: str = "y", n_classes: int | None = None, what: object = "this loss") -> None:
        """Raise if any label is outside the domain.

        Parameters
        ----------
        y : ndarray of shape (n,)
            Float labels of the right shape; possibly not finite (see the module's docstring).
        name : str, default="y"
            Name of the labels in the error message.
        n_classes : int, optional
            Number of classes, for domains of class indices.
        what : object, default="this loss"
            What the labels are for, in the error message: its ``str`` (usually the loss itself,
            formatted only when there is an error: engines call the objective every round).

        Raises
        ------
        ValueError
            Naming the value and the row of the first label outside the domain.
        """
        if y.size == 0 or self.all_valid(y, n_classes):
            return
        bad = self.bad(y, n_classes)
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(f"{name} must contain {self.describe(n_classes)} for {what}, got {float(y[i])!r} at row {i}")

    def all_valid(self, y: np.ndarray, n_classes: int | None = None) -> bool:
        """True when no label is ``bad``: the fast test ``check`` runs on every call (engines call the
        objective every round), before ``bad`` locates the first offender. Subclasses whose domain is
        an interval answer with min / max reductions, which make no temporary arrays (UnitInterval on
        1e7 labels: about half the time of ``bad(y).any()``).

        Parameters
        ----------
        y : ndarray of shape (n,), n >= 1
            Float labels, possibly not finite (see the module docstring).
        n_classes : int, optional
            Number of classes, for domains of class indices.

        Returns
        -------
        bool
        """
        return not self.bad(y, n_classes).any()

    def describe(self, n_classes: int | None = None) -> str:
        """What the labels must be, for error messages (``description`` in the base class).

        Parameters
        ----------
        n_classes : int, optional
            Number of classes, for domains whose description depends on it.

        Returns
        -------
        str
            The description, e.g. "non-negative numbers".
        """
        return self.description

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        """Typical labels of this domain (float64), for tests.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        n : int
            Number of labels.
        n_classes : int, optional
            Number of classes, for domains of class indices.

        Returns
        -------
        ndarray of shape (n,)
            Random labels of the domain (normal with standard deviation 3 in the base class).
        """
        return rng.normal(0.0, 3.0, n)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Real(Domain):
    """Every finite real number (regression with the identity link)."""

    interval = (-_LARGEST, _LARGEST, False)

    def check(self, y, name="y", n_classes=None, what="this loss"):
        """Nothing to check beyond finiteness (done before, in one place)."""


class NonNegative(Domain):
    """Labels >= 0 (Poisson, Tweedie). ``sample`` draws Poisson counts, zeros included."""

    description = "non-negative numbers"
    interval = (0.0, _LARGEST, False)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return y < 0

    def all_valid(self, y: np.ndarray, n_classes: int | None = None) -> bool:
        return bool(y.min() >= 0)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        y = rng.poisson(rng.uniform(0.2, 6.0, n)).astype(np.float64)  # counts, zeros included
        y[0] = 0.0
        return y


class Positive(Domain):
    """Labels > 0 (Gamma). ``sample`` draws from a Gamma distribution shifted by 1e-3."""

    description = "positive numbers"
    interval = (_SMALLEST_POSITIVE, _LARGEST, False)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return y <= 0

    def all_valid(self, y: np.ndarray, n_classes: int | None = None) -> bool:
        return bool(y.min() > 0)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        return rng.gamma(2.0, 1.5, n) + 1e-3


class NonNegativeExp(NonNegative):
    """Labels in [0, e^50] (Poisson, Tweedie): the log link's exponential is exact up to e^50
    (about 5.2e21) and continued beyond it, where a model could no longer predict the label."""

    description = "non-negative numbers up to e^50 (5.18e21; rescale larger targets)"
    interval = (0.0, _EXP_LARGEST, False)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return (y < 0) | (y > _EXP_LARGEST)

    def all_valid(self, y: np.ndarray, n_classes: int | None = None) -> bool:
        return bool(y.min() >= 0) and bool(y.max() <= _EXP_LARGEST)


class PositiveExp(Positive):
    """Labels >= e^-50 (Gamma, whose e^-z is exact up to e^50: a smaller label's optimal margin
    would lie beyond it)."""

    description = "positive numbers from e^-50 (1.93e-22; rescale smaller targets)"
    interval = (_EXP_SMALLEST, _LARGEST, False)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return y < _EXP_SMALLEST

    def all_valid(self, y: np.ndarray, n_classes: int | None = None) -> bool:
        return bool(y.min() >= _EXP_SMALLEST)


class NonZero(Domain):
    """Labels != 0 (relative errors such as the MAPE objective divide by :math:`|y|`). ``sample`` draws
    magnitudes over two orders of magnitude, both signs."""

    description = "non-zero numbers"

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return y == 0

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        return rng.choice([-1.0, 1.0], n) * np.exp(rng.uniform(np.log(0.1), np.log(10.0), n))


class Binary(Domain):
    """Labels exactly 0 or 1 (binary classification). ``sample`` includes both classes when n >= 2."""

    description = "only 0 and 1"
    is_classes = True
    interval = (0.0, 1.0, True)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return (y != 0) & (y != 1)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        y = rng.integers(0, 2, n).astype(np.float64)
        y[:2] = [0.0, 1.0][:n]
        return y


class UnitInterval(Domain):
    """Soft binary labels in [0, 1]: probabilities of class 1. ``sample`` includes 0 and 1 when n >= 2."""

    description = "numbers in [0, 1]"
    interval = (0.0, 1.0, False)

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return (y < 0) | (y > 1)

    def all_valid(self, y: np.ndarray, n_classes: int | None = None) -> bool:
        return bool(y.min() >= 0) and bool(y.max() <= 1)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        y = rng.uniform(0.0, 1.0, n)
        y[:2] = [0.0, 1.0][:n]
        return y


class Classes(Domain):
    """Integer class indices 0..k-1 (multiclass); the bound k - 1 is checked when ``n_classes`` is given.

    ``sample`` draws from ``n_classes`` classes (3 when None), every class present when n >= k.
    """

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
        y[:k] = np.arange(k)[:n]
        return y


class RowIndices(Domain):
    """Integer row indices 0..n_rows-1 into a per-row parameter (the soft targets of
    :class:`~boostobj.SoftTargetCrossEntropy`): each label names the row whose targets it takes, so
    the targets cannot be misaligned with the rows the engine passes, whatever their order or subset.
    ``sample`` draws every index when n >= n_rows.

    Parameters
    ----------
    n_rows : int
        Number of rows of the per-row parameter.
    """

    def __init__(self, n_rows: int):
        self.n_rows = int(n_rows)

    def describe(self, n_classes: int | None = None) -> str:
        return f"integer row indices in 0..{self.n_rows - 1} (rows of the targets)"

    def bad(self, y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
        return (y < 0) | (y != np.floor(y)) | (y >= self.n_rows)

    def sample(self, rng: np.random.Generator, n: int, n_classes: int | None = None) -> np.ndarray:
        return (np.arange(n) % self.n_rows).astype(np.float64)

    def __repr__(self) -> str:
        return f"RowIndices({self.n_rows})"


REAL = Real()
NON_NEGATIVE = NonNegative()
POSITIVE = Positive()
NON_NEGATIVE_EXP = NonNegativeExp()
POSITIVE_EXP = PositiveExp()
NON_ZERO = NonZero()
BINARY = Binary()
UNIT_INTERVAL = UnitInterval()
CLASSES = Classes()

__all__ = ["Domain", "Real", "NonNegative", "Positive", "NonZero", "Binary", "UnitInterval", "Classes",
           "RowIndices", "REAL", "NON_NEGATIVE", "POSITIVE", "NON_ZERO", "BINARY", "UNIT_INTERVAL", "CLASSES"]

