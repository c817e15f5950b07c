"""Reading a fitted search's ``cv_results_`` for the displays, and matplotlib.

Every display reads the same things: the scores of one metric per row, which rows
are comparable (a multi-fidelity search's rows at its largest ``n_resources``)
and a label for the score axis. Nothing here looks past ``cv_results_`` and the
search's constructor parameters.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..space import as_search_space


def pyplot(caller):
    """``matplotlib.pyplot``, imported when a display draws.

    Raises
    ------
    ImportError
        Naming the ``plot`` extra, when matplotlib is not installed.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib, which is not installed ({exc}). "
            'Install it with: pip install "sktune[plot]"'
        ) from exc
    return plt


def single_axes(ax, display):
    """``ax``, or the axes of a new figure when None (for ``display.plot``)."""
    plt = pyplot(f"{type(display).__name__}.plot")
    if ax is None:
        _, ax = plt.subplots()
    return ax


def fitted_results(search, required=()):
    """The ``cv_results_`` of a fitted search, checked for ``required`` columns."""
    check_is_fitted(search, "cv_results_")
    results = search.cv_results_
    missing = [column for column in required if column not in results]
    if missing:
        raise ValueError(
            f"{type(search).__name__}.cv_results_ has no column {missing}; this "
            f"display needs {list(required)}. Got the columns {sorted(results)}."
        )
    return results


def metric_scores(search, metric=None):
    """The mean test scores of one metric, one per row of ``cv_results_``.

    Parameters
    ----------
    search : fitted search estimator
        Any fitted scikit-learn ``BaseSearchCV`` or sktune search.
    metric : str or None, default=None
        A scorer name of a multimetric search. None: the only metric, else the
        ``refit`` metric when ``refit`` is a string.

    Returns
    -------
    name : str
        A label for the scores: the metric, or the ``scoring`` string of a
        single-metric search, or ``"score"``.
    scores : ndarray of float
        NaN where a candidate failed.
    """
    results = fitted_results(search)
    metrics = [
        key[len("mean_test_") :] for key in results if key.startswith("mean_test_")
    ]
    if metric is None:
        refit = getattr(search, "refit", None)
        if "score" in metrics:
            metric = "score"
        elif isinstance(refit, str) and refit in metrics:
            metric = refit
        else:
            raise ValueError(
                f"{type(search).__name__} was scored on several metrics and "
                f"refit={refit!r} names none of them: pass metric, one of {metrics}."
            )
    elif metric not in metrics:
        raise ValueError(
            f"metric={metric!r} is not a metric of this {type(search).__name__}; "
            f"choose one of {metrics}."
        )
    scores = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    scoring = getattr(search, "scoring", None)
    if metric == "score" and isinstance(scoring, str):
        return scoring, scores
    return metric, scores


def comparable(results, all_resources=False):
    """Boolean mask of the rows whose scores compare with each other.

    A multi-fidelity search (an ``n_resources`` column: ``HyperbandSearchCV``,
    sklearn's ``HalvingRandomSearchCV``, NAS with ``multi_fidelity``) scores a
    configuration after less training at a smaller resource: only its rows at
    the largest resource reached compare, unless ``all_resources``.
    """
    n_rows = len(results["params"])
    if all_resources or "n_resources" not in results:
        return np.ones(n_rows, dtype=bool)
    n_resources = np.asarray(results["n_resources"])
    return n_resources == n_resources.max()


def resource_param(search):
    """The parameter a multi-fidelity search sets as its resource, or None."""
    resource = getattr(search, "resource", None)
    return None if resource in (None, "n_samples") else resource


def search_space(search):
    """The search's space as a ``SearchSpace``, or None if it has none we read."""
    for attr in ("search_spaces", "param_distributions", "param_grid"):
        spec = getattr(search, attr, None)
        if spec is not None:
            try:
                return as_search_space(spec, attr)
            except (TypeError, ValueError):  # e.g. a custom distribution object
                return None
    return None
