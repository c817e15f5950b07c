"""The search loop: ask a batch, train it on joblib workers, tell, record.

Kept apart from the estimator so that it sees only arrays, splits and plain
settings, and so that the results table is built in one place.
"""

import contextlib
import math
import time

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import rankdata

from ._trial import run_trial, trial_job


def worker_layout(device, n_jobs, cuda_count):
    """Devices of the trial workers and torch threads per trial.

    On CUDA there is one worker per GPU (at most ``n_jobs``), trials assigned
    round-robin, and the CPU threads are left alone (``None``). On CPU every
    trial runs on one torch thread and parallelism comes from ``n_jobs``
    workers: small networks gain little from intra-op threads and, measured on a
    shared 2-core machine, ran 3-30x slower with 2 threads than with 1 when the
    cores were busy.
    """
    if device.startswith("cuda"):
        if device == "cuda" and n_jobs > 1:
            n_workers = max(1, min(n_jobs, cuda_count))
            return [f"cuda:{i}" for i in range(n_workers)], None
        return [device], None
    return ["cpu"] * max(1, n_jobs), 1


def run_search(
    strategy,
    X,
    y,
    splits,
    settings,
    *,
    devices,
    n_threads,
    max_trials,
    deadline,
    rng,
    verbose,
    done=(),
    on_batch=None,
    n_keep=1,
):
    """Run trials until ``max_trials`` or ``deadline``; returns the trial records.

    ``done`` holds the records of trials run earlier (a resumed search): they are
    replayed into the strategy, count towards ``max_trials`` and come first in
    the result. ``on_batch(trials)`` is called after every batch (checkpoints).
    The trained weights (``states``) of the ``n_keep`` best trials are kept.
    """
    trials = list(done)
    if trials:
        strategy.replay(trials)
    n_workers = len(devices)
    parallel = Parallel(n_jobs=n_workers) if n_workers > 1 else None
    # One pool of workers for the whole search: called outside this block, a
    # backend such as Ray's starts a new pool (new worker processes) per batch.
    with parallel if parallel is not None else contextlib.nullcontext():
        while len(trials) < max_trials and (deadline is None or time.time() < deadline):
            proposals = strategy.ask(min(n_workers, max_trials - len(trials)))
            if not proposals:
                break
            jobs = [
                trial_job(
                    proposal["architecture"],
                    int(rng.randint(2**31 - 1 - len(splits))),
                    devices[i % n_workers],
                    n_threads,
                    epochs=proposal.get("n_resources"),
                    parent_states=proposal.get("parent_states"),
                    nets=proposal.get("nets"),
                    keep_nets=proposal.get("keep_nets", False),
                    deadline=deadline,
                )
                for i, proposal in enumerate(proposals)
            ]
            if parallel is None:
                results = [run_trial(job, X, y, splits, settings) for job in jobs]
            else:
                results = parallel(
                    delayed(run_trial)(job, X, y, splits, settings) for job in jobs
                )
            for proposal, result, job in zip(proposals, results, jobs, strict=True):
                trials.append(_trial_record(len(trials), proposal, result, job))
                if verbose:
                    _print_trial(trials[-1], max_trials)
            strategy.tell(proposals, results)
            _keep_best_states(trials, n_keep)
            if on_batch is not None:
                on_batch(trials)
    return trials


def _trial_record(index, proposal, result, job):
    """The record of a finished trial: its proposal and result, with its index,
    seed and scores. ``result`` gains the scores too (the strategy reads them);
    weights travel to the strategy only, the record keeps plain values."""
    result["trial"] = index
    result["seed"] = job["seed"]
    ok = result["status"] == "ok"
    result["score"] = float(np.mean(result["scores"])) if ok else math.nan
    result["valid_loss"] = float(np.mean(result["losses"])) if ok else math.nan
    result["epochs_total"] = proposal.get("epochs_before", 0) + result["epochs"]
    return {**proposal, **result, "parent_states": None, "nets": None}


def _keep_best_states(trials, n_keep):
    """Drop the trained weights of every trial but the ``n_keep`` best."""
    keep = {id(t) for t in ranked_trials(trials)[:n_keep]}
    for t in trials:
        if id(t) not in keep:
            t["states"] = None


def comparable_trials(trials):
    """The successful trials whose scores can be compared with each other.

    With multi-fidelity, only those trained for the most epochs reached
    (``n_resources``), as in ``HyperbandSearchCV``: a score after a few epochs is
    not comparable to one after many. Otherwise every successful trial.
    """
    ok = [t for t in trials if t["status"] == "ok"]
    top = max((t.get("n_resources", 0) for t in ok), default=0)
    return [t for t in ok if t.get("n_resources", 0) == top]


