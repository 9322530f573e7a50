"""boostobj's scikit-learn estimators on data bundled with scikit-learn.
=====================================================================

* BoostClassifier on the wine data (3 classes, string labels) with SoftmaxFocal, in a Pipeline,
  searched over the loss's own gamma (``loss__gamma``) with GridSearchCV.
* BoostRegressor on the diabetes data with a Huber loss and early stopping on a boostobj metric.

    python examples/estimators.py
"""
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_wine
from sklearn.metrics import log_loss, mean_absolute_error
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import boostobj as bo

warnings.filterwarnings("ignore")

# -- classification with string labels and a searched loss parameter ------------------------------
X, y = load_wine(return_X_y=True)
y = np.array(["barolo", "grignolino", "barbera"])[y]
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
pipe = make_pipeline(StandardScaler(), bo.BoostClassifier(loss=bo.SoftmaxFocal(gamma=2.0), engine="lightgbm",
                                                          n_estimators=150, learning_rate=0.05, num_leaves=8,
                                                          min_child_samples=5, random_state=0))
search = GridSearchCV(pipe, {"boostclassifier__loss__gamma": [0.0, 1.0, 2.0]}, cv=3, scoring="neg_log_loss", n_jobs=2)
search.fit(X_tr, y_tr)
best = search.best_estimator_
proba = best.predict_proba(X_te)
print("wine / SoftmaxFocal / lightgbm")
print("  best gamma:", search.best_params_["boostclassifier__loss__gamma"])
print("  classes_:", list(best.classes_))
print(f"  test accuracy {np.mean(best.predict(X_te) == y_te):.3f}, "
      f"log-loss {log_loss(y_te, proba, labels=best.classes_):.4f}, rows sum to 1: {np.allclose(proba.sum(1), 1)}")

# -- regression with early stopping on a boostobj metric -------------------------------------------
X, y = load_diabetes(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
X_fit, X_val, y_fit, y_val = train_test_split(X_tr, y_tr, test_size=0.25, random_state=0)
for engine in ("xgboost", "lightgbm"):
    reg = bo.BoostRegressor(loss=bo.Huber(delta=20.0), engine=engine, n_estimators=1000, learning_rate=0.05,
                            max_depth=3, early_stopping_rounds=30, eval_metric=bo.metrics.MAE(), random_state=0)
    reg.fit(X_fit, y_fit, eval_set=[(X_val, y_val)])
    print(f"diabetes / Huber(20) / {engine}: start score {reg.init_score_:.2f}, stopped at round "
          f"{reg.best_iteration_ + 1}, test MAE {mean_absolute_error(y_te, reg.predict(X_te)):.2f}")
