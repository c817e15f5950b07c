"""sktune: scikit-learn compatible tuning estimators."""

__version__ = "0.1.0.dev0"
