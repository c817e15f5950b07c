"""Search strategies, all speaking ask/tell over proposals.

A *proposal* is a dict with ``params`` (a configuration of the space),
``architecture``, and for grown networks ``parent`` (trial index),
``operation``, ``parent_states`` and ``epochs_before``. ``tell`` receives the
proposals with their trial index and results (``score``, NaN for a failure, and
``states``, the trained weights per split).
"""

import math
from collections import deque

import numpy as np

from sktune.space import Categorical, Integer, Real

from ._builder import NASNetwork, count_params
from ._morphism import applicable_operations, morph

STRATEGIES = ("random", "evolution", "bayesian", "morphism")
_MAX_DRAWS = 50


class _Strategy:
    """Shared plumbing: proposals from configurations, under ``max_params``."""

    def __init__(self, space, make_architecture, rng, max_params, max_trials):
        self.space = space
        self.make_architecture = make_architecture
        self.rng = rng
        self.max_params = max_params
        self.max_trials = max_trials
        self.n_asked = 0  # proposals handed out (or replayed) so far

    def fits(self, architecture):
        return self.max_params is None or count_params(architecture) <= self.max_params

    def proposal(self, params):
        return {"params": params, "architecture": self.make_architecture(params)}

    def draw(self, generate):
        """A proposal from ``generate()`` under the parameter limit, if one is found.

        After ``_MAX_DRAWS`` oversized draws the last is returned; the trial runner
        then records it as ``"too_large"`` without training it.
        """
        for _ in range(_MAX_DRAWS):
            proposal = self.proposal(generate())
            if self.fits(proposal["architecture"]):
                break
        return proposal

    def tell(self, proposals, results):
        """Record results; strategies that learn override this."""

    def replay(self, trials):
        """Take the records of ``trials`` run earlier (a resumed search) as if
        this strategy had proposed them: counted as asked, then told."""
        self.n_asked += len(trials)
        self.tell(trials, trials)


class RandomStrategy(_Strategy):
    """Configurations drawn independently from the priors of the space."""

    def ask(self, n):
        return [self.draw(lambda: self.space.sample(1, self.rng)[0]) for _ in range(n)]


