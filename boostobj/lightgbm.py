"""LightGBM adapter: train with a boostobj loss starting from its optimal constant; everything the
estimators and Dask helpers need to know about LightGBM lives here.

LightGBM starts a custom objective from 0 and ``predict`` never adds a Dataset's ``init_score``.
``train`` sets ``init_score`` on the training and validation sets, trains, then adds the constant
to every leaf of the first iteration's tree(s): the returned Booster's ``predict(raw_score=True)``
(and a saved model) then includes the start score with nothing to remember.

Leaf refresh (losses with a ``leaf_rule``: Quantile, AbsoluteError): after each tree, ``train``
sets its leaves (``Booster.set_leaf_output``) to the learning rate times the weighted quantile of
the residuals of their rows, as LightGBM's built-in ``quantile`` / ``l1`` (``RenewTreeOutput``).
The leaf of every row comes from ``predict(pred_leaf=True)`` on the Datasets' raw features, so
they must be kept (boostobj holds a reference taken before LightGBM frees them). LightGBM's cached
scores never see the new leaves: the objective and ``feval`` read margins kept by boostobj.
"""
import warnings

import lightgbm as lgb
import numpy as np
from ._jit import cached_njit

from . import _leaves, drivers
from ._engines import (LIGHTGBM_NO_METRIC, check_float32_labels, labels_and_weights, objective_call,
                       refuse_imbalance_keywords, start_score_rows)


def _constructed(dataset):
    """Whether LightGBM holds the Dataset: a handle that is neither None (not constructed yet) nor a
    null pointer (a construction that failed, e.g. on a bad parameter: LightGBM's own calls on it
    crash the process)."""
    return dataset._handle is not None and bool(dataset._handle)


def _labels_and_weights(dataset):
    """Labels and weights of a Dataset, constructed or not (constructing it here would bin the
    data before ``lgb.train`` sees the parameters)."""
    if _constructed(dataset):
        return labels_and_weights(dataset)
    if dataset.label is None:
        raise ValueError("the LightGBM Dataset has no label")
    y = np.asarray(dataset.label, dtype=np.float64).ravel()
    w = None if dataset.weight is None else np.asarray(dataset.weight, dtype=np.float64).ravel()
    return y, w


def fold_init_score(booster, init):
    """Add the constant start score(s) to the leaves of the first iteration's trees."""
    init = np.atleast_1d(np.asarray(init, dtype=np.float64))
    if booster.num_trees() < init.size:
        raise ValueError("the booster has no complete first iteration to hold the start score")
    trees = booster.dump_model(num_iteration=1)["tree_info"]
    for tree_id, c in enumerate(init):
        for leaf in range(trees[tree_id]["num_leaves"]):
            booster.set_leaf_output(tree_id, leaf, booster.get_leaf_output(tree_id, leaf) + float(c))
    return booster


