"""Run every benchmark (make bench); results land in benchmarks/results/*.md and kernels.png."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = "--quick" in sys.argv
STEPS = [
    ["kernels.py", "--plot"] + (["--sizes", "20000", "--repeats", "1"] if QUICK else []),
    ["training.py"] + (["--rows", "5000", "--rounds", "2", "--repeats", "1"] if QUICK else []),
    ["cold_start.py"] + (["--repeats", "1"] if QUICK else []),
    ["peers.py"] + (["--rows", "20000"] if QUICK else []),
    ["calibration.py"] + (["--rows", "2000", "--rounds", "5", "--seeds", "1"] if QUICK else []),
    ["quality.py"] + (["--train", "1000", "--test", "500", "--rounds", "5", "--seeds", "1", "--speed-rows", "3000",
                       "--speed-rounds", "2", "--repeats", "1"] if QUICK else []),
    ["catboost_training.py"] + (["--rows", "3000", "--multi-rows", "500", "--rounds", "2", "--repeats", "1",
                                 "--quality-seeds", "1", "--quality-rows", "800"] if QUICK else []),
    ["fast_math.py"] + (["--points", "500"] if QUICK else []),
    ["objectives.py"] + (["--seeds", "1", "--rows", "1000"] if QUICK else []),
    ["engine_threads.py"] + (["--rows", "3000", "--rounds", "2", "--repeats", "1", "--refresh-rows", "3000"]
                             if QUICK else []),
]
for step in STEPS:
    print(f"\n=== {' '.join(step)}", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, step[0]), *step[1:]], check=True)
