"""GPU path: CUDA kernels vs CPU kernels under numba's CUDA simulator, and the CPU fallback."""
import os
import pathlib
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import xgboost as xgb

import boostobj as bo
import boostobj.xgboost as box
from boostobj import gpu

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_cuda_kernels_match_cpu_under_simulator():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    proc = subprocess.run([sys.executable, "-m", "tests.gpu_sim_check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "0 mismatches" in proc.stdout


@pytest.mark.skipif(gpu.cuda_available(), reason="checks the machine-without-GPU path")
def test_fallback_without_gpu_warns_once_and_matches_cpu(bin_data):
    X, y, w = bin_data
    loss = bo.Focal(gamma=2.0)
    objective = box.objective(loss, "cuda")
    d = xgb.DMatrix(X, label=y, weight=w)
    preds = np.zeros(len(y), dtype=np.float32)
    with pytest.warns(RuntimeWarning, match="no usable CUDA device"):
        g, h = objective(preds, d)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        objective(preds, d)  # only one warning
    np.testing.assert_array_equal(g, loss(preds, d)[0])
    restored = pickle.loads(pickle.dumps(objective))
    assert restored.loss == loss and repr(restored) == "DeviceObjective(Focal(), 'cuda')"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = bo.BoostClassifier(loss=loss, device="cuda", n_estimators=5).fit(X, y)
        cpu = bo.BoostClassifier(loss=loss, device="cpu", n_estimators=5).fit(X, y)
    np.testing.assert_allclose(est.predict_proba(X), cpu.predict_proba(X), atol=1e-6)
    assert box.objective(bo.SquaredError(), "cpu") == bo.SquaredError()
    with pytest.raises(ValueError, match="device must be"):
        box.objective(bo.SquaredError(), "tpu")