def train(params, train_set, loss, num_boost_round=100, valid_sets=None, init_score=None, leaf_refresh=None,
          **kwargs):
    """``lgb.train`` with ``objective=loss``, started from ``loss.init_score`` of the training
    labels and weights (or ``init_score`` when given), the start score folded into the model.
    ``metric`` defaults to "None" (built-in metrics would see raw scores); use boostobj metrics via
    ``feval``. LightGBM never applies a custom objective's link: predict with ``predict`` below.

    The start score is set as ``init_score`` on the training and validation sets for the duration of
    training and removed afterwards (a Dataset that already carries an ``init_score`` is refused:
    pass ``init_score=`` here to choose the start). With ``init_model`` LightGBM continues from that
    model's predictions and no start score is added.
    """
    params = dict(params)
    if "objective" in params or "fobj" in kwargs:
        raise ValueError("the objective is the loss given as third argument; remove params['objective']")
    _refuse_linear_trees(params, train_set.params)
    refuse_imbalance_keywords(params)
    y, w = _labels_and_weights(train_set)
    check_float32_labels(y, "LightGBM")
    loss = loss.bind(y, w, n_classes=params.get("num_class"))
    params["objective"] = loss.training_objective()
    params.setdefault("metric", "None")
    hooks = None
    if _leaves.wanted(loss, leaf_refresh):  # refused settings raise before the Datasets are touched
        _check_refresh_params(params, loss)
        hooks = _LeafRefresh(loss, train_set, y, w, valid_sets or [])
        params["objective"] = hooks.objective
        kwargs["callbacks"] = [hooks, *(kwargs.get("callbacks") or [])]
        if kwargs.get("feval") is not None:
            kwargs["feval"] = hooks.metric(kwargs["feval"])
    datasets = [train_set, *(valid_sets or [])]
    init = None
    if kwargs.get("init_model") is None:
        for ds in datasets:
            if (ds.get_init_score() if _constructed(ds) else ds.init_score) is not None:
                raise ValueError("a Dataset given to boostobj.lightgbm.train already has an init_score; the start "
                                 "score is set from the loss (pass init_score=<margin> to choose it)")
        init = loss.init_score(y, w, n_classes=params.get("num_class")) if init_score is None else init_score
        for ds in datasets:
            ds.set_init_score(start_score_rows(init, len(_labels_and_weights(ds)[0])))
    if loss.task == "multiclass":
        params["num_class"] = int(np.size(init)) if init is not None else _num_class(params, kwargs["init_model"])
    try:
        if hooks is not None:
            hooks.init = init
        booster = lgb.train(params, train_set, num_boost_round, valid_sets=valid_sets, **kwargs)
        if hooks is not None:
            hooks.catch_up(booster)
    finally:
        if init is not None:
            for ds in datasets:  # leave the caller's Datasets as they were (set_init_score(None)
                if _constructed(ds):  # clears only the Python attribute, not LightGBM's copy)
                    ds.set_field("init_score", None)
                ds.init_score = None
    if init is not None:
        fold_init_score(booster, init)
    return booster


def _param(params, names, default):
    """A LightGBM parameter given under any of its ``names`` (aliases)."""
    for name in names:
        if name in params:
            return params[name]
    return default


def _refuse_linear_trees(*params):
    """Linear leaves predict from their own coefficients, not from the leaf values that
    ``fold_init_score`` adds the start score to: a model trained from a start score would predict
    without it (measured: mean prediction 0 for labels of mean 100)."""
    if any(p and _param(p, ("linear_tree", "linear_trees"), False) for p in params):
        raise ValueError("linear_tree=True is not supported: LightGBM's linear leaves ignore the leaf values the start "
                         "score is folded into, so the model would predict without it")


def _check_refresh_params(params, loss):
    def refuse(what, hint=""):
        _leaves.refuse("LightGBM", loss, what, hint)
    boosting = _param(params, ("boosting", "boosting_type", "boost"), "gbdt")
    if boosting not in ("gbdt", "gbrt"):
        refuse(f"boosting={boosting!r}")
    if _param(params, ("data_sample_strategy",), "bagging") == "goss":
        refuse("data_sample_strategy='goss'")
    bagging = float(_param(params, ("bagging_fraction", "sub_row", "subsample", "bagging"), 1.0)) < 1.0 or any(
        float(_param(params, (f"{side}_bagging_fraction", f"{side}_sub_row", f"{side}_subsample", f"{side}_bagging"),
                     1.0)) < 1.0 for side in ("pos", "neg"))
    if bagging and int(_param(params, ("bagging_freq", "subsample_freq"), 0)) > 0:
        refuse("bagging", " (the rows LightGBM bags for a tree are not visible to a custom objective)")
    metric = _param(params, ("metric", "metrics", "metric_types"), "None")
    if metric not in LIGHTGBM_NO_METRIC:
        refuse(f"the built-in metric {metric!r}", " (it reads LightGBM's cached scores, which never see the "
               "refreshed leaves): pass a boostobj metric as feval=, e.g. loss.metric(),")


_LEARNING_RATE = ("learning_rate", "shrinkage_rate", "eta")


def _raw_features(dataset, what):
    """The feature matrix a Dataset was built from (kept for ``predict(pred_leaf=True)``)."""
    data = dataset.data
    if not (isinstance(data, np.ndarray) or type(data).__module__.split(".")[0] in ("pandas", "scipy", "pyarrow")):
        raise ValueError(f"leaf refresh reads every row's leaf from the raw features, and the {what} Dataset has none "
                         f"({'freed after construction' if data is None else type(data).__name__}): build it from a "
                         "numpy, pandas, scipy or pyarrow matrix (free_raw_data=False when it is constructed before "
                         "training), or pass leaf_refresh=False")
    return data


