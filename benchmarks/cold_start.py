"""Cold start: import boostobj + first gradient call in a fresh process, beyond ``import numba``,
with a warm on-disk compile cache and with an empty one (NUMBA_CACHE_DIR pointed at a new folder).

    python benchmarks/cold_start.py [--repeats 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from _common import machine, write_result  # noqa: E402

PROBE = r"""
import json, time
t0 = time.perf_counter()
import numpy as np
import numba
t1 = time.perf_counter()
import boostobj as bo
t2 = time.perf_counter()
loss = bo.Focal(gamma=2.0)
g, h = loss.grad_hess(np.array([0.0, 1.0], np.float32), np.array([0.5, -0.5], np.float32))
t3 = time.perf_counter()
print(json.dumps({"numba_import": t1 - t0, "boostobj_import": t2 - t1, "first_call": t3 - t2}))
"""


def probe(env):
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(repeats):
    results = {}
    warm_env = dict(os.environ)
    probe(warm_env)  # fill the package's cache
    for label in ("warm cache", "empty cache"):
        samples = []
        for _ in range(repeats):
            env = dict(os.environ)
            if label == "empty cache":
                env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="boostobj-nocache-")
            samples.append(probe(env))
        results[label] = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    res = run(parser.parse_args().repeats)
    lines = ["| cache | import numba (s) | import boostobj (s) | first Focal.grad_hess (s) | boostobj total beyond numba (s) |",
             "|---|---:|---:|---:|---:|"]
    for label, r in res.items():
        lines.append(f"| {label} | {r['numba_import']:.3f} | {r['boostobj_import']:.3f} | {r['first_call']:.3f} | "
                     f"{r['boostobj_import'] + r['first_call']:.3f} |")
    text = f"Cold start, median of fresh processes ({machine()})\n\n" + "\n".join(lines) + "\n"
    print(text)
    write_result("cold_start.md", text)
