"""sktune: scikit-learn compatible tuning estimators.

``BayesianSearchCV`` is a drop-in for ``GridSearchCV`` / ``RandomizedSearchCV`` that
proposes candidates with a Gaussian process. Search spaces live in
:mod:`sktune.space`, ask/tell optimizers in :mod:`sktune.optimizers`, stoppers in
:mod:`sktune.callbacks`.
"""

from .search import BayesianSearchCV, HyperbandSearchCV

__version__ = "0.1.0.dev0"

__all__ = ["BayesianSearchCV", "HyperbandSearchCV", "__version__"]