class _LeafRefresh:
    """Leaf refresh for one ``lgb.train`` run: its objective, metric wrapper and first callback."""

    before_iteration = True
    order = -(10 ** 9)  # before reset_parameter: a tree is refreshed with the learning rate it was grown with

    def __init__(self, loss, train_set, y, w, valid_sets):
        self.loss = loss
        self.train_set = train_set
        # each data set once, however often it is listed: a tree moves its margins once
        self.valid = list({id(ds): ds for ds in valid_sets if ds is not train_set}.values())
        self.features = {id(ds): _raw_features(ds, "training" if ds is train_set else "validation")
                         for ds in [train_set, *self.valid]}
        self.dense = {key: _dense(data) for key, data in self.features.items()}
        self.init = None  # the start score boostobj sets on the Datasets (None: continuing a model)
        self.state = _leaves.LeafRefresh(loss, y, w, _leaves.LIGHTGBM)
        self.booster = None

    def __deepcopy__(self, memo):
        return self  # lgb.train deep-copies params: its objective (a bound method) must share this state

    def __call__(self, env):
        if self.booster is None:
            self.booster = env.model
            self.state.trees_done = env.model.current_iteration()
            for ds in self.valid:
                features = self.features[id(ds)]
                start = np.full(features.shape[0], float(self.init)) if self.init is not None \
                    else env.model.predict(features, raw_score=True)
                self.state.track(ds, start)
        self.catch_up(env.model)

    def objective(self, raw, train_data):
        if self.booster is not None:
            self.catch_up(self.booster)
        return objective_call(self.loss, self.state.start_training_score(raw), train_data)

    def metric(self, fevals):
        def refreshed(user_metric):
            def refreshed_metric(raw, dataset):
                self.catch_up(self.booster)
                return user_metric(self.state.score_of(dataset, self.train_set), dataset)
            return refreshed_metric
        return [refreshed(f) for f in fevals] if isinstance(fevals, (list, tuple)) else refreshed(fevals)

    def catch_up(self, booster):
        """Refresh the trees grown since the last call."""
        with drivers.engine_call():
            self._catch_up(booster)

    def _catch_up(self, booster):
        while self.state.trees_done < booster.current_iteration():
            i = self.state.trees_done
            arrays, engine_values = _tree_of(booster, i)
            rate = float(_param(booster.params, _LEARNING_RATE, 0.1))
            leaf, counts = self._leaves(booster, i, self.train_set, arrays, count=engine_values.size)
            values = self.state.leaf_values(leaf, rate, engine_values.size, counts=counts)
            values = np.where(np.isnan(values), engine_values, values)  # leaves without rows keep theirs
            for j in range(values.size):
                booster.set_leaf_output(i, j, float(values[j]))
            for ds in self.valid:
                self.state.advance(ds, self._leaves(booster, i, ds, arrays)[0], values)
            self.state.trees_done += 1

    def _leaves(self, booster, i, dataset, arrays, count=0):
        """(the leaf of tree ``i`` for every row of ``dataset``, its rows per leaf and row chunk if
        ``count`` (the number of leaves) was given and the traversal counted them, else None):
        compiled traversal of the tree for dense numeric features, LightGBM's
        ``predict(pred_leaf=True)`` otherwise."""
        dense = self.dense[id(dataset)]
        if dense is not None and arrays is not None:
            return _tree_leaves(dense, *arrays, n_leaves=count)
        leaf = booster.predict(self.features[id(dataset)], pred_leaf=True, start_iteration=i, num_iteration=1)
        return leaf, None


def _dense(data):
    """A C-contiguous numeric 2-D ndarray of the features, or None (sparse, Arrow, categorical
    columns); made once per training, so a Fortran-ordered matrix is copied once, not per tree."""
    if isinstance(data, np.ndarray) and data.ndim == 2 and data.dtype.kind in "fiub":
        # other dtypes as LightGBM reads them: float32 (float16 and bool were a numba TypingError; int64
        # beyond 2^24 rounds there, and must round here to fall on the same side of each threshold)
        return np.ascontiguousarray(data, dtype=data.dtype if data.dtype in (np.float32, np.float64) else np.float32)
    if type(data).__module__.split(".")[0] == "pandas" and all(t.kind in "fiub" for t in data.dtypes):
        return data.to_numpy(dtype=np.float64)
    return None


