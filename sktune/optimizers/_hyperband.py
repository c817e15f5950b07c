"""Hyperband's bracket and rung scheduler, with an ask/tell interface.

Hyperband (Li et al., JMLR 2018) hedges over how aggressively to stop poor
configurations early: it runs several *brackets* of successive halving, from the
most exploratory (many configurations on the smallest resource) to plain random
search (a few configurations on the full resource). The scheduler knows nothing
of estimators: it hands out *rungs* (configurations and the resource to give
them) and is told their scores, higher is better.
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ..space import as_search_space
from ._bayes import BayesianOptimizer, _as_generator, default_n_initial_points
from ._maximize import config_key

_SAMPLERS = ("random", "bayesian")


@dataclass(frozen=True)
class Bracket:
    """The plan of one bracket of successive halving.

    A frozen dataclass: each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    s : int
        Bracket index of the paper: the bracket starts ``s + 1`` rungs below the
        maximum resource; ``s = 0`` is random search on the full resource.
    n_candidates : list of int
        Configurations evaluated in each rung.
    n_resources : list of int
        Resource given to each configuration in each rung.
    """

    s: int
    n_candidates: list
    n_resources: list


@dataclass(frozen=True)
class Rung:
    """One batch handed out by :meth:`HyperbandScheduler.ask`.

    A frozen dataclass: each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    bracket : int
        The bracket's ``s``.
    rung : int
        Rung index within the bracket, 0 for its first rung.
    resource : int
        Resource to give every configuration.
    ids : list of int
        Identifiers of the configurations; a configuration keeps its id from rung
        to rung, so that an executor may continue training it.
    configs : list of dict
        The configurations.
    """

    bracket: int
    rung: int
    resource: int
    ids: list
    configs: list


def _check_int(value, name, low):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < low
    ):
        raise ValueError(f"{name} must be an int >= {low}. Got {value!r} instead.")
    return int(value)


def hyperband_brackets(min_resource, max_resource, eta=3):
    """The brackets of one Hyperband iteration (Li et al. 2018, Algorithm 1).

    With ``R = max_resource / min_resource``: ``s_max = floor(log_eta(R))``;
    bracket ``s`` (from ``s_max`` down to 0) starts
    ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations and its rung ``i``
    evaluates ``floor(n / eta**i)`` of them with resource
    ``max_resource * eta**(i - s)`` (rounded, never below ``min_resource``).

    Parameters
    ----------
    min_resource : int
        Smallest resource given to a configuration (``>= 1``).
    max_resource : int
        Largest resource (``>= min_resource``).
    eta : int, default=3
        Halving rate: each rung keeps the best ``1 / eta`` (``>= 2``).

    Returns
    -------
    brackets : list of Bracket
        In the paper's order, ``s = s_max`` first.

    Examples
    --------
    >>> from sktune.optimizers import hyperband_brackets
    >>> [b.n_candidates[0] for b in hyperband_brackets(1, 81, eta=3)]
    [81, 34, 15, 8, 5]
    """
    eta = _check_int(eta, "eta", 2)
    min_resource = _check_int(min_resource, "min_resource", 1)
    max_resource = _check_int(max_resource, "max_resource", 1)
    if min_resource > max_resource:
        raise ValueError(
            f"min_resource must be <= max_resource. Got min_resource={min_resource} "
            f"and max_resource={max_resource}."
        )
    # s_max = floor(log_eta(R / r_min)), in exact integer arithmetic.
    s_max = 0
    while min_resource * eta ** (s_max + 1) <= max_resource:
        s_max += 1
    brackets = []
    for s in range(s_max, -1, -1):
        n = -(-(s_max + 1) * eta**s // (s + 1))  # ceil(B / R * eta**s / (s + 1))
        brackets.append(
            Bracket(
                s=s,
                n_candidates=[n // eta**i for i in range(s + 1)],
                n_resources=[
                    max(min_resource, round(max_resource * eta ** (i - s)))
                    for i in range(s + 1)
                ],
            )
        )
    return brackets


@dataclass
class _Observations:
    # resource -> (configs, scores)
    by_resource: dict = field(default_factory=dict)

    def add(self, resource, configs, scores):
        seen_configs, seen_scores = self.by_resource.setdefault(resource, ([], []))
        seen_configs.extend(configs)
        seen_scores.extend(float(s) for s in scores)


class HyperbandScheduler:
    """Hyperband as an ask/tell object over a ``SearchSpace``.

    :meth:`ask` returns the next :class:`Rung` to evaluate (``None`` once every
    bracket is done); :meth:`tell` takes that rung's scores and promotes the best
    ``1 / eta`` of its configurations to the next rung.

    Parameters
    ----------
    space : SearchSpace or dict or list of dict
        Where to search; anything :func:`sktune.space.as_search_space` accepts.
    min_resource, max_resource : int
        Resource range (see :func:`hyperband_brackets`).
    eta : int, default=3
        Halving rate.
    sampler : {"random", "bayesian"}, default="random"
        How a bracket's configurations are drawn: from the space's priors, or
        (BOHB-style, Falkner et al. 2018) a third from the priors and the rest
        proposed by a :class:`BayesianOptimizer` told the scores of the largest
        resource that has at least ``n_min_observations`` finite scores.
    n_min_observations : int or None, default=None
        Observations needed before the model is used; ``None`` uses
        :func:`default_n_initial_points`.
    random_state : int, RandomState, Generator or None, default=None
        Makes the sequence of rungs repeatable.

    Attributes
    ----------
    brackets : list of Bracket
        The plan, in the order run (the paper's: ``s_max`` first).
    history : list of (Rung, ndarray)
        Every rung told so far, with its scores.

    References
    ----------
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18, 2018.

    Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
    Optimization at Scale", ICML 2018.

    Examples
    --------
    >>> from sktune.optimizers import HyperbandScheduler
    >>> from sktune.space import Real
    >>> sched = HyperbandScheduler({"x": Real(0, 1)}, 1, 9, random_state=0)
    >>> while (rung := sched.ask()) is not None:
    ...     sched.tell(rung, [c["x"] * rung.resource for c in rung.configs])
    >>> [len(rung.ids) for rung, scores in sched.history[:3]]
    [9, 3, 1]
    """

    def __init__(
        self,
        space,
        min_resource,
        max_resource,
        eta=3,
        *,
        sampler="random",
        n_min_observations=None,
        random_state=None,
    ):
        if sampler not in _SAMPLERS:
            raise ValueError(
                f"sampler must be one of {list(_SAMPLERS)}. Got {sampler!r} instead."
            )
        self.space = as_search_space(space)
        self.eta = eta
        self.sampler = sampler
        self.brackets = hyperband_brackets(min_resource, max_resource, eta)
        self.n_min_observations = (
            default_n_initial_points(self.space)
            if n_min_observations is None
            else n_min_observations
        )
        self._rng = _as_generator(random_state)
        self._observations = _Observations()
        self._bracket = -1  # index into self.brackets
        self._next = None  # (rung index, ids, configs) of the next rung to ask
        self._pending = None
        self._n_ids = 0
        self.history = []

    def ask(self, configs=None):
        """The next rung to evaluate, or ``None`` when every bracket is done.

        Parameters
        ----------
        configs : list of dict or None, default=None
            Configurations to put in the rung instead of the scheduler's own, as
            a resumed search does when it replays the rungs it stored. A
            bracket's first rung still draws (and drops) its own, so that later
            brackets draw what they would have; a later rung's must be
            configurations of the rung before, whose ids they keep.

        Returns
        -------
        rung : Rung or None
            The configurations to evaluate and the resource to give them; pass it
            to :meth:`tell` with their scores before asking again. ``None`` once
            the last bracket is done.

        Raises
        ------
        RuntimeError
            When the previous rung has not been told yet.
        ValueError
            When ``configs`` of a later rung are not in the rung before.
        """
        if self._pending is not None:
            raise RuntimeError("tell() the scores of the previous rung first.")
        if self._next is None:
            self._bracket += 1
            if self._bracket >= len(self.brackets):
                return None
            bracket = self.brackets[self._bracket]
            drawn = self._sample(bracket.n_candidates[0])
            first = drawn if configs is None else list(configs)
            ids = list(range(self._n_ids, self._n_ids + len(first)))
            self._n_ids += len(first)
            self._next = (0, ids, first)
        elif configs is not None:
            self._next = (self._next[0], self._previous_ids(configs), list(configs))
        i, ids, rung_configs = self._next
        bracket = self.brackets[self._bracket]
        self._pending = Rung(bracket.s, i, bracket.n_resources[i], ids, rung_configs)
        return self._pending

    def _previous_ids(self, configs):
        """The ids ``configs`` had in the rung told last."""
        previous, _ = self.history[-1]
        ids = {
            config_key(self.space, c): i
            for c, i in zip(previous.configs, previous.ids, strict=True)
        }
        keys = [config_key(self.space, c) for c in configs]
        missing = [c for c, key in zip(configs, keys, strict=True) if key not in ids]
        if missing:
            raise ValueError(
                f"Configurations {missing} were not in rung {previous.rung} of "
                f"bracket {previous.bracket}, so they cannot be promoted from it."
            )
        return [ids[key] for key in keys]

    def tell(self, rung, scores):
        """Record a rung's scores and promote its best configurations.

        Parameters
        ----------
        rung : Rung
            The rung returned by the last :meth:`ask`.
        scores : array-like of float
            One score per configuration, higher is better; NaN marks a failure,
            never promoted ahead of a finite score.
        """
        if rung is not self._pending:
            raise ValueError("tell() takes the rung returned by the last ask().")
        scores = np.asarray(scores, dtype=float).ravel()
        if len(scores) != len(rung.configs):
            raise ValueError(
                f"The rung has {len(rung.configs)} configurations but got "
                f"{len(scores)} scores."
            )
        self._pending = None
        self.history.append((rung, scores))
        self._observations.add(rung.resource, rung.configs, scores)
        bracket = self.brackets[self._bracket]
        if rung.rung + 1 >= len(bracket.n_resources):
            self._next = None
            return
        # Successive halving: keep the top floor(n_i / eta) (Algorithm 1, top_k).
        k = min(bracket.n_candidates[rung.rung + 1], len(rung.configs))
        order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")[:k]
        self._next = (
            rung.rung + 1,
            [rung.ids[j] for j in order],
            [rung.configs[j] for j in order],
        )

    def observe(self, resource, configs, scores):
        """Add results obtained outside this scheduler's rungs.

        The ``"bayesian"`` sampler learns from them as from its own rungs, e.g.
        the history of an earlier Hyperband iteration over the same space.

        Parameters
        ----------
        resource : int
            The resource the configurations were evaluated at.
        configs : list of dict
            Configurations of the space.
        scores : array-like of float
            One score per configuration, higher is better; NaN marks a failure.
        """
        scores = np.asarray(scores, dtype=float).ravel()
        if len(scores) != len(configs):
            raise ValueError(
                f"Got {len(configs)} configurations but {len(scores)} scores."
            )
        self._observations.add(resource, list(configs), scores)

    def _sample(self, n):
        """``n`` distinct configurations (fewer if the space holds fewer)."""
        n = int(min(n, self.space.size))
        configs = []
        if self.sampler == "bayesian":
            configs = self._model_configs(n - math.ceil(n / 3))
        keys = {config_key(self.space, c) for c in configs}
        for _ in range(20):
            if len(configs) >= n:
                break
            for config in self.space.sample(n - len(configs), self._rng):
                key = config_key(self.space, config)
                if key not in keys:
                    keys.add(key)
                    configs.append(config)
        return configs[:n]

    def _model_configs(self, n):
        """BOHB: proposals of a GP fitted on the largest well-observed resource."""
        if n <= 0:
            return []
        for resource in sorted(self._observations.by_resource, reverse=True):
            configs, scores = self._observations.by_resource[resource]
            if np.isfinite(scores).sum() >= self.n_min_observations:
                break
        else:
            return []
        optimizer = BayesianOptimizer(
            self.space,
            n_initial_points=1,
            initial_point_generator="random",
            random_state=int(self._rng.integers(2**31 - 1)),
        )
        optimizer.tell(configs, scores)
        # Its single design point is a random one: n model proposals need n + 1.
        return [c.params for c in optimizer.ask(n + 1)]
