"""HyperbandSearchCV vs sklearn's HalvingRandomSearchCV and RandomizedSearchCV.

One task: HistGradientBoostingClassifier on ``load_digits``, ``max_iter`` as the
resource (at most 81, ``early_stopping=False``), 3-fold StratifiedKFold, four
hyperparameters. Per tool and seed it records the best CV score, the training
compute (``mean_fit_time * n_splits`` summed over ``cv_results_``; refit
excluded) and the wall time of ``fit``, plus two trajectory numbers read from
``cv_results_`` in row order (the order the rows were run, bracket after
bracket):

* ``compute_to_rs``: compute spent until a row at the full resource first
  scored at least RandomizedSearchCV's best score of the same seed;
* ``score_at_halving``: best full-resource score among rows whose cumulative
  compute is within HalvingRandomSearchCV's total compute of the same seed.

Every finished (seed, tool) run is appended to a JSON-lines file at once, so a
run killed part way still reports what finished (``--report-only``). The table
goes between the ``hyperband-compare`` markers of ``docs/hyperband.md`` and the
per-run rows into ``benchmarks/results/hyperband_compare.csv``.

Reproduce::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hyperband/compare.py \
        --seeds 0 1 2 --jobs 2

``--quick`` is a smoke test (max_iter <= 9, few candidates), never written to
the docs.
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

ROOT = pathlib.Path(__file__).parents[2]
DOC = ROOT / "docs" / "hyperband.md"
CSV = ROOT / "benchmarks" / "results" / "hyperband_compare.csv"
BEGIN, END = "<!-- BEGIN hyperband-compare -->", "<!-- END hyperband-compare -->"
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


def _setup(quick):
    from scipy.stats import loguniform, randint
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    space = {
        "learning_rate": loguniform(1e-2, 1),
        "max_leaf_nodes": randint(4, 64),
        "min_samples_leaf": randint(2, 64),
        "l2_regularization": loguniform(1e-6, 10),
    }
    max_iter = 9 if quick else 81
    n_random = 4 if quick else 20
    return X, y, space, max_iter, n_random


def _make_search(tool, seed, quick):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        HalvingRandomSearchCV,
        RandomizedSearchCV,
        StratifiedKFold,
    )

    from sktune import HyperbandSearchCV

    X, y, space, max_iter, n_random = _setup(quick)
    est = HistGradientBoostingClassifier(
        max_iter=max_iter, early_stopping=False, random_state=seed
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    if tool.startswith("hyperband"):
        search = HyperbandSearchCV(
            est,
            param_distributions=space,
            resource="max_iter",
            min_resource=1,
            max_resource=max_iter,
            eta=3,
            sampler=tool.split("_")[1],
            cv=cv,
            n_jobs=1,
            random_state=seed,
        )
    elif tool == "halving_random":
        search = HalvingRandomSearchCV(
            est,
            space,
            resource="max_iter",
            min_resources=1,
            max_resources=max_iter,
            factor=3,
            n_candidates="exhaust",
            cv=cv,
            n_jobs=1,
            random_state=seed,
        )
    else:
        search = RandomizedSearchCV(
            est, space, n_iter=n_random, cv=cv, n_jobs=1, random_state=seed
        )
    return search, X, y, max_iter


def run_one(task):
    """Fit one tool for one seed; returns a JSON-able record."""
    tool, seed, quick = task
    import numpy as np

    search, X, y, max_iter = _make_search(tool, seed, quick)
    t0 = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - t0
    res = search.cv_results_
    n_splits = search.n_splits_
    row_compute = np.asarray(res["mean_fit_time"], dtype=float) * n_splits
    scores = np.asarray(res["mean_test_score"], dtype=float)
    if "n_resources" in res:
        n_res = np.asarray(res["n_resources"], dtype=int)
    else:  # RandomizedSearchCV: every row at the full resource
        n_res = np.full(len(scores), max_iter)
    return {
        "tool": tool,
        "seed": seed,
        "quick": quick,
        "best_score": float(search.best_score_),
        "fit_compute_s": float(row_compute.sum()),
        "wall_s": wall,
        "n_rows": int(len(scores)),
        "n_full_rows": int((n_res == max_iter).sum()),
        "rows": {
            "compute": row_compute.tolist(),
            "score": np.nan_to_num(scores, nan=-1.0).tolist(),
            "full": (n_res == max_iter).tolist(),
        },
    }


def _trajectory(rec, rs_score, halving_compute):
    """(compute until a full-resource row >= rs_score, best full score within
    halving_compute); None where not reached."""
    cum, to_rs, at_halving = 0.0, None, None
    for c, s, full in zip(
        rec["rows"]["compute"],
        rec["rows"]["score"],
        rec["rows"]["full"],
        strict=True,
    ):
        cum += c
        if full and to_rs is None and rs_score is not None and s >= rs_score:
            to_rs = cum
        if full and halving_compute is not None and cum <= halving_compute:
            at_halving = s if at_halving is None else max(at_halving, s)
    return to_rs, at_halving


def _load(raw, quick):
    recs = {}
    if raw.exists():
        for line in raw.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                if r["quick"] == quick:
                    recs[(r["tool"], r["seed"])] = r  # last one wins
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


def report(recs, args):
    import sklearn

    import sktune

    seeds = sorted({s for (_, s) in recs})
    rows = []
    for seed in seeds:
        rs = recs.get(("randomized_full", seed))
        hv = recs.get(("halving_random", seed))
        for tool in TOOLS:
            r = recs.get((tool, seed))
            if r is None:
                continue
            to_rs, at_hv = _trajectory(
                r,
                rs["best_score"] if rs else None,
                hv["fit_compute_s"] if hv else None,
            )
            rows.append(
                {
                    "tool": tool,
                    "seed": seed,
                    "best_score": r["best_score"],
                    "fit_compute_s": r["fit_compute_s"],
                    "wall_s": r["wall_s"],
                    "n_rows": r["n_rows"],
                    "n_full_rows": r["n_full_rows"],
                    "compute_vs_rs": (
                        r["fit_compute_s"] / rs["fit_compute_s"] if rs else None
                    ),
                    "wall_vs_rs": r["wall_s"] / rs["wall_s"] if rs else None,
                    "score_minus_halving": (
                        r["best_score"] - hv["best_score"] if hv else None
                    ),
                    "compute_to_rs_score_vs_rs": (
                        to_rs / rs["fit_compute_s"]
                        if rs and to_rs is not None
                        else None
                    ),
                    "score_at_halving_compute": at_hv,
                }
            )

    if not args.quick:
        CSV.parent.mkdir(parents=True, exist_ok=True)
        with CSV.open("w", newline="") as f:
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

    lines = [
        "| tool | seeds | best CV score | fit compute (s) | wall (s) "
        "| compute / RS | wall / RS | score - Halving "
        "| compute to reach RS score / RS (seeds reached) | best full-resource score "
        "within Halving's compute |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for tool in TOOLS:
        n = sum(r["tool"] == tool for r in rows)
        if not n:
            continue
        lines.append(
            f"| {LABELS[tool]} | {n} | {_fmt(med(tool, 'best_score'), '.4f')} "
            f"| {_fmt(med(tool, 'fit_compute_s'), '.1f')} "
            f"| {_fmt(med(tool, 'wall_s'), '.1f')} "
            f"| {_fmt(med(tool, 'compute_vs_rs'), '.2f')} "
            f"| {_fmt(med(tool, 'wall_vs_rs'), '.2f')} "
            f"| {_fmt(med(tool, 'score_minus_halving'), '+.4f')} "
            f"| {_fmt(med(tool, 'compute_to_rs_score_vs_rs'), '.2f')} "
            f"({count(tool, lambda r: r['compute_to_rs_score_vs_rs'] is not None)}) "
            f"| {_fmt(med(tool, 'score_at_halving_compute'), '.4f')} |"
        )
    targets = []
    for tool in ("hyperband_random", "hyperband_bayesian"):
        targets.append(
            f"* {LABELS[tool]}: reached RS's best score with <= 1/6 of RS's "
            "compute in "
            + count(
                tool,
                lambda r: (
                    r["compute_to_rs_score_vs_rs"] is not None
                    and r["compute_to_rs_score_vs_rs"] <= 1 / 6
                ),
            )
            + " seeds; at Halving's compute beat Halving's best score in "
            + count(
                tool,
                lambda r: (
                    r["score_at_halving_compute"] is not None
                    and r["score_minus_halving"] is not None
                    and r["score_at_halving_compute"]
                    > r["score_minus_halving"] * -1 + r["best_score"]
                ),
            )
            + " seeds."
        )
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " plus this script" if _git("status", "--porcelain") else ""
    cpu = platform.processor() or platform.machine()
    header = [
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC at commit "
        f"`{commit}`{dirty}; sktune {getattr(sktune, '__version__', '?')}, "
        f"scikit-learn {sklearn.__version__}, Python {platform.python_version()}; "
        f"{platform.system()} {cpu}, {os.cpu_count()} cores (shared machine), "
        f"`OMP_NUM_THREADS=1`, `n_jobs=1`, {args.jobs} run(s) at a time. "
        f"Seeds: {seeds}; medians over seeds.",
        "",
        "Reproduce: `OMP_NUM_THREADS=1 .venv/bin/python "
        "benchmarks/hyperband/compare.py --seeds "
        + " ".join(map(str, seeds))
        + f" --jobs {args.jobs}` (per-run rows: "
        "`benchmarks/results/hyperband_compare.csv`).",
        "",
        "Task: HistGradientBoostingClassifier on `load_digits` (1797 x 64, 10 "
        "classes), resource `max_iter` 1..81, `early_stopping=False`, 3-fold "
        "StratifiedKFold; space: learning_rate loguniform(1e-2, 1), "
        "max_leaf_nodes randint(4, 64), min_samples_leaf randint(2, 64), "
        "l2_regularization loguniform(1e-6, 10). Hyperband eta=3 (5 brackets, "
        "143 configurations); Halving factor=3, min_resources=1, "
        "n_candidates='exhaust'; RS 20 candidates at max_iter=81. Fit compute = "
        "sum of `mean_fit_time * n_splits` over `cv_results_` (refit excluded); "
        "Hyperband's promoted configurations continue their fold models "
        "(warm start), so their rows count only the added iterations. The "
        "trajectory columns read `cv_results_` in row order, i.e. the order the "
        "brackets ran. With warm starts, bracket s = 0 (5 configurations at 81, "
        "random in both samplers) runs first, so the last column is the same "
        "for both samplers, and that bracket alone (5 x 81 iterations) already "
        "exceeds 1/6 of RS's 20 x 81; the median of the 'reach RS score' "
        "column is over the seeds that reached it.",
        "",
    ]
    footer = [
        "",
        *targets,
        "* dask-ml's HyperbandSearchCV was not run this session (not installed).",
    ]
    text = "\n".join(header + lines + footer)
    print(text)
    if args.quick or args.no_doc:
        return
    doc = DOC.read_text()
    section = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc and END in doc:
        pre, rest = doc.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        doc = pre + section + post
    else:
        doc = doc.rstrip("\n") + "\n\n## Comparison\n\n" + section + "\n"
    DOC.write_text(doc)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--tools", nargs="+", default=TOOLS, choices=TOOLS)
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
        tasks = [
            (t, s, args.quick) for s in args.seeds for t in order if t in args.tools
        ]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(args.jobs) as pool:
            for rec in pool.imap_unordered(run_one, tasks):
                with args.raw.open("a") as f:
                    f.write(json.dumps(rec) + "\n")
                print(
                    f"{rec['tool']:>20} seed {rec['seed']}: score "
                    f"{rec['best_score']:.4f}, compute {rec['fit_compute_s']:.1f}s, "
                    f"wall {rec['wall_s']:.1f}s",
                    flush=True,
                )
    report(_load(args.raw, args.quick), args)


if __name__ == "__main__":
    main()