class EvolutionStrategy(_Strategy):
    """Regularized (aging) evolution, Real et al. (AAAI 2019).

    A population of the ``population_size`` most recent trials (a quarter of
    ``max_trials``, between 4 and 10); each child mutates one value of the best of
    ``sample_size`` members drawn at random (a third of the population, at least
    2), and the oldest member dies when a child joins.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.population_size = int(np.clip(self.max_trials // 4, 4, 10))
        self.sample_size = max(2, self.population_size // 3)
        self.population = deque(maxlen=self.population_size)

    def ask(self, n):
        out = []
        for _ in range(n):
            if self.n_asked < self.population_size or not self.population:
                out.append(self.draw(lambda: self.space.sample(1, self.rng)[0]))
            else:
                idx = self.rng.choice(
                    len(self.population),
                    size=min(self.sample_size, len(self.population)),
                    replace=False,
                )
                parent = max(
                    (self.population[i] for i in idx),
                    key=lambda m: -math.inf if math.isnan(m[1]) else m[1],
                )
                out.append(self.draw(lambda p=parent[0]: self.mutate(p)))
            self.n_asked += 1
        return out

    def mutate(self, config):
        """Change one value of ``config``: Gaussian steps on the unit scale for
        numbers, another choice for categoricals."""
        subspace = self.space.subspaces[self.space.subspace_index(config)]
        names = [n for n, d in subspace.items() if not _fixed(d)]
        if not names:
            return dict(config)
        name = names[self.rng.integers(len(names))]
        dim = subspace[name]
        if isinstance(dim, Categorical):
            others = [c for c in dim.choices if c != config[name]]
            value = others[self.rng.integers(len(others))]
        else:
            u = float(dim.to_unit([config[name]])[0]) + self.rng.normal(0.0, 0.2)
            value = dim.from_unit([min(max(u, 0.0), 1.0)])[0]
            if isinstance(dim, Integer) and value == config[name]:
                step = 1 if self.rng.random() < 0.5 else -1
                value = value + step if dim.contains(value + step) else value - step
        return {**config, name: value}

    def tell(self, proposals, results):
        for proposal, result in zip(proposals, results, strict=True):
            self.population.append((proposal["params"], result["score"]))


def _fixed(dim):
    if isinstance(dim, Categorical):
        return len(dim.choices) < 2
    return isinstance(dim, (Integer, Real)) and dim.low == dim.high


class BayesianStrategy(_Strategy):
    """Gaussian-process Bayesian optimization of the configuration encoding,
    with :class:`sktune.optimizers.BayesianOptimizer`.

    Every trained trial is told with its training time (``fit_time``, failed
    trials included) as its cost, for ``acq_func="EIps"`` (expected improvement
    per second, Snoek et al. 2012). Oversized configurations, which are never
    trained, are told as failures without a cost.
    """

    acq_func = "EI"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from sktune.optimizers import BayesianOptimizer, default_n_initial_points

        n_initial = min(
            default_n_initial_points(self.space),
            int(np.clip(self.max_trials // 3, 2, 10)),
        )
        self.optimizer = BayesianOptimizer(
            self.space,
            n_initial_points=n_initial,
            acq_func=self.acq_func,
            random_state=int(self.rng.integers(2**31 - 1)),
        )

    def ask(self, n):
        out = []
        for _ in range(_MAX_DRAWS):
            for candidate in self.optimizer.ask(n - len(out)):
                proposal = self.proposal(candidate.params)
                if self.fits(proposal["architecture"]):
                    out.append(proposal)
                else:  # teach the model that this region is out of bounds
                    self.optimizer.tell([candidate.params], [math.nan])
            if len(out) == n:
                break
        return out

    def tell(self, proposals, results):
        timed, untimed = [], []
        for proposal, result in zip(proposals, results, strict=True):
            cost = _cost(result)
            (untimed if cost is None else timed).append(
                (proposal["params"], result["score"], cost)
            )
        if timed:
            self.optimizer.tell(*(list(column) for column in zip(*timed, strict=True)))
        if untimed:
            self.optimizer.tell([t[0] for t in untimed], [t[1] for t in untimed])


def _cost(result):
    """Seconds a trial trained for, or None: not trained (``"too_large"``), or a
    record without a usable ``fit_time``."""
    cost = result.get("fit_time")
    if result.get("status") == "too_large" or cost is None:
        return None
    cost = float(cost)
    return cost if math.isfinite(cost) and cost > 0 else None


class MorphismStrategy(_Strategy):
    """Grow trained networks by function-preserving morphisms (Jin et al. 2019).

    The first quarter of ``max_trials`` (at least two trials, at most five) trains
    random networks of the space from scratch. After that each child is one
    ``widen``, ``deepen`` or ``add_skip`` of the better of two networks drawn from
    the ``n_elite`` best trained so far; it inherits their weights and training
    hyperparameters.
    """

    n_elite = 5

    def __init__(self, *args, max_width, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_width = max_width
        self.n_seeds = int(np.clip(self.max_trials // 4, 2, 5))
        self.elite = []  # (score, trial, params, architecture, states, epochs)

    def ask(self, n):
        out = []
        for _ in range(n):
            if self.n_asked < self.n_seeds or not self.elite:
                out.append(self.draw(lambda: self.space.sample(1, self.rng)[0]))
            else:
                out.append(self._child())
            self.n_asked += 1
        return out

    def _child(self):
        pick = self.rng.choice(
            len(self.elite), size=min(2, len(self.elite)), replace=False
        )
        _, trial, params, arch, states, epochs = self.elite[min(pick)]
        parents = []
        for state in states:
            module = NASNetwork(arch)
            module.load_state_dict(state)
            parents.append(module.eval())
        ops = applicable_operations(arch, self.max_width)
        for i in self.rng.permutation(len(ops)):
            operation, block = ops[i]
            seed = int(self.rng.integers(2**31 - 1))
            children = [
                morph(p, operation, block, np.random.default_rng(seed), self.max_width)
                for p in parents
            ]
            if self.fits(children[0].architecture):
                break
        return {
            "params": params,
            "architecture": children[0].architecture,
            "parent": trial,
            "operation": f"{operation}({block})",
            "parent_states": [c.state_dict() for c in children],
            "epochs_before": epochs,
        }

    def tell(self, proposals, results):
        for proposal, result in zip(proposals, results, strict=True):
            if result["status"] != "ok" or not result["states"]:
                continue
            epochs = proposal.get("epochs_before", 0) + result["epochs"]
            self.elite.append(
                (
                    result["score"],
                    result["trial"],
                    proposal["params"],
                    proposal["architecture"],
                    result["states"],
                    epochs,
                )
            )
        # Best first; ties go to the earlier trial.
        self.elite.sort(key=lambda e: (-e[0], e[1]))
        del self.elite[self.n_elite :]


def make_strategy(
    name, space, make_architecture, rng, max_params, max_trials, max_width
):
    """Instantiate the strategy called ``name`` (one of ``STRATEGIES``)."""
    args = (space, make_architecture, rng, max_params, max_trials)
    if name == "random":
        return RandomStrategy(*args)
    if name == "evolution":
        return EvolutionStrategy(*args)
    if name == "bayesian":
        return BayesianStrategy(*args)
    return MorphismStrategy(*args, max_width=max_width)
