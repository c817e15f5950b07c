"""HyperbandSearchCV vs sklearn's HalvingRandomSearchCV and RandomizedSearchCV.

Tasks (``--task``), all on ``load_digits`` with 3-fold StratifiedKFold:
``hgb`` (HistGradientBoostingClassifier, at most 243 boosting iterations
(``max_iter``), ``early_stopping=False``, four hyperparameters; the issue's
setup), ``sgd`` (SGDClassifier, at most 243 epochs, ``max_iter``), ``mlp``
(MLPClassifier, at most 81 epochs, ``max_iter``) and ``skorch`` (a skorch
``NeuralNetClassifier`` around the PyTorch MLP of ``digits_mlp``, at most 81
epochs, ``max_epochs``; needs torch and skorch). The resource parameter
(``RESOURCE``) is the same for every tool of a task. Hyperband runs once per
``--min-resource`` value (its ``min_resource``; ``auto`` is the library's
default), with ``--incremental`` as its ``incremental`` option (``partial_fit``
continues SGD and MLP models by ``partial_fit`` instead of a warm start). Per
tool and seed it records the best CV score and two measures of
compute, both with ``refit=False``:

* CPU seconds of ``fit`` (``time.process_time`` of the one process running it,
  ``n_jobs=1``, ``OMP_NUM_THREADS=1``): training, scoring and the tool's own
  overhead. CPU time, not wall time, because the benchmark machine is shared:
  wall times there grow with the other jobs' load.
* resource units trained (boosting iterations or epochs), summed over folds:
  ``n_resources`` per row, or, for a Hyperband configuration that continued its
  fold models, only the units it added.

and two trajectory numbers read from ``cv_results_`` in row order (the order the
rows were run, bracket after bracket), each row costed in CPU: Hyperband's
CPU is read after every rung (a callback), and a rung's rows share it in
proportion to their fit + score wall times (``_row_cpu``):

* ``to_rs``: cost until a row at the full resource first scored at least
  RandomizedSearchCV's best score of the same seed (in CPU and in iterations);
* ``at_halving``: best full-resource score among rows whose cumulative CPU is
  within HalvingRandomSearchCV's CPU of the same seed.

Every finished (seed, tool) run is appended to a JSON-lines file at once, so a
run killed part way still reports what finished (``--report-only``). The table
goes between the ``hyperband-compare`` markers of ``docs/hyperband.md`` (with a
``-sgd`` / ``-mlp`` / ``-skorch`` suffix for those tasks, and ``-partial-fit``
with ``--incremental partial_fit``) and the per-run rows
into ``benchmarks/results/hyperband_compare*.csv``.

Reproduce::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hyperband/compare.py \
        --task hgb --seeds 0 1 2 3 4 --min-resource auto --jobs 1

``--quick`` is a smoke test (at most 9 iterations or epochs, few candidates),
never written to the docs.
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"  # before numpy / sklearn are imported

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).parents[2]
DOC = ROOT / "docs" / "hyperband.md"
CSV = ROOT / "benchmarks" / "results" / "hyperband_compare.csv"
TOOLS = [
    "hyperband_random",
    "hyperband_bayesian",
    "halving_random",
    "randomized_full",
]
LABELS = {
    "hyperband_random": "sktune HyperbandSearchCV (random)",
    "hyperband_bayesian": "sktune HyperbandSearchCV (bayesian)",
    "halving_random": "sklearn HalvingRandomSearchCV",
    "randomized_full": "sklearn RandomizedSearchCV (full resource)",
}
# The resource parameter of each task, set by every tool.
RESOURCE = {
    "hgb": "max_iter",
    "sgd": "max_iter",
    "mlp": "max_iter",
    "skorch": "max_epochs",
}


def digits_mlp(hidden_units=64, dropout=0.0, seed=0):
    """The skorch task's PyTorch module: 64 pixels -> ReLU layer -> dropout -> 10.

    skorch calls it with the ``module__*`` parameters to build each net, as it
    would call a ``torch.nn.Module`` class; being a function, it lets the other
    tasks run without torch.

    Parameters
    ----------
    hidden_units : int, default=64
        Width of the hidden layer.
    dropout : float, default=0.0
        Dropout probability after the hidden layer (training only).
    seed : int, default=0
        ``torch.manual_seed`` before the layers are built: the initial weights,
        and the dropout masks and batch order drawn after them from torch's
        global generator, repeat for a given seed.

    Returns
    -------
    module : torch.nn.Sequential
        Maps float32 inputs of shape ``(n, 64)`` to 10 class logits.
    """
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(64, hidden_units),
        torch.nn.ReLU(),
        torch.nn.Dropout(dropout),
        torch.nn.Linear(hidden_units, 10),
    )


def _setup(quick, task="hgb"):
    """``(X, y, space, max_resource, n_random)`` of a task (see ``TASK_TEXT``)."""
    from scipy.stats import loguniform, randint, uniform
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    n_random = 4 if quick else 30
    if task == "hgb":
        space = {
            "learning_rate": loguniform(1e-2, 1),
            "max_leaf_nodes": randint(4, 64),
            "min_samples_leaf": randint(2, 64),
            "l2_regularization": loguniform(1e-6, 10),
        }
        return X, y, space, 9 if quick else 243, n_random
    X = X / 16.0  # pixels 0..16 to 0..1: a fixed scale, nothing learned
    if task == "sgd":
        space = {
            "alpha": loguniform(1e-7, 1e-1),
            "eta0": loguniform(1e-4, 1),
            "learning_rate": ["constant", "optimal", "invscaling", "adaptive"],
            "loss": ["hinge", "log_loss", "modified_huber"],
        }
        return X, y, space, 9 if quick else 243, n_random
    if task == "skorch":
        space = {
            "lr": loguniform(1e-4, 1e-1),
            "batch_size": randint(16, 257),
            "module__hidden_units": randint(16, 257),
            "module__dropout": uniform(0, 0.5),
        }
        X, y = X.astype(np.float32), y.astype(np.int64)  # torch's dtypes
        return X, y, space, 9 if quick else 81, n_random
    space = {
        "alpha": loguniform(1e-6, 1e-1),
        "learning_rate_init": loguniform(1e-4, 1e-1),
        "batch_size": randint(16, 257),
    }
    return X, y, space, 9 if quick else 81, n_random


def _estimator(task, seed, max_resource):
    """The task's estimator, its resource (``RESOURCE``) at the full value."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import SGDClassifier
    from sklearn.neural_network import MLPClassifier

    if task == "hgb":
        return HistGradientBoostingClassifier(
            max_iter=max_resource, early_stopping=False, random_state=seed
        )
    if task == "sgd":
        return SGDClassifier(max_iter=max_resource, tol=None, random_state=seed)
    if task == "skorch":
        import torch
        from skorch import NeuralNetClassifier

        return NeuralNetClassifier(
            digits_mlp,
            module__seed=seed,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            max_epochs=max_resource,
            iterator_train__shuffle=True,
            train_split=None,  # the search's folds do the validation
            verbose=0,
            device="cpu",
        )
    return MLPClassifier((64,), max_iter=max_resource, random_state=seed)


