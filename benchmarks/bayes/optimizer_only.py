"""Regret of sktune's ``BayesianOptimizer`` alone (ask/tell, no CV, no peers).

A quick check of a change to the optimizer on the synthetic functions of
``run.py``: one ``ask(1)`` / ``tell`` per evaluation, median regret over seeds and
the process CPU time per task. Run it before and after a change (e.g. on two
checkouts, with ``PYTHONPATH`` pointing at each) and compare. ``--tool
optuna_gp`` runs Optuna's ``GPSampler`` the same way (ask/tell through
``study.optimize``, ``seed=seed``), as a reference.

Examples
--------
::

    python benchmarks/bayes/optimizer_only.py --tasks branin,hartmann6 --seeds 0:5
    python benchmarks/bayes/optimizer_only.py --tasks levy10 --n-initial-points 10
    .venv-bench/bin/python benchmarks/bayes/optimizer_only.py --tool optuna_gp \
        --extra-site .venv/lib/python3.11/site-packages --seeds 0:20
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tasks import SYNTHETIC  # noqa: E402


def regret(name, seed, n_evals, n_initial_points=None):
    """Regret after ``n_evals`` evaluations of ``name`` with ``random_state=seed``
    (and ``n_initial_points``, None for the optimizer's default)."""
    from sktune.optimizers import BayesianOptimizer
    from sktune.space import Real, as_search_space

    function, bounds, minimum = SYNTHETIC[name]
    names = [f"x{i}" for i in range(len(bounds))]
    space = as_search_space(
        {n: Real(low, high) for n, (low, high) in zip(names, bounds, strict=True)}
    )
    optimizer = BayesianOptimizer(
        space, n_initial_points=n_initial_points, random_state=seed
    )
    best = np.inf
    while optimizer.n_observed < n_evals:
        (candidate,) = optimizer.ask(1)
        value = function(np.array([candidate.params[n] for n in names]))
        best = min(best, value)
        optimizer.tell([candidate.params], [-value])
    return best - minimum


def regret_optuna_gp(name, seed, n_evals):
    """Regret after ``n_evals`` evaluations of ``name`` by Optuna's ``GPSampler``
    with ``seed=seed``."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    function, bounds, minimum = SYNTHETIC[name]
    study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=seed))

    def objective(trial):
        x = [
            trial.suggest_float(f"x{i}", low, high)
            for i, (low, high) in enumerate(bounds)
        ]
        return function(np.array(x))

    study.optimize(objective, n_trials=n_evals)
    return study.best_value - minimum


REGRET = {"sktune": regret, "optuna_gp": regret_optuna_gp}


def main(argv=None):
    """Print the median regret and the CPU seconds per task."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", default=",".join(SYNTHETIC))
    p.add_argument("--seeds", default="0:5", help="range start:stop (default 0:5)")
    p.add_argument("--n-evals", type=int, default=50)
    p.add_argument("--tool", choices=sorted(REGRET), default="sktune")
    p.add_argument(
        "--n-initial-points",
        type=int,
        default=None,
        help="sktune's initial design size (default: the optimizer's own)",
    )
    p.add_argument(
        "--extra-site",
        action="append",
        default=[],
        help="directory appended to sys.path, e.g. a site-packages holding torch",
    )
    args = p.parse_args(argv)
    if args.n_initial_points is not None and args.tool != "sktune":
        p.error("--n-initial-points applies to --tool sktune only")
    options = (
        {}
        if args.n_initial_points is None
        else {"n_initial_points": args.n_initial_points}
    )
    sys.path.extend(args.extra_site)
    start, stop = (int(v) for v in args.seeds.split(":"))
    for name in args.tasks.split(","):
        cpu = time.process_time()
        regrets = [
            REGRET[args.tool](name, seed, args.n_evals, **options)
            for seed in range(start, stop)
        ]
        cpu = time.process_time() - cpu
        print(
            f"{name:10s} median regret {np.median(regrets):.4g}  "
            f"per seed {[float(f'{r:.3g}') for r in regrets]}  CPU {cpu:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
