"""Compute of incremental training vs retraining from scratch, same configurations.

Runs HyperbandSearchCV twice per task and seed, ``incremental=True`` and
``incremental=False``, and measures the CPU time of training (``process_time``
of ``fit`` with ``refit=False``, less the scoring share; see ``_run``). Both
runs of a seed draw the same configurations ("same draws"); they promote the
same ones, so that every row matches ("same rows"), where continuing a model scores as
retraining it does (warm-started boosting; SGD and MLP continued by ``partial_fit``
only without shuffling: those calls, one per epoch, keep the learning-rate
schedule and optimizer state, but shuffle each epoch with a generator seeded
again from ``random_state``; a warm-started ``fit``, the default, starts both
again). SGD and MLP run both ways. Next to the
measured ratio it writes the ideal one of the schedule, in resource units:
``sum n_i (r_i - r_{i-1}) / sum n_i r_i`` over every rung ``i`` of every bracket
(``r_{-1} = 0``), what continuing would save if a fit cost exactly its
resource. Next to the whole schedule's ratio it gives that of its most aggressive
bracket (the longest successive-halving run), from the rows' fit times. Writes
the table between the markers of ``docs/hyperband.md`` (one pair per ``eta``).

Reproduce: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hyperband/incremental.py``
(``--eta 2 --max-resource 64 --tasks HistGradientBoosting`` for the deeper
schedule of eta = 2).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy / sklearn load

import argparse  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import loguniform, randint  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from sktune import HyperbandSearchCV  # noqa: E402

DOC = pathlib.Path(__file__).parents[2] / "docs" / "hyperband.md"

_SGD = (
    SGDClassifier(max_iter=81, tol=None, random_state=0),
    {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-3, 1)},
    "max_iter",
)
_MLP = (
    MLPClassifier((32,), max_iter=27, random_state=0),
    {"alpha": loguniform(1e-6, 1e-1), "learning_rate_init": loguniform(1e-4, 1e-1)},
    "max_iter",
)
# name (with the resource's maximum): estimator, space, resource, and the
# ``incremental`` option of the continuing run (its kind in the name)
TASKS = {
    "HistGradientBoosting, max_iter <= {} (warm_start)": (
        HistGradientBoostingClassifier(
            max_iter=27, early_stopping=False, random_state=0
        ),
        {"learning_rate": loguniform(1e-2, 1), "max_leaf_nodes": randint(4, 32)},
        "max_iter",
        True,
    ),
    "SGDClassifier, max_iter <= {} epochs (warm_start_epochs)": (*_SGD, True),
    "SGDClassifier, max_iter <= {} epochs (partial_fit)": (*_SGD, "partial_fit"),
    "MLPClassifier (32,), max_iter <= {} epochs (warm_start_epochs)": (*_MLP, True),
    "MLPClassifier (32,), max_iter <= {} epochs (partial_fit)": (
        *_MLP,
        "partial_fit",
    ),
}


def ideal_ratio(metadata):
    """Resource of continuing / resource of retraining, for a planned schedule."""
    continued = retrained = 0
    for bracket in metadata["brackets"]:
        previous = 0
        for n, r in zip(bracket["n_candidates"], bracket["n_resources"], strict=True):
            continued += n * (r - previous)
            retrained += n * r
            previous = r
    return continued / retrained


def markers(eta):
    """The markers of the doc's table for ``eta`` (eta = 3 keeps the plain ones)."""
    name = "incremental" if eta == 3 else f"incremental-eta{eta}"
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def aggressive_bracket_ratio(inc, ref):
    """Fit time of continuing / retraining in the bracket with the most rungs.

    Read from the rows' ``mean_fit_time`` (a continued row's is the time of its
    continuation), so scoring and the search's own work are left out.
    """
    times = []
    for search in (inc, ref):
        brackets = np.asarray(search.cv_results_["bracket"])
        rungs = np.asarray(search.cv_results_["rung"])
        longest = max(set(brackets), key=lambda b: len(set(rungs[brackets == b])))
        fit_times = np.asarray(search.cv_results_["mean_fit_time"])
        times.append(np.sum(fit_times[brackets == longest]))
    return float(times[0] / times[1])


def ideal_bracket_ratio(metadata):
    """:func:`ideal_ratio` of the bracket with the most rungs alone."""
    longest = max(metadata["brackets"], key=lambda b: len(b["n_resources"]))
    return ideal_ratio({"brackets": [longest]})


