"""sklearn's ``HalvingRandomSearchCV`` / ``HalvingGridSearchCV`` constructors over
``HyperbandSearchCV``.

scikit-learn's ``test_successive_halving.py`` builds
``HalvingRandomSearchCV(estimator, param_distributions, n_candidates=...,
factor=..., resource=..., min_resources=..., max_resources=...,
aggressive_elimination=..., ...)`` and ``HalvingGridSearchCV(estimator,
param_grid, ...)``. The two adapters take exactly those signatures and run a
Hyperband search, so those tests exercise sktune unchanged.

How the arguments map onto ``HyperbandSearchCV``:

* ``param_distributions`` / ``param_grid`` -> ``param_distributions`` (a grid's
  lists become categorical dimensions, sampled like any other);
* ``factor`` -> ``eta`` (so it must be an int >= 2, ``eta``'s constraint);
* ``resource`` -> ``resource``;
* ``max_resources`` -> ``max_resource`` (``"auto"`` is ``"auto"``);
* ``min_resources`` -> ``min_resource``: an int is kept; ``"smallest"`` is
  ``"auto"`` (both are ``2 * n_splits``, times the number of classes for a
  classifier, with ``resource="n_samples"``); ``"exhaust"`` is ``"auto"`` too,
  since Hyperband's last rung is always ``max_resource`` (what ``"exhaust"``
  aims for) and its brackets start from the smallest resource;
* ``n_candidates`` and ``aggressive_elimination`` have no Hyperband
  counterpart (the bracket schedule fixes how many configurations each bracket
  draws, and running short of resource is what the less aggressive brackets
  are for): they are validated as sklearn validates them, stored so that
  ``get_params`` / ``set_params`` / ``clone`` see sklearn's signature, and
  otherwise ignored.

Every other ``HyperbandSearchCV`` option keeps its default.
"""

import inspect
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from sktune import HyperbandSearchCV

_HALVING_NAMES = {
    "self",
    "estimator",
    "scoring",
    "n_jobs",
    "refit",
    "cv",
    "verbose",
    "pre_dispatch",
    "random_state",
    "error_score",
    "return_train_score",
    "resource",
}
_HYPERBAND_ONLY = {
    name: parameter
    for name, parameter in inspect.signature(
        HyperbandSearchCV.__init__
    ).parameters.items()
    if name not in _HALVING_NAMES
}
_TRANSLATED = {"search_spaces", "param_distributions", "min_resource"}
_TRANSLATED |= {"max_resource", "eta"}

_CONSTRAINTS = {
    key: value
    for key, value in HyperbandSearchCV._parameter_constraints.items()
    if key in _HALVING_NAMES
} | {
    # HyperbandSearchCV's own constraints where a halving argument maps onto one
    "factor": HyperbandSearchCV._parameter_constraints["eta"],
    "max_resources": HyperbandSearchCV._parameter_constraints["max_resource"],
    "min_resources": [
        Interval(numbers.Integral, 1, None, closed="left"),
        StrOptions({"exhaust", "smallest"}),
    ],
    # sklearn's own constraints for the arguments that have no counterpart
    "aggressive_elimination": ["boolean"],
}


class _HalvingAdapter(HyperbandSearchCV):
    """The translations shared by the grid and the random adapters."""

    @property
    def eta(self):
        """``factor``."""
        return self.factor

    @property
    def min_resource(self):
        """``min_resources``, ``"smallest"`` and ``"exhaust"`` read as ``"auto"``."""
        if isinstance(self.min_resources, str):
            return "auto"
        return self.min_resources

    @property
    def max_resource(self):
        """``max_resources``."""
        return self.max_resources

    def _store(self, values):
        for name, value in values.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)
        # Every other HyperbandSearchCV option keeps its default (not a parameter
        # here, so clone and get_params see sklearn's halving signature only).
        for name, parameter in _HYPERBAND_ONLY.items():
            if name not in _TRANSLATED:
                setattr(self, name, parameter.default)
        self.search_spaces = None


class HyperbandHalvingRandomSearchCV(_HalvingAdapter):
    """``HyperbandSearchCV`` with ``HalvingRandomSearchCV``'s parameters."""

    _parameter_constraints: dict = _CONSTRAINTS | {
        "param_distributions": [dict, list],
        "n_candidates": [
            Interval(numbers.Integral, 0, None, closed="neither"),
            StrOptions({"exhaust"}),
        ],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_candidates="exhaust",
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="smallest",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self._store(locals())
        self.pre_dispatch = "2*n_jobs"


class HyperbandHalvingGridSearchCV(_HalvingAdapter):
    """``HyperbandSearchCV`` with ``HalvingGridSearchCV``'s parameters.

    ``param_grid`` is searched as a space of categorical dimensions: Hyperband
    samples its configurations, so a grid is not evaluated exhaustively.
    """

    _parameter_constraints: dict = _CONSTRAINTS | {"param_grid": [dict, list]}

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="exhaust",
        aggressive_elimination=False,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self._store(locals())
        self.pre_dispatch = "2*n_jobs"

    @property
    def param_distributions(self):
        """``param_grid``."""
        return self.param_grid