def _make_search(
    tool, seed, quick, task="hgb", min_resource="auto", incremental="auto"
):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        HalvingRandomSearchCV,
        RandomizedSearchCV,
        StratifiedKFold,
    )

    from sktune import HyperbandSearchCV

    X, y, space, max_resource, n_random = _setup(quick, task)
    est = _estimator(task, seed, max_resource)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    if tool.startswith("hyperband"):
        search = HyperbandSearchCV(
            est,
            param_distributions=space,
            resource=RESOURCE[task],
            min_resource=min_resource,
            max_resource=max_resource,
            eta=3,
            sampler=tool.split("_")[1],
            incremental=incremental,
            cv=cv,
            refit=False,
            n_jobs=1,
            random_state=seed,
        )
    elif tool == "halving_random":
        search = HalvingRandomSearchCV(
            est,
            space,
            resource=RESOURCE[task],
            min_resources=1,
            max_resources=max_resource,
            factor=3,
            n_candidates="exhaust",
            cv=cv,
            refit=False,
            n_jobs=1,
            random_state=seed,
        )
    else:
        search = RandomizedSearchCV(
            est,
            space,
            n_iter=n_random,
            cv=cv,
            refit=False,
            n_jobs=1,
            random_state=seed,
        )
    return search, X, y, max_resource


