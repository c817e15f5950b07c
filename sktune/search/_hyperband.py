"""``HyperbandSearchCV``: multi-fidelity search by brackets of successive halving,
a drop-in for ``RandomizedSearchCV`` and sklearn's ``HalvingRandomSearchCV``."""

import numbers
import os
from dataclasses import replace

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state

from ..optimizers import HyperbandScheduler, hyperband_brackets
from ._base import SearchLoop, TunerSearchCV
from ._checkpoint import search_signature
from ._compat import BaseSearchCV, Interval, StrOptions, num_samples
from ._incremental import incremental_kind
from ._rungs import RungEvaluator, stored_rungs
from ._schedule import brackets_run, describe_schedule, resource_range


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
        number of classes for a classifier), as sklearn's halving, or
        ``max_resource // eta**2`` (at least 1) for a parameter: three brackets
        (17 configurations with ``eta=3``), from ``eta**2`` configurations at
        ``max_resource / eta**2`` to plain random search at the full resource.
        Every bracket of the paper (Li et al. 2018) runs with
        ``min_resource=1``; measured on four tuning tasks, its brackets that
        start at one iteration or epoch cost more than their share and rank
        configurations too poorly to pay for it (``docs/hyperband.md``,
        "Choosing min_resource").
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
    incremental : bool, "auto" or "partial_fit", default="auto"
        Continue the fold models of promoted configurations. ``"auto"`` does it
        where the estimator supports it; True raises if it does not. sklearn
        estimators whose resource counts epochs continue by a warm-started
        ``fit`` (cheap, but it starts SGD's learning-rate schedule and MLP's
        optimizer state again); ``"partial_fit"`` continues them by one
        ``partial_fit`` call per epoch, which keeps both, so a continued model
        is (without shuffling) the one trained from scratch, at a cost per call
        that on small data exceeds retraining (``docs/hyperband.md``); it
        raises if the estimator has no ``partial_fit``.
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
    checkpoint : str, path-like or None, default=None
        File where ``cv_results_`` is saved (atomically) after every rung. When
        it exists at ``fit``, the search resumes from it: its rungs are not
        fitted again but replayed, their stored scores told to the scheduler in
        the order they ran, so promotions, the ``"bayesian"`` sampler's model
        and the draws of later brackets are those of an uninterrupted run with
        the same ``random_state``; then the search goes on, and the stored rows
        appear in ``cv_results_``. Fold models are not stored: a configuration
        promoted from a stored rung is trained from scratch at its new
        resource, which may change its score slightly where continued training
        differs from training from scratch (``"warm_start_epochs"``). A
        checkpoint of a different search (estimator, space, scoring, number of
        CV splits, resource range, ``eta``, ``sampler``, ``incremental``) or of
        other data is refused.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As ``GridSearchCV``'s, one row per evaluation (a configuration at one
        rung), plus ``config_id`` (the same for a configuration in every rung
        it reaches), ``bracket``, ``rung`` and ``n_resources``. With a parameter
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
    incremental_ : {"warm_start", "warm_start_epochs", "partial_fit"} or None
        How fold models continued between rungs (see
        :func:`sktune.search._incremental.resume_kind`); None when they were
        refitted.

    See Also
    --------
    BayesianSearchCV : Model-based search at a single fidelity.
    sklearn.model_selection.HalvingRandomSearchCV : One bracket of successive
        halving.

    Notes
    -----
    Brackets run in the paper's order, the most aggressive first, with or
    without incremental training; the same ``random_state`` draws the same
    configurations either way. Rungs that continue fold models run in sktune's
    executor, which bypasses sklearn's callback contexts and ``verbose`` fit
    lines.

    A search resumed from a complete checkpoint evaluates its last row once
    more (sklearn's ``fit`` needs one evaluation of its own).

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
    >>> search.metadata["n_evaluations"]  # three brackets: 9, 5 and 3 configurations
    22
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
        "incremental": ["boolean", StrOptions({"auto", "partial_fit"})],
        "checkpoint": [str, os.PathLike, None],
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
        checkpoint=None,
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
        self.checkpoint = checkpoint

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

    @property
    def metadata(self):
        """The planned schedule, known before fit.

        A dict: ``brackets`` (per bracket, in the order run: ``bracket``,
        ``n_candidates`` and ``n_resources`` per rung), ``n_candidates`` (distinct
        configurations), ``n_evaluations`` (configuration-rungs, rows of
        ``cv_results_``), ``total_resource`` (resource spent per fold, summed),
        ``min_resource``, ``max_resource`` and ``eta``.
        """
        low, high = resource_range(
            self.estimator,
            self.resource,
            self.min_resource,
            self.max_resource,
            eta=self.eta,
        )
        plan = hyperband_brackets(low, high, self.eta)
        return describe_schedule(plan, low, high, self.eta)

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
        min_samples = 2 * self._checked_cv_orig.get_n_splits(X, y, **split_params)
        if is_classifier(self.estimator) and y is not None:
            min_samples *= len(np.unique(y))
        self.min_resource_, self.max_resource_ = resource_range(
            self.estimator,
            self.resource,
            self.min_resource,
            self.max_resource,
            num_samples(X),
            min_samples,
            eta=self.eta,
        )
        self.incremental_ = incremental_kind(
            self.estimator, self.resource, self.incremental
        )
        self._fit_data = (space, X, y, split_params)

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        if callable(refit):
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        # Compare like with like: only rows at the largest resource reached.
        n_resources = np.asarray(results["n_resources"])
        top = np.flatnonzero(n_resources == n_resources.max())
        return int(top[np.argmin(results[f"rank_test_{refit_metric}"][top])])

    # -- the search ----------------------------------------------------------------

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        space, X, y, split_params = self._fit_data
        rng = check_random_state(self.random_state)
        plan = hyperband_brackets(self.min_resource_, self.max_resource_, self.eta)
        scheduler = HyperbandScheduler(
            space,
            self.min_resource_,
            self.max_resource_,
            self.eta,
            sampler=self.sampler,
            random_state=rng.randint(2**31 - 1),
        )
        try:
            evaluate_rung = RungEvaluator(
                self,
                evaluate_candidates,
                X,
                y,
                split_params,
                self._routed,
                incremental=self.incremental_ is not None and len(plan) > 1,
                random_state=rng,
            )
            total = sum(sum(b.n_candidates) for b in plan)
            signature = None
            if self.checkpoint is not None:
                signature = self._checkpoint_signature(space, X, y, split_params)
            loop = SearchLoop(
                self,
                evaluate_candidates,
                callback_ctx,
                total,
                checkpoint=self.checkpoint,
                signature=signature,
                key_columns=("bracket", "rung"),
            )
            with loop:
                self._run_rungs(loop, scheduler, evaluate_rung)
        finally:
            del self._fit_data, self._routed
        ran = brackets_run(scheduler.history)
        self.n_candidates_ = [b.n_candidates for b in ran]
        self.n_resources_ = [b.n_resources for b in ran]
        self.n_brackets_ = len(ran)
        self.metadata_ = describe_schedule(
            ran, self.min_resource_, self.max_resource_, self.eta
        )
        self.optimizer_results_ = [loop.result()]

    def _checkpoint_signature(self, space, X, y, split_params):
        """What a checkpoint must share with this fit to be resumed: what
        ``BayesianSearchCV`` checks (data included), the schedule, the sampler and
        how fold models continue."""
        return {
            **search_signature(self, space, (X, y, split_params)),
            "resource": self.resource,
            "min_resource": self.min_resource_,
            "max_resource": self.max_resource_,
            "eta": self.eta,
            "sampler": self.sampler,
            "incremental": self.incremental_,
        }

    def _run_rungs(self, loop, scheduler, evaluate_rung):
        """Ask, evaluate and tell rungs until the schedule or the budget ends.

        The rungs of a resumed checkpoint come first: each is asked with its
        stored configurations and told its stored scores, in the order they ran,
        so the scheduler promotes and draws as it did (see
        :meth:`HyperbandScheduler.ask`); then the search goes on.
        """
        replay = iter(
            []
            if loop.resumed is None
            else stored_rungs(loop.resumed, loop.scores, self.resource)
        )
        while not loop.stopped:
            stored = next(replay, None)
            rung = scheduler.ask(None if stored is None else stored.configs)
            if rung is None:
                break
            if stored is None:
                scheduler.tell(rung, evaluate_rung(loop, rung))
                continue
            if (rung.bracket, rung.rung, rung.resource) != (
                stored.bracket,
                stored.rung,
                stored.resource,
            ):
                raise ValueError(
                    f"checkpoint {str(self.checkpoint)!r} holds rung {stored.rung} "
                    f"of bracket {stored.bracket} at n_resources={stored.resource} "
                    f"where this search runs rung {rung.rung} of bracket "
                    f"{rung.bracket} at n_resources={rung.resource}. Delete the "
                    "file or pass another checkpoint path to start afresh."
                )
            scheduler.tell(rung, stored.scores)
        if loop.results is None and scheduler.history:
            # Every rung was stored: sklearn's fit needs one evaluation of its own,
            # so the last row runs again (and stays the last row).
            last, _ = scheduler.history[-1]
            evaluate_rung(
                loop, replace(last, ids=last.ids[-1:], configs=last.configs[-1:])
            )
