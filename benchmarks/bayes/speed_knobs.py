"""What cheaper settings of sktune's optimizer would save, and what they cost.

Runs ``optimizer_only.regret`` (50 evaluations, one ``ask(1)`` / ``tell`` each,
no cross-validation) with one setting of the optimizer changed in the process,
and prints the median regret and the CPU per search of each synthetic task. The
settings are module-level choices of ``sktune.optimizers`` (not options of the
estimator), patched here for the experiment only:

* ``map_ftol``: L-BFGS-B ``ftol`` of the GP hyperparameter estimate (scipy's
  default, about 2.2e-9, otherwise);
* ``acq_maxiter`` / ``acq_ftol``: iterations and ``ftol`` of the acquisition's
  local refinement (50 and scipy's default);
* ``always_estimate``: re-estimate the hyperparameters at every ask up to this
  many observations, then at 10% growth (40);
* ``n_candidates`` / ``n_local``: the acquisition's random pool and local
  starts (1024 and 5).

Examples
--------
::

    python benchmarks/bayes/speed_knobs.py '{}' --seeds 0:40
    python benchmarks/bayes/speed_knobs.py '{"acq_maxiter": 15}' --seeds 0:40
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.optimize

sys.path.insert(0, str(Path(__file__).resolve().parent))

from optimizer_only import regret  # noqa: E402
from report import limit_threads  # noqa: E402
from tasks import SYNTHETIC  # noqa: E402

KNOBS = (
    "map_ftol",
    "acq_maxiter",
    "acq_ftol",
    "always_estimate",
    "n_candidates",
    "n_local",
)


def _minimize_with(options):
    """``scipy.optimize.minimize`` with ``options`` added to the caller's."""

    def minimize(*args, **kwargs):
        merged = {**(kwargs.pop("options", None) or {}), **options}
        return scipy.optimize.minimize(*args, options=merged, **kwargs)

    return minimize


def apply(knobs):
    """Patch ``sktune.optimizers`` with the settings in ``knobs``."""
    from sktune.optimizers import _bayes, _maximize, _surrogate

    if "map_ftol" in knobs:
        _surrogate.minimize = _minimize_with({"ftol": knobs["map_ftol"]})
    acq = {
        key: knobs[f"acq_{key}"] for key in ("maxiter", "ftol") if f"acq_{key}" in knobs
    }
    if acq:
        _maximize.minimize = _minimize_with(acq)
    if "always_estimate" in knobs:
        _surrogate._ALWAYS_ESTIMATE = knobs["always_estimate"]
    pool = {k: knobs[k] for k in ("n_candidates", "n_local") if k in knobs}
    if pool:
        maximize = _bayes.maximize_acquisition

        def patched(*args, **kwargs):
            return maximize(*args, **{**kwargs, **pool})

        _bayes.maximize_acquisition = patched


def main(argv=None):
    """Print median regret and CPU per search for one setting."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("knobs", help=f"JSON object with keys among {list(KNOBS)}")
    p.add_argument("--tasks", default=",".join(SYNTHETIC))
    p.add_argument("--seeds", default="0:40", help="range start:stop (default 0:40)")
    args = p.parse_args(argv)
    knobs = json.loads(args.knobs)
    if set(knobs) - set(KNOBS):
        p.error(f"knobs must be among {list(KNOBS)}; got {sorted(knobs)}")
    limiter = limit_threads(1)  # noqa: F841 (held for the run)
    apply(knobs)
    start, stop = (int(v) for v in args.seeds.split(":"))
    for name in args.tasks.split(","):
        cpu = time.process_time()
        regrets = [regret(name, seed, 50) for seed in range(start, stop)]
        cpu = (time.process_time() - cpu) / (stop - start)
        print(
            f"{args.knobs} {name:10s} median regret {np.median(regrets):.4g}  "
            f"CPU per search {cpu:.3f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
