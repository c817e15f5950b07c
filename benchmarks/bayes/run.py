"""Compare sktune's BayesianSearchCV with its peers, side by side, in one run.

For every task x seed, each tool gets the same estimator, CV splits, number of
evaluations and seed. Raw traces go to ``benchmarks/results/raw/bayes/``; the
median summary goes to ``benchmarks/results/bayes_summary.csv`` and, as a
markdown table, into ``docs/benchmarks.md``.

Examples
--------
Smoke run (a minute or two, writes nothing outside ``results/raw``)::

    python benchmarks/bayes/run.py --quick

Full run (the one reported in the docs)::

    python benchmarks/bayes/run.py --extra-site /path/to/site-packages-with-torch
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adapters import RUNNERS, TOOLS  # noqa: E402
from report import (  # noqa: E402
    RESULTS,
    command_line,
    environment_md,
    fmt,
    git_revision,
    limit_threads,
    machine,
    now,
    versions,
    write_section,
)
from tasks import TASKS  # noqa: E402

CHECKPOINTS = (10, 25, 50)
SYNTHETIC = ("branin", "hartmann6", "ackley5", "levy10")
PEERS = ("skopt", "optuna_gp", "optuna_tpe", "random")
LABELS = {
    "sktune": "sktune BayesianSearchCV",
    "skopt": "skopt BayesSearchCV",
    "optuna_gp": "OptunaSearchCV + GPSampler",
    "optuna_tpe": "OptunaSearchCV + TPESampler",
    "random": "sklearn RandomizedSearchCV",
}


def parse_args(argv=None):
    """Parse the command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    args : argparse.Namespace
        Parsed options.
    """
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: branin + svc_digits, 1 seed, 12 evaluations, "
        "no summary or docs written",
    )
    p.add_argument(
        "--seeds",
        type=int,
        default=5,
        help="seeds 0..N-1 for synthetic tasks (default 5)",
    )
    p.add_argument(
        "--real-seeds",
        type=int,
        default=3,
        help="seeds 0..N-1 for real tasks (default 3)",
    )
    p.add_argument(
        "--tasks",
        default=",".join(TASKS),
        help="comma-separated subset of: " + ", ".join(TASKS),
    )
    p.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated subset of: " + ", ".join(TOOLS),
    )
    p.add_argument(
        "--n-iter", type=int, default=50, help="evaluations per search (default 50)"
    )
    p.add_argument(
        "--reuse",
        action="store_true",
        help="reuse raw results already on disk instead of rerunning",
    )
    p.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: summarise the raw records already on disk (a search "
        "with no record is left out, and the seeds column says so)",
    )
    p.add_argument(
        "--extra-site",
        action="append",
        default=[],
        help="directory appended to sys.path (after this environment's "
        "packages), e.g. a site-packages holding CPU torch for "
        "Optuna's GPSampler",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP/torch threads for every tool (default 1: each tool gets "
        "one core, as sktune pins its own BLAS calls; 0 leaves library defaults)",
    )
    p.add_argument(
        "--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md"
    )
    args = p.parse_args(argv)
    if args.quick:
        args.seeds, args.real_seeds, args.n_iter = 1, 1, 12
        if args.tasks == ",".join(TASKS):
            args.tasks = "branin,svc_digits"
        args.no_docs = True
    args.tasks = [t for t in args.tasks.split(",") if t]
    args.tools = [t for t in args.tools.split(",") if t]
    for name, allowed in (("task", TASKS), ("tool", TOOLS)):
        bad = [x for x in getattr(args, name + "s") if x not in allowed]
        if bad:
            p.error(f"unknown {name}(s) {bad}; choose from {list(allowed)}")
    return args


def run_one(task, tool, seed, n_iter, raw_dir, reuse):
    """Run (or load) one search and store its raw record as JSON.

    Parameters
    ----------
    task : tasks.Task
        The problem.
    tool : str
        Key of :data:`adapters.RUNNERS`.
    seed : int
        Seed passed to the tool.
    n_iter : int
        Number of evaluations.
    raw_dir : Path
        Directory of raw records.
    reuse : bool or "only"
        Load an existing record instead of running; ``"only"``: never run, and
        return None where there is no record.

    Returns
    -------
    record : dict or None
        Scores in evaluation order (``trace``), ``wall_s``, ``cpu_s`` (this
        process's CPU time: with ``n_jobs=1`` every tool computes in-process, so it
        does not grow with other jobs' load as wall time does), load and errors.
    """
    path = raw_dir / task.name / f"{tool}-seed{seed}-n{n_iter}.json"
    if reuse and path.exists():
        record = json.loads(path.read_text())
        if not record.get("error"):
            return record
    if reuse == "only":
        return json.loads(path.read_text()) if path.exists() else None
    record = {
        "task": task.name,
        "tool": tool,
        "seed": seed,
        "n_iter": n_iter,
        "started": now(),
        "loadavg_before": os.getloadavg()[0],
    }
    try:
        cpu = time.process_time()
        trace, wall = RUNNERS[tool](task, seed, n_iter)
        cpu = time.process_time() - cpu
        record.update(
            trace=[float(v) for v in trace], wall_s=wall, cpu_s=cpu, error=None
        )
    except Exception as exc:  # a failing tool is reported, not fatal
        record.update(
            trace=[],
            wall_s=None,
            cpu_s=None,
            error=f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
            traceback=traceback.format_exc()[-3000:],
        )
    record["loadavg_after"] = os.getloadavg()[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    return record


def warm_up(tools):
    """Run a tiny search per tool first, so imports (torch for Optuna's GPSampler,
    sktune, skopt) and first-call costs are not charged to the first timed run.

    Parameters
    ----------
    tools : list of str
        Keys of :data:`adapters.RUNNERS`.
    """
    task = TASKS["branin"]()
    for tool in tools:
        try:
            RUNNERS[tool](task, 0, 12)
        except Exception as exc:  # reported again, with traceback, by run_one
            print(f"warm-up of {tool} failed: {exc}", flush=True)


def best_at(trace, k):
    """Best score among the first ``k`` evaluations (NaN if fewer were made)."""
    t = np.asarray(trace[:k], float)
    if len(t) < k or np.all(np.isnan(t)):
        return np.nan
    return float(np.nanmax(t))


def summarize(records, tasks, n_iter):
    """Aggregate raw records into one row per task x tool (medians over seeds).

    Parameters
    ----------
    records : list of dict
        Raw records from :func:`run_one`.
    tasks : dict of str to tasks.Task
        The tasks that were run.
    n_iter : int
        Evaluations per search.

    Returns
    -------
    rows : list of dict
        One summary row per task and tool.
    """
    checkpoints = sorted({k for k in CHECKPOINTS if k <= n_iter} | {n_iter})
    rows = []
    for tname, task in tasks.items():
        for tool in TOOLS:
            recs = [r for r in records if r["task"] == tname and r["tool"] == tool]
            if not recs:
                continue
            ok = [r for r in recs if not r["error"]]
            row = {
                "task": tname,
                "tool": tool,
                "seeds": len(ok),
                "failed": len(recs) - len(ok),
                "error": next((r["error"] for r in recs if r["error"]), ""),
            }
            for k in checkpoints:
                best = [best_at(r["trace"], k) for r in ok]
                row[f"best@{k}"] = float(np.nanmedian(best)) if ok else np.nan
                if task.optimum is not None:
                    regret = [task.optimum - b for b in best]
                    row[f"regret@{k}"] = float(np.nanmedian(regret)) if ok else np.nan
            for key in ("wall_s", "cpu_s"):
                values = [r[key] for r in ok if r.get(key) is not None]
                row[key] = float(np.median(values)) if values else np.nan
            row["ms_per_eval"] = (
                float(
                    np.median([1e3 * r["wall_s"] / max(len(r["trace"]), 1) for r in ok])
                )
                if ok
                else np.nan
            )
            rows.append(row)
    return rows


def _row(rows, task, tool):
    return next((r for r in rows if r["task"] == task and r["tool"] == tool), None)


def targets(rows, tasks, n_iter):
    """Check the performance targets of the BayesianSearchCV issue.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`summarize`.
    tasks : dict of str to tasks.Task
        The tasks that were run.
    n_iter : int
        Evaluations per search.

    Returns
    -------
    checks : list of dict
        ``target``, ``measured`` and ``met`` (True/False/None when not measurable).
    """
    checks = []
    key = f"best@{n_iter}"
    for tname, task in tasks.items():
        mine = _row(rows, tname, "sktune")
        peers = [r for p in PEERS if (r := _row(rows, tname, p)) and r["seeds"]]
        if not mine or not mine["seeds"] or not peers:
            checks.append(
                {
                    "target": f"{tname}: best@{n_iter} >= best peer",
                    "measured": "sktune not run",
                    "met": None,
                }
            )
            continue
        best = max(peers, key=lambda r: r[key])
        if task.optimum is not None:
            a, b = task.optimum - mine[key], task.optimum - best[key]
            measured = (
                f"regret {fmt(a)} vs {fmt(b)} ({best['tool']}); "
                f"ratio {fmt(a / b if b else np.inf)}"
            )
        else:
            measured = (
                f"score {fmt(mine[key], 5)} vs {fmt(best[key], 5)} "
                f"({best['tool']}); diff {fmt(mine[key] - best[key])}"
            )
        checks.append(
            {
                "target": f"{tname}: median best@{n_iter} >= best peer",
                "measured": measured,
                "met": mine[key] >= best[key],
            }
        )
    for peer, limit in (("optuna_gp", 0.1), ("skopt", 0.02)):
        mine = [_row(rows, t, "sktune") for t in tasks if t in SYNTHETIC]
        theirs = [_row(rows, t, peer) for t in tasks if t in SYNTHETIC]
        pairs = [
            (m, p)
            for m, p in zip(mine, theirs, strict=True)
            if m and p and m["seeds"] and p["seeds"]
        ]
        if not pairs:
            checks.append(
                {
                    "target": f"overhead <= {limit} x {peer}",
                    "measured": "not run",
                    "met": None,
                }
            )
            continue
        for key, label in (("cpu_s", "CPU"), ("wall_s", "wall")):
            ratios = {m["task"]: m[key] / p[key] for m, p in pairs}
            worst = max(ratios.values())
            measured = ", ".join(f"{t} {fmt(r)}" for t, r in ratios.items())
            checks.append(
                {
                    "target": f"overhead (no-op {label}) <= {limit} x {peer}",
                    "measured": measured + f"; worst {fmt(worst)}",
                    "met": worst <= limit,
                }
            )
    return checks


def markdown(rows, checks, tasks, n_iter, env, minutes):
    """Render the results as the markdown section of ``docs/benchmarks.md``.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`summarize`.
    checks : list of dict
        Output of :func:`targets`.
    tasks : dict of str to tasks.Task
        The tasks that were run.
    n_iter : int
        Evaluations per search.
    env : dict
        Machine, versions, command and date.
    minutes : float
        Wall time of the whole run.

    Returns
    -------
    text : str
        Markdown.
    """
    cps = sorted({k for k in CHECKPOINTS if k <= n_iter} | {n_iter})
    out = [
        "## Bayesian search: sktune vs. peers",
        "",
        (
            f"Report of the raw records started {env['records']} (written on "
            f"{env['date']}). Produced with:"
            if "records" in env
            else f"Run on {env['date']}, {minutes:.0f} min in all. Reproduce with:"
        ),
        "",
        f"```\n{env['command']}\n```",
        "",
        environment_md(env),
        "",
        "Every tool: same estimator, same CV splits, same seed, "
        f"{n_iter} evaluations, `n_jobs=1`, `refit=False`, BLAS/OpenMP/torch "
        f"threads: {env['threads']}, other options at the tool's defaults. "
        "Synthetic tasks wrap the function in a no-op estimator "
        "(`fit` does nothing, `score` = -f(params)), so their time is the "
        "optimizer's and the search driver's own overhead. CPU time is the "
        "process's (every tool computes in-process at `n_jobs=1`), which other "
        "jobs on a shared machine inflate much less than wall time. Values are medians "
        "over seeds; regret = f(best x) - f*, lower is better; score: higher is "
        "better. Ratios are sktune / peer on the medians of this run.",
    ]
    for kind, metric in (("synthetic", "regret"), ("real", "best")):
        names = [
            t
            for t, task in tasks.items()
            if (task.optimum is not None) == (kind == "synthetic")
        ]
        if not names:
            continue
        title = "Synthetic functions" if kind == "synthetic" else "Real tuning tasks"
        out += ["", f"### {title}", ""]
        head = (
            ["task", "tool", "seeds"]
            + [f"{metric}@{k}" for k in cps]
            + [
                f"sktune/tool {metric}@{n_iter}"
                if metric == "regret"
                else f"sktune - tool @{n_iter}",
                "wall/search (s)",
                "CPU/search (s)",
                "sktune/tool CPU",
                "sktune/tool wall",
            ]
        )
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for t in names:
            mine = _row(rows, t, "sktune")
            for tool in TOOLS:
                r = _row(rows, t, tool)
                if not r:
                    continue
                if not r["seeds"]:
                    out.append(f"| {t} | {tool} | 0 | failed: {r['error']} |")
                    continue
                vals = [fmt(r[f"{metric}@{k}"], 4) for k in cps]
                q = w = c = "–"
                if mine and mine["seeds"] and tool != "sktune":
                    last = f"{metric}@{n_iter}"
                    if metric == "regret":
                        q = fmt(mine[last] / r[last]) if r[last] else "–"
                    else:
                        q = fmt(mine[last] - r[last])
                    w = fmt(mine["wall_s"] / r["wall_s"])
                    c = fmt(mine["cpu_s"] / r["cpu_s"])
                out.append(
                    "| "
                    + " | ".join(
                        [
                            t,
                            LABELS[tool],
                            str(r["seeds"]),
                            *vals,
                            q,
                            fmt(r["wall_s"]),
                            fmt(r["cpu_s"]),
                            c,
                            w,
                        ]
                    )
                    + " |"
                )
    out += ["", "### Targets", "", "| target | measured | met |", "|---|---|---|"]
    for c in checks:
        met = {True: "yes", False: "**no**", None: "not measured"}[c["met"]]
        out.append(f"| {c['target']} | {c['measured']} | {met} |")
    failed = [r for r in rows if r["failed"]]
    if failed:
        out += [
            "",
            "Failures: "
            + "; ".join(
                f"{r['tool']} on {r['task']} ({r['failed']}x): {r['error']}"
                for r in failed
            ),
        ]
    return "\n".join(out)


def main(argv=None):
    """Run the benchmark and write raw records, the summary and the docs table."""
    args = parse_args(argv)
    for site in args.extra_site:
        sys.path.append(site)
    env = {
        "machine": machine(),
        "versions": versions(),
        "command": command_line(),
        "date": now(),
        "revision": git_revision(),
    }
    raw_dir = RESULTS / "raw" / "bayes"
    tasks = {name: TASKS[name]() for name in args.tasks}
    limiter = limit_threads(args.threads)  # noqa: F841 (kept alive for the run)
    env["threads"] = args.threads or "library defaults"
    reuse = "only" if args.report_only else args.reuse
    if not args.report_only:
        warm_up(args.tools)
    t0 = time.perf_counter()
    records = []
    for tname, task in tasks.items():
        n_seeds = args.seeds if task.optimum is not None else args.real_seeds
        for seed in range(n_seeds):
            for tool in args.tools:  # interleaved so load drift hits all tools
                rec = run_one(task, tool, seed, args.n_iter, raw_dir, reuse)
                if rec is None:
                    continue
                records.append(rec)
                best = best_at(rec["trace"], args.n_iter)
                status = rec["error"] or (f"best {best:.5g}  wall {rec['wall_s']:.2f}s")
                print(f"{tname:18s} seed {seed}  {tool:11s} {status}", flush=True)
    minutes = (time.perf_counter() - t0) / 60
    if args.report_only:
        started = sorted(r["started"] for r in records)
        env["records"] = f"{started[0]} to {started[-1]}" if started else "none"
    env["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    rows = summarize(records, tasks, args.n_iter)
    checks = targets(rows, tasks, args.n_iter)
    text = markdown(rows, checks, tasks, args.n_iter, env, minutes)
    print("\n" + text)
    if args.quick:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "bayes_summary.csv", "w", newline="") as f:
        fields = sorted(
            {k for r in rows for k in r},
            key=lambda k: (("task", "tool", "seeds", k).index(k), k),
        )
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    (RESULTS / "bayes_env.json").write_text(
        json.dumps({**env, "minutes": round(minutes, 1), "targets": checks}, indent=1)
    )
    if not args.no_docs:
        write_section("bayes", text)


if __name__ == "__main__":
    main()