def _tree_of(booster, i):
    """(flat arrays of tree ``i`` for ``_tree_leaves``, or None if it has a categorical split; its
    leaf values by leaf index), read from the model text of that one tree. Arrays: feature,
    threshold, default_left, missing type (0 None, 1 Zero, 2 NaN), left and right child (``>= 0``
    an internal node, ``< 0`` ``~leaf_index``; node 0 is the root).

    Why not ``dump_model``: its JSON costs ~5x more per tree (measured 0.8 vs 0.15 ms at 63
    leaves), a fixed cost of every refreshed round. The text holds the same arrays: children
    ``< 0`` are ``~leaf``, ``decision_type`` bit 0 marks a categorical split, bit 1 default-left,
    bits 2-3 the missing type (LightGBM ``Tree::ToString``); thresholds are written round-trip
    exact."""
    text = booster.model_to_string(start_iteration=i, num_iteration=1)
    start = text.index("\nTree=")
    end = text.find("\n\n", start + 1)
    fields = dict(line.split("=", 1) for line in text[start + 1:end if end >= 0 else None].splitlines() if "=" in line)
    values = np.array(fields["leaf_value"].split(), dtype=np.float64)
    if int(fields["num_leaves"]) == 1:  # every row goes to leaf 0
        return (np.zeros(1, np.int64), np.full(1, np.inf), np.ones(1, np.bool_), np.zeros(1, np.int64),
                np.full(1, -1, np.int64), np.full(1, -1, np.int64)), values
    decision = np.array(fields["decision_type"].split(), dtype=np.int64)
    if int(fields.get("num_cat", "0")) > 0 or (decision & 1).any():
        return None, values
    arrays = (np.array(fields["split_feature"].split(), dtype=np.int64),
              np.array(fields["threshold"].split(), dtype=np.float64),
              (decision & 2) != 0, (decision >> 2) & 3,
              np.array(fields["left_child"].split(), dtype=np.int64),
              np.array(fields["right_child"].split(), dtype=np.int64))
    return arrays, values


_ZERO = float(np.float32(1e-35))  # LightGBM kZeroThreshold


def _tree_leaves(X, *arrays, n_leaves=0, lockstep=None):
    """(the leaf index of every row of ``X`` in the tree given by ``_tree_of``, the rows per
    leaf in each chunk of ``drivers.row_chunks`` when ``n_leaves`` is given, else None); row
    chunks in parallel. Counting here saves ``leaf_quantiles`` a pass over the leaf codes.
    ``lockstep``: walk groups of rows level by level (None: unless the tree is much deeper than
    balanced, where most rows would wait on the longest path, or a threshold is infinite)."""
    n = X.shape[0]
    out = np.empty(n, np.int64)
    bounds = drivers.row_chunks(n)
    counts = np.zeros((bounds.size - 1, n_leaves), np.int64)
    feature, threshold, default_left, missing, left, right = arrays
    depth = _depth(left, right)
    if lockstep is None:
        lockstep = depth <= 2 * int(np.ceil(np.log2(left.size + 1))) + 4 and bool(np.isfinite(threshold).all())
    if lockstep:
        # a NaN becomes what decides like it: 0 (missing type None or Zero), or an infinity on the
        # default side (missing type NaN; thresholds are finite)
        nan_value = np.where(missing == 2, np.where(default_left, -np.inf, np.inf), 0.0)
        drivers.launch_ranges(_lockstep_leaves_driver, list(bounds), X, feature, threshold, nan_value, missing == 1,
                              ~default_left, np.stack([left, right], axis=1), depth, bounds, counts, out)
    else:
        drivers.launch_ranges(_tree_leaves_driver, list(bounds), X, *arrays, bounds, counts, out)
    return out, counts if n_leaves else None


def _depth(left, right):
    """The number of decisions on the tree's longest path (``_tree_of``'s child arrays)."""
    depth, level = 0, np.zeros(1, np.int64)
    while level.size:
        depth += 1
        children = np.concatenate([left[level], right[level]])
        level = children[children >= 0]
    return depth