def ranked_trials(trials):
    """:func:`comparable_trials` from the best to the worst.

    Ties, frequent with small validation sets, go to the smaller network, then to
    the earlier trial.
    """
    return sorted(
        comparable_trials(trials),
        key=lambda t: (-t["score"], t["n_params"], t["trial"]),
    )


def best_trial(trials):
    """The first of :func:`ranked_trials`, or None."""
    ranked = ranked_trials(trials)
    return ranked[0] if ranked else None


def _print_trial(t, max_trials):
    origin = f" {t['operation']} of trial {t['parent']}" if t.get("operation") else ""
    if "rung" in t:
        origin += (
            f" config {t['config_id']} bracket {t['bracket']} rung {t['rung']} "
            f"({t['n_resources']} epochs)"
        )
    print(
        f"[NAS] trial {t['trial'] + 1}/{max_trials}: {t['status']} "
        f"score={t['score']:.4f} params={t['n_params']}{origin} "
        f"({t['fit_time']:.1f}s){' ' + t['error'] if t['error'] else ''}"
    )


def results_table(trials, n_splits):
    """``cv_results_``: one entry per trial, in the order they were run."""
    scores = np.array([t["score"] for t in trials], dtype=float)
    table = {
        "params": [t["params"] for t in trials],
        "architecture": [t["architecture"] for t in trials],
        "mean_test_score": scores,
        "std_test_score": np.array(
            [np.std(t["scores"]) if t["status"] == "ok" else math.nan for t in trials]
        ),
        "rank_test_score": rankdata(
            np.where(np.isnan(scores), np.inf, -scores), method="min"
        ).astype(np.int32),
        "mean_valid_loss": np.array(
            [t.get("valid_loss", math.nan) for t in trials], dtype=float
        ),
        "n_params": np.array([t["n_params"] for t in trials], dtype=np.int64),
        "latency_ms": np.array([t["latency_ms"] for t in trials], dtype=float),
        "epochs": np.array([t["epochs"] for t in trials], dtype=float),
        "mean_fit_time": np.array([t["fit_time"] for t in trials], dtype=float),
        "interrupted": np.array([t["interrupted"] for t in trials], dtype=bool),
        "status": [t["status"] for t in trials],
        "error": [t["error"] for t in trials],
        "parent": [t.get("parent") for t in trials],
        "operation": [t.get("operation") for t in trials],
    }
    if any("rung" in t for t in trials):  # multi-fidelity
        for key in ("config_id", "bracket", "rung", "n_resources"):
            table[key] = np.array([t[key] for t in trials], dtype=np.int64)
    for k in range(n_splits):
        table[f"split{k}_test_score"] = np.array(
            [t["scores"][k] if t["status"] == "ok" else math.nan for t in trials]
        )
    return table


PARETO_COSTS = ("n_params", "latency_ms")


def pareto_front(trials, costs=("n_params",)):
    """Comparable trials that no other beats on the score and every cost at once.

    A trial is left out when another has a score at least as high and every
    cost at most as high (an exact tie keeps the earlier trial only). A cost
    that was not measured (NaN) counts as the highest.

    Parameters
    ----------
    trials : list of dict
        Trial records.
    costs : tuple of str, default=("n_params",)
        Costs minimised with the score, among :data:`PARETO_COSTS`.

    Returns
    -------
    front : list of dict
        ``trial``, ``score``, ``n_params``, ``latency_ms`` and ``architecture``,
        ordered by the costs (the first one first), then from the best score.
    """

    def cost_vector(t):
        return tuple(math.inf if math.isnan(t[c]) else float(t[c]) for c in costs)

    ok = sorted(
        comparable_trials(trials),
        key=lambda t: (*cost_vector(t), -t["score"], t["trial"]),
    )
    # Sorted so, a trial's dominators come before it, and a dominated
    # dominator's own dominator dominates it too: comparing with the kept
    # trials is enough.
    kept = []
    for t in ok:
        cost = cost_vector(t)
        beaten = any(
            score >= t["score"] and all(map(float.__le__, kept_cost, cost))
            for score, kept_cost, _ in kept
        )
        if not beaten:
            kept.append((t["score"], cost, t))
    keys = ("trial", "score", "n_params", "latency_ms", "architecture")
    return [{k: t[k] for k in keys} for _, _, t in kept]