def _drawn(results):
    """The configurations each bracket drew (its first rung), in order."""
    rows = zip(results["params"], results["rung"], strict=True)
    return [params for params, rung in rows if rung == 0]


def _run(estimator, space, resource, seed, incremental, X, y, eta):
    """Fit one search; returns it, its training CPU seconds and its wall time.

    The CPU time of the whole ``fit`` (``refit=False``, ``n_jobs=1``, one
    thread) is split between training and scoring by the rows' measured fit and
    score times; the training share is returned. CPU rather than wall time: the
    machine is shared, and wall times grow with the other jobs' load.
    """
    search = HyperbandSearchCV(
        estimator,
        space,
        resource=resource,
        cv=3,
        refit=False,
        random_state=seed,
        incremental=incremental,
        eta=eta,
    )
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short MLP rungs
        search.fit(X, y)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    fit = np.sum(search.cv_results_["mean_fit_time"])
    score = np.sum(search.cv_results_["mean_score_time"])
    return search, float(cpu * fit / (fit + score)), wall


def main(seeds, n_samples, eta, max_resource, tasks):
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples], y[:n_samples]
    rows = []
    for template, (estimator, space, resource, incremental) in TASKS.items():
        if not any(task in template for task in tasks):
            continue
        if max_resource is not None:
            estimator = clone(estimator).set_params(**{resource: max_resource})
        name = template.format(estimator.get_params()[resource])
        ratios, bracket_ratios, same, drawn, scores = [], [], 0, 0, []
        for seed in seeds:
            inc, c_inc, _ = _run(
                estimator, space, resource, seed, incremental, X, y, eta
            )
            ref, c_ref, _ = _run(estimator, space, resource, seed, False, X, y, eta)
            ratios.append(c_inc / c_ref)
            bracket_ratios.append(aggressive_bracket_ratio(inc, ref))
            same += all(
                list(inc.cv_results_[key]) == list(ref.cv_results_[key])
                for key in ("params", "bracket", "rung")
            )
            drawn += _drawn(inc.cv_results_) == _drawn(ref.cv_results_)
            scores.append((inc.best_score_, ref.best_score_))
            print(
                f"{name} seed {seed} ({inc.incremental_}): {c_inc:.1f} s vs "
                f"{c_ref:.1f} s of training CPU",
                flush=True,
            )
        rows.append(
            f"| {name} | {np.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) "
            f"| {ideal_ratio(inc.metadata_):.3f} "
            f"| {np.median(bracket_ratios):.2f} "
            f"({min(bracket_ratios):.2f}-{max(bracket_ratios):.2f}) "
            f"| {ideal_bracket_ratio(inc.metadata_):.3f} | {drawn}/{len(seeds)} "
            f"| {same}/{len(seeds)} | "
            f"{np.median([a for a, _ in scores]):.4f} / "
            f"{np.median([b for _, b in scores]):.4f} |"
        )
    begin, end = markers(eta)
    table = "\n".join(
        [
            begin,
            f"digits[:{n_samples}], 3-fold, eta={eta}, seeds {list(seeds)}; "
            f"{platform.processor() or platform.machine()}, shared 2-core machine.",
            "",
            "| task | training CPU incremental / retrain (median, range) "
            "| ideal ratio of the schedule (resource units) "
            "| most aggressive bracket: fit time incremental / retrain (median, range) "
            "| its ideal ratio "
            "| same draws | same rows | best score incr. / retrain (median) |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            end,
        ]
    )
    print(table)
    text = DOC.read_text()
    if begin not in text:
        print(f"{begin} is not in {DOC}: the table is not written there.")
        return
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    DOC.write_text(head + table + tail)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-samples", type=int, default=600)
    parser.add_argument("--eta", type=int, default=3)
    parser.add_argument(
        "--max-resource",
        type=int,
        default=None,
        help="the resource's maximum for every task (default: each task's own)",
    )
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=[""],
        help="run only the tasks whose names contain one of these (default: all)",
    )
    args = parser.parse_args()
    if not any(task in name for name in TASKS for task in args.tasks):
        parser.error(f"--tasks {args.tasks} matches none of the tasks: {list(TASKS)}")
    main(args.seeds, args.n_samples, args.eta, args.max_resource, args.tasks)