LOCKSTEP_ROWS = 16


@cached_njit(nogil=True, error_model="numpy")
def _lockstep_leaves_driver(lo, hi, X, feature, threshold, nan_value, zero_missing, default_right, children, depth,
                            bounds, counts, out):
    """``_tree_leaves_driver``'s rule, written without branches, for groups of rows walked one level at a time,
    ``depth`` levels (a row at its leaf stays there). Why: one row's walk is a chain of dependent loads
    and unpredictable branches (measured 28 ns per row at depth 6, 150k rows, 1 thread); rows of a
    group are independent, so their loads overlap and nothing is mispredicted (16 ns, and 45 against
    68 ns for a leaf-wise tree of depth 16; 13.5 ns at depth 6 once the group is indexed from 0)."""
    chunk = np.searchsorted(bounds, lo, side="right") - 1
    counting = counts.shape[1] > 0
    node = np.zeros(LOCKSTEP_ROWS, np.int64)
    for start in range(lo, hi, LOCKSTEP_ROWS):
        rows = min(LOCKSTEP_ROWS, hi - start)
        group = X[start:start + rows]  # indexed from 0: no negative-index wrap-around test per load
        node[:] = 0
        for _ in range(depth):
            for r in range(rows):
                at = max(node[r], 0)
                v = float(group[r, feature[at]])
                v = nan_value[at] if v != v else v
                go_right = default_right[at] if zero_missing[at] & (abs(v) <= _ZERO) else v > threshold[at]
                node[r] = children[at, np.int64(go_right)] if node[r] >= 0 else node[r]
        leaves = out[start:start + rows]
        for r in range(rows):
            leaves[r] = ~node[r]
            if counting:
                counts[chunk, ~node[r]] += 1
    return True


@cached_njit(nogil=True)
def _tree_leaves_driver(lo, hi, X, feature, threshold, default_left, missing, left, right, bounds, counts, out):
    """LightGBM's numerical decision rule (Tree::NumericalDecision): NaN counts as 0 unless the
    split's missing type is NaN; missing values (NaN, or zero for missing type Zero) go to the
    default side; otherwise ``x <= threshold`` goes left."""
    chunk = np.searchsorted(bounds, lo, side="right") - 1
    counting = counts.shape[1] > 0
    rows = X[lo:hi]  # indexed from 0: no negative-index wrap-around test per load
    for i in range(hi - lo):
        node = 0
        while node >= 0:
            v = float(rows[i, feature[node]])
            kind = missing[node]
            if np.isnan(v) and kind != 2:
                v = 0.0
            if (kind == 1 and -_ZERO <= v <= _ZERO) or (kind == 2 and np.isnan(v)):
                node = left[node] if default_left[node] else right[node]
            elif v <= threshold[node]:
                node = left[node]
            else:
                node = right[node]
        out[lo + i] = ~node
        if counting:
            counts[chunk, ~node] += 1
    return True


def _num_class(params, init_model):
    """The number of classes when continuing a multiclass model."""
    if "num_class" in params:
        return int(params["num_class"])
    model = init_model if isinstance(init_model, lgb.Booster) else lgb.Booster(model_file=str(init_model))
    return int(model.num_model_per_iteration())


def predict(booster, data, loss, **kwargs):
    """Predictions through the loss's inverse link (probabilities for classification losses)."""
    return loss.predict(booster.predict(data, raw_score=True, **kwargs))


