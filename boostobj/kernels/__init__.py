"""Scalar loss kernels, one file per family, written once for the CPU and CUDA targets."""
import hashlib
import pathlib

_HERE = pathlib.Path(__file__).parent


def _source_token():
    """An integer that changes whenever any kernel source changes.

    Numba's on-disk cache keys a function on its own bytecode and closure only; the drivers close
    over this token so that editing a kernel (or upgrading boostobj) never reuses stale machine code.
    """
    digest = hashlib.sha256()
    for path in sorted(_HERE.glob("*.py")):
        digest.update(path.read_bytes())
    return int(digest.hexdigest()[:12], 16)


SOURCE_TOKEN = _source_token()
