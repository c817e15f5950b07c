"""Keeping fold models alive between Hyperband rungs.

sklearn's ``evaluate_candidates`` clones the estimator for every fit, so a
configuration promoted to a larger resource would start training again. Where the
estimator can continue, :class:`IncrementalExecutor` keeps each configuration's
fitted fold models (in the driver's process) from one rung to the next and hands
them, with the larger resource, to joblib workers that continue training:

* ``"warm_start"``: the resource counts trees (``n_estimators``, or ``max_iter``
  of the histogram gradient boosting models) and the estimator has
  ``warm_start``; refitting with a larger count adds trees to the kept ones.
* ``"warm_start_epochs"``: the resource counts the epochs of one ``fit`` call
  (``max_iter`` of ``SGDClassifier``, ``MLPClassifier``, ...) and the estimator
  has ``warm_start``; the kept model is refitted from where it stopped with
  ``max_iter`` set to the missing epochs, in one call. That call starts SGD's
  learning-rate schedule and MLP's optimizer state again, so a continued model
  is near, not equal to, the one trained from scratch to that many epochs.
* ``"partial_fit"``: the resource counts epochs (``max_iter``, ``max_epochs``)
  and the estimator is a skorch net, or has ``partial_fit`` but no
  ``warm_start``, or the search asks for it (``incremental="partial_fit"``); the
  kept model gets the missing epochs, in one ``partial_fit(epochs=...)`` call
  (skorch, callbacks included: each rung is a training session of its own) or
  one ``partial_fit`` call each (sklearn). Those calls keep the schedule and the
  optimizer state, so with a fixed data order a continued MLP (or SGD with the
  l2 penalty and hinge or log loss) equals the one trained from scratch; a
  configuration that has no ``partial_fit`` (an MLP whose ``solver="lbfgs"`` is
  searched) or stops early on a validation split of its own
  (``early_stopping=True``, which only ``fit`` does) continues by warm start.

``warm_start_epochs`` is preferred to ``partial_fit`` for sklearn estimators:
on small data a ``partial_fit`` call costs more than an epoch of ``fit``
(sklearn's validation and set-up per call), and continuing by ``partial_fit``
then costs more than retraining (``benchmarks/hyperband/incremental.py``,
``benchmarks/hyperband/continuation.py``).

Each fit returns a record in the format of sklearn's ``_fit_and_score``, so the
driver adds it to ``cv_results_`` beside sklearn's own.
"""

import time
import traceback

from sklearn.base import clone
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.utils.parallel import delayed

from ._compat import check_method_params, num_samples, safe_split, score

_TREE_COUNTS = ("n_estimators",)
_EPOCH_COUNTS = ("max_iter", "max_epochs")


def _final_step(estimator, resource):
    """The estimator that owns ``resource`` and its own name for it."""
    while isinstance(estimator, Pipeline) and "__" in resource:
        step, resource = resource.split("__", 1)
        estimator = estimator.named_steps[step]
    return estimator, resource


def resume_kind(estimator, resource, prefer_partial_fit=False):
    """How ``estimator`` can continue training when ``resource`` grows.

    Parameters
    ----------
    estimator : estimator object
        An estimator or a Pipeline (the resource then names a parameter of its
        last step, ``step__param``).
    resource : str
        Name of an integer parameter of ``estimator``.
    prefer_partial_fit : bool, default=False
        Continue epochs by ``partial_fit`` where the estimator can, rather than
        by a warm-started ``fit``.

    Returns
    -------
    kind : {"warm_start", "warm_start_epochs", "partial_fit"} or None
        None when it cannot continue, or the resource does not belong to the
        last step of a Pipeline (earlier steps are refitted on every call).
    """
    owner, name = _final_step(estimator, resource)
    if isinstance(estimator, Pipeline) and owner is not estimator.steps[-1][1]:
        return None
    tree_counts = _TREE_COUNTS
    if isinstance(
        owner, HistGradientBoostingClassifier | HistGradientBoostingRegressor
    ):
        tree_counts = (*tree_counts, "max_iter")
    warm_start = "warm_start" in owner.get_params(deep=False)
    if name in tree_counts and warm_start:
        return "warm_start"
    if name not in _EPOCH_COUNTS:
        return None
    if hasattr(owner, "fit_loop"):  # skorch: fit_loop runs the missing epochs
        return "partial_fit"
    if warm_start and not (prefer_partial_fit and _continues_by_partial_fit(owner)):
        return "warm_start_epochs"
    if hasattr(owner, "partial_fit"):
        return "partial_fit"
    return None


