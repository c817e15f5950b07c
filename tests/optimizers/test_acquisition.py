import numpy as np
import pytest
from scipy.stats import norm

from sktune.optimizers import (
    log_expected_improvement,
    make_acquisition,
    probability_of_improvement,
    upper_confidence_bound,
)


def _plain_ei(mean, std, best):
    z = (mean - best) / std
    return std * (norm.pdf(z) + z * norm.cdf(z))


def test_log_ei_matches_plain_ei_where_plain_ei_is_accurate():
    mean = np.linspace(-3, 3, 61)
    std = np.full_like(mean, 0.7)
    expected = np.log(_plain_ei(mean, std, best=0.5))
    np.testing.assert_allclose(
        log_expected_improvement(mean, std, 0.5), expected, rtol=1e-9
    )


def test_log_ei_stays_finite_and_ordered_far_from_the_incumbent():
    mean = -np.logspace(0, 12, 200)  # z from -1 down to -1e12
    values = log_expected_improvement(mean, np.ones_like(mean), best=0.0)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) < 0)  # further away is always worse
    # Plain EI has underflowed to zero long before, losing the ordering.
    assert _plain_ei(mean[50], 1.0, 0.0) == 0.0


@pytest.mark.parametrize("z", [-1.0, -100.0])
def test_log_ei_is_continuous_at_the_regime_boundaries(z):
    below, above = np.nextafter(z, -np.inf), np.nextafter(z, np.inf)
    values = log_expected_improvement(np.array([below, z, above]), np.ones(3), 0.0)
    assert np.ptp(values) < 1e-9 * max(1.0, abs(values[1]))


def test_probability_of_improvement_and_bound_prefer_the_right_points():
    mean = np.array([0.0, 1.0, 0.0])
    std = np.array([0.1, 0.1, 2.0])
    pi = probability_of_improvement(mean, std, best=0.5, xi=0.0)
    assert np.argmax(pi) == 1
    assert pi[2] > pi[0]  # uncertainty gives a chance to improve
    ucb = upper_confidence_bound(mean, std, kappa=2.0)
    np.testing.assert_allclose(ucb, [0.2, 1.2, 4.0])


def test_make_acquisition_binds_options_and_rejects_bad_ones():
    lcb = make_acquisition("LCB", kappa=0.0)
    np.testing.assert_allclose(lcb(np.array([1.0]), np.array([5.0]), 0.0), [1.0])
    with pytest.raises(
        ValueError, match=r"acq_func must be one of \['EI', 'EIps', 'LCB', 'PI'\]"
    ):
        make_acquisition("UCB")
    with pytest.raises(ValueError, match=r"\['kappa'\] do not apply to 'EI'"):
        make_acquisition("EI", kappa=1.0)


def _cost_model(X, outlier=True):
    """A cost model fitted on costs from 0.1 s to about 8 s, with one cheap
    outlier (a trial that failed at once) that the output transform pulls in."""
    from sktune.optimizers._acquisition import LogCostModel

    costs = 0.1 * np.exp(3 * X[:, 0] + X[:, 1] ** 2)
    if outlier:
        costs[0] = 1e-4
    return LogCostModel(random_state=0).fit(X, costs)


@pytest.mark.parametrize("kernel", [None, "rbf"])
@pytest.mark.parametrize("name", ["EI", "EIps", "PI", "LCB"])
def test_surface_gradient_matches_finite_differences(name, kernel):
    from sklearn.gaussian_process.kernels import RBF

    from sktune.optimizers import GPSurrogate
    from sktune.optimizers._acquisition import AcquisitionSurface

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(25, 3))
    y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2 - X[:, 2]
    surrogate = GPSurrogate(kernel=None if kernel is None else RBF(0.3)).fit(X, y)
    cost = _cost_model(X) if name == "EIps" else None
    surface = AcquisitionSurface(make_acquisition(name), surrogate, y.max(), cost)
    points = rng.uniform(0.05, 0.95, size=(6, 3))
    values, gradients = surface.value_and_gradient(points)
    np.testing.assert_allclose(values, surface(points))
    step = 1e-6
    for j in range(3):
        shifted = points.copy()
        shifted[:, j] += step
        expected = (surface(shifted) - surface(points)) / step
        np.testing.assert_allclose(gradients[:, j], expected, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", ["EI", "EIps", "PI", "LCB"])
def test_slopes_match_finite_differences_in_every_regime(name):
    """The analytic slopes in mean and std, on both sides of log-EI's regime
    boundaries (z = -1 and z = -100) and far above the incumbent."""
    acquisition = make_acquisition(name)
    z = np.array([-300.0, -100.5, -99.5, -20.0, -1.5, -0.5, 0.0, 3.0, 40.0])
    std = np.linspace(0.2, 2.0, len(z))
    mean = z * std
    values, d_mean, d_std = acquisition.value_and_slopes(mean, std, 0.0)
    np.testing.assert_allclose(values, acquisition(mean, std, 0.0))
    h_mean, h_std = 1e-6 * np.maximum(1.0, np.abs(mean)), 1e-7 * std
    expected_mean = (
        acquisition(mean + h_mean, std, 0.0) - acquisition(mean - h_mean, std, 0.0)
    ) / (2 * h_mean)
    expected_std = (
        acquisition(mean, std + h_std, 0.0) - acquisition(mean, std - h_std, 0.0)
    ) / (2 * h_std)
    np.testing.assert_allclose(d_mean, expected_mean, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(d_std, expected_std, rtol=1e-5, atol=1e-8)


def test_eips_is_log_ei_minus_the_predicted_log_cost():
    from sktune.optimizers import GPSurrogate
    from sktune.optimizers._acquisition import AcquisitionSurface

    rng = np.random.default_rng(1)
    X = rng.uniform(size=(30, 2))
    y = -((X[:, 1] - 0.5) ** 2)
    surrogate = GPSurrogate().fit(X, y)
    cost = _cost_model(X, outlier=False)
    points = rng.uniform(0.1, 0.9, size=(8, 2))
    ei = AcquisitionSurface(make_acquisition("EI"), surrogate, y.max())
    eips = AcquisitionSurface(make_acquisition("EIps"), surrogate, y.max(), cost)
    log_cost = cost.predict(points)
    np.testing.assert_allclose(eips(points), ei(points) - log_cost)
    # The model has learned the costs, in log seconds.
    expected = np.log(0.1) + 3 * points[:, 0] + points[:, 1] ** 2
    np.testing.assert_allclose(log_cost, expected, atol=0.05)
    # EI ignores a cost model; EIps cannot do without one.
    np.testing.assert_allclose(
        AcquisitionSurface(make_acquisition("EI"), surrogate, y.max(), cost)(points),
        ei(points),
    )
    with pytest.raises(ValueError, match="needs a cost model"):
        AcquisitionSurface(make_acquisition("EIps"), surrogate, y.max())
