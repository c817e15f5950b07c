import numpy as np
import pytest

from sktune.optimizers import BayesianOptimizer, GPSurrogate, default_n_initial_points
from sktune.optimizers._surrogate import impute_failures
from sktune.space import Categorical, Integer, Real, as_search_space


def branin(a, b):
    return (
        (b - 5.1 / (4 * np.pi**2) * a**2 + 5 / np.pi * a - 6) ** 2
        + 10 * (1 - 1 / (8 * np.pi)) * np.cos(a)
        + 10
    )


BRANIN_SPACE = {"a": Real(-5.0, 10.0), "b": Real(0.0, 15.0)}
BRANIN_MIN = 0.397887


def _run(optimizer, f, n_evals, batch=1):
    best = np.inf
    while optimizer.n_observed < n_evals:
        candidates = optimizer.ask(batch)
        values = [f(**c.params) for c in candidates]
        best = min(best, *values)
        optimizer.tell([c.params for c in candidates], [-v for v in values])
    return best


def test_beats_random_search_on_branin():
    rng = np.random.default_rng(0)
    space = as_search_space(BRANIN_SPACE)
    bayes, random = [], []
    for seed in range(3):
        bayes.append(_run(BayesianOptimizer(space, random_state=seed), branin, 25))
        random.append(min(branin(**c) for c in space.sample(25, rng)))
    assert np.median(bayes) - BRANIN_MIN < 0.05
    assert np.median(bayes) < np.median(random)


def test_same_seed_same_proposals():
    runs = []
    for _ in range(2):
        optimizer = BayesianOptimizer(BRANIN_SPACE, random_state=7)
        _run(optimizer, branin, 10, batch=2)
        runs.append(optimizer._history.configs)
    assert runs[0] == runs[1]


def test_batches_are_distinct_and_new():
    space = {"k": Integer(1, 6), "c": Categorical(["a", "b"])}
    optimizer = BayesianOptimizer(space, n_initial_points=3, random_state=0)
    seen = []
    while True:
        candidates = optimizer.ask(4)
        if not candidates:
            break
        configs = [c.params for c in candidates]
        for config in configs:
            assert config not in seen
            seen.append(config)
        optimizer.tell(
            configs, [config["k"] * (config["c"] == "a") for config in configs]
        )
    # The 12 configurations of the space, each proposed exactly once.
    assert len(seen) == 12


def test_model_candidates_report_their_prediction():
    optimizer = BayesianOptimizer(BRANIN_SPACE, n_initial_points=5, random_state=0)
    _run(optimizer, branin, 8)
    (candidate,) = optimizer.ask()
    assert np.isfinite(candidate.mean) and candidate.std > 0
    assert np.isfinite(candidate.acquisition)
    initial = BayesianOptimizer(BRANIN_SPACE, random_state=0).ask()[0]
    assert np.isnan(initial.mean) and np.isnan(initial.acquisition)


def test_failed_trials_are_avoided():
    # Scores fail (NaN) on the right half; the optimum of the rest is at x = 0.45.
    def score(x):
        return np.nan if x > 0.5 else -((x - 0.45) ** 2)

    optimizer = BayesianOptimizer(
        {"x": Real(0.0, 1.0)}, n_initial_points=4, random_state=0
    )
    for _ in range(16):
        (candidate,) = optimizer.ask()
        optimizer.tell([candidate.params], [score(candidate.params["x"])])
    late = [c["x"] for c in optimizer._history.configs[8:]]
    assert np.mean(np.array(late) > 0.5) <= 0.25
    assert optimizer.best()[0]["x"] == pytest.approx(0.45, abs=0.03)


def test_integers_and_categories_are_proposed_exactly():
    space = as_search_space(
        [
            {"model": ["tree"], "depth": Integer(1, 30)},
            {"model": ["linear"], "alpha": Real(1e-4, 1.0, prior="log-uniform")},
        ]
    )

    def score(config):
        if config["model"] == "tree":
            return -abs(config["depth"] - 17) / 10
        return -abs(np.log10(config["alpha"]) + 2)

    optimizer = BayesianOptimizer(space, random_state=0)
    for _ in range(20):
        (candidate,) = optimizer.ask()
        config = candidate.params
        assert space.subspace_index(config) in (0, 1)
        if config["model"] == "tree":
            assert isinstance(config["depth"], int)
        optimizer.tell([config], [score(config)])
    best, value = optimizer.best()
    assert value > -0.15