def _continues_by_partial_fit(estimator):
    """Whether ``estimator`` (sklearn) can add epochs with ``partial_fit``: it has
    the method for its parameters and no early stopping that only ``fit`` does."""
    return hasattr(estimator, "partial_fit") and not estimator.get_params(
        deep=False
    ).get("early_stopping", False)


def incremental_kind(estimator, resource, incremental):
    """How a search continues fold models: ``resume_kind``, or None when off.

    Parameters
    ----------
    estimator : estimator object
        The estimator searched.
    resource : str
        ``"n_samples"`` (never continued) or the resource parameter.
    incremental : bool, "auto" or "partial_fit"
        ``HyperbandSearchCV``'s option.

    Returns
    -------
    kind : {"warm_start", "warm_start_epochs", "partial_fit"} or None

    Raises
    ------
    ValueError
        When ``incremental`` is True and the estimator cannot continue, or is
        "partial_fit" and it cannot continue by ``partial_fit``.
    """
    kind = None
    if resource != "n_samples":
        kind = resume_kind(
            estimator, resource, prefer_partial_fit=incremental == "partial_fit"
        )
    name = type(estimator).__name__
    if incremental == "partial_fit" and kind != "partial_fit":
        raise ValueError(
            f"incremental='partial_fit', but {name} cannot continue training "
            f"by partial_fit when {resource!r} grows: it needs partial_fit (and "
            "no early_stopping) with max_iter / max_epochs as the resource. Use "
            "incremental='auto' or True for a warm start."
        )
    if incremental is True and kind is None:
        raise ValueError(
            f"incremental=True, but {name} cannot continue "
            f"training when {resource!r} grows: it needs warm_start with "
            "n_estimators (or max_iter of histogram gradient boosting), or "
            "warm_start or partial_fit with max_iter / max_epochs."
        )
    return kind if incremental else None


def _continue(model, kind, resource, params, done, X, y, fit_params):
    """Train ``model`` (fitted to ``done``) up to ``resource``; returns it."""
    target = params[resource]
    if kind == "warm_start":
        return model.set_params(**params).fit(X, y, **fit_params)
    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    skorch = hasattr(final, "fit_loop")
    if kind == "warm_start_epochs" or not (skorch or _continues_by_partial_fit(final)):
        _final_step(model, resource)[0].set_params(warm_start=True)
        model.set_params(**{**params, resource: target - done}).fit(X, y, **fit_params)
        return model.set_params(**{resource: target})
    if isinstance(model, Pipeline):
        X = model[:-1].transform(X)
    if skorch:
        # skorch: one call runs several epochs, and partial_fit (not fit_loop)
        # notifies the callbacks that training begins and ends, so early
        # stopping stops the rung (not the search) and restores its best weights.
        final.partial_fit(X, y, epochs=target - done, **fit_params)
    else:  # sklearn: one partial_fit call is one epoch
        for _ in range(target - done):
            final.partial_fit(X, y, **fit_params)
    return model.set_params(**{resource: target})


