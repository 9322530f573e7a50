"""``cached_njit``: numba's ``njit(cache=True)`` made safe for processes compiling at the same time.

numba keeps one index file per function (for the driver factories: one for every kernel's closure
and every signature) and numbers the machine-code files from what that index held when it was
read. Two processes adding entries at once, or a process still running an older source next to a
newer one, can leave the index pointing an entry at another entry's machine code (numba issue
#10128, still open, suggests a file lock). Observed here: a driver raising "can't unbox array"
after a docs build and a test run had compiled side by side; a wrong kernel's code of the same
signature would give wrong gradients without a word. Dask worker processes and joblib-parallel
searches compile side by side, so every load and save of a boostobj dispatcher's cache holds an
exclusive lock on a file next to its index (POSIX ``fcntl.flock``; where there is none, numba's
behaviour is unchanged).
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from numba import njit

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def cached_njit(**options: Any) -> Callable:
    """``numba.njit(cache=True, **options)`` whose on-disk cache is read and written under a lock."""
    def decorate(function: Callable) -> Any:
        dispatcher = njit(cache=True, **options)(function)
        lock_cache(dispatcher)
        return dispatcher
    return decorate


def lock_cache(dispatcher: Any) -> None:
    """Wrap the cache loads and saves of a numba ``dispatcher`` in an exclusive file lock."""
    cache = getattr(dispatcher, "_cache", None)
    index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    if fcntl is None or cache is None or index is None:
        return
    lock_path = index + ".lock"
    for name in ("load_overload", "save_overload"):
        original = getattr(cache, name)

        def locked(*args: Any, _original: Callable = original, **kwargs: Any) -> Any:
            with exclusive(lock_path):
                return _original(*args, **kwargs)

        setattr(cache, name, locked)
    cache.lock_path = lock_path


@contextlib.contextmanager
def exclusive(path: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed; no lock if it cannot be opened,
    e.g. a read-only cache directory, where numba writes nothing either)."""
    try:
        handle = open(path, "a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