def test_default_initial_design_size():
    assert default_n_initial_points(as_search_space({"a": (0.0, 1.0)})) == 5
    six = as_search_space({f"x{i}": (0.0, 1.0) for i in range(6)})
    assert default_n_initial_points(six) == 13
    assert default_n_initial_points(as_search_space({"a": [1, 2, 3]})) == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_initial_points": 0}, "n_initial_points must be a positive int"),
        ({"acq_func": "UCB"}, "acq_func must be one of"),
        ({"initial_point_generator": "lhs"}, "initial_point_generator must be one of"),
        ({"acq_optimizer_kwargs": {"n_restarts": 3}}, r"\['n_restarts'\] are unknown"),
    ],
)
def test_invalid_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BayesianOptimizer(BRANIN_SPACE, **kwargs)


def test_tell_checks_lengths_and_ask_checks_batch_size():
    optimizer = BayesianOptimizer(BRANIN_SPACE)
    with pytest.raises(ValueError, match="2 configurations but 1 scores"):
        optimizer.tell([{"a": 0.0, "b": 0.0}, {"a": 1.0, "b": 1.0}], [1.0])
    with pytest.raises(ValueError, match="n_points must be a positive int"):
        optimizer.ask(0)


def test_surrogate_handles_ties_failures_and_fantasies():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(12, 2))
    y = np.r_[np.ones(6), np.full(3, 0.5), [np.nan, -np.inf, np.nan]]
    np.testing.assert_array_equal(impute_failures(y)[-3:], [0.5, 0.5, 0.5])
    surrogate = GPSurrogate().fit(X, y)
    mean, std = surrogate.predict(X)
    assert np.all(np.isfinite(mean)) and np.all(std > 0)
    x_new = np.array([[0.9, 0.1]])
    believer = surrogate.condition_on(x_new, surrogate.predict(x_new)[0])
    assert believer.predict(x_new)[1][0] < surrogate.predict(x_new)[1][0]
    center, spread = surrogate.to_scores(mean, std)
    assert np.all(np.isfinite(center)) and np.all(spread >= 0)


def test_results_told_before_the_first_ask_shorten_the_initial_design():
    space = as_search_space(BRANIN_SPACE)
    optimizer = BayesianOptimizer(space, n_initial_points=5, random_state=0)
    earlier = space.sample(4, np.random.default_rng(1))
    optimizer.tell(earlier, [-branin(**c) for c in earlier])
    first, second = optimizer.ask(), optimizer.ask()
    assert np.isnan(first[0].acquisition)  # the one design point still missing
    assert np.isfinite(second[0].acquisition)  # then the model


