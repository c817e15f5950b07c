"""Callbacks for sktune searches.

A callback is any callable ``callback(result)`` run after each batch of a search;
returning True stops the search. ``result`` is a ``scipy.optimize.OptimizeResult``
with these fields:

* ``x_iters``: every configuration evaluated so far, in order;
* ``scores``: their mean test scores (higher is better, NaN for failures);
* ``func_vals``: ``-scores``, as scikit-optimize (which minimises) names them, so
  its callbacks such as ``DeltaYStopper`` work unchanged;
* ``x`` / ``best_score`` / ``fun``: the best configuration, its score and
  ``-best_score``;
* ``elapsed``: seconds since the search started.
"""

import numbers

import numpy as np

__all__ = ["DeadlineStopper", "NoImprovementStopper", "ThresholdStopper"]


def _positive(value, name, owner, integral=False):
    kind = numbers.Integral if integral else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        what = "a positive int" if integral else "a positive number"
        raise ValueError(f"{owner}: {name} must be {what}. Got {value!r} instead.")


class DeadlineStopper:
    """Stop once ``total_time`` seconds have passed since the search started.

    The batch running at the deadline finishes first. ``timeout=`` on the search
    does the same without a callback.

    Parameters
    ----------
    total_time : float
        Budget in seconds.
    """

    def __init__(self, total_time):
        _positive(total_time, "total_time", "DeadlineStopper")
        self.total_time = total_time

    def __call__(self, result):
        return result.elapsed >= self.total_time


class NoImprovementStopper:
    """Stop when the best score has not improved for ``n_rounds`` batches.

    Parameters
    ----------
    n_rounds : int
        Batches without improvement that end the search.
    min_delta : float, default=0.0
        Smallest gain that counts as an improvement.
    """

    def __init__(self, n_rounds, min_delta=0.0):
        _positive(n_rounds, "n_rounds", "NoImprovementStopper", integral=True)
        self.n_rounds = n_rounds
        self.min_delta = min_delta
        self._best = -np.inf
        self._stale = 0
        self._seen = 0

    def __call__(self, result):
        # Within one search every call sees more configurations than the last;
        # seeing no more means a new search reuses this stopper.
        if len(result.x_iters) <= self._seen:
            self._best, self._stale = -np.inf, 0
        self._seen = len(result.x_iters)
        if result.best_score > self._best + self.min_delta:
            self._best, self._stale = result.best_score, 0
        else:
            self._stale += 1
        return self._stale >= self.n_rounds


class ThresholdStopper:
    """Stop as soon as the best score reaches ``threshold``.

    Parameters
    ----------
    threshold : float
        Score (higher is better) that is good enough.
    """

    def __init__(self, threshold):
        if not isinstance(threshold, numbers.Real):
            raise ValueError(
                f"ThresholdStopper: threshold must be a number. Got {threshold!r}."
            )
        self.threshold = threshold

    def __call__(self, result):
        return bool(result.best_score >= self.threshold)
