"""dask-ml's ``HyperbandSearchCV`` on the task of ``compare.py``, where it can run.

dask-ml's Hyperband is broken on dask >= 2025.3 (dask/dask-ml#1016), so this
runs in its own environment, ``.venv-daskml`` (git-ignored), pinned to the last
combination that runs it (dask-ml's last release, 2025.1.0, and the dask of the
same month)::

    python3.11 -m venv .venv-daskml
    .venv-daskml/bin/pip install "dask-ml==2025.1.0" \\
        "dask[array,dataframe]==2025.1.0" "distributed==2025.1.0" \\
        "scikit-learn==1.6.1" "numpy==2.1.3" "pandas==2.2.3"

(resolved with scipy 1.17.1, dask-glm 0.4.0). dask/distributed 2025.2.0 run it
too; 2025.3.0 and 2026.8.0 (same dask-ml, scikit-learn, numpy) fail in ``fit``
with ``RuntimeError: Attempting to use an asynchronous Client in a synchronous
context of `dask.compute``` (``dask.persist`` inside the coroutine
``dask_ml/model_selection/_incremental.py:_fit``, line 192). Reproduce::

    OMP_NUM_THREADS=1 .venv-daskml/bin/python benchmarks/hyperband/daskml.py \\
        --max-iter 81 --seeds 0 1 2 3 4

(``--max-iter 243`` for ``compare.py``'s larger setting; ``--overhead`` times
one ``partial_fit`` call per iteration against one fit, in either environment).

The task is ``compare.py``'s (its ``_setup`` is imported: ``load_digits``, the
same four-dimensional space, ``max_iter`` as the resource up to the same
``max_iter``, seeds as there). What dask-ml cannot run of it, and what stands in:

* dask-ml's Hyperband drives ``partial_fit`` only. ``HistGradientBoosting-
  Classifier`` has none, so :class:`PartialFitHGB` gives it one: each call is
  one more boosting iteration (``warm_start`` with ``max_iter + 1``, on the
  same single block of training data). The model after ``k`` calls is the
  ``max_iter=k`` model, as sktune's incremental Hyperband continues it; dask-ml's
  ``max_iter=R`` (calls per model) and ``aggressiveness=3`` are ``compare.py``'s
  ``max_resource`` and ``eta``, so the brackets are the same (143 models for
  R = 81). Not for R = 243: dask-ml computes ``s_max =
  math.floor(math.log(243, 3))``, which is 4 (the log is 4.999999999999999),
  so it runs 5 brackets (143 models, the first rung at 3 calls) where the
  paper and sktune run 6 (415 configurations, from 1).
* No cross-validation: dask-ml scores every model on one hold-out split. With
  ``test_size=1/3`` each model trains on 2/3 of the data and is scored on 1/3,
  like one fold of ``compare.py``'s 3-fold ``StratifiedKFold``, so dask-ml does
  about a third of the fitting. Its ``best_score_`` is that hold-out score (of
  the model at the resource it reached, not necessarily ``max_iter``), so the
  CSV also has ``cv3_score_of_best``: the configuration dask-ml chose, at
  ``max_iter``, cross-validated on ``compare.py``'s folds of the same seed (not
  counted in the compute).
* No refit on all the data (``best_estimator_`` is the hold-out model); no
  ``n_samples`` resource, multimetric scoring, callable ``refit`` or
  model-guided sampling; a dask ``Client`` is required.

Per seed it records ``best_score`` (hold-out), ``cv3_score_of_best``,
``cpu_s`` (``time.process_time`` around ``fit``: the one process running the
search, dask's scheduler and its in-process worker, one thread, included, as
``compare.py``'s ``cpu_s``), ``partial_fit_cpu_s`` (CPU time of the worker
thread inside every ``partial_fit`` call: training alone), ``iterations``
(boosting iterations trained: every ``partial_fit`` call that ran, speculative
calls on models dask-ml then drops included, as ``compare.py``'s
``iterations`` over folds), ``fit_compute_s`` (the same calls in wall seconds),
``history_partial_fit_s`` (what dask-ml's ``history_`` reports: the last call
before each scoring only, its deep copy of the model included),
``score_compute_s``, ``wall_s`` (``fit``, the client already started), the
number of models and the ``partial_fit`` calls dask-ml plans (``metadata_``),
and ``ref_cv3_fit_s`` / ``ref_cv3_cpu_s``: one fixed 3-fold cross-validation
(default HGB at ``max_iter``) run just before, to compare this environment's
speed (scikit-learn 1.6.1) and load with the one ``compare.py`` ran in.
Rows go to
``benchmarks/results/hyperband_daskml.csv``.
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"  # before numpy / sklearn are imported

import argparse  # noqa: E402
import csv  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402

ROOT = pathlib.Path(__file__).parents[2]
CSV = ROOT / "benchmarks" / "results" / "hyperband_daskml.csv"
FIELDS = [
    "tool", "seed", "max_iter", "best_score", "cv3_score_of_best", "cpu_s",
    "partial_fit_cpu_s", "iterations", "fit_compute_s", "history_partial_fit_s",
    "score_compute_s", "wall_s", "n_models", "planned_partial_fit_calls",
    "best_partial_fit_calls", "ref_cv3_fit_s", "ref_cv3_cpu_s", "python", "dask",
    "distributed", "dask_ml", "sklearn", "numpy",
]  # fmt: skip
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from compare import _setup  # noqa: E402


class PartialFitHGB(HistGradientBoostingClassifier):
    """``HistGradientBoostingClassifier`` whose ``partial_fit`` adds one iteration.

    ``warm_start`` with ``max_iter`` one larger than the iterations done; the
    constructor's ``max_iter`` is ignored by ``partial_fit``. Every call appends
    its duration to :attr:`call_times` (a class attribute: dask-ml deep-copies
    the model before each call, and the worker runs in this process), because
    dask-ml's ``history_`` keeps the time of the last call before each scoring
    only, and never sees its speculative calls on models it then drops.
    """

    call_times: list = []  # (seconds, CPU seconds of the calling thread)

    def partial_fit(self, X, y, classes=None):
        start, cpu = time.perf_counter(), time.thread_time()
        done = getattr(self, "n_iter_", 0)
        self.set_params(warm_start=True, max_iter=done + 1)
        self.fit(X, y)
        PartialFitHGB.call_times.append(
            (time.perf_counter() - start, time.thread_time() - cpu)
        )
        return self


def _versions():
    import dask
    import dask_ml
    import distributed
    import sklearn

    return {
        "python": platform.python_version(),
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "dask_ml": dask_ml.__version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
    }


def _cv3(params, X, y, seed, max_iter):
    from sklearn.model_selection import StratifiedKFold, cross_validate

    est = HistGradientBoostingClassifier(
        max_iter=max_iter, early_stopping=False, random_state=seed, **params
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    cpu = time.process_time()
    res = cross_validate(est, X, y, cv=cv)
    cpu = time.process_time() - cpu
    return float(np.mean(res["test_score"])), float(np.sum(res["fit_time"])), cpu


def run_one(seed, quick, max_iter):
    import dask.array as da
    from dask_ml.model_selection import HyperbandSearchCV

    X, y, space, default_max_iter, _ = _setup(quick)
    max_iter = max_iter or default_max_iter
    _, ref_fit, ref_cpu = _cv3({}, X, y, seed, max_iter)

    est = PartialFitHGB(early_stopping=False, random_state=seed)
    search = HyperbandSearchCV(
        est,
        space,
        max_iter=max_iter,
        aggressiveness=3,
        test_size=1 / 3,
        random_state=seed,
    )
    Xd = da.from_array(X, chunks=X.shape)  # one block: every call sees all of it
    yd = da.from_array(y, chunks=y.shape)
    PartialFitHGB.call_times.clear()
    t0, cpu0 = time.perf_counter(), time.process_time()
    search.fit(Xd, yd)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    calls = np.array(PartialFitHGB.call_times).reshape(-1, 2)

    history = search.history_
    best = {k: v for k, v in search.best_params_.items()}
    cv3, _, _ = _cv3(best, X, y, seed, max_iter)
    return {
        "tool": "daskml_hyperband",
        "seed": seed,
        "max_iter": max_iter,
        "best_score": float(search.best_score_),
        "cv3_score_of_best": cv3,
        "cpu_s": cpu,
        "partial_fit_cpu_s": float(calls[:, 1].sum()),
        "iterations": len(calls),
        "fit_compute_s": float(calls[:, 0].sum()),
        "history_partial_fit_s": float(sum(h["partial_fit_time"] for h in history)),
        "score_compute_s": float(sum(h["score_time"] for h in history)),
        "wall_s": wall,
        "n_models": int(search.metadata_["n_models"]),
        "planned_partial_fit_calls": int(search.metadata_["partial_fit_calls"]),
        "best_partial_fit_calls": int(
            search.cv_results_["partial_fit_calls"][search.best_index_]
        ),
        "ref_cv3_fit_s": ref_fit,
        "ref_cv3_cpu_s": ref_cpu,
        **_versions(),
    }


def overhead(max_iter, repeats=2):
    """What one ``partial_fit`` call per boosting iteration costs.

    Times ``max_iter`` warm-start fits of one more iteration each (dask-ml's
    granularity through :class:`PartialFitHGB`) against one fit of ``max_iter``
    iterations, on 2/3 of digits (the training split of both tools). Needs only
    scikit-learn: run it in both environments.
    """
    import sklearn

    X, y, _, _, _ = _setup(False)
    X, y = X[: len(X) * 2 // 3], y[: len(y) * 2 // 3]
    for _ in range(repeats):
        start = time.perf_counter()
        HistGradientBoostingClassifier(
            max_iter=max_iter, early_stopping=False, random_state=0
        ).fit(X, y)
        one = time.perf_counter() - start
        model = PartialFitHGB(early_stopping=False, random_state=0)
        start = time.perf_counter()
        for _ in range(max_iter):
            model.partial_fit(X, y)
        calls = time.perf_counter() - start
        print(
            f"sklearn {sklearn.__version__}: one fit of {max_iter} iterations "
            f"{one:.2f} s; {max_iter} partial_fit calls of +1 {calls:.2f} s "
            f"({calls / one:.1f}x)",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--max-iter", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=pathlib.Path, default=CSV)
    parser.add_argument(
        "--overhead", action="store_true", help="time the per-call overhead only"
    )
    args = parser.parse_args()
    if args.overhead:
        overhead(args.max_iter or _setup(args.quick)[3])
        return

    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=1):
        for seed in args.seeds:
            row = run_one(seed, args.quick, args.max_iter)
            print(row, flush=True)
            if not args.quick:  # written after every seed: a killed run keeps some
                _write(args.out, row)


def _write(path, row):
    """Add ``row`` to the CSV at ``path``, replacing one of the same max_iter/seed."""
    row = {k: (f"{v:.4f}" if isinstance(v, float) else str(v)) for k, v in row.items()}
    rows = []
    if path.exists():
        with path.open(newline="") as f:
            rows = [
                r
                for r in csv.DictReader(f)
                if (r["max_iter"], r["seed"]) != (row["max_iter"], row["seed"])
            ]
    rows = sorted([*rows, row], key=lambda r: (int(r["max_iter"]), int(r["seed"])))
    for r in rows:  # rows of an earlier version of this script
        if "run_partial_fit_calls" in r:
            r["iterations"] = r.pop("run_partial_fit_calls")
    fields = [*FIELDS, *sorted({k for r in rows for k in r} - set(FIELDS))]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)  # a failed write never truncates the results


if __name__ == "__main__":
    main()
