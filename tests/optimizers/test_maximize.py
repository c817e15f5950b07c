import numpy as np
import pytest

from sktune.optimizers._maximize import config_key, maximize_acquisition
from sktune.optimizers._surrogate import GPSurrogate
from sktune.space import Categorical, Integer, Real, as_search_space


class QuadraticSurface:
    """A stand-in acquisition: ``-|x - target|^2`` on encoded rows."""

    def __init__(self, target):
        self.target = np.asarray(target, dtype=float)

    def __call__(self, X):
        return -np.sum((X - self.target) ** 2, axis=1)

    def value_and_gradient(self, X):
        return self(X), -2.0 * (X - self.target)


@pytest.fixture
def space():
    return as_search_space(
        {
            "x": Real(-5.0, 10.0),
            "k": Integer(1, 8),
            "c": Categorical(["a", "b", "c"]),
        }
    )


def test_finds_the_optimum_of_mixed_columns(space):
    best = {"x": 7.0, "k": 6, "c": "b"}
    surface = QuadraticSurface(space.encode([best])[0])
    config, value = maximize_acquisition(
        space,
        surface,
        np.random.default_rng(0),
        incumbents=[{"x": 0, "k": 1, "c": "a"}],
    )
    assert config["k"] == 6 and config["c"] == "b"
    assert config["x"] == pytest.approx(7.0, abs=1e-4)
    assert value == pytest.approx(0.0, abs=1e-8)


def test_excluded_configurations_are_not_proposed():
    space = as_search_space({"k": Integer(1, 4), "c": ["a", "b"]})
    best = {"k": 3, "c": "b"}
    surface = QuadraticSurface(space.encode([best])[0])
    exclude = {config_key(space, best)}
    config, _ = maximize_acquisition(
        space, surface, np.random.default_rng(0), incumbents=[best], exclude=exclude
    )
    assert config is not None and config != best
    everything = [{"k": k, "c": c} for k in range(1, 5) for c in "ab"]
    exclude = {config_key(space, c) for c in everything}
    config, value = maximize_acquisition(
        space, surface, np.random.default_rng(0), incumbents=[best], exclude=exclude
    )
    assert config is None and value == -np.inf


def test_pool_predictions_equal_sklearn():
    """Predictions over a pool of several chunks equal sklearn's, also for a
    model conditioned on more points than one chunk of its kernel matrix holds
    (its sklearn regressor is fitted on first access)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 3))
    surrogate = GPSurrogate().fit(X, np.sin(5 * X).sum(axis=1))
    X_new = rng.uniform(size=(210, 3))
    believer = surrogate.condition_on(X_new, np.cos(3 * X_new).sum(axis=1))
    assert believer._gp is None
    pool = np.vstack([rng.uniform(size=(3000, 3)), X[:2]])
    for model in (surrogate, believer):
        mean, std = model.predict(pool)
        expected_mean, expected_std = model.gp_.predict(pool, return_std=True)
        np.testing.assert_allclose(mean, expected_mean, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(std, expected_std, rtol=1e-7, atol=1e-9)