def _row_iterations(results, resource, max_resource, n_splits, continued):
    """Resource units (iterations, epochs) each row trained, summed over its folds.

    Parameters
    ----------
    results : dict
        A search's ``cv_results_``; rows without ``n_resources`` trained
        ``max_resource``.
    resource : str
        The resource parameter, left out when matching a row to the row of the
        same configuration at the previous rung.
    max_resource : int
        The full resource.
    n_splits : int
        Number of CV folds.
    continued : bool
        Whether promoted configurations continued their fold models, so that a
        row counts only the units added to the previous rung of its bracket.

    Returns
    -------
    units : list of int
        One per row.
    """
    n_res = np.asarray(
        results.get("n_resources", [max_resource] * len(results["params"])),
        dtype=int,
    )
    if not continued:
        return (n_res * n_splits).tolist()
    reached, added = {}, []
    for params, bracket, r in zip(
        results["params"], results["bracket"], n_res, strict=True
    ):
        key = (
            bracket,
            repr(sorted((k, v) for k, v in params.items() if k != resource)),
        )
        added.append(int(r - reached.get(key, 0)) * n_splits)
        reached[key] = int(r)
    return added


def _row_cpu(row_time, bounds, cpu):
    """CPU seconds of each row: each batch's measured CPU, shared by wall time.

    ``row_time`` are the rows' fit + score wall times, ``bounds`` the
    ``(rows so far, CPU so far)`` after each batch (empty when not recorded:
    one batch). Within a batch the rows share its CPU in proportion to their
    wall times; across batches the measured CPU is used, because the share of
    the CPU this process gets, and so wall time per CPU second, changes with
    the other jobs on a shared machine. What follows the last batch counts
    towards it.
    """
    row_cpu = np.zeros(len(row_time))
    start = (0, 0.0)
    for i, (end, spent) in enumerate(bounds or [(len(row_time), cpu)]):
        if i == len(bounds) - 1:
            spent = cpu
        rows = slice(start[0], end)
        total = row_time[rows].sum()
        if total > 0:
            row_cpu[rows] = row_time[rows] * (spent - start[1]) / total
        start = (end, spent)
    return row_cpu


def run_one(job):
    """Fit one tool for one seed of a task; returns a JSON-able record."""
    from sklearn.exceptions import ConvergenceWarning

    tool, seed, quick, task, min_resource, incremental = job
    search, X, y, max_resource = _make_search(
        tool, seed, quick, task, min_resource, incremental
    )
    bounds = []
    cpu0 = time.process_time()
    if tool.startswith("hyperband"):  # called after every rung, in-process

        def mark(result):
            bounds.append((len(result.x_iters), time.process_time() - cpu0))

        search.set_params(callbacks=mark)
    wall0 = time.perf_counter()
    with warnings.catch_warnings():
        # Short SGD / MLP rungs stop before converging, by design.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    res = search.cv_results_
    n_splits = search.n_splits_
    row_time = (
        np.asarray(res["mean_fit_time"], dtype=float)
        + np.asarray(res["mean_score_time"], dtype=float)
    ) * n_splits
    row_cpu = _row_cpu(row_time, bounds, cpu)
    incremental = getattr(search, "incremental_", None)
    row_iters = _row_iterations(
        res, RESOURCE[task], max_resource, n_splits, incremental is not None
    )
    scores = np.asarray(res["mean_test_score"], dtype=float)
    n_res = np.asarray(res.get("n_resources", [max_resource] * len(scores)), dtype=int)
    return {
        "tool": tool,
        "seed": seed,
        "quick": quick,
        "task": task,
        "max_iter": max_resource,  # the full resource, whatever its parameter
        "min_resource": getattr(search, "min_resource_", None),
        "incremental": incremental,
        "best_score": float(search.best_score_),
        "cpu_s": cpu,
        "wall_s": wall,
        "fit_wall_s": float(np.sum(res["mean_fit_time"]) * n_splits),
        "iterations": int(sum(row_iters)),
        "n_rows": int(len(scores)),
        "n_full_rows": int((n_res == max_resource).sum()),
        "cpu_per_batch": bool(bounds),
        "rows": {
            "cpu": row_cpu.tolist(),
            "iterations": row_iters,
            "score": np.nan_to_num(scores, nan=-1.0).tolist(),
            "full": (n_res == max_resource).tolist(),
        },
    }


