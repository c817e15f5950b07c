"""The model behind ``ObjectiveDisplay``: a Gaussian process fitted to a search's
results, and its partial dependence on one parameter or a pair (Friedman 2001).

The display fits its own model on ``cv_results_``: plots read results, never the
search's optimizer.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from ..space import Categorical, Integer

MAX_PARAMS = 8  # beyond this, params=None is refused: n (n - 1) / 2 pairs
_CHUNK = 20_000  # rows per GaussianProcessRegressor.predict call


def varies(dim):
    return not (isinstance(dim, Categorical) and len(dim.choices) == 1)


def subspace_of(space, config):
    """Index of the subspace holding ``config``, or -1 where none does."""
    try:
        return space.subspace_index(config)
    except ValueError:
        return -1


def choose(space, params, finished, which, resource):
    """The subspace to model (an index) and the parameters to plot."""
    valid = [
        name
        for name in space.names
        if name != resource
        and any(name in s and varies(s[name]) for s in space.subspaces)
    ]
    if params is None:
        candidates = [
            s for s, sub in enumerate(space.subspaces) if any(map(varies, sub.values()))
        ]
    else:
        if (
            isinstance(params, str)
            or not len(params)
            or len(set(params)) != len(params)
            or set(params) - set(valid)
        ):
            raise ValueError(
                "params must be a list of distinct parameters of the search that "
                f"take more than one value, some of {valid}. Got params={params!r} "
                "instead."
            )
        candidates = [
            s
            for s, sub in enumerate(space.subspaces)
            if all(n in sub and varies(sub[n]) for n in params)
        ]
        if not candidates:
            raise ValueError(
                f"No subspace of the search holds all of params={list(params)!r} "
                "with more than one value each: the model compares the rows of "
                f"one subspace. The subspaces: {space.subspaces!r}."
            )
    if not candidates:
        raise ValueError(f"The search's space has no parameter to plot: {space!r}.")
    counts = [np.sum(finished & (which == s)) for s in candidates]
    s = candidates[int(np.argmax(counts))]
    subspace = space.subspaces[s]
    if params is None:
        params = [n for n, dim in subspace.items() if varies(dim) and n != resource]
        if len(params) > MAX_PARAMS:
            raise ValueError(
                f"The search has {len(params)} parameters, {params}: more than "
                f"{MAX_PARAMS} make an unreadable grid of {len(params)}**2 panels "
                "and many pairs to compute. Choose some with params=[...]."
            )
    return s, list(params)


def fit_model(X, y, seed):
    """Matern 5/2 GP with one length scale per column, plus white noise."""
    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=np.full(X.shape[1], 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(1e-2, (1e-6, 1e0))
    model = GaussianProcessRegressor(
        kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
    )
    with warnings.catch_warnings():
        # A length scale at its upper bound is a parameter without effect, and
        # the noise at its lower bound noiseless scores: both expected here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def grid_values(dim, n):
    """Grid values of ``dim``, their positions on the axis and tick labels."""
    if isinstance(dim, Categorical):
        labels = [repr(choice) for choice in dim.choices]
        return list(dim.choices), np.arange(len(dim.choices), dtype=float), labels
    if dim.prior == "log-uniform":
        values = np.geomspace(dim.low, dim.high, n)
    elif dim.prior == "uniform":
        values = np.linspace(dim.low, dim.high, n)
    else:  # a scipy.stats prior, maybe unbounded: its quantiles
        values = np.asarray(dim.from_unit((np.arange(n) + 0.5) / n))
    if isinstance(dim, Integer):
        values = np.unique(np.round(values).astype(np.int64))
        if dim.prior == "uniform" and dim.high - dim.low < n:
            values = np.arange(dim.low, dim.high + 1)
    return values, values.astype(float), None


def positions(dim, values):
    """Positions on the axis: the values, or a categorical's choice indices."""
    if isinstance(dim, Categorical):
        return np.array([dim.index(v) for v in values], dtype=float)
    return np.asarray(values, dtype=float)


def average(model, base, fixed):
    """Mean prediction over the rows of ``base`` with columns held fixed.

    ``fixed`` lists ``(columns, encoded grid)`` per parameter; the result has
    one axis per parameter, in that order (Friedman 2001).
    """
    shape = tuple(len(grid) for _, grid in fixed)
    X = np.broadcast_to(base, (*shape, *base.shape)).copy()
    for k, (columns, grid) in enumerate(fixed):
        view = [1] * len(shape)
        view[k] = len(grid)
        X[..., columns] = grid.reshape(*view, 1, grid.shape[1])
    flat = X.reshape(-1, base.shape[1])
    predicted = np.concatenate(
        [model.predict(flat[s : s + _CHUNK]) for s in range(0, len(flat), _CHUNK)]
    )
    return predicted.reshape(*shape, len(base)).mean(axis=-1)
