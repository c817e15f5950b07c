"""Ask/tell optimizers: they see configurations and scores, never estimators."""

from ._acquisition import (
    log_expected_improvement,
    make_acquisition,
    probability_of_improvement,
    upper_confidence_bound,
)
from ._bayes import BayesianOptimizer, Candidate, default_n_initial_points
from ._hyperband import Bracket, HyperbandScheduler, Rung, hyperband_brackets
from ._surrogate import GPSurrogate

__all__ = [
    "BayesianOptimizer",
    "Bracket",
    "HyperbandScheduler",
    "Rung",
    "hyperband_brackets",
    "Candidate",
    "GPSurrogate",
    "default_n_initial_points",
    "log_expected_improvement",
    "make_acquisition",
    "probability_of_improvement",
    "upper_confidence_bound",
]
