"""``BayesianOptimizer``: ask/tell Bayesian optimisation over a ``SearchSpace``.

``ask`` does the work (initial design, surrogate fit, acquisition maximisation,
batch construction); ``tell`` only records. The optimizer knows nothing of
estimators or cross-validation: it sees configurations and scores, higher better.
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController

from ..space import as_search_space
from ._acquisition import AcquisitionSurface, LogCostModel, make_acquisition
from ._maximize import config_key, maximize_acquisition, row_key
from ._surrogate import GPSurrogate

_INITIAL_DESIGNS = ("sobol", "random")


@dataclass(frozen=True)
class Candidate:
    """A proposed configuration and what the model thought of it when proposed.

    A frozen dataclass: each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    params : dict
        The configuration.
    mean, std : float, default=nan
        Surrogate's predicted score and its (approximate) standard deviation, on
        the scores' scale; NaN for points of the initial design.
    acquisition : float, default=nan
        Acquisition value (log scale for EI, EIps and PI); NaN for initial points.
    """

    params: dict
    mean: float = math.nan
    std: float = math.nan
    acquisition: float = math.nan


@dataclass
class _History:
    configs: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    costs: list = field(default_factory=list)  # seconds; NaN where none was told
    keys: set = field(default_factory=set)
    encoded: list = field(default_factory=list)  # one array of rows per tell


def _as_generator(random_state):
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31 - 1))
    return np.random.default_rng(random_state)


def default_n_initial_points(space):
    """Size of the initial design for a search space.

    ``max(5, min(2 * d + 1, 20))`` for ``d`` searched dimensions (those of the
    subspace with the most), but never more than the space holds.

    Parameters
    ----------
    space : SearchSpace
        The space to search.

    Returns
    -------
    n_initial_points : int
        Between 5 and 20, or ``space.size`` if that is smaller.
    """
    d = max(len(s) for s in space.subspaces)
    return int(min(max(5, min(2 * d + 1, 20)), space.size))


class BayesianOptimizer:
    """Gaussian-process Bayesian optimisation with an ask/tell interface.

    Parameters
    ----------
    space : SearchSpace or dict or list of dict
        Where to search; anything :func:`sktune.space.as_search_space` accepts.
    n_initial_points : int or None, default=None
        Points of the space-filling initial design proposed before the surrogate
        is used; ``None`` uses :func:`default_n_initial_points`.
    initial_point_generator : {"sobol", "random"}, default="sobol"
        Scrambled Sobol sequence (``scipy.stats.qmc``) or plain random sampling.
    acq_func : {"EI", "EIps", "PI", "LCB"}, default="EI"
        Expected Improvement (in log space), Expected Improvement per second,
        Probability of Improvement or the optimistic confidence bound. "EIps"
        (Snoek et al. 2012) needs the cost of evaluations (``tell(...,
        costs=...)``): a second Gaussian process models their log, and a
        candidate's value is ``log EI - predicted log cost``, so that of two
        equally promising candidates the cheaper one is tried first.
    acq_func_kwargs : dict or None, default=None
        Options of the acquisition: ``xi`` for EI/EIps/PI, ``kappa`` for LCB.
    acq_optimizer_kwargs : dict or None, default=None
        ``n_candidates`` (default 1024) and ``n_local`` (default 5) of the
        acquisition maximiser.
    random_state : int, RandomState, Generator or None, default=None
        Makes the sequence of proposals repeatable.

    Attributes
    ----------
    n_observed : int
        Number of configurations told so far.

    References
    ----------
    Snoek, Larochelle and Adams, "Practical Bayesian Optimization of Machine
    Learning Algorithms", NeurIPS 2012.

    Examples
    --------
    >>> from sktune.optimizers import BayesianOptimizer
    >>> from sktune.space import Real
    >>> opt = BayesianOptimizer({"x": Real(-2.0, 2.0)}, random_state=0)
    >>> for _ in range(12):
    ...     (candidate,) = opt.ask()
    ...     opt.tell([candidate.params], [-(candidate.params["x"] - 0.5) ** 2])
    >>> round(opt.best()[0]["x"], 1)
    0.5
    """

    def __init__(
        self,
        space,
        *,
        n_initial_points=None,
        initial_point_generator="sobol",
        acq_func="EI",
        acq_func_kwargs=None,
        acq_optimizer_kwargs=None,
        random_state=None,
    ):
        self.space = as_search_space(space)
        if n_initial_points is None:
            n_initial_points = default_n_initial_points(self.space)
        if (
            isinstance(n_initial_points, bool)
            or not isinstance(n_initial_points, numbers.Integral)
            or n_initial_points < 1
        ):
            raise ValueError(
                "n_initial_points must be a positive int or None. Got "
                f"{n_initial_points!r} instead."
            )
        if initial_point_generator not in _INITIAL_DESIGNS:
            raise ValueError(
                f"initial_point_generator must be one of {list(_INITIAL_DESIGNS)}. "
                f"Got {initial_point_generator!r} instead."
            )
        self.n_initial_points = int(n_initial_points)
        self.initial_point_generator = initial_point_generator
        self.acq_func = acq_func
        self._acquisition = make_acquisition(acq_func, **(acq_func_kwargs or {}))
        self._maximizer_options = dict(acq_optimizer_kwargs or {})
        unknown = set(self._maximizer_options) - {"n_candidates", "n_local"}
        if unknown:
            raise ValueError(
                f"acq_optimizer_kwargs {sorted(unknown)} are unknown; accepted: "
                "['n_candidates', 'n_local']."
            )
        self._rng = _as_generator(random_state)
        self._history = _History()
        self._design = None
        self._surrogate = GPSurrogate(random_state=int(self._rng.integers(2**31 - 1)))
        # Seeded from the score model's seed: drawing from the generator would
        # change every later proposal of the other acquisitions.
        self._cost_model = (
            LogCostModel(random_state=self._surrogate.random_state + 1)
            if self._acquisition.per_second
            else None
        )
        self._threadpools = None  # found at the first model-based ask

    @property
    def n_observed(self):
        """Number of configurations told so far."""
        return len(self._history.configs)

    def tell(self, configs, scores, costs=None):
        """Record the scores of evaluated configurations.

        Parameters
        ----------
        configs : list of dict
            Configurations, as returned by :meth:`ask` or any others in the space.
        scores : array-like of float
            Their scores, higher is better; NaN or -inf marks a failed evaluation,
            which the surrogate treats as the worst score seen.
        costs : array-like of float or None, default=None
            What each evaluation cost, in seconds (> 0), failed ones included;
            used by ``acq_func="EIps"``, ignored by the others. ``None``: not
            known (the cost model of "EIps" leaves these configurations out).
        """
        scores = np.asarray(scores, dtype=float).ravel()
        if len(scores) != len(configs):
            raise ValueError(
                f"tell got {len(configs)} configurations but {len(scores)} scores."
            )
        costs = self._check_costs(costs, len(configs))
        encoded = self.space.encode(configs)
        self._history.encoded.append(encoded)
        for config, score, cost, row in zip(
            configs, scores, costs, encoded, strict=True
        ):
            self._history.configs.append(config)
            self._history.scores.append(float(score))
            self._history.costs.append(float(cost))
            self._history.keys.add(row_key(row))

    @staticmethod
    def _check_costs(costs, n):
        if costs is None:
            return np.full(n, math.nan)
        try:
            values = np.asarray(costs, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ValueError(
                "costs must be an array-like of seconds (floats > 0) or None. "
                f"Got {costs!r} instead."
            ) from None
        if len(values) != n:
            raise ValueError(f"tell got {n} configurations but {len(values)} costs.")
        bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
        if bad.size:
            raise ValueError(
                "costs must be finite and > 0 (seconds per evaluation, failed "
                f"ones included), or None when not known. Got {values[bad].tolist()} "
                f"at position(s) {bad.tolist()} instead."
            )
        return values

    def best(self):
        """The best configuration told so far and its score, or ``(None, nan)``.

        Returns
        -------
        config : dict or None
            The configuration with the highest finite score; ``None`` if no
            finite score was told.
        score : float
            Its score, NaN if ``config`` is ``None``.
        """
        scores = np.asarray(self._history.scores, dtype=float)
        finite = np.flatnonzero(np.isfinite(scores))
        if finite.size == 0:
            return None, math.nan
        i = finite[np.argmax(scores[finite])]
        return self._history.configs[i], float(scores[i])

    def ask(self, n_points=1, pending=None):
        """Propose ``n_points`` new, distinct configurations.

        The first ``n_initial_points`` come from the initial design; after that each
        batch is built by the kriging believer: the surrogate is conditioned on its
        own prediction at every point already in the batch, so the next point goes
        elsewhere.

        Parameters
        ----------
        n_points : int, default=1
            Batch size.
        pending : list of dict or None, default=None
            Configurations asked earlier whose scores are not told yet (still
            being evaluated): they are not proposed again, and the surrogate is
            conditioned on its own prediction at them, as at the points of the
            batch. ``None`` (or empty): the proposals are those of a plain ask.

        Returns
        -------
        candidates : list of Candidate
            Fewer than ``n_points`` only when the space has no unseen configuration
            left.
        """
        if (
            isinstance(n_points, bool)
            or not isinstance(n_points, numbers.Integral)
            or n_points < 1
        ):
            raise ValueError(f"n_points must be a positive int. Got {n_points!r}.")
        exclude = set(self._history.keys)
        pending = [Candidate(config) for config in pending or ()]
        if pending:
            encoded = self.space.encode([c.params for c in pending])
            exclude.update(row_key(row) for row in encoded)
        batch = self._initial_points(n_points, exclude)
        if len(batch) < n_points:
            # Looking up the loaded BLAS/OpenMP libraries costs milliseconds:
            # once per optimizer, not once per ask.
            if self._threadpools is None:
                self._threadpools = ThreadpoolController()
            with self._threadpools.limit(limits=1):
                batch += self._model_points(
                    n_points - len(batch), exclude, pending + batch
                )
        return batch

    def _initial_points(self, n, exclude):
        if self._design is None:
            # Results told before the first ask (a warm start) count towards
            # the initial design.
            size = max(0, self.n_initial_points - self.n_observed)
            if self.initial_point_generator == "sobol":
                self._design = self.space.sobol(size, self._rng)
            else:
                self._design = self.space.sample(size, self._rng)
        out = []
        while self._design and len(out) < n:
            config = self._design.pop(0)
            key = config_key(self.space, config)
            if key not in exclude:
                exclude.add(key)
                out.append(Candidate(config))
        return out

    def _random_points(self, n, exclude):
        out = []
        for _ in range(20 * n):
            if len(out) == n:
                break
            (config,) = self.space.sample(1, self._rng)
            key = config_key(self.space, config)
            if key not in exclude:
                exclude.add(key)
                out.append(Candidate(config))
        return out

    def _model_points(self, n, exclude, pending):
        history = self._history
        if len(history.configs) < 2:
            return self._random_points(n, exclude)
        X = np.vstack(history.encoded)
        cost = self._fit_cost_model(X) if self._cost_model is not None else None
        surrogate = self._surrogate.fit(X, history.scores)
        best = float(np.max(surrogate.y_))
        scores = np.asarray(history.scores, dtype=float)
        order = np.argsort(-np.where(np.isfinite(scores), scores, -np.inf))
        incumbents = [history.configs[i] for i in order[:5]]
        if pending:
            pending_X = self.space.encode([c.params for c in pending])
            surrogate = surrogate.condition_on(
                pending_X, surrogate.predict(pending_X)[0]
            )
        out = []
        for _ in range(n):
            config, value = maximize_acquisition(
                self.space,
                AcquisitionSurface(self._acquisition, surrogate, best, cost),
                self._rng,
                incumbents=incumbents,
                exclude=exclude,
                **self._maximizer_options,
            )
            if config is None:
                out += self._random_points(n - len(out), exclude)
                break
            x = self.space.encode([config])
            mean, std = surrogate.predict(x)
            score_mean, score_std = surrogate.to_scores(mean, std)
            out.append(
                Candidate(config, float(score_mean[0]), float(score_std[0]), value)
            )
            exclude.add(row_key(x[0]))
            if len(out) < n:
                surrogate = surrogate.condition_on(x, mean)
        return out

    def _fit_cost_model(self, X):
        """The cost model of "EIps", fitted on the evaluations with a known cost."""
        costs = np.asarray(self._history.costs, dtype=float)
        known = np.isfinite(costs)
        if not known.any():
            raise ValueError(
                f"acq_func={self.acq_func!r} divides expected improvement by the "
                "predicted cost of an evaluation, but no cost was told: pass "
                "tell(configs, scores, costs=seconds) with the time each "
                "evaluation took, or use acq_func='EI'."
            )
        return self._cost_model.fit(X[known], costs[known])
