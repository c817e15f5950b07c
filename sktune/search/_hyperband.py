"""``HyperbandSearchCV``: multi-fidelity search by brackets of successive halving,
a drop-in for ``RandomizedSearchCV`` and sklearn's ``HalvingRandomSearchCV``."""

import numbers
from collections import defaultdict
from functools import partial

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state

from ..optimizers import Bracket, HyperbandScheduler, hyperband_brackets
from ._base import SearchLoop, TunerSearchCV
from ._compat import (
    BaseSearchCV,
    Interval,
    StrOptions,
    SubsampleMetaSplitter,
    num_samples,
    warn_or_raise_about_fit_failures,
)
from ._incremental import IncrementalExecutor, resume_kind


class _Ledger:
    """Records of batches evaluated by the incremental executor.

    sklearn's ``evaluate_candidates`` only knows the fits it ran itself; the
    executor's records are merged with them each time results are formatted.
    """

    def __init__(self):
        self.params, self.out, self.more = [], [], defaultdict(list)
        self.sklearn = None  # sklearn's (candidate_params, n_splits, out, more)
        self.results = None  # the results dict sklearn holds and returns from fit

    def add(self, configs, records, more_results):
        self.params.extend(configs)
        self.out.extend(records)
        for key, values in more_results.items():
            self.more[key].extend(values)