def _trajectory(rec, rs_score, halving_cpu):
    """(CPU and iterations until a full-resource row >= rs_score, best full score
    within halving_cpu); None where not reached.

    A Hyperband record without CPU per rung (written before ``_row_cpu``) has
    its rows costed by wall-time shares of the whole run, which a change of
    load during the run distorts: its CPU to RS's score is left out, and its
    score within Halving's CPU is kept only when the whole run fitted in it.
    """
    if rec["tool"].startswith("hyperband") and not rec.get("cpu_per_batch"):
        (_, iters), at_halving = _trajectory(
            {**rec, "cpu_per_batch": True}, rs_score, halving_cpu
        )
        fits = halving_cpu is not None and rec["cpu_s"] <= halving_cpu
        return (None, iters), at_halving if fits else None
    rows = rec["rows"]
    cpu = iters = 0.0
    to_rs, at_halving = (None, None), None
    for c, n, s, full in zip(
        rows["cpu"], rows["iterations"], rows["score"], rows["full"], strict=True
    ):
        cpu, iters = cpu + c, iters + n
        if full and to_rs[0] is None and rs_score is not None and s >= rs_score:
            to_rs = (cpu, iters)
        if full and halving_cpu is not None and cpu <= halving_cpu:
            at_halving = s if at_halving is None else max(at_halving, s)
    return to_rs, at_halving


def _variant(rec):
    """Name a record's tool, with its ``min_resource`` for Hyperband."""
    if not rec["tool"].startswith("hyperband"):
        return rec["tool"]
    # Records written before min_resource was recorded ran with 1.
    return f"{rec['tool']}@{rec.get('min_resource') or 1}"


def _label(variant):
    tool, _, low = variant.partition("@")
    return f"{LABELS[tool]}, min_resource={low}" if low else LABELS[tool]


def _load(raw, quick, task):
    max_resource = _setup(quick, task)[3]
    recs = {}
    if raw.exists():
        for line in raw.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                if (
                    r["quick"] == quick
                    and r.get("task", "hgb") == task
                    and r.get("max_iter") == max_resource
                ):
                    recs[(_variant(r), r["seed"])] = r  # last one wins
    return recs


def _git(*args):
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


TASK_TEXT = {
    "hgb": (
        "HistGradientBoostingClassifier on `load_digits` (1797 x 64, 10 classes), "
        "resource `max_iter` (boosting iterations) up to {max_resource}, "
        "`early_stopping=False`; space: learning_rate loguniform(1e-2, 1), "
        "max_leaf_nodes randint(4, 64), min_samples_leaf randint(2, 64), "
        "l2_regularization loguniform(1e-6, 10)"
    ),
    "sgd": (
        "SGDClassifier(tol=None) on `load_digits` / 16, resource `max_iter` "
        "(epochs) up to {max_resource}; space: alpha loguniform(1e-7, 1e-1), eta0 "
        "loguniform(1e-4, 1), learning_rate {{constant, optimal, invscaling, "
        "adaptive}}, loss {{hinge, log_loss, modified_huber}}"
    ),
    "mlp": (
        "MLPClassifier((64,)) on `load_digits` / 16, resource `max_iter` "
        "(epochs; the default `tol` may stop a fit earlier) up to {max_resource}; "
        "space: alpha loguniform(1e-6, 1e-1), learning_rate_init "
        "loguniform(1e-4, 1e-1), batch_size randint(16, 257)"
    ),
    "skorch": (
        "skorch NeuralNetClassifier on `load_digits` / 16 (float32, labels "
        "int64), module 64 -> `hidden_units` ReLU -> dropout -> 10 logits, "
        "CrossEntropyLoss, Adam, `train_split=None`, shuffled batches, "
        "`torch.manual_seed(seed)` as each net is built; resource `max_epochs` up "
        "to {max_resource}; space: lr loguniform(1e-4, 1e-1), batch_size "
        "randint(16, 257), module__hidden_units randint(16, 257), "
        "module__dropout uniform(0, 0.5)"
    ),
}
# How Hyperband continues a promoted configuration's fold models, where not by
# warm start (its ``incremental_``, recorded per run as ``incremental``): the
# skorch task's net, and sklearn's SGD / MLP models with --incremental partial_fit.
SKORCH_CONTINUE_TEXT = (
    "`incremental_ == 'partial_fit'`: one skorch `partial_fit` call runs the "
    "missing epochs, keeping the history and Adam's state; the dropout masks "
    "and batch order continue from torch's generator as the previous fit "
    "left it, so a continued net repeats from run to run but is not the net "
    "trained from scratch to that many epochs"
)
PARTIAL_FIT_CONTINUE_TEXT = (
    "`incremental_ == 'partial_fit'`: one sklearn `partial_fit` call per "
    "missing epoch, which keeps SGD's learning-rate schedule and MLP's "
    "optimizer state; each call shuffles its epoch with a generator seeded "
    "again from `random_state`, so a continued model is close to, not equal "
    "to, the one trained from scratch to that many epochs"
)


