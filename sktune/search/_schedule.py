"""The resource range of ``HyperbandSearchCV`` and the descriptions of its schedule.

Resolving ``resource``, ``min_resource`` and ``max_resource`` into two ints (with
the errors that name what cannot be used), and describing a list of brackets as
the ``metadata`` / ``metadata_`` dicts, are separate from the search loop so that
``metadata`` can be computed before fit.
"""

import numbers
from collections import defaultdict

from ..optimizers import Bracket


def resource_range(
    estimator,
    resource,
    min_resource,
    max_resource,
    n_samples=None,
    min_samples=None,
    eta=3,
):
    """``(min_resource, max_resource)`` as ints; raises naming what cannot be used.

    Parameters
    ----------
    estimator : estimator object
        The estimator searched (its parameters are checked for ``resource``).
    resource : str
        ``"n_samples"`` or the name of an integer parameter of ``estimator``.
    min_resource, max_resource : int or "auto"
        As given to ``HyperbandSearchCV``.
    n_samples, min_samples : int or None, default=None
        With ``resource="n_samples"``, what ``"auto"`` means for
        ``max_resource`` and ``min_resource``; None before the data is known.
    eta : int, default=3
        The halving rate. For a parameter resource, ``min_resource="auto"`` is
        ``max_resource // eta**2`` (at least 1): three brackets.

    Returns
    -------
    low, high : int
        The resource range.

    Raises
    ------
    ValueError
        When ``resource`` is not a parameter of ``estimator``, ``"auto"``
        cannot be resolved, or ``low > high``.
    """
    params = estimator.get_params(deep=True)
    owner = type(estimator).__name__
    if resource != "n_samples" and resource not in params:
        ints = sorted(
            k
            for k, v in params.items()
            if isinstance(v, numbers.Integral) and not isinstance(v, bool)
        )
        raise ValueError(
            f"resource={resource!r} is not a parameter of {owner}. Use "
            f"'n_samples' or one of its integer parameters: {ints}."
        )
    if resource == "n_samples":
        if n_samples == 0:
            raise ValueError(
                "resource='n_samples' needs samples, and X has 0: you might have "
                "passed an empty dataset X."
            )
        low, high = min_samples, n_samples
    else:
        high = params[resource]
        if max_resource == "auto" and (
            isinstance(high, bool) or not isinstance(high, numbers.Integral) or high < 1
        ):
            raise ValueError(
                f"max_resource='auto' cannot be inferred: {owner}'s {resource} is "
                f"{high!r}, not a positive int. Set max_resource to an int."
            )
    high = high if max_resource == "auto" else max_resource
    if min_resource != "auto":
        low = min_resource
    elif resource != "n_samples":
        low = max(1, high // eta**2)
    if low is None or high is None:
        raise ValueError(
            "With resource='n_samples', min_resource='auto' and "
            "max_resource='auto' depend on the data; the plan is known after "
            "fit (metadata_), or set both to ints."
        )
    if low > high:
        raise ValueError(
            f"min_resource must be <= max_resource. Got min_resource={low} and "
            f"max_resource={high} (resource={resource!r})."
        )
    return int(low), int(high)


def describe_schedule(brackets, low, high, eta):
    """The ``metadata`` dict of a list of brackets.

    Parameters
    ----------
    brackets : list of Bracket
        In the order run.
    low, high : int
        The resource range.
    eta : int
        The halving rate.

    Returns
    -------
    metadata : dict
        ``brackets`` (per bracket: ``bracket``, and ``n_candidates`` and
        ``n_resources`` per rung), ``n_candidates`` (distinct configurations),
        ``n_evaluations`` (configuration-rungs), ``total_resource`` (resource
        per fold, summed over evaluations), ``min_resource``, ``max_resource``
        and ``eta``.
    """
    return {
        "brackets": [
            {
                "bracket": b.s,
                "n_candidates": b.n_candidates,
                "n_resources": b.n_resources,
            }
            for b in brackets
        ],
        "n_candidates": sum(b.n_candidates[0] for b in brackets if b.n_candidates),
        "n_evaluations": sum(sum(b.n_candidates) for b in brackets),
        "total_resource": sum(
            n * r
            for b in brackets
            for n, r in zip(b.n_candidates, b.n_resources, strict=True)
        ),
        "min_resource": low,
        "max_resource": high,
        "eta": eta,
    }


def brackets_run(history):
    """The brackets as they ran, from a scheduler's ``history``.

    Parameters
    ----------
    history : list of (Rung, ndarray)
        :attr:`sktune.optimizers.HyperbandScheduler.history`.

    Returns
    -------
    brackets : list of Bracket
        One per bracket started, with the rungs it ran (fewer than planned when
        the search stopped early, or when a small space gave fewer candidates).
    """
    runs = defaultdict(lambda: ([], []))
    for rung, _ in history:
        runs[rung.bracket][0].append(len(rung.ids))
        runs[rung.bracket][1].append(rung.resource)
    return [Bracket(s, c, r) for s, (c, r) in runs.items()]
