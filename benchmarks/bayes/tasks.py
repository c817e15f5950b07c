"""Benchmark tasks: synthetic functions with known optima and real tuning problems.

Every task is described once, in a tool-neutral way (:class:`Param` entries);
``adapters.py`` translates the description into each tool's own space format.
Scores are "higher is better" everywhere, as sklearn scorers are.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import SVC


@dataclass(frozen=True)
class Param:
    """One hyperparameter in a tool-neutral form.

    Parameters
    ----------
    kind : {"real", "int", "cat"}
        Type of the dimension.
    low, high : float, default=None
        Inclusive bounds of a numeric dimension.
    log : bool, default=False
        Whether a numeric dimension is searched on a log scale.
    choices : tuple, default=()
        Values of a categorical dimension.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()


# --------------------------------------------------------------------------
# Synthetic functions (minimisation form, as in the literature)
# --------------------------------------------------------------------------


def branin(x: np.ndarray) -> float:
    """Branin-Hoo function on [-5, 10] x [0, 15]; minimum 0.397887."""
    a, b, c = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    x1, x2 = x
    return a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(x: np.ndarray) -> float:
    """Hartmann 6-D function on [0, 1]^6; minimum -3.322368."""
    inner = np.sum(_H6_A * (np.asarray(x) - _H6_P) ** 2, axis=1)
    return float(-np.sum(_H6_ALPHA * np.exp(-inner)))


def ackley(x: np.ndarray) -> float:
    """Ackley function on [-32.768, 32.768]^d; minimum 0 at the origin."""
    x = np.asarray(x)
    d = x.size
    term1 = -20.0 * np.exp(-0.2 * np.sqrt(np.sum(x**2) / d))
    term2 = -np.exp(np.sum(np.cos(2 * np.pi * x)) / d)
    return float(term1 + term2 + 20.0 + math.e)


def levy(x: np.ndarray) -> float:
    """Levy function on [-10, 10]^d; minimum 0 at (1, ..., 1)."""
    w = 1 + (np.asarray(x) - 1) / 4
    head = np.sin(np.pi * w[0]) ** 2
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return float(head + mid + tail)


# name -> (function, bounds per dimension, known minimum)
SYNTHETIC = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887357729739),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6, -3.322368011415515),
    "ackley5": (ackley, [(-32.768, 32.768)] * 5, 0.0),
    "levy10": (levy, [(-10.0, 10.0)] * 10, 0.0),
}


class SyntheticObjective(BaseEstimator):
    """No-op estimator whose score is minus a synthetic function of its parameters.

    ``fit`` does nothing, so a search over this estimator measures the
    optimizer (and the search driver) alone.

    Parameters
    ----------
    function : str, default="branin"
        Key of :data:`SYNTHETIC`.
    x0, ..., x9 : float, default=0.0
        Coordinates; only the first ``d`` are used for a ``d``-dimensional function.
    """

    def __init__(
        self,
        function="branin",
        x0=0.0,
        x1=0.0,
        x2=0.0,
        x3=0.0,
        x4=0.0,
        x5=0.0,
        x6=0.0,
        x7=0.0,
        x8=0.0,
        x9=0.0,
    ):
        self.function = function
        self.x0, self.x1, self.x2, self.x3, self.x4 = x0, x1, x2, x3, x4
        self.x5, self.x6, self.x7, self.x8, self.x9 = x5, x6, x7, x8, x9

    def fit(self, X, y=None):
        """Do nothing.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Ignored.
        y : array-like of shape (n_samples,), default=None
            Ignored.

        Returns
        -------
        self : SyntheticObjective
            This estimator.
        """
        self.is_fitted_ = True
        return self

    def score(self, X, y=None):
        """Return minus the function value at the current parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Ignored.
        y : array-like of shape (n_samples,), default=None
            Ignored.

        Returns
        -------
        score : float
            ``-f(x)``; higher is better.
        """
        func, bounds, _ = SYNTHETIC[self.function]
        x = np.array([getattr(self, f"x{i}") for i in range(len(bounds))], float)
        return -func(x)