@pytest.mark.parametrize("n_columns", [1, 4])
def test_surrogate_predicts_as_sklearn_does(n_columns):
    """The numpy posterior used inside the maximiser equals sklearn's predict."""
    rng = np.random.default_rng(n_columns)
    X = rng.uniform(size=(30, n_columns))
    y = np.sin(6 * X).sum(axis=1) + 0.1 * rng.standard_normal(30)
    surrogate = GPSurrogate().fit(X, y)
    believer = surrogate.condition_on(X[:2] + 0.01, [0.3, -0.2])
    X_new = np.vstack([rng.uniform(size=(50, n_columns)), X[:3]])
    for model in (surrogate, believer):
        assert model._posterior is not None
        mean, std = model.predict(X_new)
        expected_mean, expected_std = model.gp_.predict(X_new, return_std=True)
        np.testing.assert_allclose(mean, expected_mean, rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(std, expected_std, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("n_columns, shared_scale", [(1, False), (4, False), (3, True)])
def test_likelihood_equals_sklearn(n_columns, shared_scale):
    """The numpy log marginal likelihood used to estimate the hyperparameters
    equals sklearn's, value and gradient, away from the starting point too."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    from sktune.optimizers._matern import MaternLikelihood
    from sktune.optimizers._surrogate import default_kernel

    rng = np.random.default_rng(n_columns)
    X = rng.uniform(size=(25, n_columns))
    y = np.sin(5 * X).sum(axis=1)
    kernel = default_kernel(n_columns)
    if shared_scale:
        kernel = ConstantKernel() * Matern(0.5, nu=2.5) + WhiteKernel(1e-2)
    assert MaternLikelihood.applies(kernel)
    likelihood = MaternLikelihood(X, y, jitter=1e-10)
    gp = GaussianProcessRegressor(kernel, alpha=1e-10, optimizer=None).fit(X, y)
    for theta in kernel.theta + rng.normal(scale=0.5, size=(3, len(kernel.theta))):
        value, grad = likelihood(theta)
        expected, expected_grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
        np.testing.assert_allclose(value, expected, rtol=1e-12)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-9, atol=1e-10)


def test_surrogate_with_another_kernel_uses_sklearn_predict():
    from sklearn.gaussian_process.kernels import RBF

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(15, 2))
    surrogate = GPSurrogate(kernel=RBF(0.5)).fit(X, X.sum(axis=1))
    assert surrogate._posterior is None
    mean, std = surrogate.predict(X[:4])
    np.testing.assert_allclose(
        np.c_[mean, std], np.c_[surrogate.gp_.predict(X[:4], return_std=True)]
    )


def test_output_transform_compresses_only_far_below_scores():
    from sktune.optimizers._surrogate import _OutputTransform

    y = np.r_[np.linspace(0.0, 1.0, 20), -50.0, -300.0]
    transform = _OutputTransform().fit(y)
    z = transform.transform(y)
    assert np.all(np.diff(z[:20]) > 0) and z[21] < z[20] < z[0]
    # The regular scores keep their spacing; the outliers are pulled in.
    spacing = np.diff(z[:20])
    np.testing.assert_allclose(spacing, spacing[0])
    assert (z[0] - z[21]) / spacing[0] < 0.1 * (y[0] - y[21]) / (y[1] - y[0])
    scores, slope = transform.inverse(z)
    np.testing.assert_allclose(scores, y, atol=1e-9)
    np.testing.assert_allclose(slope[:20], transform.scale)
    assert slope[21] > slope[20] > transform.scale


def test_output_transform_with_tied_quartiles_keeps_the_order():
    from sktune.optimizers._surrogate import _OutputTransform

    y = np.r_[np.ones(10), 0.5, 0.9]
    z = _OutputTransform().fit(y).transform(y)
    assert z[10] < z[11] < z[0]


def test_gamma_priors_are_densities_of_the_hyperparameters():
    """The signal variance and noise priors are Gamma densities of the values
    themselves (as Optuna's), not of their logarithms: differences of the log
    prior equal those of ``scipy.stats.gamma.logpdf``, and the MAP estimate of
    the prior alone is the Gamma mode."""
    from scipy import stats

    from sktune.optimizers._surrogate import _log_prior, default_kernel

    kernel = default_kernel(2)  # theta = [log c, log l1, log l2, log noise]
    log_prior = _log_prior(kernel)
    low, high = np.log([0.5, 0.5, 0.5, 0.001]), np.log([3.0, 0.5, 0.5, 0.2])
    gained = log_prior(high)[0] - log_prior(low)[0]
    expected = sum(
        np.diff(stats.gamma.logpdf(np.exp([lo, hi]), shape, scale=1 / rate))[0]
        for lo, hi, shape, rate in [
            (low[0], high[0], 2.0, 1.0),
            (low[3], high[3], 1.1, 30.0),
        ]
    )
    np.testing.assert_allclose(gained, expected, rtol=1e-12)
    mode = np.log([1.0, 0.5, 0.5, 0.1 / 30])
    _, grad = log_prior(mode)
    np.testing.assert_allclose(grad[[0, 3]], 0.0, atol=1e-12)
