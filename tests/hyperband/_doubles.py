"""Fast estimators whose scores are known in advance, and that count their work."""

import numpy as np
from sklearn.base import BaseEstimator


class EpochModel(BaseEstimator):
    """Trains ``max_iter`` epochs by ``fit``, one more by each ``partial_fit``.

    Its score is ``-(a - 0.3) ** 2 + 0.01 * epochs``: known for every state, so a
    test can tell whether a model was continued to the right total. Every epoch is
    counted in ``EpochModel.log`` (tests run with ``n_jobs=None``).
    """

    log = []

    def __init__(self, a=0.0, max_iter=9):
        self.a = a
        self.max_iter = max_iter

    def fit(self, X, y=None):
        if self.a < 0:
            raise ValueError("a < 0 fails on purpose")
        self.epochs_ = 0
        self.n_features_in_ = np.asarray(X).shape[1]
        for _ in range(self.max_iter):
            self._epoch()
        return self

    def partial_fit(self, X, y=None):
        if not hasattr(self, "epochs_"):
            self.epochs_ = 0
        self._epoch()
        return self

    def _epoch(self):
        self.epochs_ += 1
        EpochModel.log.append(1)

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) + 0.01 * self.epochs_


class TreeModel(BaseEstimator):
    """``n_estimators`` "trees"; with ``warm_start`` a refit adds the missing ones."""

    log = []

    def __init__(self, a=0.0, n_estimators=9, warm_start=False):
        self.a = a
        self.n_estimators = n_estimators
        self.warm_start = warm_start

    def fit(self, X, y=None):
        done = getattr(self, "trees_", 0) if self.warm_start else 0
        TreeModel.log.append(self.n_estimators - done)
        self.trees_ = self.n_estimators
        return self

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) + 0.01 * self.trees_


class SizeModel(BaseEstimator):
    """Scores the number of training samples it was fitted on."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y=None):
        self.n_train_ = len(X)
        return self

    def score(self, X, y=None):
        return float(self.n_train_)


class WarmEpochModel(BaseEstimator):
    """``fit`` trains ``max_iter`` epochs, after the kept ones with ``warm_start``.

    Like ``MLPClassifier(solver="lbfgs")``: it has ``warm_start`` but no
    ``partial_fit``, and ``max_iter`` counts the epochs of one ``fit`` call.
    Epochs are counted in ``WarmEpochModel.log``.
    """

    log = []

    def __init__(self, a=0.0, max_iter=9, warm_start=False):
        self.a = a
        self.max_iter = max_iter
        self.warm_start = warm_start

    def fit(self, X, y=None):
        done = getattr(self, "epochs_", 0) if self.warm_start else 0
        WarmEpochModel.log.append(self.max_iter)
        self.epochs_ = done + self.max_iter
        return self

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) + 0.01 * self.epochs_


class CountingModel(BaseEstimator):
    """Fitted from scratch on every ``fit`` (no ``warm_start``, no ``partial_fit``).

    Its score depends on ``a``, ``max_iter`` and the rows it was trained on (their
    mean first feature), so a row fitted to another resource or on other rows
    scores otherwise. Every fit is recorded in ``CountingModel.fits`` as
    ``(a, max_iter, n_samples)``.
    """

    fits = []

    def __init__(self, a=0.0, max_iter=9):
        self.a = a
        self.max_iter = max_iter

    def fit(self, X, y=None):
        X = np.asarray(X)
        CountingModel.fits.append((self.a, self.max_iter, len(X)))
        self.train_mean_ = float(X[:, 0].mean())
        self.n_features_in_ = X.shape[1]
        return self

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) + 0.01 * self.max_iter + 0.1 * self.train_mean_
