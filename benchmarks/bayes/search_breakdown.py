"""Where a no-op ``BayesianSearchCV`` spends its time: optimizer or search driver.

Runs sktune's search as ``run.py`` does on the synthetic tasks (50 evaluations,
no-op estimator) and times, with ``time.process_time``, the optimizer's ``ask``
and ``tell`` and, inside ``ask``, the GP fit (hyperparameter estimates) and the
acquisition maximisation; the rest of the search's CPU is sklearn's
``evaluate_candidates`` and sktune's driver. One warm-up search is not counted.

It also times sklearn's own floor for a sequential search: a ``BaseSearchCV``
that calls ``evaluate_candidates`` once per candidate, ``n_iter`` times, with
random candidates and no model (what any search proposing one candidate at a
time pays, whatever its optimizer costs).

Examples
--------
::

    python benchmarks/bayes/search_breakdown.py --tasks branin,levy10 --seeds 5
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adapters import _common, _sktune_space, run_sktune  # noqa: E402
from report import limit_threads  # noqa: E402
from tasks import TASKS  # noqa: E402


def _timed(owner, name, key, totals):
    """Replace ``owner.name`` by a wrapper that adds its CPU time to ``totals[key]``."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] += time.process_time() - start

    setattr(owner, name, wrapper)


def sequential_floor(task, seed, n_iter):
    """CPU seconds of sklearn's ``BaseSearchCV`` evaluating ``n_iter`` random
    candidates of ``task`` one ``evaluate_candidates`` call each."""
    from sklearn.base import clone
    from sklearn.model_selection._search import BaseSearchCV

    from sktune.space import as_search_space

    space = as_search_space(_sktune_space(task.space))

    class OneAtATime(BaseSearchCV):
        def __init__(self, estimator, **kwargs):  # BaseSearchCV's is abstract
            super().__init__(estimator, **kwargs)

        def _run_search(self, evaluate_candidates):
            rng = np.random.default_rng(seed)
            for config in space.sample(n_iter, rng):
                evaluate_candidates([config])

    search = OneAtATime(clone(task.estimator), **_common(task))
    start = time.process_time()
    search.fit(task.X, task.y)
    return time.process_time() - start


def main(argv=None):
    """Print CPU seconds per search, split by part, for each task."""
    from sktune.optimizers import _bayes, _surrogate

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", default="branin,hartmann6,ackley5,levy10")
    p.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    p.add_argument("--n-iter", type=int, default=50)
    args = p.parse_args(argv)
    names = args.tasks.split(",")
    synthetic = [name for name, make in TASKS.items() if make().optimum is not None]
    if set(names) - set(synthetic):
        p.error(f"--tasks takes names among {synthetic}; got {args.tasks!r}")
    limiter = limit_threads(1)  # noqa: F841 (held for the run)
    totals = Counter()
    _timed(_bayes.BayesianOptimizer, "ask", "ask", totals)
    _timed(_bayes.BayesianOptimizer, "tell", "tell", totals)
    _timed(_surrogate.GPSurrogate, "fit", "GP fit", totals)
    _timed(_bayes, "maximize_acquisition", "acquisition", totals)
    for name in names:
        task = TASKS[name]()
        run_sktune(task, 0, args.n_iter)  # warm-up: imports, first allocations
        totals.clear()
        start = time.process_time()
        for seed in range(args.seeds):
            run_sktune(task, seed, args.n_iter)
        search = (time.process_time() - start) / args.seeds
        parts = {k: v / args.seeds for k, v in totals.items()}
        driver = search - parts.get("ask", 0.0) - parts.get("tell", 0.0)
        floor = np.mean(
            [sequential_floor(task, seed, args.n_iter) for seed in range(args.seeds)]
        )
        print(
            f"{name:10s} search {search:.3f} s = ask {parts.get('ask', 0.0):.3f} "
            f"(GP fit {parts.get('GP fit', 0.0):.3f}, acquisition "
            f"{parts.get('acquisition', 0.0):.3f}) + tell "
            f"{parts.get('tell', 0.0):.3f} + sklearn and driver {driver:.3f}; "
            f"sklearn alone, one candidate per call: {floor:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
