"""How well a small resource ranks configurations, and what it costs.

For a task of ``compare.py`` and a seed, it takes RandomizedSearchCV's
configurations of that seed (``ParameterSampler``, the same draws) and
cross-validates each at every resource of Hyperband's ladder (``max_iter`` =
1, 3, 9, ... up to the task's maximum) on ``compare.py``'s folds. It reports per
resource ``r``:

* the Spearman correlation, over configurations, between the mean CV score at
  ``r`` and at the full resource;
* the rank at ``r`` of the configuration that is best at the full resource (a
  rung of successive halving keeps the top third with eta = 3);
* the CPU of cross-validating a configuration up to ``r``, as a fraction of
  the CPU up to the full resource, next to ``r / max_iter``: Hyperband's
  schedule assumes the two are equal.

Boosting continues its fold models by warm start from one resource to the next
(the model at ``r`` is the one trained from scratch to ``r``, so the CPU is
that of training to ``r``); SGD and MLP are refitted from scratch at every
``r`` (continuing them restarts their learning-rate schedule), and their CPU
up to ``r`` is that of the fit at ``r``. Records go to a JSON-lines file as
they finish.

Reproduce::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hyperband/fidelity.py \\
        --task hgb --seed 2 --n-configs 20
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"  # before numpy / sklearn are imported

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import ParameterSampler  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from compare import _make_search, _setup  # noqa: E402


def _ladder(max_iter, eta=3):
    """Hyperband's resources with ``min_resource=1``: 1, eta, eta**2, ..."""
    ladder = [1]
    while ladder[-1] * eta <= max_iter:
        ladder.append(ladder[-1] * eta)
    return ladder


def measure(task, seed, n_configs):
    """Yield one record per configuration: mean CV score and CPU per resource."""
    search, X, y, max_iter = _make_search("randomized_full", seed, False, task)
    ladder = _ladder(max_iter)
    configs = list(
        ParameterSampler(search.param_distributions, search.n_iter, random_state=seed)
    )[:n_configs]
    folds = list(search.cv.split(X, y))
    warm = task == "hgb"
    for i, config in enumerate(configs):
        scores = np.zeros((len(ladder), len(folds)))
        cpu = np.zeros((len(ladder), len(folds)))
        for k, (train, test) in enumerate(folds):
            model = clone(search.estimator).set_params(**config, warm_start=warm)
            for j, r in enumerate(ladder):
                if not warm:
                    model = clone(search.estimator).set_params(**config)
                start = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.set_params(max_iter=r).fit(X[train], y[train])
                cpu[j, k] = time.process_time() - start
                scores[j, k] = model.score(X[test], y[test])
        if warm:  # CPU up to r: the increments so far
            cpu = cpu.cumsum(axis=0)
        yield {
            "task": task,
            "seed": seed,
            "config": i,
            "ladder": ladder,
            "score": scores.mean(axis=1).tolist(),
            "cpu_to": cpu.sum(axis=1).tolist(),
        }


def table(records):
    """Markdown rows: one per resource below the full one."""
    ladder = records[0]["ladder"]
    scores = np.array([r["score"] for r in records])
    cpu = np.array([r["cpu_to"] for r in records])
    best = int(np.argmax(scores[:, -1]))
    share = np.median(cpu / cpu[:, -1:], axis=0)
    rows = [
        "| resource r | Spearman(score at r, score at full) | rank at r of the "
        "best at full | CPU to r / CPU to full (median) | r / full |",
        "|---|---|---|---|---|",
    ]
    for j, r in enumerate(ladder[:-1]):
        rho = spearmanr(scores[:, j], scores[:, -1])[0]
        rank = int((scores[:, j] > scores[best, j]).sum()) + 1
        rows.append(
            f"| {r} | {rho:+.2f} | {rank} of {len(records)} | {share[j]:.3f} "
            f"| {r / ladder[-1]:.3f} |"
        )
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", default="hgb", choices=["hgb", "sgd", "mlp"])
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--n-configs", type=int, default=_setup(False)[4])
    p.add_argument(
        "--raw",
        type=pathlib.Path,
        default=pathlib.Path("/tmp/sktune_hyperband_fidelity.jsonl"),
    )
    p.add_argument("--report-only", action="store_true")
    args = p.parse_args()
    if not args.report_only:
        for rec in measure(args.task, args.seed, args.n_configs):
            with args.raw.open("a") as f:
                f.write(json.dumps(rec) + "\n")
            print(rec["config"], np.round(rec["score"], 4).tolist(), flush=True)
    records = [
        r
        for r in map(json.loads, args.raw.read_text().splitlines())
        if r["task"] == args.task and r["seed"] == args.seed
    ]
    print(f"{args.task}, seed {args.seed}, {len(records)} configurations")
    print(table(records))


if __name__ == "__main__":
    main()
