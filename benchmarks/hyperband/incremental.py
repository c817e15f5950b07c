"""Compute of incremental training vs retraining from scratch, same schedule.

Runs HyperbandSearchCV twice per task and seed, ``incremental=True`` and
``incremental=False``, and sums ``mean_fit_time * n_splits`` over ``cv_results_``
(the training compute of the search, refit excluded). Writes the table between
the markers of ``docs/hyperband.md``.

Reproduce: ``.venv/bin/python benchmarks/hyperband/incremental.py``
"""

import argparse
import pathlib
import platform
import time

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier

from sktune import HyperbandSearchCV

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
    "SGDClassifier, max_iter <= 81 epochs (partial_fit)": (
        SGDClassifier(max_iter=81, tol=None, random_state=0),
        {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-3, 1)},
        "max_iter",
    ),
}


def _run(estimator, space, resource, seed, incremental, X, y):
    search = HyperbandSearchCV(
        estimator,
        space,
        resource=resource,
        cv=3,
        random_state=seed,
        incremental=incremental,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    results = search.cv_results_
    compute = float(np.sum(results["mean_fit_time"]) * search.n_splits_)
    return search, compute, wall


def main(seeds, n_samples):
    X, y = load_digits(return_X_y=True)
    X, y = X[:n_samples], y[:n_samples]
    rows = []
    for name, (estimator, space, resource) in TASKS.items():
        ratios, same, scores = [], 0, []
        for seed in seeds:
            inc, c_inc, _ = _run(estimator, space, resource, seed, True, X, y)
            ref, c_ref, _ = _run(estimator, space, resource, seed, False, X, y)
            ratios.append(c_inc / c_ref)
            same += inc.cv_results_["params"] == ref.cv_results_["params"]
            scores.append((inc.best_score_, ref.best_score_))
            print(f"{name} seed {seed}: {c_inc:.1f} s vs {c_ref:.1f} s", flush=True)
        rows.append(
            f"| {name} | {np.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) "
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
            "| task | compute incremental / retrain (median, range) "
            "| same schedule | best score incr. / retrain (median) |",
            "|---|---|---|---|",
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
