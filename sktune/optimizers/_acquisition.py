"""Acquisition functions: pure functions of the posterior ``(mean, std)`` and the best
observed value. Scores are maximised ("higher is better") everywhere.

Expected Improvement is computed in log space (log-EI, Ament et al., "Unexpected
Improvements to Expected Improvement for Bayesian Optimization", NeurIPS 2023), so
that it neither underflows nor loses its slope far from the incumbent.

Expected Improvement per second ("EIps", Snoek et al., "Practical Bayesian
Optimization of Machine Learning Algorithms", NeurIPS 2012, section 3.2) divides
EI by the predicted cost of an evaluation; in log space that is log-EI minus a
second model's predicted log cost, which :class:`AcquisitionSurface` subtracts.
"""

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

from ._surrogate import GPSurrogate

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_LOG_SQRT_PI_OVER_2 = 0.5 * np.log(np.pi / 2)
# Below this z, h(z) = phi(z) / z^2 * (1 - 3/z^2 + 15/z^4 - ...) is accurate to about
# 1e-10, while 1 - |z| * sqrt(pi/2) * erfcx(|z|/sqrt(2)) loses digits as 1/z^2 shrinks.
_ASYMPTOTE_BELOW = -100.0


def _log1mexp(x):
    """log(1 - exp(x)) for x < 0, accurate for x near 0 and very negative x."""
    return np.where(x > -np.log(2), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def _log_h(z):
    """log(phi(z) + z * Phi(z)): the log of EI for a unit-variance posterior.

    Three regimes (after Ament et al. 2023, eq. 9): direct evaluation for z > -1;
    for moderately negative z, h(z) = phi(z) * (1 - |z| sqrt(pi/2) erfcx(|z|/sqrt(2)))
    evaluated with log1mexp; for very negative z, the asymptotic series
    log phi(z) - 2 log|z| + log(1 - 3/z^2 + 15/z^4).
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    upper = z > -1
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu**2 - _LOG_SQRT_2PI) + zu * ndtr(zu))
    far = z < _ASYMPTOTE_BELOW
    mid = ~upper & ~far
    zm = z[mid]
    log_tail = np.log(erfcx(-zm / np.sqrt(2)) * np.abs(zm)) + _LOG_SQRT_PI_OVER_2
    out[mid] = -0.5 * zm**2 - _LOG_SQRT_2PI + _log1mexp(log_tail)
    zf = z[far]
    series = np.log1p(-3 / zf**2 + 15 / zf**4)
    out[far] = -0.5 * zf**2 - _LOG_SQRT_2PI - 2 * np.log(np.abs(zf)) + series
    return out


def _standardized(mean, std, best, xi):
    """``z = (mean - best - xi) / std``, ``std`` clipped above 0, where it was."""
    std = np.asarray(std, dtype=float)
    clipped = std < 1e-12
    std = np.maximum(std, 1e-12)
    return (np.asarray(mean, dtype=float) - best - xi) / std, std, clipped


def _slopes(dz, z, std, clipped, d_log_std=0.0):
    """Slopes in ``mean`` and ``std`` of ``f(z) + d_log_std * log(std)`` given
    ``dz = f'(z)``; no slope in ``std`` where it was clipped."""
    d_std = np.where(clipped, 0.0, (d_log_std - z * dz) / std)
    return dz / std, d_std


def log_expected_improvement(mean, std, best, xi=0.0):
    """Logarithm of the Expected Improvement over ``best``.

    Parameters
    ----------
    mean, std : ndarray of shape (n,)
        Posterior mean and standard deviation.
    best : float
        Best value observed so far.
    xi : float, default=0.0
        Minimum improvement that counts (exploration margin).

    Returns
    -------
    log_ei : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from sktune.optimizers import log_expected_improvement
    >>> log_ei = log_expected_improvement(np.array([0.0]), np.array([1.0]), best=0.0)
    >>> round(float(np.exp(log_ei[0])), 4)
    0.3989
    """
    z, std, _ = _standardized(mean, std, best, xi)
    return _log_h(z) + np.log(std)


def _log_expected_improvement_slopes(mean, std, best, xi=0.0):
    """log-EI and its slopes in ``mean`` and ``std``: ``h'(z) = Phi(z)``, so
    ``d log h / dz = exp(log Phi(z) - log h(z))``, stable in every regime."""
    z, std, clipped = _standardized(mean, std, best, xi)
    log_h = _log_h(z)
    dz = np.exp(log_ndtr(z) - log_h)
    return (log_h + np.log(std), *_slopes(dz, z, std, clipped, d_log_std=1.0))


def probability_of_improvement(mean, std, best, xi=0.01):
    """Log-probability that a point improves on ``best`` by at least ``xi``.

    Returned in log space for the same reason as log-EI; the ordering is that of PI.

    Parameters
    ----------
    mean, std : ndarray of shape (n,)
        Posterior mean and standard deviation (``std`` below 1e-12 counts as
        1e-12).
    best : float
        Best value observed so far.
    xi : float, default=0.01
        Minimum improvement that counts (exploration margin).

    Returns
    -------
    log_pi : ndarray of shape (n,)
        ``log Phi((mean - best - xi) / std)``, at most 0.
    """
    z, _, _ = _standardized(mean, std, best, xi)
    return log_ndtr(z)


def _probability_of_improvement_slopes(mean, std, best, xi=0.01):
    """log-PI and its slopes: ``d log Phi / dz = exp(log phi(z) - log Phi(z))``."""
    z, std, clipped = _standardized(mean, std, best, xi)
    log_pi = log_ndtr(z)
    dz = np.exp(-0.5 * z**2 - _LOG_SQRT_2PI - log_pi)
    return (log_pi, *_slopes(dz, z, std, clipped))


def upper_confidence_bound(mean, std, best=None, kappa=1.96):
    """Optimistic bound ``mean + kappa * std`` (scikit-optimize's "LCB" for maximising).

    ``best`` is accepted and ignored so that every acquisition has one signature.

    Parameters
    ----------
    mean, std : ndarray of shape (n,)
        Posterior mean and standard deviation.
    best : float or None, default=None
        Ignored.
    kappa : float, default=1.96
        Weight of the standard deviation (exploration).

    Returns
    -------
    ucb : ndarray of shape (n,)
        ``mean + kappa * std``.
    """
    return np.asarray(mean, dtype=float) + kappa * np.asarray(std, dtype=float)


def _upper_confidence_bound_slopes(mean, std, best=None, kappa=1.96):
    """The bound and its (constant) slopes in ``mean`` and ``std``."""
    value = upper_confidence_bound(mean, std, best, kappa)
    return value, np.ones_like(value), np.full_like(value, kappa)


ACQUISITIONS = {
    "EI": (log_expected_improvement, _log_expected_improvement_slopes, {"xi": 0.0}),
    # log-EI here; the surface subtracts the predicted log cost (see module doc).
    "EIps": (log_expected_improvement, _log_expected_improvement_slopes, {"xi": 0.0}),
    "PI": (
        probability_of_improvement,
        _probability_of_improvement_slopes,
        {"xi": 0.01},
    ),
    "LCB": (upper_confidence_bound, _upper_confidence_bound_slopes, {"kappa": 1.96}),
}
# Acquisitions divided by the predicted cost of an evaluation.
PER_SECOND = frozenset({"EIps"})


class Acquisition:
    """An acquisition function with its options bound (see :func:`make_acquisition`).

    ``acquisition(mean, std, best)`` gives the values; ``value_and_slopes`` also
    their derivatives in ``mean`` and ``std``, for the maximiser's gradients.
    ``per_second`` is True for "EIps": the values are then per log cost, which
    :class:`AcquisitionSurface` subtracts from them.
    """

    def __init__(self, function, slopes, options, per_second=False):
        self._function = function
        self._slopes = slopes
        self._options = options
        self.per_second = per_second

    def __call__(self, mean, std, best):
        """Acquisition values; larger is more promising."""
        return self._function(mean, std, best, **self._options)

    def value_and_slopes(self, mean, std, best):
        """Values and their derivatives in ``mean`` and in ``std``."""
        return self._slopes(mean, std, best, **self._options)


def make_acquisition(name, **kwargs):
    """The acquisition function called ``name``, with its options bound.

    Parameters
    ----------
    name : {"EI", "EIps", "PI", "LCB"}
        Expected Improvement (log space), Expected Improvement per second of
        evaluation (log space, needs a cost model, see :class:`AcquisitionSurface`),
        Probability of Improvement (log space) or the confidence bound.
    **kwargs
        Options of that function (``xi`` for EI, EIps and PI, ``kappa`` for LCB).

    Returns
    -------
    acquisition : Acquisition
        ``acquisition(mean, std, best) -> ndarray``; larger is more promising.
    """
    if name not in ACQUISITIONS:
        raise ValueError(
            f"acq_func must be one of {sorted(ACQUISITIONS)}. Got {name!r} instead."
        )
    function, slopes, defaults = ACQUISITIONS[name]
    unknown = set(kwargs) - set(defaults)
    if unknown:
        raise ValueError(
            f"acq_func_kwargs {sorted(unknown)} do not apply to {name!r}; it takes "
            f"{sorted(defaults)}."
        )
    return Acquisition(
        function, slopes, {**defaults, **kwargs}, per_second=name in PER_SECOND
    )


class AcquisitionSurface:
    """An acquisition function over encoded points, through a surrogate's posterior.

    Parameters
    ----------
    acquisition : Acquisition
        From :func:`make_acquisition`.
    surrogate : GPSurrogate
        Fitted model; ``predict`` and ``predict_with_gradient`` are used.
    best : float
        Best observed value, on the surrogate's scale.
    cost : LogCostModel or None, default=None
        Fitted model of the log cost of an evaluation; required by a
        ``per_second`` acquisition ("EIps"), whose value is the acquisition minus
        the predicted log cost: ``log(EI(x) / cost(x))``. Ignored otherwise.
    """

    def __init__(self, acquisition, surrogate, best, cost=None):
        if acquisition.per_second and cost is None:
            raise ValueError("A per-second acquisition (EIps) needs a cost model.")
        self.acquisition = acquisition
        self.surrogate = surrogate
        self.best = best
        self.cost = cost if acquisition.per_second else None

    def __call__(self, X):
        """Acquisition values at the encoded rows ``X``."""
        mean, std = self.surrogate.predict(X)
        value = self.acquisition(mean, std, self.best)
        if self.cost is not None:
            value = value - self.cost.predict(X)
        return value

    def value_and_gradient(self, X):
        """Acquisition values and their gradients with respect to ``X``: the
        acquisition's slopes in ``mean`` and ``std`` times the posterior's
        gradients (chain rule), minus the predicted log cost and its gradient
        for "EIps"."""
        mean, std, d_mean, d_std = self.surrogate.predict_with_gradient(X)
        value, slope_mean, slope_std = self.acquisition.value_and_slopes(
            mean, std, self.best
        )
        gradient = slope_mean[:, None] * d_mean + slope_std[:, None] * d_std
        if self.cost is not None:
            log_cost, d_log_cost = self.cost.predict_with_gradient(X)
            value, gradient = value - log_cost, gradient - d_log_cost
        return value, gradient


class LogCostModel:
    """Gaussian-process model of the log of an evaluation's cost (seconds).

    Snoek et al. (2012, section 3.2) model the log duration with a second GP and
    divide EI by the predicted duration. This is :class:`GPSurrogate` fitted on
    ``log(cost)`` (same kernel, priors and output transform; there the transform
    pulls in unusually *cheap* evaluations, such as a trial that failed at once).
    :meth:`predict` gives the posterior mean of the log cost, the log of the
    predicted median cost, as scikit-optimize's "EIps" divides by
    ``exp(mean log time)``: the lognormal's mean, ``exp(mean + var / 2)``, would
    also penalise regions whose cost is uncertain, i.e. unexplored ones.

    Parameters
    ----------
    random_state : int, default=0
        Seeds the surrogate's hyperparameter restarts.
    """

    def __init__(self, random_state=0):
        self.surrogate = GPSurrogate(random_state=random_state)

    def fit(self, X, costs):
        """Fit on encoded points ``X`` and their costs (seconds, > 0)."""
        self.surrogate.fit(X, np.log(np.asarray(costs, dtype=float)))
        return self

    def predict(self, X):
        """Predicted log cost (log seconds) at the encoded rows ``X``."""
        mean, _ = self.surrogate.predict(X)
        return self.surrogate.transform_.inverse(mean)[0]

    def predict_with_gradient(self, X):
        """Predicted log cost and its gradient with respect to ``X``."""
        mean, _, d_mean, _ = self.surrogate.predict_with_gradient(X)
        log_cost, slope = self.surrogate.transform_.inverse(mean)
        return log_cost, slope[:, None] * d_mean
