"""Maximise an acquisition function over a ``SearchSpace``.

Random candidates alone lose badly beyond two or three dimensions, so the
maximiser works in three steps:

1. score many candidates: a random sample of the space plus perturbations of the
   best observed configurations;
2. refine the best few with L-BFGS-B over their continuous (``Real``) columns, all
   starts at once (the objective is a sum over starts, so one optimiser run
   refines each independently), with the surface's gradients;
3. hill-climb over discrete neighbours (``Integer`` one step, ``Categorical`` every
   other choice), so integers and categories are handled exactly rather than
   rounded from a relaxation.

Only configurations whose key is not in ``exclude`` are returned, so a batch never
proposes a point twice nor one that was already evaluated.
"""

import numpy as np
from scipy.optimize import minimize


def row_key(row):
    """A hashable key of an encoded configuration under which equal ones collide."""
    return tuple(np.round(row, 9))


def config_key(space, config):
    """A hashable key under which equal configurations collide."""
    return row_key(space.encode([config])[0])


def _perturb(space, configs, encoded, n, scale, rng):
    """``n`` configurations near ``configs`` (encoded as the rows of ``encoded``):
    Gaussian steps on the unit scale for ``Real`` columns, then (half of them) a
    random discrete neighbour move."""
    if not configs or n == 0:
        return []
    X = encoded[rng.integers(len(configs), size=n)]
    moved = np.clip(X + scale * rng.standard_normal(X.shape), 0, 1)
    out = space.decode(np.where(space.continuous_mask(X), moved, X))
    if not space.is_continuous:
        for row in np.flatnonzero(rng.uniform(size=n) < 0.5):
            neighbours = space.neighbours(out[row])
            if neighbours:
                out[row] = neighbours[rng.integers(len(neighbours))]
    return out


def _refine_continuous(space, surface, X):
    """Batched L-BFGS-B over the continuous columns of each encoded row of ``X``;
    returns the refined configurations."""
    rows, cols = np.nonzero(space.continuous_mask(X))
    if rows.size == 0:
        return space.decode(X)

    def objective(theta):
        points = X.copy()
        points[rows, cols] = theta
        values, gradients = surface.value_and_gradient(points)
        return -values.sum(), -gradients[rows, cols]

    result = minimize(
        objective,
        X[rows, cols],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * rows.size,
        options={"maxiter": 50},
    )
    refined = X.copy()
    refined[rows, cols] = result.x
    return space.decode(refined)


def _hill_climb(space, surface, configs, values, rounds=3):
    """Move each configuration to its best discrete neighbour while that improves."""
    configs, values = list(configs), np.array(values, dtype=float)
    for _ in range(rounds):
        moved = False
        neighbourhoods = [space.neighbours(c) for c in configs]
        flat = [n for group in neighbourhoods for n in group]
        if not flat:
            break
        flat_values = surface(space.encode(flat))
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
    surface,
    rng,
    *,
    incumbents=(),
    exclude=frozenset(),
    n_candidates=1024,
    n_local=5,
):
    """Find the configuration that maximises an acquisition ``surface``.

    Parameters
    ----------
    space : SearchSpace
        Where to search.
    surface : AcquisitionSurface
        ``surface(X)`` gives the acquisition values of encoded rows ``X`` and
        ``surface.value_and_gradient(X)`` also their gradients.
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
    incumbents = list(incumbents)
    around = space.encode(incumbents)
    pool = space.sample(n_candidates, rng)
    pool += _perturb(space, incumbents, around, n_candidates // 4, 0.05, rng)
    pool += _perturb(space, incumbents, around, n_candidates // 4, 0.2, rng)
    encoded = space.encode(pool)
    values = surface(encoded)

    order = np.argsort(-values)
    starts, seen = [], set()
    for i in order:
        key = row_key(encoded[i])
        if key in seen or key in exclude:
            continue
        seen.add(key)
        starts.append(i)
        if len(starts) == n_local:
            break
    if starts:
        refined = _refine_continuous(space, surface, encoded[starts])
        refined_values = surface(space.encode(refined))
        climbed, climbed_values = _hill_climb(space, surface, refined, refined_values)
        pool += climbed
        encoded = np.vstack([encoded, space.encode(climbed)])
        values = np.concatenate([values, climbed_values])

    for i in np.argsort(-values):
        if row_key(encoded[i]) not in exclude:
            return pool[i], float(values[i])
    return None, -np.inf
