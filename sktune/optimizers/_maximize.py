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

All three steps work on encoded rows of the unit cube (``SearchSpace.sample_encoded``
and ``encoded_neighbours``); only the configuration proposed is decoded.
"""

import numpy as np
from scipy.optimize import minimize


def row_key(row):
    """A hashable key of an encoded configuration under which equal ones collide."""
    return tuple(np.round(row, 9))


def config_key(space, config):
    """A hashable key under which equal configurations collide."""
    return row_key(space.encode([config])[0])


def _perturb(space, X, n, scale, rng):
    """``n`` encoded rows near the rows of ``X``: Gaussian steps on the unit scale
    for ``Real`` columns, then (half of them) a random discrete neighbour move."""
    if len(X) == 0 or n == 0:
        return np.empty((0, space.n_columns))
    X = X[rng.integers(len(X), size=n)]
    moved = np.clip(X + scale * rng.standard_normal(X.shape), 0, 1)
    out = np.where(space.continuous_mask(X), moved, X)
    if not space.is_continuous:
        rows = np.flatnonzero(rng.uniform(size=n) < 0.5)
        neighbours, owner = space.encoded_neighbours(out[rows])
        counts = np.bincount(owner, minlength=len(rows))
        first = np.cumsum(counts) - counts
        for i in np.flatnonzero(counts):
            out[rows[i]] = neighbours[first[i] + rng.integers(counts[i])]
    return out


def _refine_continuous(space, surface, X):
    """Batched L-BFGS-B over the continuous columns of each encoded row of ``X``;
    returns the refined rows."""
    rows, cols = np.nonzero(space.continuous_mask(X))
    if rows.size == 0:
        return X

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
    return refined


def _hill_climb(space, surface, X, values, rounds=3):
    """Move each encoded row to its best discrete neighbour while that improves."""
    X, values = X.copy(), np.array(values, dtype=float)
    for _ in range(rounds):
        neighbours, owner = space.encoded_neighbours(X)
        if not len(neighbours):
            break
        neighbour_values = surface(neighbours)
        moved = False
        for i in np.unique(owner):
            group = np.flatnonzero(owner == i)
            j = group[np.argmax(neighbour_values[group])]
            if neighbour_values[j] > values[i] + 1e-12:
                X[i], values[i] = neighbours[j], neighbour_values[j]
                moved = True
        if not moved:
            break
    return X, values


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
    around = space.encode(list(incumbents))
    encoded = np.vstack(
        [
            space.sample_encoded(n_candidates, rng),
            _perturb(space, around, n_candidates // 4, 0.05, rng),
            _perturb(space, around, n_candidates // 4, 0.2, rng),
        ]
    )
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
        climbed, climbed_values = _hill_climb(space, surface, refined, surface(refined))
        encoded = np.vstack([encoded, climbed])
        values = np.concatenate([values, climbed_values])

    for i in np.argsort(-values):
        if row_key(encoded[i]) not in exclude:
            return space.decode(encoded[i : i + 1])[0], float(values[i])
    return None, -np.inf
