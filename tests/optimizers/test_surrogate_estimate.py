"""The surrogate's own MAP estimate of the default kernel's hyperparameters."""

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor

from sktune.optimizers import GPSurrogate


def _sklearn_estimate(kernel, X, y, restarts, random_state):
    """The estimate through ``GaussianProcessRegressor`` with the MAP optimizer."""
    from sktune.optimizers._surrogate import _JITTER, _map_optimizer

    gp = GaussianProcessRegressor(
        kernel,
        optimizer=_map_optimizer(kernel),
        alpha=_JITTER,
        n_restarts_optimizer=restarts,
        random_state=random_state,
    )
    return gp.fit(X, y).kernel_


@pytest.mark.parametrize("n_columns", [1, 3])
def test_estimate_equals_sklearn_with_the_map_optimizer(n_columns):
    """The first fit (two random restarts) and a warm one (from the previous
    estimate, no restart) find the hyperparameters that sklearn's regressor finds
    with the same objective, starts and seed."""
    from sktune.optimizers._surrogate import default_kernel

    rng = np.random.default_rng(n_columns)
    X = rng.uniform(size=(26, n_columns))
    y = np.sin(5 * X).sum(axis=1) + 0.05 * rng.standard_normal(26)
    surrogate = GPSurrogate(random_state=3).fit(X[:25], y[:25])
    expected = _sklearn_estimate(
        default_kernel(n_columns), X[:25], surrogate.y_, restarts=2, random_state=3
    )
    np.testing.assert_allclose(surrogate.kernel_.theta, expected.theta, atol=1e-4)
    previous = surrogate.kernel_
    surrogate.fit(X, y)
    assert surrogate.n_estimated_ == 26
    expected = _sklearn_estimate(previous, X, surrogate.y_, 0, None)
    np.testing.assert_allclose(surrogate.kernel_.theta, expected.theta, atol=1e-4)
    # The regressor is built on demand, with the estimate kept.
    np.testing.assert_array_equal(surrogate.gp_.kernel_.theta, surrogate.kernel_.theta)
