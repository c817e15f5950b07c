"""Search drivers: scikit-learn ``BaseSearchCV`` subclasses."""

from ._bayes import BayesianSearchCV

__all__ = ["BayesianSearchCV"]
