"""``RandomizedSearchCV``'s constructor over ``BayesianSearchCV``.

scikit-learn's own search tests build ``RandomizedSearchCV(estimator,
param_distributions, n_iter=10, ...)``. :class:`BayesianRandomizedSearchCV` takes
exactly that signature and runs a Bayesian search over ``param_distributions``,
so those tests exercise sktune unchanged.
"""

import inspect

import numpy as np

from sktune import BayesianSearchCV

_RANDOMIZED_NAMES = {
    "self",
    "estimator",
    "search_spaces",
    "n_iter",
    "scoring",
    "n_jobs",
    "refit",
    "cv",
    "verbose",
    "pre_dispatch",
    "random_state",
    "error_score",
    "return_train_score",
}
_BAYES_ONLY = {
    name: parameter
    for name, parameter in inspect.signature(
        BayesianSearchCV.__init__
    ).parameters.items()
    if name not in _RANDOMIZED_NAMES
}


class BayesianRandomizedSearchCV(BayesianSearchCV):
    """``BayesianSearchCV`` with ``RandomizedSearchCV``'s parameters.

    ``param_distributions`` is the search space; every option only
    ``BayesianSearchCV`` has keeps its default (``n_points="auto"``, EI, no
    timeout, no callbacks, ...).
    """

    _parameter_constraints: dict = {
        key: value
        for key, value in BayesianSearchCV._parameter_constraints.items()
        if key != "search_spaces"
    } | {"param_distributions": [dict, list]}

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        # Every other BayesianSearchCV option keeps its default (not a parameter
        # here, so clone and get_params see RandomizedSearchCV's signature only).
        for name, parameter in _BAYES_ONLY.items():
            setattr(self, name, parameter.default)

    @property
    def search_spaces(self):
        """The space searched: ``param_distributions``."""
        return self.param_distributions