def _task_text(quick, task, variants, incremental):
    """What the table measured, from the settings the runs used."""
    _, _, _, max_resource, n_random = _setup(quick, task)
    plans = []
    for variant in variants:
        tool, _, low = variant.partition("@")
        if tool != "hyperband_random":
            continue
        plan = _make_search(tool, 0, quick, task, int(low))[0].metadata
        first = plan["brackets"][0]
        plans.append(
            f"min_resource={low}: {len(plan['brackets'])} brackets, "
            f"{plan['n_candidates']} configurations, the first "
            f"{first['n_candidates'][0]} at {first['n_resources'][0]} down to "
            f"{first['n_candidates'][-1]} at {first['n_resources'][-1]}"
        )
    return (
        f"Task: {TASK_TEXT[task].format(max_resource=max_resource)}; 3-fold "
        f"StratifiedKFold. Hyperband eta=3 ({'; '.join(plans)}), brackets in the "
        "paper's order (the most aggressive first); Halving factor=3, "
        "min_resources=1, n_candidates='exhaust'; RS "
        f"{n_random} candidates at {RESOURCE[task]}={max_resource}. CPU = "
        "`process_time` of `fit` (training, scoring and the tool's overhead; "
        "`refit=False`). Iterations = resource units trained (iterations or "
        "epochs), summed over folds; Hyperband's promoted configurations "
        f"continue their fold models ({_continue_text(task, incremental)}), "
        "so their rows count only the added units. The trajectory "
        "columns read `cv_results_` in row order, i.e. the order the rows ran; "
        "Hyperband's CPU is read after every rung and shared by the rung's rows "
        "in proportion to their fit + score times. Medians of the trajectory "
        "columns are "
        "over the seeds that reached the score or had a full-resource row "
        "within Halving's CPU (counted in brackets)."
    )


def _continue_text(task, incremental):
    """How the task's promoted configurations continue, for the task text."""
    if task == "skorch":
        return SKORCH_CONTINUE_TEXT
    return PARTIAL_FIT_CONTINUE_TEXT if incremental == "partial_fit" else "warm start"


def _ratio(a, b):
    return None if a is None or b is None else a / b


def _min_resource(value):
    return value if value == "auto" else int(value)


def _variants(args):
    """The variants asked for, Hyperband's ``min_resource`` resolved."""
    out = []
    for tool in TOOLS:
        if tool not in args.tools:
            continue
        if not tool.startswith("hyperband"):
            out.append(tool)
            continue
        for low in args.min_resource:
            search = _make_search(tool, 0, args.quick, args.task, low)[0]
            out.append(f"{tool}@{search.metadata['min_resource']}")
    return list(dict.fromkeys(out))


def _paths(task, incremental="auto"):
    """Doc markers and CSV of a task (the HGB task keeps the original names)."""
    tag = "" if task == "hgb" else f"-{task}"
    if incremental != "auto":
        tag += f"-{incremental.replace('_', '-')}"
    return (
        f"<!-- BEGIN hyperband-compare{tag} -->",
        f"<!-- END hyperband-compare{tag} -->",
        CSV.with_name(f"{CSV.stem}{tag.replace('-', '_')}.csv"),
    )


