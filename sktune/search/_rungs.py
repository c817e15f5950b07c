"""Cross-validating the rungs of one ``HyperbandSearchCV`` fit.

A rung is evaluated in one of three ways: through sklearn's ``evaluate_candidates``
on subsampled folds (``resource="n_samples"``), through it with the resource
parameter set (models refitted), or in :class:`IncrementalExecutor`, which
continues the fold models of promoted configurations and records its fits where
sklearn's ``fit`` reads them (:func:`evaluation_recorder`). All three use one set
of folds, so the same configurations see the same splits whichever way runs.

A resumed search does not evaluate the rungs its checkpoint holds:
:func:`stored_rungs` reads them back from the stored ``cv_results_``, in the
order they ran, for the scheduler to be told again.
"""

from dataclasses import dataclass
from functools import partial
from itertools import groupby

import numpy as np
from sklearn.model_selection import check_cv

from ._compat import SubsampleMetaSplitter, evaluation_recorder, sklearn_parallel
from ._incremental import IncrementalExecutor


class RungEvaluator:
    """Evaluates :class:`sktune.optimizers.Rung` objects for a search being fitted.

    Parameters
    ----------
    search : HyperbandSearchCV
        The search, inside ``fit`` (its ``*_`` options resolved, and the routed
        fit parameters at hand).
    evaluate_candidates : callable
        sklearn's closure handed to ``_run_search``.
    X, y : array-like
        The data.
    split_params : dict
        Routed parameters of the splitter's ``split``.
    routed : Bunch
        sklearn's routed parameters of the search's ``fit``.
    incremental : bool
        Continue fold models between rungs (``search.incremental_`` must name
        how).
    random_state : RandomState
        Seeds the subsamples of ``resource="n_samples"``: one draw, from which
        each rung's subsample follows by its bracket and rung alone, so that a
        rung draws the same subsample in a resumed search as in an
        uninterrupted one.

    Attributes
    ----------
    folds : cross-validator
        The splits of every rung.
    """

    def __init__(
        self,
        search,
        evaluate_candidates,
        X,
        y,
        split_params,
        routed,
        incremental,
        random_state,
    ):
        self.search = search
        self.folds = check_cv(list(search._checked_cv_orig.split(X, y, **split_params)))
        self._seed = random_state.randint(2**31 - 1)
        self._executor = self._record = None
        if incremental:
            # Raises before any fit if sklearn's closure changed.
            self._record = evaluation_recorder(evaluate_candidates, search)
            scorer, _ = search._get_scorers()
            self._executor = IncrementalExecutor(
                search.estimator,
                search.resource,
                search.incremental_,
                X=X,
                y=y,
                splits=self.folds.split(),
                scorer=scorer,
                fit_params=routed.estimator.fit,
                score_params=routed.scorer.score,
                error_score=search.error_score,
                return_train_score=search.return_train_score,
                parallel=sklearn_parallel(evaluate_candidates),
            )

    def __call__(self, loop, rung):
        """Cross-validate ``rung`` through ``loop``; returns its scores.

        Parameters
        ----------
        loop : SearchLoop
            The search's loop (failures, budget, callbacks, progress).
        rung : Rung
            What to evaluate.

        Returns
        -------
        scores : ndarray
            Mean test score on the driving metric per configuration.
        """
        search = self.search
        n = len(rung.configs)
        more = {
            "config_id": list(rung.ids),
            "bracket": [rung.bracket] * n,
            "rung": [rung.rung] * n,
            "n_resources": [rung.resource] * n,
        }
        if search.verbose > 0:
            print(
                f"bracket {rung.bracket}, rung {rung.rung}: {n} candidates, "
                f"n_resources={rung.resource}"
            )
        if search.resource == "n_samples":
            cv = SubsampleMetaSplitter(
                base_cv=self.folds,
                fraction=rung.resource / search.max_resource_,
                subsample_test=True,
                random_state=self._subsample_seed(rung),
            )
            return loop.evaluate(rung.configs, more, cv=cv)
        configs = [{**c, search.resource: rung.resource} for c in rung.configs]
        if self._executor is None or rung.bracket == 0:  # s = 0: nothing to keep
            return loop.evaluate(configs, more, cv=self.folds)
        evaluator = partial(self._continue, rung)
        return loop.evaluate(configs, more, cv=self.folds, evaluator=evaluator)

    def _subsample_seed(self, rung):
        sequence = np.random.SeedSequence((self._seed, rung.bracket, rung.rung))
        return int(sequence.generate_state(1)[0])

    def _continue(self, rung, configs, more_results=None, **_):
        """``evaluate_candidates`` for a rung whose fold models may continue."""
        keep = rung.rung < rung.bracket  # bracket s has rungs 0..s: keep but the last
        out = self._executor.run(rung.ids, configs, keep=keep)
        return self._record(configs, out, more_results)


@dataclass(frozen=True)
class StoredRung:
    """A rung read back from a checkpoint.

    Attributes
    ----------
    bracket, rung, resource : int
        As in :class:`sktune.optimizers.Rung`.
    configs : list of dict
        Its configurations, without the resource parameter.
    scores : ndarray
        Their scores on the driving metric.
    """

    bracket: int
    rung: int
    resource: int
    configs: list
    scores: np.ndarray


def stored_rungs(results, scores, resource):
    """The rungs of a checkpoint's ``cv_results_``, in the order they ran.

    Parameters
    ----------
    results : dict
        The stored ``cv_results_`` (its rows in the order they ran, with the
        ``bracket``, ``rung`` and ``n_resources`` columns).
    scores : array-like of float
        Each row's score on the driving metric (as ``SearchLoop`` reads them).
    resource : str
        The search's resource; a parameter resource is dropped from the params.

    Returns
    -------
    rungs : list of StoredRung
    """
    brackets, rungs = (np.asarray(results[c]).tolist() for c in ("bracket", "rung"))
    scores = np.asarray(scores, dtype=float)
    out = []
    rows = range(len(results["params"]))
    for (bracket, rung), group in groupby(rows, lambda i: (brackets[i], rungs[i])):
        group = list(group)
        configs = [
            {k: v for k, v in results["params"][i].items() if k != resource}
            for i in group
        ]
        n_resources = int(results["n_resources"][group[0]])
        out.append(StoredRung(bracket, rung, n_resources, configs, scores[group]))
    return out