class HyperbandSearchCV(TunerSearchCV):
    """Hyperband search over hyperparameters, every rung cross-validated.

    Hyperband (Li et al. 2018) runs *brackets* of successive halving: a bracket
    gives many configurations a small resource (training samples, boosting
    iterations, epochs), keeps the best ``1 / eta`` of them for a resource
    ``eta`` times larger, and so on up to ``max_resource``. Brackets range from
    the most aggressive (start at ``min_resource``) to plain random search at
    ``max_resource``, which hedges against a small resource being misleading.

    Every rung is k-fold cross-validated; the best configuration among those
    evaluated at the largest resource reached is refitted on all the data.
    Where the estimator can continue training (``warm_start`` with a growing
    ``n_estimators`` / ``max_iter``, ``partial_fit``, skorch nets), a promoted
    configuration continues its fold models instead of starting again.

    Parameters
    ----------
    estimator : estimator object
        The estimator (or Pipeline) to tune.
    search_spaces : dict or list of dict, default=None
        What to search, in any form :class:`BayesianSearchCV` takes (sktune
        dimensions, lists, ``scipy.stats`` distributions, skopt tuples).
    param_distributions : dict or list of dict, default=None
        Alias of ``search_spaces`` for ``RandomizedSearchCV`` users; give one.
    resource : str, default="n_samples"
        What a rung grows: ``"n_samples"`` (the training folds are subsampled,
        as sklearn's successive halving does) or the name of an integer
        parameter of the estimator (``max_iter``, ``n_estimators``,
        ``max_epochs``, ``step__param`` in a Pipeline), which must not be
        searched.
    min_resource : int or "auto", default="auto"
        Smallest resource. ``"auto"``: ``2 * n_splits`` samples (times the
        number of classes for a classifier), as sklearn's halving, or 1 for a
        parameter.
    max_resource : int or "auto", default="auto"
        Largest resource. ``"auto"``: the number of samples, or the value the
        estimator's resource parameter is set to.
    eta : int, default=3
        Halving rate: a rung keeps the best ``1 / eta`` of its configurations.
    sampler : {"random", "bayesian"}, default="random"
        How each bracket draws its configurations: from the priors, or
        BOHB-style from a Gaussian process fitted on the largest resource with
        enough observations (a third stay random); see
        :class:`sktune.optimizers.HyperbandScheduler`.
    incremental : bool or "auto", default="auto"
        Continue the fold models of promoted configurations. ``"auto"`` does it
        where the estimator supports it; True raises if it does not.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, \
return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`; a callable
        ``refit`` receives ``cv_results_`` (with its ``n_resources`` column) and
        its choice is used as is.
    random_state : int, RandomState instance or None, default=None
        Makes the configurations and subsamples repeatable, for any ``n_jobs``.
    timeout : float or None, default=None
        Time budget in seconds; no rung starts after it has passed.
    callbacks : callable, list of callables or None, default=None
        Called after every rung with a ``scipy.optimize.OptimizeResult`` (see
        :mod:`sktune.callbacks`); returning True stops the search.
    progress_bar : bool, default=False
        Show a tqdm progress bar of the evaluations.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As ``GridSearchCV``'s, one row per evaluation (a configuration at one
        rung), plus ``bracket``, ``rung`` and ``n_resources``. With a parameter
        resource, ``params`` include it.
    best_estimator_, best_score_, best_params_, best_index_, scorer_, \
n_splits_, refit_time_, multimetric_
        As in :class:`sklearn.model_selection.GridSearchCV`; the best index is
        the best row at the largest ``n_resources`` reached.
    metadata_ : dict
        What ran, in the format of :attr:`metadata`.
    n_resources_, n_candidates_ : list of list of int
        Per bracket run, the resource and number of configurations of each rung.
    n_brackets_ : int
        Brackets run (fewer than planned when stopped early).
    min_resource_, max_resource_ : int
        The resource range used.
    incremental_ : {"warm_start", "partial_fit"} or None
        How fold models continued between rungs; None when they were refitted.

    See Also
    --------
    BayesianSearchCV : Model-based search at a single fidelity.
    sklearn.model_selection.HalvingRandomSearchCV : One bracket of successive
        halving.

    Notes
    -----
    With incremental training, the bracket ``s = 0`` (random search at
    ``max_resource``, whose models need not be kept) runs first, through
    sklearn's own evaluation; the other brackets follow in the paper's order.
    Their fits bypass sklearn's callback contexts and ``verbose`` fit lines.

    References
    ----------
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18, 2018.

    Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
    Optimization at Scale", ICML 2018.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sktune import HyperbandSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     SGDClassifier(max_iter=27, tol=None, random_state=0),
    ...     {"alpha": loguniform(1e-5, 1e-1)},
    ...     resource="max_iter",
    ...     random_state=0,
    ... )
    >>> search.metadata["n_evaluations"]
    69
    >>> bool(search.fit(X, y).best_score_ > 0.8)
    True
    """

    _parameter_constraints: dict = {
        **TunerSearchCV._parameter_constraints,
        "search_spaces": [dict, list, None],
        "param_distributions": [dict, list, None],
        "resource": [str],
        "min_resource": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_resource": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "eta": [Interval(numbers.Integral, 2, None, closed="left")],
        "sampler": [StrOptions({"random", "bayesian"})],
        "incremental": ["boolean", StrOptions({"auto"})],
    }

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        param_distributions=None,
        resource="n_samples",
        min_resource="auto",
        max_resource="auto",
        eta=3,
        sampler="random",
        incremental="auto",
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        timeout=None,
        callbacks=None,
        progress_bar=False,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.param_distributions = param_distributions
        self.resource = resource
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.eta = eta
        self.sampler = sampler
        self.incremental = incremental
        self.random_state = random_state
        self.timeout = timeout
        self.callbacks = callbacks
        self.progress_bar = progress_bar

    # -- resolving options (before any fit) --------------------------------------

    def _space_spec(self):
        if (self.search_spaces is None) == (self.param_distributions is None):
            raise ValueError(
                "Give exactly one of search_spaces and param_distributions (an "
                "alias). Got search_spaces="
                f"{self.search_spaces!r} and param_distributions="
                f"{self.param_distributions!r}."
            )
        if self.search_spaces is not None:
            return self.search_spaces, "search_spaces"
        return self.param_distributions, "param_distributions"

    def _resource_range(self, n_samples=None, min_samples=None):
        """``(min_resource, max_resource)``; raises naming what cannot be used."""
        params = self.estimator.get_params(deep=True)
        owner = type(self.estimator).__name__
        if self.resource != "n_samples" and self.resource not in params:
            ints = sorted(
                k
                for k, v in params.items()
                if isinstance(v, numbers.Integral) and not isinstance(v, bool)
            )
            raise ValueError(
                f"resource={self.resource!r} is not a parameter of {owner}. Use "
                f"'n_samples' or one of its integer parameters: {ints}."
            )
        if self.resource == "n_samples":
            low, high = min_samples, n_samples
        else:
            low, high = 1, params[self.resource]
            if self.max_resource == "auto" and (
                isinstance(high, bool)
                or not isinstance(high, numbers.Integral)
                or high < 1
            ):
                raise ValueError(
                    f"max_resource='auto' cannot be inferred: {owner}'s "
                    f"{self.resource} is {high!r}, not a positive int. Set "
                    "max_resource to an int."
                )
        low = low if self.min_resource == "auto" else self.min_resource
        high = high if self.max_resource == "auto" else self.max_resource
        if low is None or high is None:
            raise ValueError(
                "With resource='n_samples', min_resource='auto' and "
                "max_resource='auto' depend on the data; the plan is known after "
                "fit (metadata_), or set both to ints."
            )
        if low > high:
            raise ValueError(
                f"min_resource must be <= max_resource. Got min_resource={low} and "
                f"max_resource={high} (resource={self.resource!r})."
            )
        return int(low), int(high)

    @property
    def metadata(self):
        """The planned schedule, known before fit.

        A dict: ``brackets`` (per bracket, in the order run: ``bracket``,
        ``n_candidates`` and ``n_resources`` per rung), ``n_candidates`` (distinct
        configurations), ``n_evaluations`` (configuration-rungs, rows of
        ``cv_results_``), ``total_resource`` (resource spent per fold, summed),
        ``min_resource``, ``max_resource`` and ``eta``.
        """
        low, high = self._resource_range()
        return self._describe(hyperband_brackets(low, high, self.eta), low, high)

    def _describe(self, brackets, low, high):
        return {
            "brackets": [
                {
                    "bracket": b.s,
                    "n_candidates": b.n_candidates,
                    "n_resources": b.n_resources,
                }
                for b in brackets
            ],
            "n_candidates": sum(b.n_candidates[0] for b in brackets if b.n_candidates),
            "n_evaluations": sum(sum(b.n_candidates) for b in brackets),
            "total_resource": sum(
                n * r
                for b in brackets
                for n, r in zip(b.n_candidates, b.n_resources, strict=True)
            ),
            "min_resource": low,
            "max_resource": high,
            "eta": self.eta,
        }

    # -- sklearn hooks -------------------------------------------------------------

    def _get_routed_params_for_fit(self, params):
        # Kept for the incremental executor, which fits outside sklearn's loop.
        self._routed = super()._get_routed_params_for_fit(params)
        return self._routed

    def _check_input_parameters(self, X, y, split_params):
        # sklearn calls this in fit before any model is fitted: validate here.
        spec, name = self._space_spec()
        space = self._search_space(spec, name)
        if self.resource in space.names:
            raise ValueError(
                f"resource={self.resource!r} is also in {name}; the resource is set "
                "by the schedule and must not be searched."
            )
        n_samples = num_samples(X)
        min_samples = 2 * self._checked_cv_orig.get_n_splits(X, y, **split_params)
        if is_classifier(self.estimator) and y is not None:
            min_samples *= len(np.unique(y))
        self.min_resource_, self.max_resource_ = self._resource_range(
            n_samples, min_samples
        )
        kind = None
        if self.resource != "n_samples":
            kind = resume_kind(self.estimator, self.resource)
        if self.incremental is True and kind is None:
            raise ValueError(
                f"incremental=True, but {type(self.estimator).__name__} cannot "
                f"continue training when {self.resource!r} grows: it needs "
                "warm_start with n_estimators (or max_iter of histogram gradient "
                "boosting), or partial_fit with max_iter / max_epochs."
            )
        self.incremental_ = kind if self.incremental else None
        self._fit_data = (space, X, y, split_params)

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        if callable(refit):
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        # Compare like with like: only rows at the largest resource reached.
        n_resources = np.asarray(results["n_resources"])
        top = np.flatnonzero(n_resources == n_resources.max())
        return int(top[np.argmin(results[f"rank_test_{refit_metric}"][top])])

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        ledger = getattr(self, "_ledger", None)
        if ledger is None:
            return super()._format_results(
                candidate_params, n_splits, out, more_results
            )
        ledger.sklearn = (candidate_params, n_splits, out, more_results or {})
        ledger.results = self._merged_results(ledger)
        return ledger.results

    def _merged_results(self, ledger):
        params, n_splits, out, more = ledger.sklearn
        keys = set(more) | set(ledger.more)
        merged = {k: list(more.get(k, [])) + ledger.more.get(k, []) for k in keys}
        return super()._format_results(
            list(params) + ledger.params, n_splits, list(out) + ledger.out, merged
        )

    # -- the search ----------------------------------------------------------------

    def _evaluate_incremental(
        self, executor, rung, keep, configs, more_results=None, **_
    ):
        ledger = self._ledger
        if ledger.results is None:
            raise RuntimeError("The full-resource bracket must run first.")
        records = executor.run(rung.ids, configs, keep=keep)
        warn_or_raise_about_fit_failures(records, self.error_score)
        ledger.add(configs, records, more_results)
        # sklearn returns, from fit, the dict it got last: update it in place.
        merged = self._merged_results(ledger)
        ledger.results.clear()
        ledger.results.update(merged)
        return ledger.results

    def _make_executor(self, X, y, split_params):
        scorer, _ = self._get_scorers()
        return IncrementalExecutor(
            self.estimator,
            self.resource,
            X=X,
            y=y,
            splits=self._checked_cv_orig.split(X, y, **split_params),
            scorer=scorer,
            fit_params=self._routed.estimator.fit,
            score_params=self._routed.scorer.score,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
            n_jobs=self.n_jobs,
            pre_dispatch=self.pre_dispatch,
        )

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        space, X, y, split_params = self._fit_data
        rng = check_random_state(self.random_state)
        plan = hyperband_brackets(self.min_resource_, self.max_resource_, self.eta)
        incremental = self.incremental_ is not None and len(plan) > 1
        order = [0] + [b.s for b in plan if b.s != 0] if incremental else None
        scheduler = HyperbandScheduler(
            space,
            self.min_resource_,
            self.max_resource_,
            self.eta,
            sampler=self.sampler,
            bracket_order=order,
            random_state=rng.randint(2**31 - 1),
        )
        executor = self._make_executor(X, y, split_params) if incremental else None
        self._ledger = _Ledger() if incremental else None
        total = sum(sum(b.n_candidates) for b in plan)
        try:
            with SearchLoop(self, evaluate_candidates, callback_ctx, total) as loop:
                while not loop.stopped and (rung := scheduler.ask()) is not None:
                    scores = self._evaluate_rung(loop, rung, executor, rng)
                    scheduler.tell(rung, scores)
        finally:
            del self._fit_data, self._routed, self._ledger
        self._record_schedule(scheduler)
        self.optimizer_results_ = [loop.result()]

    def _evaluate_rung(self, loop, rung, executor, rng):
        n = len(rung.configs)
        more = {
            "bracket": [rung.bracket] * n,
            "rung": [rung.rung] * n,
            "n_resources": [rung.resource] * n,
        }
        if self.verbose > 0:
            print(
                f"bracket {rung.bracket}, rung {rung.rung}: {n} candidates, "
                f"n_resources={rung.resource}"
            )
        if self.resource == "n_samples":
            cv = SubsampleMetaSplitter(
                base_cv=self._checked_cv_orig,
                fraction=rung.resource / self.max_resource_,
                subsample_test=True,
                random_state=rng.randint(2**31 - 1),
            )
            return loop.evaluate(rung.configs, more, cv=cv)
        configs = [{**c, self.resource: rung.resource} for c in rung.configs]
        if executor is None or rung.bracket == 0:
            return loop.evaluate(configs, more)
        keep = rung.rung < rung.bracket  # a bracket s has rungs 0..s
        evaluator = partial(self._evaluate_incremental, executor, rung, keep)
        return loop.evaluate(configs, more, evaluator=evaluator)

    def _record_schedule(self, scheduler):
        runs = defaultdict(lambda: ([], []))
        for rung, _ in scheduler.history:
            runs[rung.bracket][0].append(len(rung.ids))
            runs[rung.bracket][1].append(rung.resource)
        self.n_candidates_ = [c for c, _ in runs.values()]
        self.n_resources_ = [r for _, r in runs.values()]
        self.n_brackets_ = len(runs)
        brackets = [Bracket(s, c, r) for s, (c, r) in runs.items()]
        self.metadata_ = self._describe(
            brackets, self.min_resource_, self.max_resource_
        )
