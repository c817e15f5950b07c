"""Maximise an acquisition function over a ``SearchSpace``.

Random candidates alone lose badly beyond two or three dimensions, so the
maximiser works in three steps:

1. score many candidates: a random sample of the space plus perturbations of the
   best observed configurations;
2. refine the best few with L-BFGS-B over their continuous (``Real``) columns, all
   starts at once (the objective is a sum over starts, so one optimiser run
   refines each independently) with finite-difference gradients evaluated in one
   batched call;
3. hill-climb over discrete neighbours (``Integer`` one step, ``Categorical`` every
   other choice), so integers and categories are handled exactly rather than
   rounded from a relaxation.

Only configurations whose key is not in ``exclude`` are returned, so a batch never
proposes a point twice nor one that was already evaluated.
"""

import numpy as np
from scipy.optimize import minimize

_FD_STEP = 1e-4


def config_key(space, config):
    """A hashable key under which equal configurations collide."""
    return tuple(np.round(space.encode([config])[0], 9))


def _perturb(space, configs, n, scale, rng):
    """``n`` configurations near ``configs``: Gaussian steps on the unit scale for
    numeric columns, random neighbour moves for discrete ones."""
    if not configs or n == 0:
        return []
    picks = [configs[i] for i in rng.integers(len(configs), size=n)]
    X = space.encode(picks)
    for row, config in enumerate(picks):
        cols = space.continuous_columns(space.subspace_index(config))
        X[row, cols] = np.clip(
            X[row, cols] + scale * rng.standard_normal(cols.size), 0, 1
        )
    out = space.decode(X)
    for row, config in enumerate(out):
        if rng.uniform() < 0.5:
            neighbours = space.neighbours(config)
            if neighbours:
                out[row] = neighbours[rng.integers(len(neighbours))]
    return out


def _refine_continuous(space, score, configs):
    """Batched L-BFGS-B over the continuous columns of each configuration."""
    X = space.encode(configs)
    variables = [
        (row, col)
        for row, config in enumerate(configs)
        for col in space.continuous_columns(space.subspace_index(config))
    ]
    if not variables:
        return configs
    rows = np.array([v[0] for v in variables])
    cols = np.array([v[1] for v in variables])

    def objective(theta):
        base = X.copy()
        base[rows, cols] = theta
        # Row block 0: the points; then one shifted copy per variable.
        shifted = base[rows].copy()
        step = np.where(theta + _FD_STEP <= 1, _FD_STEP, -_FD_STEP)
        shifted[np.arange(len(variables)), cols] += step
        values = score(np.vstack([base, shifted]))
        at_points, at_shifted = values[: len(base)], values[len(base) :]
        grad = (at_shifted - at_points[rows]) / step
        return -at_points.sum(), -grad

    result = minimize(
        objective,
        X[rows, cols],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * len(variables),
        options={"maxiter": 50},
    )
    refined = X.copy()
    refined[rows, cols] = result.x
    return space.decode(refined)


def _hill_climb(space, score, configs, values, rounds=3):
    """Move each configuration to its best discrete neighbour while that improves."""
    configs, values = list(configs), np.array(values, dtype=float)
    for _ in range(rounds):
        moved = False
        neighbourhoods = [space.neighbours(c) for c in configs]
        flat = [n for group in neighbourhoods for n in group]
        if not flat:
            break
        flat_values = score(space.encode(flat))
        start = 0
        for i, group in enumerate(neighbourhoods):
            if group:
                j = int(np.argmax(flat_values[start : start + len(group)]))
                if flat_values[start + j] > values[i] + 1e-12:
                    configs[i], values[i] = group[j], flat_values[start + j]
                    moved = True
            start += len(group)
        if not moved:
            break
    return configs, values


def maximize_acquisition(
    space,
    score,
    rng,
    *,
    incumbents=(),
    exclude=frozenset(),
    n_candidates=1024,
    n_local=5,
):
    """Find the configuration that maximises ``score``.

    Parameters
    ----------
    space : SearchSpace
        Where to search.
    score : callable
        ``score(X) -> ndarray``: acquisition values of encoded rows ``X``.
    rng : numpy.random.Generator
        Source of randomness.
    incumbents : sequence of dict, default=()
        Good configurations to search around (the best observed).
    exclude : set, default=frozenset()
        Keys (:func:`config_key`) of configurations not to propose.
    n_candidates : int, default=1024
        Size of the first, global pool of candidates.
    n_local : int, default=5
        Number of candidates refined locally.

    Returns
    -------
    config : dict or None
        The best configuration not excluded, or None when every candidate seen is
        excluded (a small discrete space that is exhausted).
    value : float
        Its acquisition value.
    """
    pool = space.sample(n_candidates, rng)
    pool += _perturb(space, list(incumbents), n_candidates // 4, 0.05, rng)
    pool += _perturb(space, list(incumbents), n_candidates // 4, 0.2, rng)
    values = score(space.encode(pool))

    order = np.argsort(-values)
    starts, seen = [], set()
    for i in order:
        key = config_key(space, pool[i])
        if key in seen or key in exclude:
            continue
        seen.add(key)
        starts.append(i)
        if len(starts) == n_local:
            break
    if starts:
        refined = _refine_continuous(space, score, [pool[i] for i in starts])
        refined_values = score(space.encode(refined))
        climbed, climbed_values = _hill_climb(space, score, refined, refined_values)
        pool += climbed
        values = np.concatenate([values, climbed_values])

    for i in np.argsort(-values):
        if config_key(space, pool[i]) not in exclude:
            return pool[i], float(values[i])
    return None, -np.inf
