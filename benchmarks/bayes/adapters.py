"""One function per tool: build its search from a :class:`~tasks.Task`, run it, and
return the scores in evaluation order plus the wall time of ``fit``.

Every tool gets the same estimator, the same CV splitter, the same number of
evaluations, ``n_jobs=1``, ``refit=False`` and the same seed; everything else is
left at the tool's defaults.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import stats
from sklearn.base import clone

TOOLS = ("sktune", "skopt", "optuna_gp", "optuna_tpe", "random")


# --------------------------------------------------------------------------
# Space translation
# --------------------------------------------------------------------------


def _dimensions(space, Real, Integer, Categorical):
    """Translate the neutral space with one library's dimension classes (sktune
    and scikit-optimize name and order their arguments alike)."""
    out = {}
    for name, p in space.items():
        prior = "log-uniform" if p.log else "uniform"
        if p.kind == "real":
            out[name] = Real(p.low, p.high, prior=prior)
        elif p.kind == "int":
            out[name] = Integer(p.low, p.high, prior=prior)
        else:
            out[name] = Categorical(list(p.choices))
    return out


def _sktune_space(space):
    from sktune.space import Categorical, Integer, Real

    return _dimensions(space, Real, Integer, Categorical)


def _skopt_space(space):
    from skopt.space import Categorical, Integer, Real

    return _dimensions(space, Real, Integer, Categorical)


def _optuna_space(space):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out = {}
    for name, p in space.items():
        if p.kind == "real":
            out[name] = FloatDistribution(p.low, p.high, log=p.log)
        elif p.kind == "int":
            out[name] = IntDistribution(int(p.low), int(p.high), log=p.log)
        else:
            out[name] = CategoricalDistribution(list(p.choices))
    return out


def _scipy_space(space):
    out = {}
    for name, p in space.items():
        if p.kind == "real":
            out[name] = (
                stats.loguniform(p.low, p.high)
                if p.log
                else stats.uniform(p.low, p.high - p.low)
            )
        elif p.kind == "int":
            lo, hi = int(p.low), int(p.high)
            out[name] = _LogInt(lo, hi) if p.log else stats.randint(lo, hi + 1)
        else:
            out[name] = list(p.choices)
    return out


class _LogInt:
    """Log-uniform integers on ``[low, high]``: an ``rvs`` object for sklearn."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def rvs(self, random_state=None):
        u = stats.loguniform(self.low, self.high + 1).rvs(random_state=random_state)
        return int(min(np.floor(u), self.high))


# --------------------------------------------------------------------------
# Runners
# --------------------------------------------------------------------------


def _common(task):
    return dict(
        cv=task.cv, scoring=task.scoring, refit=False, n_jobs=1, error_score=np.nan
    )


def _timed_fit(search, task):
    t0 = time.perf_counter()
    search.fit(task.X, task.y)
    return time.perf_counter() - t0


def run_sktune(task, seed, n_iter):
    """Run ``sktune.BayesianSearchCV`` with its defaults."""
    from sktune import BayesianSearchCV

    search = BayesianSearchCV(
        clone(task.estimator),
        _sktune_space(task.space),
        n_iter=n_iter,
        random_state=seed,
        **_common(task),
    )
    wall = _timed_fit(search, task)
    return list(search.cv_results_["mean_test_score"]), wall


def run_skopt(task, seed, n_iter):
    """Run scikit-optimize ``BayesSearchCV`` with its defaults."""
    from skopt import BayesSearchCV

    search = BayesSearchCV(
        clone(task.estimator),
        _skopt_space(task.space),
        n_iter=n_iter,
        random_state=seed,
        **_common(task),
    )
    with warnings.catch_warnings():
        # "The objective has been evaluated at point ... before": expected noise.
        warnings.simplefilter("ignore", UserWarning)
        wall = _timed_fit(search, task)
    return list(search.cv_results_["mean_test_score"]), wall


def _run_optuna(task, seed, n_iter, sampler):
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # optuna-integration 5.0 imports the deprecated optuna.terminator.
        warnings.filterwarnings("ignore", "`optuna.terminator`", FutureWarning)
        search = OptunaSearchCV(
            clone(task.estimator),
            _optuna_space(task.space),
            n_trials=n_iter,
            study=study,
            random_state=seed,
            **_common(task),
        )
        wall = _timed_fit(search, task)
    trials = sorted(search.study_.trials, key=lambda t: t.number)
    ok = optuna.trial.TrialState.COMPLETE
    return [t.value if t.state == ok else np.nan for t in trials], wall


def run_optuna_gp(task, seed, n_iter):
    """Run Optuna ``OptunaSearchCV`` with ``GPSampler`` (needs torch)."""
    from optuna.samplers import GPSampler

    return _run_optuna(task, seed, n_iter, GPSampler(seed=seed))


def run_optuna_tpe(task, seed, n_iter):
    """Run Optuna ``OptunaSearchCV`` with ``TPESampler``."""
    from optuna.samplers import TPESampler

    return _run_optuna(task, seed, n_iter, TPESampler(seed=seed))


def run_random(task, seed, n_iter):
    """Run sklearn ``RandomizedSearchCV`` (the floor for overhead and quality)."""
    from sklearn.model_selection import RandomizedSearchCV

    search = RandomizedSearchCV(
        clone(task.estimator),
        _scipy_space(task.space),
        n_iter=n_iter,
        random_state=seed,
        **_common(task),
    )
    wall = _timed_fit(search, task)
    return list(search.cv_results_["mean_test_score"]), wall


RUNNERS = {
    "sktune": run_sktune,
    "skopt": run_skopt,
    "optuna_gp": run_optuna_gp,
    "optuna_tpe": run_optuna_tpe,
    "random": run_random,
}
