"""boostobj on Dask: a LocalCluster with 2 worker processes, both engines.
=======================================================================

The start score (and ClassBalanced's class counts) are computed over the whole Dask collection
before training, then fixed in the objective that each worker calls on its own partition.

    python examples/dask_local_cluster.py
"""
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import average_precision_score

import boostobj as bo
import boostobj.dask as bd


def main():
    warnings.filterwarnings("ignore")
    X, target = load_breast_cancer(return_X_y=True)
    y = (target == 0).astype(np.float64)
    Xd, yd = da.from_array(X, chunks=(150, X.shape[1])), da.from_array(y, chunks=150)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=50) as cluster, Client(cluster) as client:
        loss = bd.bind(bo.ClassBalanced(beta=0.99, base="focal"), yd)
        print("global class counts:", loss.counts, " start score:", round(bd.init_score(loss, yd), 4))
        out = bd.xgboost_train(client, {"max_depth": 3, "eta": 0.1}, Xd, yd, loss, num_boost_round=100)
        p = bd.xgboost_predict(client, out["booster"], Xd, loss).compute()
        print(f"xgboost.dask  PR-AUC (train) {average_precision_score(y, p):.4f}")
        model = bd.lightgbm_fit(client, Xd, yd, loss, n_estimators=100, num_leaves=8, learning_rate=0.1)
        p = bd.lightgbm_predict(model, Xd, loss).compute()
        print(f"lightgbm.dask PR-AUC (train) {average_precision_score(y, p):.4f}")


if __name__ == "__main__":
    main()
