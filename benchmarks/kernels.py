"""Kernel throughput: boostobj (1 and 2 threads) vs a straightforward numpy version, ns/sample.

    python benchmarks/kernels.py [--sizes 100000 1000000 10000000] [--repeats 5] [--plot]
Float32 margins (what XGBoost passes), float32 labels, float32 gradient/Hessian outputs for boostobj.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import numpy_reference as ref  # noqa: E402
from _common import interleaved, machine, results_path, write_result  # noqa: E402

import boostobj as bo  # noqa: E402

CASES = [  # (loss, numpy version, label kind)
    (bo.SquaredError(), ref.squared_error, "real"),
    (bo.AbsoluteError(), ref.absolute_error, "real"),
    (bo.Huber(), ref.huber, "real"),
    (bo.PseudoHuber(), ref.pseudo_huber, "real"),
    (bo.LogCosh(hessian="irls"), ref.logcosh, "real"),
    (bo.Quantile(alpha=0.5), ref.quantile, "real"),
    (bo.Expectile(alpha=0.5), ref.expectile, "real"),
    (bo.Fair(), ref.fair, "real"),
    (bo.Logistic(), ref.logistic, "binary"),
    (bo.Focal(gamma=2.0), ref.focal, "binary"),
    (bo.Exponential(), ref.exponential, "binary"),
    (bo.SmoothHinge(), ref.smooth_hinge, "binary"),
    (bo.SquaredHinge(), ref.squared_hinge, "binary"),
    (bo.SoftmaxCrossEntropy(), ref.softmax, "class"),
    (bo.SoftmaxFocal(gamma=2.0), ref.softmax_focal, "class"),
]
N_CLASSES = 4


def data(kind, n, rng):
    if kind == "class":
        rows = n // N_CLASSES  # same number of margins as the scalar losses
        return rng.integers(0, N_CLASSES, rows).astype(np.float32), rng.normal(0, 3, (rows, N_CLASSES)).astype(np.float32)
    y = rng.normal(size=n) if kind == "real" else rng.integers(0, 2, n)
    return y.astype(np.float32), rng.normal(0, 3, n).astype(np.float32)


def run(sizes, repeats):
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        for loss, numpy_fn, kind in CASES:
            y, z = data(kind, n, rng)
            g, h = np.empty_like(z), np.empty_like(z)
            loss.grad_hess(y, z, out=(g, h))  # compile / load from cache outside the timing

            def with_threads(k):
                def call():
                    bo.set_num_threads(k)
                    loss.grad_hess(y, z, out=(g, h))
                return call

            t = interleaved({"numpy": lambda: numpy_fn(y, z), "bo1": with_threads(1), "bo2": with_threads(2)},
                            repeats=repeats)
            bo.set_num_threads(os.cpu_count())
            per = {k: v / z.size * 1e9 for k, v in t.items()}
            rows.append((loss.name, n, per["numpy"], per["bo1"], per["bo2"], per["numpy"] / per["bo2"]))
            print(f"{loss.name:<16}{n:>10}  numpy {per['numpy']:7.2f}  boostobj 1t {per['bo1']:7.2f}  "
                  f"2t {per['bo2']:7.2f} ns/sample   numpy/boostobj(2t) {per['numpy'] / per['bo2']:5.1f}x", flush=True)
    return rows


def table(rows):
    lines = ["| loss | n | numpy ns/sample | boostobj 1 thread | boostobj 2 threads | numpy / boostobj (2t) |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {n:.0e} | {a:.2f} | {b:.2f} | {c:.2f} | {r:.1f}x |" for name, n, a, b, c, r in rows]
    return "\n".join(lines)


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_max = max(r[1] for r in rows)
    sel = [r for r in rows if r[1] == n_max]
    names = [r[0] for r in sel]
    x = np.arange(len(sel))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (label, col) in enumerate((("numpy", 2), ("boostobj, 1 thread", 3), ("boostobj, 2 threads", 4))):
        ax.bar(x + (i - 1) * 0.27, [r[col] for r in sel], width=0.27, label=label)
    ax.set_xticks(x, names, rotation=35, ha="right")
    ax.set_ylabel("ns per margin (lower is better)")
    ax.set_yscale("log")
    ax.set_title(f"Gradient + Hessian throughput, {n_max:.0e} float32 margins")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--plot", action="store_true")
    args = parser.parse_args()
    result = run(args.sizes, args.repeats)
    text = f"Kernel throughput ({machine()})\n\n{table(result)}\n"
    print("\n" + text)
    write_result("kernels.md", text)
    if args.plot:
        plot(result, results_path("kernels.png"))
