"""Choosing among the best trials by cross-validation on all the training data.

A search that scores hundreds of networks on one validation split picks, among
near-ties, the one that fits that split best (adaptive overfitting of the
validation set). :func:`rescore_finalists` trains each of the search's best few
configurations again on the folds of a cross-validation of all the data, with
the trial's own seed, epochs and training settings, and returns the finalist
whose cross-validated score is best.
"""

import math

import numpy as np
from joblib import Parallel, delayed

from ._search import ranked_trials
from ._trial import run_trial, trial_job


def finalist_epochs(trial, max_epochs):
    """Epochs a finalist is trained for on each fold.

    As in the search: ``max_epochs`` (with early stopping, if on), or the rung's
    epochs for a multi-fidelity trial; never fewer than the epochs the trial's
    network was trained for in all (a grown network's whole lineage).
    """
    budget = trial.get("n_resources") or max_epochs
    return max(int(budget), int(math.ceil(trial["epochs_total"])))


def rescore_finalists(
    trials, n_finalists, X, y, splits, settings, *, devices, n_threads, verbose=0
):
    """Cross-validate the ``n_finalists`` best trials; return them and the choice.

    Parameters
    ----------
    trials : list of dict
        Trial records of the search (see :func:`sktune.nas._search.run_search`).
    n_finalists : int
        How many of the best comparable trials to re-score.
    X, y : ndarray
        All the training data, shaped and typed for torch.
    splits : list of (ndarray, ndarray)
        Train and validation indices of the cross-validation.
    settings : dict
        As for :func:`sktune.nas._trial.run_trial`.
    devices : list of str
        One trial worker per entry; finalists are assigned round-robin.
    n_threads : int or None
        Torch threads per worker.
    verbose : int, default=0
        Print one line per finalist when positive.

    Returns
    -------
    finalists : list of dict
        One per finalist, in the search's ranking: ``trial``, ``score`` (the
        search's), ``cv_score`` and ``cv_std`` (NaN if training failed),
        ``status``, ``epochs`` (trained per fold, with early stopping the mean
        best epoch) and ``fit_time``.
    chosen : dict
        The trial record of the finalist with the best ``cv_score`` (ties go to
        the smaller network, then the better search rank); the search's best
        trial if every finalist failed.
    chosen_states : list of dict or None
        The trained weights of the chosen finalist on each fold of the
        re-scoring (None if every finalist failed).
    """
    finalists = ranked_trials(trials)[:n_finalists]
    jobs = [
        trial_job(
            t["architecture"],
            t["seed"],
            devices[i % len(devices)],
            n_threads,
            epochs=finalist_epochs(t, settings["max_epochs"]),
        )
        for i, t in enumerate(finalists)
    ]
    if len(devices) > 1:
        results = Parallel(n_jobs=len(devices))(
            delayed(run_trial)(job, X, y, splits, settings) for job in jobs
        )
    else:
        results = [run_trial(job, X, y, splits, settings) for job in jobs]
    records = []
    for t, result in zip(finalists, results, strict=True):
        ok = result["status"] == "ok"
        records.append(
            {
                "trial": t["trial"],
                "score": t["score"],
                "cv_score": float(np.mean(result["scores"])) if ok else math.nan,
                "cv_std": float(np.std(result["scores"])) if ok else math.nan,
                "status": result["status"],
                "epochs": result["epochs"],
                "fit_time": result["fit_time"],
            }
        )
        if verbose:
            print(
                f"[NAS] finalist trial {t['trial']}: search score {t['score']:.4f}, "
                f"{len(splits)}-fold score {records[-1]['cv_score']:.4f} "
                f"({result['fit_time']:.1f}s)"
            )
    scored = [
        (r["cv_score"], -t["n_params"], -rank, t, result["states"])
        for rank, (r, t, result) in enumerate(
            zip(records, finalists, results, strict=True)
        )
        if not math.isnan(r["cv_score"])
    ]
    if not scored:
        return records, finalists[0], None
    *_, chosen, chosen_states = max(scored, key=lambda s: s[:3])
    return records, chosen, chosen_states
