"""Looking at losses: their curves, a model's calibration, its training curve
==========================================================================

``boostobj.plot`` draws a loss's value, gradient and Hessian against the margin (the Hessian policy
solid, the exact Hessian dashed where it differs), a reliability diagram of predicted probabilities,
and the metrics an engine recorded while training.

    python examples/plot_losses_and_calibration.py
"""
import matplotlib.pyplot as plt
import numpy as np
import xgboost as xgb

import boostobj as bo
import boostobj.xgboost as box
from boostobj import plot

# %%
# Robust regression losses at label 0: quadratic near the label, linear (Huber, pseudo-Huber,
# log-cosh) or flattening (Cauchy) far from it. Huber's default IRLS Hessian is drawn solid, its
# exact Hessian (a step) dashed.
plot.plot_loss([bo.SquaredError(), bo.Huber(delta=1.0), bo.PseudoHuber(delta=1.0), bo.Cauchy(c=1.0)], label=0.0)
plt.tight_layout()

# %%
# Focal loss against cross-entropy for a positive label: focal's exact Hessian goes negative for
# badly misclassified rows; its default "upper" policy stays positive.
plot.plot_loss([bo.Logistic(), bo.Focal(gamma=2.0)])
plt.tight_layout()

# %%
# A focal model's probabilities: sigma(margin) is not the class probability; ``loss.posterior``
# maps the margin back to it. Seeded synthetic data with about 5 % positives.
rng = np.random.default_rng(0)
X = rng.normal(size=(20000, 5))
p_true = 1 / (1 + np.exp(-(2.0 * X[:, 0] - X[:, 1] ** 2 - 3.0)))
y = (rng.uniform(size=20000) < p_true).astype(float)
train, test = slice(0, 10000), slice(10000, None)
loss = bo.Focal(gamma=2.0)
record: dict = {}
dtrain, dtest = xgb.DMatrix(X[train], label=y[train]), xgb.DMatrix(X[test], label=y[test])
booster = box.train({"max_depth": 3, "eta": 0.1, "nthread": 2}, dtrain, loss, 200,
                    evals=[(dtrain, "train"), (dtest, "test")], custom_metric=bo.metrics.LogLoss(from_margin=True),
                    evals_result=record, verbose_eval=False)
margin = booster.predict(dtest, output_margin=True)
fig, ax = plot.plot_calibration(y[test], 1 / (1 + np.exp(-margin)), label="Focal, sigma(margin)")
plot.plot_calibration(y[test], loss.posterior(margin), label="Focal, loss.posterior", ax=ax)

# %%
# The training curve: the log-loss of sigma(margin) on the training and test rows, per round.
plot.plot_training_curve(record)
plt.show()
