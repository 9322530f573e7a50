"""Run under NUMBA_ENABLE_CUDASIM=1 (see test_gpu.py): CUDA drivers vs CPU drivers for every case."""
import sys

import numpy as np

from boostobj import gpu
from tests.reference import CASES
from tests.test_derivatives import sample_points

assert gpu.simulator_enabled(), "set NUMBA_ENABLE_CUDASIM=1"
failures = []
for loss in (case for case in CASES if not case.is_batch):  # batch losses: CPU only (refused)
    y, raw = sample_points(loss, 8.0, n=12, seed=5)
    raw32 = raw.astype(np.float32)
    w = np.linspace(0.5, 2.0, y.shape[0])
    for weights in (None, w):
        g_cpu, h_cpu = loss.grad_hess(y, raw32, sample_weight=weights)
        g_dev, h_dev = gpu.grad_hess_device(loss, y, raw32, sample_weight=weights)
        for name, a, b in (("g", g_dev.copy_to_host(), g_cpu), ("h", h_dev.copy_to_host(), h_cpu)):
            if not np.allclose(a, b, rtol=1e-6, atol=1e-30):
                failures.append(f"{loss!r} weights={weights is not None} {name}: {a} vs {b}")
# end to end: XGBoost training with the device objective (resident labels/weights per DMatrix)
import xgboost as xgb  # noqa: E402

import boostobj as bo  # noqa: E402
from boostobj.xgboost import objective  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 3))
for loss, y in ((bo.Focal(gamma=2.0), (X[:, 0] > 0).astype(float)),
                (bo.SoftmaxCrossEntropy(), np.digitize(X[:, 0], [-0.5, 0.5]).astype(float))):
    d = xgb.DMatrix(X, label=y, weight=rng.uniform(0.5, 2, 200))
    params = {"max_depth": 2, "num_class": 3} if loss.task == "multiclass" else {"max_depth": 2}
    on_device = objective(loss, "cuda")
    a = xgb.train(params, d, 5, obj=on_device).predict(d, output_margin=True)
    b = xgb.train(params, d, 5, obj=loss).predict(d, output_margin=True)
    if not np.allclose(a, b, atol=1e-5):
        failures.append(f"xgb.train with objective({loss!r}, 'cuda') differs from the CPU objective")
    if len(on_device._state) != 1:
        failures.append("device state is not cached per DMatrix")
# the scikit-learn call pattern (y_true, y_pred, sample_weight) computes on the device too
yb = (X[:, 0] > 0).astype(float)
w = rng.uniform(0.5, 2, 200)
g_dev, h_dev = objective(bo.Focal(), "cuda")(yb, np.zeros(200, np.float32), w)
g_cpu, h_cpu = bo.Focal()(yb, np.zeros(200, np.float32), w)
if not (np.allclose(g_dev, g_cpu, rtol=1e-6) and np.allclose(h_dev, h_cpu, rtol=1e-6)):
    failures.append("sklearn call pattern on the device differs from the CPU")
print(f"{sum(not c.is_batch for c in CASES)} losses checked, {len(failures)} mismatches")
for f in failures:
    print(f)
sys.exit(1 if failures else 0)
