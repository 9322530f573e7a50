"""Smoke test: every benchmark script runs end to end on tiny sizes (no timing is asserted)."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_benchmarks_run_on_tiny_sizes(tmp_path):
    env = {**os.environ, "BOOSTOBJ_BENCH_RESULTS": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick"], env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    written = {p.name for p in tmp_path.iterdir()}
    assert {"kernels.md", "kernels.png", "training.md", "cold_start.md", "calibration.md", "quality.md",
            "objectives.md", "catboost_training.md", "engine_threads.md"} <= written
    assert "refresh / built-in" in (tmp_path / "quality.md").read_text()
    assert "| focal |" in (tmp_path / "kernels.md").read_text()
    assert "(c)/(b)" in (tmp_path / "training.md").read_text()
    assert "quantile leaf refresh" in (tmp_path / "engine_threads.md").read_text()
