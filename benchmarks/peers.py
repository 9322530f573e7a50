"""boostobj Focal vs the focal objective of imbalance-xgboost (PyPI), same gamma: time per call
on 1M samples and agreement of gradients/Hessians (vs boostobj's exact Hessian).

    pip install --no-deps imbalance-xgboost   (make bench does this)
    python benchmarks/peers.py [--rows 1000000]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import interleaved, machine, write_result  # noqa: E402

import boostobj as bo  # noqa: E402


class _Labels:
    """What the peer reads from a DMatrix: get_label()."""

    def __init__(self, y):
        self.y = y

    def get_label(self):
        return self.y

    def get_weight(self):
        return np.empty(0, dtype=np.float32)


def main(rows, gamma=2.0):
    try:
        from imxgboost.focal_loss import Focal_Binary_Loss
    except ImportError:
        print("imbalance-xgboost is not installed (pip install --no-deps imbalance-xgboost); skipped")
        return
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, rows).astype(np.float32)
    z = rng.normal(0, 3, rows).astype(np.float32)
    peer = Focal_Binary_Loss(gamma_indct=gamma)
    ours = bo.Focal(gamma=gamma, hessian="exact")
    data = _Labels(y)
    with np.errstate(all="ignore"):
        t = interleaved({"peer": lambda: peer.focal_binary_object(z, data), "boostobj": lambda: ours(z, data)}, repeats=5)
        gp, hp = peer.focal_binary_object(z.astype(np.float64), _Labels(y.astype(np.float64)))
    g, h = ours.grad_hess(y.astype(np.float64), z.astype(np.float64))
    ordinary = np.abs(z) < 10
    rel_g = np.max(np.abs(gp - g)[ordinary] / (np.abs(g[ordinary]) + 1e-12))
    rel_h = np.max(np.abs(hp - h)[ordinary] / (np.abs(h[ordinary]) + 1e-12))
    big = np.array([-60.0, -40.0, 40.0, 60.0])
    yy = np.array([1.0, 1.0, 0.0, 0.0])
    with np.errstate(all="ignore"):
        gp_big, hp_big = peer.focal_binary_object(big, _Labels(yy))
    g_big, h_big = ours.grad_hess(yy, big)
    lines = [
        f"| | imbalance-xgboost | boostobj |", "|---|---:|---:|",
        f"| time per call, {rows:.0e} samples (s) | {t['peer']:.4f} | {t['boostobj']:.4f} |",
        f"| speed-up | | {t['peer'] / t['boostobj']:.1f}x |",
        f"| max relative gap to boostobj, \\|z\\| < 10: gradient / Hessian | {rel_g:.1e} / {rel_h:.1e} | - |",
        f"| misclassified margins +-40, +-60: gradient | {np.array2string(gp_big, precision=3)} | {np.array2string(g_big, precision=3)} |",
        f"| same points: Hessian | {np.array2string(hp_big, precision=3)} | {np.array2string(h_big, precision=3)} |",
    ]
    text = f"Peer comparison, Focal(gamma={gamma}) ({machine()})\n\n" + "\n".join(lines) + "\n"
    print(text)
    write_result("peers.md", text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    main(parser.parse_args().rows)
