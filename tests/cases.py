"""The registry-parametrised loss cases: every registered loss, default and non-default parameters."""
import boostobj as bo

CASES = [
    bo.SquaredError(),
    bo.AbsoluteError(), bo.AbsoluteError(hessian=0.5),
    bo.Huber(), bo.Huber(delta=2.5, hessian="exact"),
    bo.PseudoHuber(), bo.PseudoHuber(delta=0.3),
    bo.LogCosh(), bo.LogCosh(hessian="irls"), bo.LogCosh(hessian="constant"),
    bo.Quantile(), bo.Quantile(alpha=0.9),
    bo.Expectile(), bo.Expectile(alpha=0.15),
    bo.Fair(), bo.Fair(c=3.0),
    bo.Logistic(), bo.Logistic(pos_weight=4.0), bo.Logistic(alpha=0.25), bo.Logistic(class_weight=(0.5, 2.0)),
    bo.Focal(gamma=0.0), bo.Focal(gamma=0.5), bo.Focal(), bo.Focal(gamma=5.0), bo.Focal(gamma=2.0, alpha=0.25),
    bo.Focal(gamma=2.0, hessian="exact"), bo.Focal(gamma=0.5, alpha=0.75, hessian=1e-3),
    bo.Exponential(),
    bo.SmoothHinge(), bo.SquaredHinge(), bo.SquaredHinge(hessian="constant"),
    bo.SoftmaxCrossEntropy(), bo.SoftmaxCrossEntropy(label_smoothing=0.1),
    bo.SoftmaxCrossEntropy(class_weight=[1.0, 2.0, 0.5]), bo.SoftmaxCrossEntropy(hessian="xgboost"),
    bo.SoftmaxCrossEntropy(hessian="lightgbm"),
    bo.SoftmaxFocal(gamma=0.0), bo.SoftmaxFocal(gamma=0.5), bo.SoftmaxFocal(), bo.SoftmaxFocal(gamma=5.0),
    bo.SoftmaxFocal(gamma=2.0, alpha=[0.25, 1.0, 2.0]), bo.SoftmaxFocal(gamma=2.0, hessian="exact"),
    bo.ClassBalanced(beta=0.99, counts=[90, 10]), bo.ClassBalanced(beta=0.9, base="focal", counts=[80, 20]),
    bo.ClassBalanced(beta=0.999, base="softmax", counts=[50, 30, 20]),
    bo.ClassBalanced(beta=0.99, base="softmax_focal", gamma=1.0, counts=[50, 30, 20]),
]


def case_id(loss):
    return repr(loss).replace(" ", "")