class SleepEstimator(BaseEstimator):
    """Estimator whose ``fit`` sleeps, to measure parallel speed-up.

    Parameters
    ----------
    delay : float, default=0.2
        Seconds each ``fit`` sleeps.
    x, z : float, default=0.0
        Searched parameters; the score is ``-(x - 0.3) ** 2 - (z - 0.7) ** 2``.
    """

    def __init__(self, delay=0.2, x=0.0, z=0.0):
        self.delay = delay
        self.x = x
        self.z = z

    def fit(self, X, y=None):
        """Sleep ``delay`` seconds.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Ignored.
        y : array-like of shape (n_samples,), default=None
            Ignored.

        Returns
        -------
        self : SleepEstimator
            This estimator.
        """
        time.sleep(self.delay)
        self.is_fitted_ = True
        return self

    def score(self, X, y=None):
        """Return ``-(x - 0.3) ** 2 - (z - 0.7) ** 2`` (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Ignored.
        y : array-like of shape (n_samples,), default=None
            Ignored.

        Returns
        -------
        score : float
            Minus the squared distance to (0.3, 0.7).
        """
        return -((self.x - 0.3) ** 2) - (self.z - 0.7) ** 2


@dataclass
class Task:
    """A tuning problem: an estimator, a space, data and a CV scheme.

    Parameters
    ----------
    name : str
        Task key.
    estimator : estimator object
        Unfitted estimator to tune.
    space : dict of str to Param
        Tool-neutral search space.
    X, y : ndarray
        Data.
    cv : cross-validation splitter
        Same splits for every tool.
    scoring : str or None
        sklearn scoring name (None: the estimator's ``score``).
    optimum : float or None
        Best achievable score (``-f*``) for synthetic tasks, else None.
    """

    name: str
    estimator: BaseEstimator
    space: dict
    X: np.ndarray
    y: np.ndarray
    cv: object
    scoring: str | None = None
    optimum: float | None = None
    kind: str = field(default="real")


def _synthetic_task(name: str) -> Task:
    _, bounds, fmin = SYNTHETIC[name]
    space = {f"x{i}": Param("real", lo, hi) for i, (lo, hi) in enumerate(bounds)}
    # Tiny dummy data: fitting and scoring cost ~0, two identical folds.
    X = np.zeros((4, 1))
    y = np.array([0.0, 1.0, 0.0, 1.0])
    return Task(
        name,
        SyntheticObjective(function=name),
        space,
        X,
        y,
        cv=KFold(n_splits=2),
        optimum=-fmin,
        kind="synthetic",
    )


def _svc_digits() -> Task:
    X, y = load_digits(return_X_y=True)
    space = {
        "C": Param("real", 1e-2, 1e3, log=True),
        "gamma": Param("real", 1e-6, 1e-1, log=True),
    }
    return Task("svc_digits", SVC(), space, X, y, cv=StratifiedKFold(3))


def _hgb_breast_cancer() -> Task:
    X, y = load_breast_cancer(return_X_y=True)
    space = {
        "learning_rate": Param("real", 1e-3, 1.0, log=True),
        "max_leaf_nodes": Param("int", 2, 64, log=True),
        "min_samples_leaf": Param("int", 1, 100, log=True),
        "l2_regularization": Param("real", 1e-6, 10.0, log=True),
        "max_features": Param("real", 0.2, 1.0),
        "class_weight": Param("cat", choices=(None, "balanced")),
    }
    est = HistGradientBoostingClassifier(
        max_iter=100, early_stopping=False, random_state=0
    )
    return Task(
        "hgb_breast_cancer",
        est,
        space,
        X,
        y,
        cv=StratifiedKFold(3),
        scoring="neg_log_loss",
    )


TASKS = {
    "branin": lambda: _synthetic_task("branin"),
    "hartmann6": lambda: _synthetic_task("hartmann6"),
    "ackley5": lambda: _synthetic_task("ackley5"),
    "levy10": lambda: _synthetic_task("levy10"),
    "svc_digits": _svc_digits,
    "hgb_breast_cancer": _hgb_breast_cancer,
}
