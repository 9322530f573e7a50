"""The on-disk numba cache of boostobj's dispatchers is read and written under a file lock."""
import fcntl
import threading
import time

import numpy as np

import boostobj as bo
from boostobj import _jit
from boostobj.drivers import driver_for


def test_driver_cache_loads_and_saves_wait_for_the_lock():
    loss = bo.Huber()
    loss.grad_hess(np.zeros(3), np.ones(3))  # compiled (or loaded) once
    kernel, _, _ = loss._policy
    driver = driver_for(kernel, loss._shape, "grad_hess")
    cache = driver._cache
    assert cache.lock_path.endswith(".nbi.lock")
    signature = driver.signatures[0]
    done = threading.Event()

    def load():
        cache.load_overload(signature, driver.targetctx)
        done.set()

    with open(cache.lock_path, "a") as held:  # another process compiling: it holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        reader = threading.Thread(target=load)
        reader.start()
        time.sleep(0.3)
        assert not done.is_set()  # waits instead of reading a half-written index
        fcntl.flock(held, fcntl.LOCK_UN)
    reader.join(10)
    assert done.is_set()


def test_every_cached_dispatcher_goes_through_the_locking_decorator():
    import boostobj._leaves as leaves
    import boostobj.lightgbm as bol

    dispatchers = [obj for module in (leaves, bol) for obj in vars(module).values()
                   if type(obj).__name__ == "CPUDispatcher"]
    assert dispatchers and all(hasattr(d._cache, "lock_path") for d in dispatchers)


def test_exclusive_without_a_writable_place_still_runs(tmp_path):
    with _jit.exclusive(str(tmp_path / "missing" / "x.lock")):
        pass
