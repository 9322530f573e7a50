import os
import warnings

# Two xdist workers share the cores: OpenMP threads that spin while idle (the libgomp default) in one
# worker starve the engines of the other (measured: a 0.6 s LightGBM test took 37 s). Sleep instead.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pytest

warnings.filterwarnings("ignore", message=".*Found `num_boost_round`.*")


@pytest.fixture(scope="session")
def reg_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = 2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=400)
    w = rng.uniform(0.2, 3.0, 400)
    return X, y, w


@pytest.fixture(scope="session")
def bin_data(reg_data):
    X, y, w = reg_data
    return X, (y > 0.3).astype(np.float64), w


@pytest.fixture(scope="session")
def multi_data(reg_data):
    X, y, w = reg_data
    return X, np.digitize(y, [-1.0, 1.0]).astype(np.float64), w
