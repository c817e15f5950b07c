"""Search drivers: scikit-learn ``BaseSearchCV`` subclasses."""

from ._bayes import BayesianSearchCV
from ._hyperband import HyperbandSearchCV

__all__ = ["BayesianSearchCV", "HyperbandSearchCV"]
