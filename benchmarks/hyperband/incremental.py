"""Compute of incremental training vs retraining from scratch, same configurations.

Runs HyperbandSearchCV twice per task and seed, ``incremental=True`` and
``incremental=False``, and measures the CPU time of training (``process_time``
of ``fit`` with ``refit=False``, less the scoring share; see ``_run``). Both
runs of a seed draw the same configurations ("same draws"); they promote the
same ones, so that every row matches ("same rows"), where continuing a model scores as
retraining it does (warm-started boosting; not SGD or MLP, whose learning-rate
schedule or optimizer state restarts with each ``fit`` call). Next to the
measured ratio it writes the ideal one of the schedule, in resource units:
``sum n_i (r_i - r_{i-1}) / sum n_i r_i`` over every rung ``i`` of every bracket
(``r_{-1} = 0``), what continuing would save if a fit cost exactly its
resource. Writes the table between the markers of ``docs/hyperband.md``.

Reproduce: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hyperband/incremental.py``
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
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from sktune import HyperbandSearchCV  # noqa: E402

DOC = pathlib.Path(__file__).parents[2] / "docs" / "hyperband.md"
BEGIN, END = "<!-- incremental:begin -->", "<!-- incremental:end -->"

TASKS = {
    "HistGradientBoosting, max_iter <= 27 (warm_start)": (
        HistGradientBoostingClassifier(
            max_iter=27, early_stopping=False, random_state=0
        ),
        {"learning_rate": loguniform(1e-2, 1), "max_leaf_nodes": randint(4, 32)},
        "max_iter",
    ),
    "SGDClassifier, max_iter <= 81 epochs (warm_start_epochs)": (
        SGDClassifier(max_iter=81, tol=None, random_state=0),
        {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-3, 1)},
        "max_iter",
    ),
    "MLPClassifier (32,), max_iter <= 27 epochs (warm_start_epochs)": (
        MLPClassifier((32,), max_iter=27, random_state=0),
        {"alpha": loguniform(1e-6, 1e-1), "learning_rate_init": loguniform(1e-4, 1e-1)},
        "max_iter",
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


def _drawn(results):
    """The configurations each bracket drew (its first rung), in order."""
    rows = zip(results["params"], results["rung"], strict=True)
    return [params for params, rung in rows if rung == 0]


def _run(estimator, space, resource, seed, incremental, X, y):
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


def main(seeds, n_samples):
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples], y[:n_samples]
    rows = []
    for name, (estimator, space, resource) in TASKS.items():
        ratios, same, drawn, scores = [], 0, 0, []
        for seed in seeds:
            inc, c_inc, _ = _run(estimator, space, resource, seed, True, X, y)
            ref, c_ref, _ = _run(estimator, space, resource, seed, False, X, y)
            ratios.append(c_inc / c_ref)
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
            f"| {ideal_ratio(inc.metadata_):.3f} | {drawn}/{len(seeds)} "
            f"| {same}/{len(seeds)} | "
            f"{np.median([a for a, _ in scores]):.4f} / "
            f"{np.median([b for _, b in scores]):.4f} |"
        )
    table = "\n".join(
        [
            BEGIN,
            f"digits[:{n_samples}], 3-fold, eta=3, seeds {list(seeds)}; "
            f"{platform.processor() or platform.machine()}, shared 2-core machine.",
            "",
            "| task | training CPU incremental / retrain (median, range) "
            "| ideal ratio of the schedule (resource units) "
            "| same draws | same rows | best score incr. / retrain (median) |",
            "|---|---|---|---|---|---|",
            *rows,
            END,
        ]
    )
    print(table)
    text = DOC.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + table + tail)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-samples", type=int, default=600)
    args = parser.parse_args()
    main(args.seeds, args.n_samples)
