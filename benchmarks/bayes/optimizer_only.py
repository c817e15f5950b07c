"""Regret of sktune's ``BayesianOptimizer`` alone (ask/tell, no CV, no peers).

A quick check of a change to the optimizer on the synthetic functions of
``run.py``: one ``ask(1)`` / ``tell`` per evaluation, median regret over seeds and
the process CPU time per task. Run it before and after a change (e.g. on two
checkouts, with ``PYTHONPATH`` pointing at each) and compare.

Examples
--------
::

    python benchmarks/bayes/optimizer_only.py --tasks branin,hartmann6 --seeds 0:5
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tasks import SYNTHETIC  # noqa: E402

from sktune.optimizers import BayesianOptimizer  # noqa: E402
from sktune.space import Real, as_search_space  # noqa: E402


def regret(name, seed, n_evals):
    """Regret after ``n_evals`` evaluations of ``name`` with ``random_state=seed``."""
    function, bounds, minimum = SYNTHETIC[name]
    names = [f"x{i}" for i in range(len(bounds))]
    space = as_search_space(
        {n: Real(low, high) for n, (low, high) in zip(names, bounds, strict=True)}
    )
    optimizer = BayesianOptimizer(space, random_state=seed)
    best = np.inf
    while optimizer.n_observed < n_evals:
        (candidate,) = optimizer.ask(1)
        value = function(np.array([candidate.params[n] for n in names]))
        best = min(best, value)
        optimizer.tell([candidate.params], [-value])
    return best - minimum


def main(argv=None):
    """Print the median regret and the CPU seconds per task."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", default=",".join(SYNTHETIC))
    p.add_argument("--seeds", default="0:5", help="range start:stop (default 0:5)")
    p.add_argument("--n-evals", type=int, default=50)
    args = p.parse_args(argv)
    start, stop = (int(v) for v in args.seeds.split(":"))
    for name in args.tasks.split(","):
        cpu = time.process_time()
        regrets = [regret(name, seed, args.n_evals) for seed in range(start, stop)]
        cpu = time.process_time() - cpu
        print(
            f"{name:10s} median regret {np.median(regrets):.4g}  "
            f"per seed {[float(f'{r:.3g}') for r in regrets]}  CPU {cpu:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
