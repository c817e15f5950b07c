"""What every sktune search driver shares, on top of sklearn's ``BaseSearchCV``.

A driver implements ``_run_search`` as a loop of *batches*: ask an optimizer for
configurations, evaluate them with sklearn's ``evaluate_candidates`` through a
:class:`SearchLoop`, tell the optimizer the scores. The loop owns everything
around one batch: sklearn's callback contexts, failed batches, the progress bar,
the time budget and user callbacks. sklearn keeps doing scoring, multimetric,
``refit``, ``error_score`` and ``cv_results_``.
"""

import math
import numbers
import time
import warnings

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.base import clone
from tqdm.auto import tqdm

from ..space import as_search_space
from ._checkpoint import load_checkpoint, merge_cv_results, save_checkpoint
from ._compat import (
    BaseSearchCV,
    FitFailures,
    Interval,
    checked_cv,
    non_finite_scores_warning,
    replace_results,
    set_up_fit,
    tolerate_failed_batches,
)


def _driving_metric(results, refit):
    """The metric the optimizer maximises: the refit metric, else the first one."""
    if "mean_test_score" in results:
        return "score"
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return refit
    return next(
        key[len("mean_test_") :] for key in results if key.startswith("mean_test_")
    )


def _settable(estimator, param, dim):
    """Whether a clone of ``estimator`` accepts ``param`` in ``set_params``."""
    try:
        (value,) = dim.from_unit(np.array([0.5]))
        clone(estimator).set_params(**{param: value})
    except Exception:
        return False
    return True


