"""``BayesianSearchCV``: a drop-in for ``GridSearchCV`` / ``RandomizedSearchCV`` /
scikit-optimize's ``BayesSearchCV`` that proposes candidates with a Gaussian process."""

import math
import numbers
import os
import warnings

import numpy as np
from joblib import effective_n_jobs

from ..optimizers import BayesianOptimizer, Candidate
from ._base import SearchLoop, TunerSearchCV
from ._checkpoint import search_signature
from ._compat import Interval, StrOptions

_OPTIMIZER_KWARGS = (
    "n_initial_points",
    "initial_point_generator",
    "acq_func",
    "acq_func_kwargs",
    "acq_optimizer_kwargs",
)


class BayesianSearchCV(TunerSearchCV):
    """Bayesian optimisation of an estimator's hyperparameters, cross-validated.

    A Gaussian process (sklearn's ``GaussianProcessRegressor``, Matern 5/2 kernel)
    models the cross-validated score as a function of the hyperparameters; each
    batch of candidates maximises Expected Improvement under that model. Batches
    of ``n_points`` candidates are cross-validated in parallel with joblib, so the
    same search runs on a Dask or Ray cluster through ``joblib.parallel_config``.

    Everything else is scikit-learn's ``BaseSearchCV``: ``scoring``, multimetric
    ``refit``, ``error_score``, ``cv_results_``, ``best_estimator_``.

    Parameters
    ----------
    estimator : estimator object
        The estimator (or Pipeline) to tune.
    search_spaces : dict or list of dict
        Parameter name (``step__param`` in a Pipeline) to range: ``Real``,
        ``Integer``, ``Categorical`` from :mod:`sktune.space`, a list of choices,
        a ``scipy.stats`` distribution (as ``RandomizedSearchCV`` takes), a
        ``(low, high[, prior])`` tuple or a ``skopt.space`` dimension. A list of
        dicts searches a union of conditional subspaces.
    n_iter : int, default=50
        Number of candidates evaluated (fewer if the space holds fewer).
    n_points : int or "auto", default="auto"
        Candidates proposed and cross-validated together per batch. ``"auto"``
        picks the smallest batch that keeps every joblib worker busy with
        ``n_splits`` fits per candidate (1 when ``n_jobs`` is 1).
    n_initial_points : int or None, default=None
        Candidates of the scrambled Sobol design before the model is used;
        ``None`` gives ``max(5, min(2 * d + 1, 20))`` for ``d`` dimensions.
    acq_func : {"EI", "EIps", "PI", "LCB"}, default="EI"
        Acquisition function: Expected Improvement (computed as log-EI),
        Expected Improvement per second, Probability of Improvement, or the
        optimistic confidence bound. "EIps" divides EI by the fit time a second
        Gaussian process predicts from the ``mean_fit_time`` of the candidates
        evaluated so far (Snoek et al. 2012), so that of two equally promising
        candidates the faster one to fit goes first.
    optimizer_kwargs : dict or None, default=None
        Further options of :class:`sktune.optimizers.BayesianOptimizer`
        (``n_initial_points``, ``initial_point_generator``, ``acq_func``,
        ``acq_func_kwargs``, ``acq_optimizer_kwargs``); they override the
        parameters above.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, \
return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`. With several
        metrics, the optimizer maximises the ``refit`` metric (the first metric
        when ``refit`` is a callable or False). A failing candidate is scored
        ``error_score`` and the search goes on, even if a whole batch fails.
    random_state : int, RandomState instance or None, default=None
        Makes the sequence of candidates repeatable, for any ``n_jobs``.
    timeout : float or None, default=None
        Time budget in seconds; no batch starts after it has passed.
    callbacks : callable, list of callables or None, default=None
        Called after every batch with a ``scipy.optimize.OptimizeResult`` (see
        :mod:`sktune.callbacks`); returning True stops the search.
    progress_bar : bool, default=False
        Show a tqdm progress bar with the trial count, best score and ETA.
    checkpoint : str, path-like or None, default=None
        File where the results so far are saved after every batch. When it
        exists at ``fit``, the search resumes from it: the optimizer is told every
        stored result, only the rest of ``n_iter`` is evaluated, and the stored
        candidates appear in ``cv_results_`` without being refit. A checkpoint of a
        different search (estimator, space, scoring or CV) or of other data (``X``,
        ``y``, ``groups``) is refused.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As ``GridSearchCV``'s, in evaluation order, plus ``surrogate_mean``,
        ``surrogate_std`` (the model's prediction when the candidate was proposed,
        NaN for the initial design), ``acquisition`` and ``batch``.
    best_estimator_, best_score_, best_params_, best_index_, scorer_, \
n_splits_, refit_time_, multimetric_
        As in :class:`sklearn.model_selection.GridSearchCV`.
    optimizer_results_ : list of OptimizeResult
        One result summarising the search (``x``, ``fun``, ``x_iters``,
        ``func_vals`` as scikit-optimize's ``BayesSearchCV`` has them; ``func_vals``
        are negated scores).
    n_points_ : int
        Batch size used.

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Random search.
    HyperbandSearchCV : Multi-fidelity search by successive halving.

    References
    ----------
    Snoek, Larochelle and Adams, "Practical Bayesian Optimization of Machine
    Learning Algorithms", NeurIPS 2012.

    Ament, Daulton, Eriksson, Balandat and Bakshy, "Unexpected Improvements to
    Expected Improvement for Bayesian Optimization", NeurIPS 2023.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sktune import BayesianSearchCV
    >>> from sktune.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesianSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=8, random_state=0
    ... ).fit(X, y)
    >>> bool(search.best_score_ > 0.95)
    True
    """

    _parameter_constraints: dict = {
        **TunerSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_points": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "acq_func": [StrOptions({"EI", "EIps", "PI", "LCB"})],
        "optimizer_kwargs": [dict, None],
        "checkpoint": [str, os.PathLike, None],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        *,
        n_iter=50,
        n_points="auto",
        n_initial_points=None,
        acq_func="EI",
        optimizer_kwargs=None,
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
        self.n_iter = n_iter
        self.n_points = n_points
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.optimizer_kwargs = optimizer_kwargs
        self.random_state = random_state
        self.timeout = timeout
        self.callbacks = callbacks
        self.progress_bar = progress_bar
        self.checkpoint = checkpoint

    @property
    def total_iterations(self):
        """Most candidates the search evaluates (scikit-optimize's name)."""
        return self.n_iter

    def _batch_size(self):
        if self.n_points != "auto":
            return self.n_points
        workers = max(1, effective_n_jobs(self.n_jobs))
        if workers == 1 or self.n_splits_ < 1:
            # No splits: sklearn's evaluate_candidates reports the empty CV.
            return 1
        # Smallest batch whose fits (n_splits each) divide evenly over the workers.
        return min(workers, math.lcm(workers, self.n_splits_) // self.n_splits_)

    def _make_optimizer(self, space):
        options = {"n_initial_points": self.n_initial_points, "acq_func": self.acq_func}
        extra = dict(self.optimizer_kwargs or {})
        unknown = sorted(set(extra) - set(_OPTIMIZER_KWARGS))
        if unknown:
            raise ValueError(
                f"optimizer_kwargs has unknown key(s) {unknown}; accepted keys are "
                f"{list(_OPTIMIZER_KWARGS)}."
            )
        options.update(extra)
        return BayesianOptimizer(space, random_state=self.random_state, **options)

    def _check_input_parameters(self, X, y, split_params):
        # sklearn calls this in fit with the data; a checkpoint is tied to it.
        self._fit_data = (X, y, split_params)

    def _checkpoint_signature(self, space, data):
        """What a checkpoint must share with this fit to be resumed (the data are
        hashed only when there is a checkpoint)."""
        if self.checkpoint is None:
            return None
        return search_signature(self, space, data)

    def _run_search(self, evaluate_candidates, callback_ctx=None):
        data = vars(self).pop("_fit_data")  # not kept on the fitted search
        space = self._search_space(self.search_spaces, "search_spaces")
        optimizer = self._make_optimizer(space)
        n_iter = self.n_iter
        if space.size < n_iter:
            warnings.warn(
                f"The search space holds {space.size} configurations, fewer than "
                f"n_iter={n_iter}; running {space.size} iterations.",
                UserWarning,
                # _run_search < BaseSearchCV.fit < _fit_context < fit < caller
                stacklevel=5,
            )
            n_iter = space.size
        self.n_points_ = self._batch_size()
        loop = SearchLoop(
            self,
            evaluate_candidates,
            callback_ctx,
            total=n_iter,
            checkpoint=self.checkpoint,
            signature=self._checkpoint_signature(space, data),
        )
        with loop:
            batch = 0
            if loop.resumed is not None:
                optimizer.tell(
                    loop.configs,
                    loop.scores,
                    _fit_costs(loop.resumed, len(loop.configs)),
                )
                batch = int(np.max(loop.resumed["batch"], initial=-1)) + 1
            while len(loop.configs) < n_iter and not loop.stopped:
                candidates = optimizer.ask(
                    min(self.n_points_, n_iter - len(loop.configs))
                )
                if not candidates:
                    break
                self._evaluate_batch(loop, candidates, batch)
                optimizer.tell(
                    [c.params for c in candidates],
                    loop.scores[-len(candidates) :],
                    _fit_costs(loop.results, len(candidates)),
                )
                batch += 1
            if loop.results is None and loop.configs:
                # Resumed from a complete checkpoint: sklearn's fit needs at least
                # one evaluation of its own, so evaluate the stored best once more.
                self._evaluate_batch(loop, [Candidate(loop.result().x)], batch)
        self.optimizer_results_ = [loop.result()]

    @staticmethod
    def _evaluate_batch(loop, candidates, batch):
        loop.evaluate(
            [c.params for c in candidates],
            more_results={
                "surrogate_mean": [c.mean for c in candidates],
                "surrogate_std": [c.std for c in candidates],
                "acquisition": [c.acquisition for c in candidates],
                "batch": [batch] * len(candidates),
            },
        )


def _fit_costs(results, n):
    """``mean_fit_time`` of the last ``n`` candidates of ``results``, the cost
    that ``acq_func="EIps"`` is told (floored at a microsecond: a timer may
    read 0 for a trivial fit); None when the results do not hold it."""
    if results is None or "mean_fit_time" not in results:
        return None
    times = np.asarray(results["mean_fit_time"], dtype=float)[-n:]
    return np.maximum(np.nan_to_num(times, nan=1e-6), 1e-6)
