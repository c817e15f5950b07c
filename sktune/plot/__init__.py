"""Plots of fitted searches (needs matplotlib: ``sktune[plot]``).

Each display follows scikit-learn's: ``from_search`` (``from_estimator`` for a
NAS estimator) reads the fitted results and draws; ``plot(ax=None)`` draws again,
on new axes or given ones, and keeps the artists, ``ax_`` and ``figure_``.
Displays read ``cv_results_`` (and ``pareto_front_``) only, so any fitted
scikit-learn search works where the columns they need are there. matplotlib is
imported when a display draws.
"""

from ._brackets import BracketsDisplay
from ._convergence import ConvergenceDisplay
from ._evaluations import EvaluationsDisplay
from ._objective import ObjectiveDisplay
from ._pareto import ParetoFrontDisplay

__all__ = [
    "BracketsDisplay",
    "ConvergenceDisplay",
    "EvaluationsDisplay",
    "ObjectiveDisplay",
    "ParetoFrontDisplay",
]
