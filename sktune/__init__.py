"""sktune: scikit-learn compatible tuning estimators.

``BayesianSearchCV`` is a drop-in for ``GridSearchCV`` / ``RandomizedSearchCV`` that
proposes candidates with a Gaussian process. Search spaces live in
:mod:`sktune.space`, ask/tell optimizers in :mod:`sktune.optimizers`, stoppers in
:mod:`sktune.callbacks`. ``HyperbandSearchCV`` runs brackets of successive halving;
``NASClassifier`` / ``NASRegressor`` (the ``nas`` extra: torch and skorch) search
neural architectures.
"""

from .search import BayesianSearchCV, HyperbandSearchCV

__version__ = "0.1.0.dev0"

__all__ = [
    "BayesianSearchCV",
    "HyperbandSearchCV",
    "NASClassifier",
    "NASRegressor",
    "__version__",
]


def __getattr__(name):
    # The NAS estimators need torch and skorch: import them only when asked for.
    if name in ("NASClassifier", "NASRegressor"):
        from . import nas

        return getattr(nas, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