def _advance(
    model, estimator, params, resource, kind, done, X, y, train, test, options
):
    """Fit one fold (fresh or continued) and score it as ``_fit_and_score`` does."""
    fit_params = check_method_params(X, params=options["fit_params"], indices=train)
    score_params = options["score_params"]
    X_train, y_train = safe_split(estimator, X, y, train)
    X_test, y_test = safe_split(estimator, X, y, test, train)
    record = {"fit_error": None}
    start = time.time()
    try:
        if model is None:
            model = clone(estimator).set_params(**params)
            if kind in ("warm_start", "warm_start_epochs"):
                owner, _ = _final_step(model, resource)
                owner.set_params(warm_start=True)
            model.fit(X_train, y_train, **fit_params)
        else:
            model = _continue(
                model, kind, resource, params, done, X_train, y_train, fit_params
            )
        fit_time = time.time() - start
    except Exception:
        if options["error_score"] == "raise":
            raise
        fit_time, model = time.time() - start, None
        record["fit_error"] = traceback.format_exc()
        error = options["error_score"]
        names = getattr(options["scorer"], "_scorers", None)
        record["test_scores"] = {n: error for n in names} if names else error
        record["train_scores"] = record["test_scores"]
        record["score_time"] = 0.0
    else:
        record["test_scores"] = score(
            model,
            X_test,
            y_test,
            options["scorer"],
            check_method_params(X, params=score_params, indices=test),
            options["error_score"],
        )
        record["score_time"] = time.time() - start - fit_time
        if options["return_train_score"]:
            record["train_scores"] = score(
                model,
                X_train,
                y_train,
                options["scorer"],
                check_method_params(X, params=score_params, indices=train),
                options["error_score"],
            )
    if not options["return_train_score"]:
        record.pop("train_scores", None)
    record["n_test_samples"] = num_samples(X_test)
    record["fit_time"] = fit_time
    return record, model


class IncrementalExecutor:
    """Cross-validates rungs, continuing the fold models of promoted configurations.

    Parameters
    ----------
    estimator : estimator object
        The (unfitted) estimator to clone for new configurations.
    resource : str
        The resource parameter.
    kind : {"warm_start", "warm_start_epochs", "partial_fit"}
        How models continue training (:func:`incremental_kind`).
    X, y : array-like
        The data the search is fitted on.
    splits : list of (train, test)
        The cross-validation folds, the same for every rung.
    scorer : callable or _MultimetricScorer
        As sklearn's ``BaseSearchCV._get_scorers`` returns it.
    fit_params, score_params : dict
        Routed metadata for the estimator's ``fit`` and the scorer.
    error_score : "raise" or float
        Score of a fit that fails.
    return_train_score : bool
        Whether to score the training folds too.
    parallel : joblib.Parallel
        Runs the fits. The search passes the one its ``evaluate_candidates``
        uses, inside sklearn's ``with parallel:`` block, so that both run on one
        pool of workers (a second ``Parallel`` on a shared backend instance,
        Ray's, would end that pool when its call returns).
    """

    def __init__(
        self,
        estimator,
        resource,
        kind,
        *,
        X,
        y,
        splits,
        scorer,
        fit_params,
        score_params,
        error_score,
        return_train_score,
        parallel,
    ):
        self.kind = kind
        self.estimator = estimator
        self.resource = resource
        self._data = (X, y)
        self._splits = list(splits)
        self._options = {
            "scorer": scorer,
            "fit_params": fit_params,
            "score_params": score_params,
            "error_score": error_score,
            "return_train_score": return_train_score,
        }
        self._parallel = parallel
        self._models = {}  # config id -> (resource reached, [fold models])

    def run(self, ids, configs, keep=True):
        """Cross-validate ``configs`` at the resource their params name.

        Parameters
        ----------
        ids : list of int
            Configuration identifiers; an id seen in the previous call continues
            from the fold models kept then.
        configs : list of dict
            Parameters, including the resource parameter.
        keep : bool, default=True
            Keep the new fold models for the next call (False on a bracket's
            last rung). Models of configurations absent from this call are
            released either way.

        Returns
        -------
        records : list of dict
            One per (configuration, fold), configuration-major, in the format of
            sklearn's ``_fit_and_score``.
        """
        X, y = self._data
        jobs = []
        for config_id, params in zip(ids, configs, strict=True):
            done, models = self._models.get(config_id, (0, [None] * len(self._splits)))
            for (train, test), model in zip(self._splits, models, strict=True):
                jobs.append(
                    delayed(_advance)(
                        model,
                        self.estimator,
                        params,
                        self.resource,
                        self.kind,
                        done,
                        X,
                        y,
                        train,
                        test,
                        self._options,
                    )
                )
        out = self._parallel(jobs)
        n = len(self._splits)
        self._models = {}
        if keep:
            for j, (config_id, params) in enumerate(zip(ids, configs, strict=True)):
                self._models[config_id] = (
                    params[self.resource],
                    [model for _, model in out[j * n : (j + 1) * n]],
                )
        return [record for record, _ in out]