def report(recs, args):
    import sklearn

    import sktune

    variants = _variants(args)
    recs = {k: r for k, r in recs.items() if k[0] in variants}
    seeds = sorted({s for (_, s) in recs})
    rows = []
    for seed in seeds:
        rs = recs.get(("randomized_full", seed))
        hv = recs.get(("halving_random", seed))
        for tool in variants:
            r = recs.get((tool, seed))
            if r is None:
                continue
            (cpu_to_rs, iters_to_rs), at_hv = _trajectory(
                r,
                rs["best_score"] if rs else None,
                hv["cpu_s"] if hv else None,
            )
            rows.append(
                {
                    "tool": tool,
                    "seed": seed,
                    "best_score": r["best_score"],
                    "cpu_s": r["cpu_s"],
                    "wall_s": r["wall_s"],
                    "iterations": r["iterations"],
                    "n_rows": r["n_rows"],
                    "n_full_rows": r["n_full_rows"],
                    "cpu_vs_rs": _ratio(r["cpu_s"], rs and rs["cpu_s"]),
                    "iterations_vs_rs": _ratio(
                        r["iterations"], rs and rs["iterations"]
                    ),
                    "score_minus_halving": (
                        r["best_score"] - hv["best_score"] if hv else None
                    ),
                    "cpu_to_rs_score_vs_rs": _ratio(cpu_to_rs, rs and rs["cpu_s"]),
                    "iterations_to_rs_score_vs_rs": _ratio(
                        iters_to_rs, rs and rs["iterations"]
                    ),
                    "score_at_halving_cpu": at_hv,
                    "score_at_halving_cpu_minus_halving": (
                        at_hv - hv["best_score"] if hv and at_hv is not None else None
                    ),
                }
            )

    begin, end, csv_path = _paths(args.task, args.incremental)
    if not args.quick:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        with csv_path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            for row in rows:
                w.writerow(
                    {
                        k: (f"{v:.4f}" if isinstance(v, float) else v)
                        for k, v in row.items()
                    }
                )

    def med(tool, key):
        vals = [r[key] for r in rows if r["tool"] == tool and r[key] is not None]
        return statistics.median(vals) if vals else None

    def count(tool, pred):
        sel = [r for r in rows if r["tool"] == tool]
        return f"{sum(pred(r) for r in sel)}/{len(sel)}"

    def reached(key):
        return lambda r: r[key] is not None

    lines = [
        "| tool | seeds | best CV score | CPU (s) | CPU / RS | iterations / RS "
        "| score - Halving | CPU to reach RS score / RS (seeds reached) "
        "| iterations to reach RS score / RS | best full-resource score within "
        "Halving's CPU, minus Halving's best |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for tool in variants:
        n = sum(r["tool"] == tool for r in rows)
        if not n:
            continue
        lines.append(
            f"| {_label(tool)} | {n} | {_fmt(med(tool, 'best_score'), '.4f')} "
            f"| {_fmt(med(tool, 'cpu_s'), '.1f')} "
            f"| {_fmt(med(tool, 'cpu_vs_rs'), '.2f')} "
            f"| {_fmt(med(tool, 'iterations_vs_rs'), '.2f')} "
            f"| {_fmt(med(tool, 'score_minus_halving'), '+.4f')} "
            f"| {_fmt(med(tool, 'cpu_to_rs_score_vs_rs'), '.3f')} "
            f"({count(tool, reached('cpu_to_rs_score_vs_rs'))}) "
            f"| {_fmt(med(tool, 'iterations_to_rs_score_vs_rs'), '.3f')} "
            f"| {_fmt(med(tool, 'score_at_halving_cpu_minus_halving'), '+.4f')} "
            f"({count(tool, reached('score_at_halving_cpu_minus_halving'))}) |"
        )

    def within(key, bound):
        return lambda r: r[key] is not None and r[key] <= bound

    targets = []
    for tool in variants:
        if not tool.startswith("hyperband") or not any(r["tool"] == tool for r in rows):
            continue
        gains = [
            r["score_at_halving_cpu_minus_halving"] for r in rows if r["tool"] == tool
        ]
        # A seed with no full-resource row within Halving's CPU did not beat it.
        gains = [-1.0 if g is None else g for g in gains]
        targets.append(
            f"* {_label(tool)}: reached RS's best score within 1/6 of RS's CPU in "
            f"{count(tool, within('cpu_to_rs_score_vs_rs', 1 / 6))} seeds (within "
            "1/6 of its iterations in "
            f"{count(tool, within('iterations_to_rs_score_vs_rs', 1 / 6))}); "
            "within Halving's CPU, beat Halving's best score in "
            f"{sum(g > 0 for g in gains)}/{len(gains)} seeds (median difference "
            f"{_fmt(statistics.median(gains) if gains else None, '+.4f')}, a "
            "seed with no full-resource row by then counted as -1)."
        )
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " plus uncommitted changes" if _git("status", "--porcelain") else ""
    cpu = platform.processor() or platform.machine()
    lows = " ".join(map(str, args.min_resource))
    header = [
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC at commit "
        f"`{commit}`{dirty}; sktune {getattr(sktune, '__version__', '?')}, "
        f"scikit-learn {sklearn.__version__}, Python {platform.python_version()}; "
        f"{platform.system()} {cpu}, {os.cpu_count()} cores (shared machine), "
        f"`OMP_NUM_THREADS=1`, `n_jobs=1`, `refit=False`, {args.jobs} run(s) at "
        "a time. "
        f"Seeds: {seeds}; medians over seeds.",
        "",
        "Reproduce: `OMP_NUM_THREADS=1 .venv/bin/python "
        f"benchmarks/hyperband/compare.py --task {args.task} --seeds "
        + " ".join(map(str, seeds))
        + f" --min-resource {lows} --jobs {args.jobs}"
        + (f" --incremental {args.incremental}" if args.incremental != "auto" else "")
        + "` (per-run rows: "
        f"`{csv_path.relative_to(ROOT)}`).",
        "",
        _task_text(args.quick, args.task, variants, args.incremental),
        "",
    ]
    footer = [
        "",
        *targets,
        "* dask-ml's HyperbandSearchCV is not run by this script.",
    ]
    text = "\n".join(header + lines + footer)
    print(text)
    if args.quick or args.no_doc:
        return
    doc = DOC.read_text()
    section = f"{begin}\n{text}\n{end}"
    if begin in doc and end in doc:
        pre, rest = doc.split(begin, 1)
        post = rest.split(end, 1)[1]
        doc = pre + section + post
    else:
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(doc)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", default="hgb", choices=sorted(TASK_TEXT))
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--tools", nargs="+", default=TOOLS, choices=TOOLS)
    p.add_argument(
        "--min-resource",
        type=_min_resource,
        nargs="+",
        default=["auto"],
        help="Hyperband's min_resource, one variant per value",
    )
    p.add_argument(
        "--incremental",
        choices=["auto", "partial_fit"],
        default="auto",
        help="Hyperband's incremental option (its own doc section and CSV)",
    )
    p.add_argument("--quick", action="store_true", help="smoke test, no docs")
    p.add_argument("--jobs", type=int, default=1, help="runs at a time")
    p.add_argument(
        "--raw",
        type=pathlib.Path,
        default=pathlib.Path("/tmp/sktune_hyperband_compare.jsonl"),
        help="JSON-lines file the finished runs are appended to",
    )
    p.add_argument("--report-only", action="store_true", help="report what --raw holds")
    p.add_argument("--no-doc", action="store_true")
    args = p.parse_args()

    if not args.report_only:
        # Randomized and Halving first: the Hyperband trajectories refer to them.
        order = ["randomized_full", "halving_random", *TOOLS[:2]]
        jobs = [
            (t, s, args.quick, args.task, low, args.incremental)
            for s in args.seeds
            for t in order
            if t in args.tools
            for low in (args.min_resource if t.startswith("hyperband") else [None])
        ]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(args.jobs) as pool:
            for rec in pool.imap_unordered(run_one, jobs):
                with args.raw.open("a") as f:
                    f.write(json.dumps(rec) + "\n")
                print(
                    f"{_variant(rec):>24} seed {rec['seed']}: score "
                    f"{rec['best_score']:.4f}, CPU {rec['cpu_s']:.1f}s, "
                    f"wall {rec['wall_s']:.1f}s",
                    flush=True,
                )
    report(_load(args.raw, args.quick, args.task), args)


if __name__ == "__main__":
    main()
