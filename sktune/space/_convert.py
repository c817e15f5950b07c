"""Turn every accepted way of writing a search space into a ``SearchSpace``.

Accepted per parameter:

* ``Real``, ``Integer``, ``Categorical`` (sktune's own);
* a list, tuple-of-choices or array of values: ``Categorical``;
* a frozen ``scipy.stats`` distribution, as ``RandomizedSearchCV`` takes:
  ``uniform`` and ``loguniform`` become a ``Real`` with that prior, ``randint`` an
  ``Integer``, any other continuous (discrete) distribution a ``Real``
  (``Integer``) whose unit scale is the distribution's CDF; an unfrozen one
  without shape parameters (``scipy.stats.norm``, which ``RandomizedSearchCV``
  samples too) is frozen with its defaults;
* scikit-optimize's ``(low, high)`` / ``(low, high, prior)`` tuples and its
  ``skopt.space`` objects.

A whole space is a dict of those, or a list of dicts (conditional subspaces, like a
``param_grid`` list); scikit-optimize's ``(dict, n_iter)`` pairs are accepted too,
their budgets ignored in favour of ``n_iter``.
"""

import numbers
from collections.abc import Mapping

import numpy as np
from scipy.stats import rv_continuous, rv_discrete

from ._dimensions import Categorical, Dimension, Integer, Real, _is_frozen_distribution
from ._space import SearchSpace

_SKOPT_PRIORS = {"uniform": "uniform", "log-uniform": "log-uniform"}


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _from_scipy(dist, name):
    family = getattr(dist.dist, "name", "")
    if family == "uniform":
        low, high = dist.support()
        return Real(float(low), float(high))
    if family in ("loguniform", "reciprocal"):
        low, high = dist.support()
        return Real(float(low), float(high), prior="log-uniform")
    if family == "randint":
        low, high = dist.support()
        if high == low:
            return Categorical([int(low)])
        return Integer(int(low), int(high))
    low, high = dist.support()
    if isinstance(dist.dist, rv_discrete):
        return Integer(low, high, prior=dist)
    return Real(float(low), float(high), prior=dist)


def _freeze(family):
    """Freeze an unfrozen ``scipy.stats`` distribution with its default arguments."""
    try:
        return family()
    except TypeError:
        raise TypeError(
            f"scipy.stats.{family.name} needs its shape parameters ("
            f"{family.shapes}); pass a frozen distribution such as "
            f"scipy.stats.{family.name}({family.shapes.split(',')[0]}=...)."
        ) from None


def _from_skopt(obj, name):
    kind = type(obj).__name__
    if kind == "Categorical":
        return Categorical(list(obj.categories))
    prior = _SKOPT_PRIORS.get(getattr(obj, "prior", "uniform"), "uniform")
    if kind == "Integer":
        return Integer(int(obj.low), int(obj.high), prior=prior)
    return Real(float(obj.low), float(obj.high), prior=prior)


def _from_tuple(spec, name):
    numeric = len(spec) in (2, 3) and _is_number(spec[0]) and _is_number(spec[1])
    if numeric and (len(spec) == 2 or isinstance(spec[2], str)):
        prior = spec[2] if len(spec) == 3 else "uniform"
        if all(isinstance(v, numbers.Integral) for v in spec[:2]):
            return Integer(int(spec[0]), int(spec[1]), prior=prior)
        return Real(float(spec[0]), float(spec[1]), prior=prior)
    return Categorical(list(spec))


def as_dimension(spec, name="parameter"):
    """Convert one parameter's specification into a ``Dimension``.

    Parameters
    ----------
    spec : Dimension, list, tuple, array, scipy.stats frozen distribution or \
            skopt.space dimension
        The range of the parameter.
    name : str, default="parameter"
        The parameter's name, used in error messages.

    Returns
    -------
    dimension : Real, Integer or Categorical

    Raises
    ------
    ValueError, TypeError
        With the parameter's name and the accepted forms, for an invalid spec.
    """
    try:
        if isinstance(spec, Dimension):
            return spec
        if _is_frozen_distribution(spec):
            return _from_scipy(spec, name)
        if isinstance(spec, (rv_continuous, rv_discrete)):
            return _from_scipy(_freeze(spec), name)
        if type(spec).__module__.startswith("skopt.space"):
            return _from_skopt(spec, name)
        if isinstance(spec, tuple):
            return _from_tuple(spec, name)
        if isinstance(spec, (list, np.ndarray, range)):
            return Categorical(list(spec))
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"Invalid search space for parameter {name!r}: {exc}") from exc
    raise TypeError(
        f"Invalid search space for parameter {name!r}: got {spec!r}. Accepted: "
        "sktune.space.Real/Integer/Categorical, a list of choices, a scipy.stats "
        "distribution, a (low, high[, prior]) tuple or a skopt.space dimension."
    )


def _as_subspace(spec, where):
    if not isinstance(spec, Mapping):
        raise TypeError(
            f"{where} must be a dict mapping parameter names to ranges. Got "
            f"{type(spec).__name__} instead."
        )
    if not spec:
        raise ValueError(f"{where} must not be empty.")
    subspace = {}
    for name, value in spec.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: parameter names must be str. Got {name!r}.")
        subspace[name] = as_dimension(value, name)
    return subspace


def as_search_space(spec, name="search_spaces"):
    """Convert a user's search space into a ``SearchSpace``.

    Parameters
    ----------
    spec : dict, list of dict, list of (dict, int) or SearchSpace
        A dict of parameter name to range, or a list of such dicts for
        conditional subspaces (sampled with equal probability, as sklearn's
        ``ParameterSampler`` does).
    name : str, default="search_spaces"
        The constructor parameter the spec came from, used in error messages.

    Returns
    -------
    space : SearchSpace

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sktune.space import as_search_space
    >>> C = loguniform(1e-3, 1e3)
    >>> space = as_search_space([
    ...     {"kernel": ["linear"], "C": C},
    ...     {"kernel": ["rbf"], "C": C, "gamma": (1e-4, 1e1, "log-uniform")},
    ... ])
    >>> len(space), space.names
    (2, ['kernel', 'C', 'gamma'])
    """
    if isinstance(spec, SearchSpace):
        return spec
    if isinstance(spec, Mapping):
        return SearchSpace([_as_subspace(spec, name)])
    if isinstance(spec, (list, tuple)):
        if len(spec) == 0:
            raise ValueError(f"{name} must not be an empty list.")
        subspaces = []
        for i, item in enumerate(spec):
            if (
                isinstance(item, tuple)
                and len(item) == 2
                and isinstance(item[0], Mapping)
            ):
                item = item[0]  # scikit-optimize's (space, n_iter) pair
            subspaces.append(_as_subspace(item, f"{name}[{i}]"))
        return SearchSpace(subspaces)
    raise TypeError(
        f"{name} must be a dict of parameter ranges or a list of such dicts. Got "
        f"{type(spec).__name__} instead."
    )