class TunerSearchCV(BaseSearchCV):
    """Base of sktune's search estimators: shared parameters and validation.

    Subclasses define ``_run_search``. Parameters shared by all of them (beyond
    sklearn's ``BaseSearchCV``) are documented on the subclasses: ``random_state``,
    ``timeout``, ``callbacks`` and ``progress_bar``.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "random_state": ["random_state"],
        "timeout": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "callbacks": [list, tuple, callable, None],
        "progress_bar": ["boolean"],
    }

    def fit(self, X, y=None, **params):
        """Search: cross-validate candidates, then refit the best (sklearn's fit).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; None for unsupervised learning.
        **params : dict of str -> object
            Parameters passed to the ``fit`` method of the estimator, the
            scorer and the CV splitter (``groups``), routed as scikit-learn
            routes them.

        Returns
        -------
        self : object
            The fitted search.
        """
        set_up_fit(self, X, y, params)  # scikit-learn < 1.9
        return super().fit(X, y, **params)

    def _search_space(self, spec, name):
        """Convert ``spec`` and check its names against the estimator's parameters.

        A subspace that searches over estimators (``{"clf": [SVC(), ...]}``) may
        also set their parameters (``"clf__C"``), as sklearn's grids allow.
        """
        space = as_search_space(spec, name)
        valid = set(self.estimator.get_params(deep=True))
        for subspace in space.subspaces:
            for param, dim in subspace.items():
                for choice in getattr(dim, "choices", ()):
                    if hasattr(choice, "get_params") and not isinstance(choice, type):
                        valid.update(
                            f"{param}__{key}" for key in choice.get_params(deep=True)
                        )
        # An estimator not built on BaseEstimator may accept in set_params names
        # its get_params does not list; sklearn's searches accept them, so do we.
        for subspace in space.subspaces:
            for param, dim in subspace.items():
                if param not in valid and _settable(self.estimator, param, dim):
                    valid.add(param)
        space.check_names(valid, owner=type(self.estimator).__name__)
        return space

    def _callbacks(self):
        if self.callbacks is None:
            return []
        callbacks = (
            [self.callbacks] if callable(self.callbacks) else list(self.callbacks)
        )
        for i, callback in enumerate(callbacks):
            if not callable(callback):
                raise TypeError(
                    f"callbacks[{i}] must be callable (result -> bool). Got "
                    f"{callback!r} instead."
                )
        return callbacks


class _SameSplits:
    """Splits like ``cv`` at the first ``split`` call, then repeats those splits.

    sklearn calls ``split`` in every ``evaluate_candidates`` call. A splitter that
    shuffles without a fixed seed (``KFold(shuffle=True)``, ``ShuffleSplit()``)
    would score every batch on other folds, where ``RandomizedSearchCV`` scores
    all candidates on the same ones, and the scores the optimizer compares would
    differ by the folds as much as by the parameters.
    """

    def __init__(self, cv):
        self.cv = cv
        self._splits = None

    def get_n_splits(self, X=None, y=None, **params):
        return self.cv.get_n_splits(X, y, **params)

    def split(self, X, y=None, **params):
        if self._splits is None:
            self._splits = list(self.cv.split(X, y, **params))
        return iter(self._splits)


class SearchLoop:
    """Evaluates batches for a driver and decides when the search stops.

    Parameters
    ----------
    search : TunerSearchCV
        The driver (for its options and ``refit``).
    evaluate_candidates : callable
        sklearn's evaluation closure handed to ``_run_search``.
    callback_ctx : sklearn CallbackContext or None
        sklearn's (>= 1.9) callback context handed to ``_run_search``.
    total : int
        Planned number of evaluations, for the progress bar.
    checkpoint : str, path-like or None, default=None
        File to which the results are written after every batch. If it exists
        already, the search resumes from it: its candidates start ``configs`` and
        ``scores`` and are merged back into ``cv_results_`` without being refit.
    signature : dict or None, default=None
        What identifies the search (:func:`search_signature`); a checkpoint written
        by a search with another signature is refused.
    key_columns : tuple of str, default=()
        Columns of ``cv_results_`` that, with ``params``, identify a row (see
        :func:`merge_cv_results`); a resumed row evaluated again in this fit
        appears once, as evaluated now.

    Attributes
    ----------
    configs : list of dict
        Every configuration evaluated, in order.
    scores : ndarray
        Their mean test score on the driving metric (NaN where a fit failed).
    """

    def __init__(
        self,
        search,
        evaluate_candidates,
        callback_ctx,
        total,
        checkpoint=None,
        signature=None,
        key_columns=(),
    ):
        self._search = search
        self._checkpoint, self._signature = checkpoint, signature
        self._key_columns = key_columns
        self._stored = load_checkpoint(checkpoint, signature)
        self._evaluate = evaluate_candidates
        self._callbacks = search._callbacks()
        self._ctx = None
        if callback_ctx is not None:
            self._ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=search)
        self._start = time.monotonic()
        self._bar = tqdm(
            total=total,
            disable=not search.progress_bar,
            desc=type(search).__name__,
            unit="trial",
            dynamic_ncols=True,
        )
        self.configs = []
        self.scores = np.empty(0)
        if self._stored is not None:
            metric = _driving_metric(self._stored, search.refit)
            self.configs = list(self._stored["params"])
            self.scores = np.asarray(self._stored[f"mean_test_{metric}"], dtype=float)
            self._bar.update(len(self.configs))
        self.stopped = False
        self.results = None
        self._non_finite = {}  # sklearn's non-finite-score warnings, shown once
        self._failures = FitFailures()  # which fits failed, batch after batch
        self._splits = _SameSplits(checked_cv(search))  # one set for all batches

    @property
    def elapsed(self):
        """Seconds since the search started."""
        return time.monotonic() - self._start

    def evaluate(self, configs, more_results=None, cv=None, evaluator=None):
        """Cross-validate ``configs`` and return their scores on the driving metric.

        A batch in which every fit fails does not end the search: its candidates
        are recorded with ``error_score`` like any other. The scores returned
        (and kept in ``scores``) are NaN for every candidate with a failed fit,
        whatever ``error_score`` is. Without ``cv``, every batch is scored on the
        splits of the first one (see ``_SameSplits``).
        ``evaluator``, when given, replaces sklearn's ``evaluate_candidates`` for
        this batch (same call, same returned results; e.g. an executor that keeps
        fitted models between batches).
        """
        kwargs = {"more_results": more_results}
        kwargs["cv"] = self._splits if cv is None else cv
        batch_ctx = None
        if self._ctx is not None:
            batch_ctx = self._ctx.subcontext(
                task_name="batch",
                max_subtasks=len(configs) * self._search.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self._search)
            kwargs["callback_ctx"] = batch_ctx
        n_calls = len(self._failures.flags)
        with (
            tolerate_failed_batches(self._failures),
            warnings.catch_warnings(record=True) as seen,
        ):
            self.results = (evaluator or self._evaluate)(configs, **kwargs)
        failed_fits = self._failures.flags[n_calls:]
        for w in seen:
            key = non_finite_scores_warning(w.message)
            if key is not None:  # repeated by every batch: keep the latest only
                self._non_finite[key] = w
            else:
                warnings.warn_explicit(
                    w.message, w.category, w.filename, w.lineno, source=w.source
                )
        if batch_ctx is not None:
            batch_ctx.call_on_fit_task_end(estimator=self._search)
        metric = _driving_metric(self.results, self._search.refit)
        batch_scores = np.array(self.results[f"mean_test_{metric}"], dtype=float)[
            -len(configs) :
        ]
        if failed_fits and len(failed_fits[-1]) % len(configs) == 0:
            # A candidate with a failed fit is a failure (NaN) for the optimizer and
            # the stoppers, even when error_score is a number that would look good.
            failed = np.reshape(failed_fits[-1], (len(configs), -1)).any(axis=1)
            batch_scores[failed] = np.nan
        self.configs.extend(configs)
        self.scores = np.concatenate([self.scores, batch_scores])
        if self._checkpoint is not None:
            save_checkpoint(self._checkpoint, self._signature, self.merged_results())
        self._after_batch(len(configs))
        return batch_scores

    @property
    def resumed(self):
        """The ``cv_results_`` resumed from the checkpoint, or None."""
        return self._stored

    def merged_results(self):
        """Results of this fit, preceded by the resumed ones it did not redo."""
        if self._stored is None:
            return self.results
        return merge_cv_results(self._stored, self.results, self._key_columns)

    def _after_batch(self, n):
        best = self.best_score
        self._bar.update(n)
        if math.isfinite(best):
            self._bar.set_postfix(best=f"{best:.4g}", refresh=False)
        timeout = self._search.timeout
        if timeout is not None and self.elapsed >= timeout:
            self.stopped = True
        result = self.result()
        for callback in self._callbacks:
            if callback(result):
                self.stopped = True

    @property
    def best_score(self):
        """Best finite score so far (``-inf`` when none)."""
        finite = self.scores[np.isfinite(self.scores)]
        return float(finite.max()) if finite.size else -math.inf

    def result(self):
        """The search so far, as handed to callbacks."""
        finite = np.isfinite(self.scores)
        best = (
            int(np.flatnonzero(finite)[np.argmax(self.scores[finite])])
            if finite.any()
            else None
        )
        return OptimizeResult(
            x=None if best is None else self.configs[best],
            best_score=self.best_score,
            fun=-self.best_score,
            x_iters=list(self.configs),
            scores=self.scores.copy(),
            func_vals=-self.scores,
            elapsed=self.elapsed,
        )

    def close(self):
        """Close the progress bar and sklearn's callback context.

        Raises
        ------
        ValueError
            When no candidate of the whole search could be fitted, as sklearn does
            for a search whose fits all failed.
        """
        self._bar.close()
        if self._ctx is not None:
            self._ctx.call_on_fit_task_end(estimator=self._search)
        if self._stored is not None and self.results is not None:
            replace_results(self.results, self.merged_results())
        for w in self._non_finite.values():
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, source=w.source
            )
        if self.configs and not np.isfinite(self.scores).any():
            raise ValueError(
                f"All the {len(self.configs)} candidates failed to fit. It is very "
                "likely that the estimator or the search space is misconfigured; "
                "set error_score='raise' to see the error."
            )

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._bar.close()
        return False
