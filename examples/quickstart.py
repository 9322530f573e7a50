"""The README quick start: one loss object in the four engine APIs, started from its init_score.
=============================================================================================

    python examples/quickstart.py
"""
import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn.datasets import load_diabetes

import boostobj as bo
import boostobj.lightgbm as bol
import boostobj.xgboost as box

X, y = load_diabetes(return_X_y=True)
loss = bo.Huber(delta=20.0)
c = loss.init_score(y)  # the optimal constant: training starts here

# 1. xgb.train through the helper (sets base_score = c and the objective's link)
booster = box.train({"max_depth": 3, "eta": 0.1}, xgb.DMatrix(X, label=y), loss, 100)
print("xgb.train      ", booster.predict(xgb.DMatrix(X[:3])))

# 2. lgb.train through the helper (init_score on the Dataset, folded into the model afterwards)
booster = bol.train({"num_leaves": 8, "verbose": -1}, lgb.Dataset(X, label=y), loss, 100)
print("lgb.train      ", booster.predict(X[:3], raw_score=True))

# 3. XGBoost's scikit-learn API: pass the start score yourself
reg = xgb.XGBRegressor(objective=loss, base_score=c, n_estimators=100, max_depth=3, learning_rate=0.1).fit(X, y)
print("XGBRegressor   ", reg.predict(X[:3]))

# 4. LightGBM's scikit-learn API: init_score in fit, added back to the raw predictions
reg = lgb.LGBMRegressor(objective=loss, n_estimators=100, num_leaves=8, verbose=-1)
reg.fit(X, y, init_score=np.full(len(y), c))
print("LGBMRegressor  ", reg.predict(X[:3], raw_score=True) + c)

# or boostobj's own estimator, which does all of this for you
print("BoostRegressor ", bo.BoostRegressor(loss=loss, engine="lightgbm", num_leaves=8).fit(X, y).predict(X[:3]))
