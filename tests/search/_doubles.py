"""Fast test doubles for the search drivers.

``ToyEstimator`` fits nothing: its score is a smooth, known function of its
parameters, so a search over it costs only the optimizer's own time and its
optimum is known. Every fit is recorded on the class (``ToyEstimator.fits``) so a
test can prove that no fit happened. ``ToyClassifier`` adds the classifier
interface for scoring metrics, groups and sample weights.
"""

import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin


def branin(x1, x2):
    """The Branin function (minimum 0.397887 at three points)."""
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10


BRANIN_MIN = 0.397887


class ToyEstimator(RegressorMixin, BaseEstimator):
    """No-op regressor whose ``score`` is ``-branin(x1, x2) + bonus``.

    Parameters
    ----------
    x1, x2 : float
        The Branin inputs.
    bonus : float, default=0.0
        Added to the score (lets tests give a categorical a known best value).
    fail : bool, default=False
        ``fit`` raises ``ValueError`` when True.
    """

    fits = []  # (params, n_samples, fit kwargs, first column of X) of every fit

    def __init__(self, x1=0.0, x2=0.0, bonus=0.0, fail=False):
        self.x1 = x1
        self.x2 = x2
        self.bonus = bonus
        self.fail = fail

    def fit(self, X, y=None, **fit_params):
        first_column = tuple(np.asarray(X)[:, 0])
        type(self).fits.append((self.get_params(), len(X), fit_params, first_column))
        if self.fail:
            raise ValueError("ToyEstimator was asked to fail")
        self.n_features_in_ = np.asarray(X).shape[1]
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return float(-branin(self.x1, self.x2) + self.bonus)


class ToyClassifier(ClassifierMixin, BaseEstimator):
    """Classifier predicting the majority class, or class 1 when ``c > 0.5``.

    Records the ``sample_weight`` and the first column of ``X`` of every fit in
    ``fits``.
    """

    fits = []

    def __init__(self, c=0.0, fail=False):
        self.c = c
        self.fail = fail

    def fit(self, X, y, sample_weight=None):
        type(self).fits.append(
            {
                "c": self.c,
                "n": len(X),
                "sample_weight": sample_weight,
                "first_column": np.asarray(X)[:, 0].copy(),
            }
        )
        if self.fail:
            raise ValueError("ToyClassifier was asked to fail")
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        label = self.classes_[-1] if self.c > 0.5 else self.classes_[0]
        return np.full(len(X), label)


class SlowEstimator(ToyEstimator):
    """``ToyEstimator`` whose fit sleeps ``delay`` seconds (for time budgets)."""

    fits = []

    def __init__(self, x1=0.0, x2=0.0, bonus=0.0, fail=False, delay=0.05):
        super().__init__(x1=x1, x2=x2, bonus=bonus, fail=fail)
        self.delay = delay

    def fit(self, X, y=None, **fit_params):
        time.sleep(self.delay)
        return super().fit(X, y, **fit_params)