# -- what the scikit-learn estimators need (boostobj.sklearn calls these, never LightGBM itself) -----
def fit_estimator(X, y, sample_weight, evals, loss, init, metric, settings):
    """Train for a boostobj estimator; returns (booster, evals_result, best_iteration or None)."""
    named = {"max_depth": settings["max_depth"], "num_threads": settings["n_jobs"], "seed": settings["seed"]}
    # feature_pre_filter=False: with few rows LightGBM would otherwise drop every feature at Dataset
    # construction (min_data_in_leaf) and abort training with a custom objective.
    params = {"learning_rate": settings["learning_rate"], "verbose": -1, "feature_pre_filter": False,
              **{k: v for k, v in named.items() if v is not None}, **settings["extra"]}
    _warn_unknown_parameters(settings["extra"])
    if settings["device"] != "cpu":
        raise ValueError("device='cuda' computes gradients through XGBoost's device option; "
                         "use engine='xgboost' (LightGBM's GPU builds take no custom objective on the device)")
    dtrain = lgb.Dataset(X, label=y, weight=sample_weight, free_raw_data=True)
    valid = [lgb.Dataset(Xe, label=ye, weight=we, reference=dtrain) for Xe, ye, we in evals]
    result: dict = {}
    callbacks = [lgb.record_evaluation(result)]
    if settings["early_stopping_rounds"] is not None:
        callbacks.append(lgb.early_stopping(int(settings["early_stopping_rounds"]), verbose=False))
    booster = train(params, dtrain, loss, settings["n_estimators"], valid_sets=valid or None, init_score=init,
                    valid_names=[f"validation_{i}" for i in range(len(valid))] or None,
                    feval=metric, callbacks=callbacks, leaf_refresh=settings["leaf_refresh"])
    stopped = settings["early_stopping_rounds"] is not None and booster.best_iteration
    return booster, result, booster.best_iteration - 1 if stopped else None


def _warn_unknown_parameters(params):
    """Warn about parameter names LightGBM does not know (it would, with verbose >= 0)."""
    try:
        from lightgbm.basic import _ConfigAliases

        known = {name for names in _ConfigAliases._get_all_param_aliases().values() for name in names}
        known |= set(_ConfigAliases._get_all_param_aliases())
    except (ImportError, AttributeError):  # a LightGBM without the alias table: nothing to check against
        return
    unknown = sorted(set(params) - known)
    if unknown:
        warnings.warn(f"Unknown LightGBM parameter(s): {', '.join(unknown)} (misspelled?); they are ignored",
                      UserWarning, stacklevel=4)


def predict_margin(booster, X, best_iteration):
    """Raw margins including the start score (LightGBM predicts at the best iteration by itself)."""
    return booster.predict(X, raw_score=True)


def feature_gains(booster, n_features):
    """Total gain per feature."""
    return booster.feature_importance(importance_type="gain").astype(np.float64)


# -- Dask ---------------------------------------------------------------------------------------------
def dask_fit(client, X, y, loss, sample_weight=None, leaf_refresh=None, **params):
    """Fit ``lightgbm.dask`` with ``objective=loss`` from the global start score
    (``boostobj.dask.init_score``), folded into the model, so ``model.predict(X, raw_score=True)``
    includes it. Returns the fitted Dask model, a ``DaskLGBMRegressor`` for every task (the classifier
    would re-encode the labels the objective sees): ``dask_predict`` gives means or probabilities.
    Leaf refresh is not available on Dask: losses with a leaf rule need ``leaf_refresh=False``."""
    import dask.array as da
    from lightgbm import dask as dlgb

    from . import dask as bdask

    _refuse_linear_trees(params)
    refuse_imbalance_keywords(params)
    loss, init = bdask.bound_start(loss, y, sample_weight, params.get("num_class"), leaf_refresh)
    ya = bdask._as_dask_array(y).ravel()
    chunks = ya.chunks[0]
    if np.ndim(init) == 0:
        init_rows = da.full(ya.shape, float(init), chunks=chunks)
    else:
        init_rows = da.tile(da.from_array(np.asarray(init)[None, :]), (ya.shape[0], 1)).rechunk((chunks, -1))
    # the regressor for every task: DaskLGBMClassifier re-encodes the labels it hands the objective
    # (classes {0, 2} became {0, 1}, and k the number of classes present) and refuses soft labels
    params = {"verbose": -1, "metric": "None", **params}
    if loss.task == "multiclass":
        params["num_class"] = int(np.size(init))
    model = dlgb.DaskLGBMRegressor(client=client, objective=loss.training_objective(), **params)
    model.fit(X, y, sample_weight=sample_weight, init_score=init_rows)
    fold_init_score(model.booster_, init)
    return model


def dask_predict(model, X, loss):
    """Predictions through the loss's link (a Dask array)."""
    raw = model.predict(X, raw_score=True)
    return raw.map_blocks(loss.predict, dtype=np.float64)
