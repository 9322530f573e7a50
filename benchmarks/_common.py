"""Shared helpers: interleaved timing and a description of the machine."""
import datetime
import os
import platform
import statistics
import time


def interleaved_times(funcs, repeats=5, inner=1):
    """Seconds per call of each function in each repeat, measured round-robin (A B C A B C ...) so that
    a noisy neighbour slows every contender alike: {name: [seconds of repeat 1, 2, ...]}."""
    times = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, fn in funcs.items():
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[name].append((time.perf_counter() - t0) / inner)
    return times


def interleaved(funcs, repeats=5, inner=1):
    """Median seconds per call of each function (``interleaved_times``)."""
    return {name: statistics.median(ts) for name, ts in interleaved_times(funcs, repeats, inner).items()}


def machine():
    import numba
    import numpy

    versions = {"numpy": numpy.__version__, "numba": numba.__version__}
    for mod in ("xgboost", "lightgbm"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{datetime.date.today()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            + ", ".join(f"{k} {v}" for k, v in versions.items()))


def results_path(name):
    """benchmarks/results/NAME, or under $BOOSTOBJ_BENCH_RESULTS (the smoke test writes there)."""
    folder = os.environ.get("BOOSTOBJ_BENCH_RESULTS") or os.path.join(os.path.dirname(__file__), "results")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def write_result(name, text):
    path = results_path(name)
    with open(path, "w") as f:
        f.write(text)
    return path
