"""ObjectiveDisplay: partial dependence of a model of the score, by contract.

The searches run a no-op estimator whose score is a known function of its own
parameters, ``-(a - 0.3)**2 - 0.1 * b + 0.2 * (kind == "z")``, so the curves'
shapes are known.
"""

import warnings

import matplotlib
import numpy as np
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from sktune import BayesianSearchCV, HyperbandSearchCV
from sktune.plot import ObjectiveDisplay
from sktune.space import Categorical, Real

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

X, y = np.zeros((6, 1)), np.zeros(6)
FAST = {"n_points": 8, "n_samples": 50, "random_state": 0}


class Quadratic(RegressorMixin, BaseEstimator):
    """Fits nothing; scores ``-(a - 0.3)**2 - 0.1 * b + 0.2 * (kind == "z")``,
    less ``1 / n_iter`` (a resource), and fails to fit where ``a > fail_above``."""

    def __init__(self, a=0.5, b=1.0, kind="x", n_iter=9, fail_above=1.0):
        self.a = a
        self.b = b
        self.kind = kind
        self.n_iter = n_iter
        self.fail_above = fail_above

    def fit(self, X, y=None):
        if self.a > self.fail_above:
            raise ValueError("Quadratic was asked to fail")
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        bonus = 0.2 if self.kind == "z" else 0.0
        return -((self.a - 0.3) ** 2) - 0.1 * self.b + bonus - 1 / self.n_iter


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def random_search():
    space = {"a": uniform(0, 1), "b": uniform(0, 5), "kind": ["x", "y", "z"]}
    return RandomizedSearchCV(Quadratic(), space, n_iter=30, cv=2, random_state=0).fit(
        X, y
    )


@pytest.fixture(scope="module")
def bayes_search():
    space = {
        "a": Real(0, 1),
        "b": Real(0.1, 10, prior="log-uniform"),
        "kind": Categorical(["x", "y", "z"]),
    }
    return BayesianSearchCV(Quadratic(), space, n_iter=10, cv=2, random_state=0).fit(
        X, y
    )


def best_config(search):
    return search.cv_results_["params"][
        np.nanargmax(search.cv_results_["mean_test_score"])
    ]


def test_partial_dependence_follows_the_known_score(random_search):
    display = ObjectiveDisplay.from_search(random_search, random_state=0)
    pd = display.partial_dependence_
    assert list(pd) == ["a", "b", "kind"]
    grid, mean = pd["a"]
    assert len(grid) == len(mean) == 40
    assert abs(grid[np.argmax(mean)] - 0.3) < 0.1  # the maximum of -(a - 0.3)**2
    grid, mean = pd["b"]
    assert np.all(np.diff(grid) > 0) and np.all(np.diff(mean) < 1e-3)
    assert mean[0] - mean[-1] > 0.3  # -0.1 * b over [0, 5]: a drop of 0.5
    grid, mean = pd["kind"]
    assert grid == ["x", "y", "z"] and np.argmax(mean) == 2
    assert mean[2] - max(mean[:2]) == pytest.approx(0.2, abs=0.05)
    # The pair (a, b): rows follow b, columns a; the best cell at b = 0, a ~ 0.3.
    a_grid, b_grid, surface = display.partial_dependence_2d_["a", "b"]
    assert surface.shape == (len(b_grid), len(a_grid)) == (20, 20)
    row, col = np.unravel_index(np.argmax(surface), surface.shape)
    assert row == 0 and abs(a_grid[col] - 0.3) < 0.1
    assert set(display.partial_dependence_2d_) == {
        ("a", "b"),
        ("a", "kind"),
        ("b", "kind"),
    }
    for name, (_, mean) in pd.items():  # what is drawn is what was computed
        np.testing.assert_array_equal(display.lines_[name].get_ydata(), mean)
    assert isinstance(display.model_, GaussianProcessRegressor)
    np.testing.assert_array_equal(display.rows_, np.arange(30))


def test_grid_follows_the_prior_and_categoricals_are_labelled(bayes_search):
    display = ObjectiveDisplay.from_search(bayes_search, **FAST)
    grid, _ = display.partial_dependence_["b"]  # log-uniform on [0.1, 10]
    np.testing.assert_allclose(grid[[0, -1]], [0.1, 10])
    np.testing.assert_allclose(np.diff(np.log(grid)), np.log(100) / 7)
    grid, _ = display.partial_dependence_["a"]  # uniform on [0, 1]
    np.testing.assert_allclose(np.diff(grid), 1 / 7)
    axes = display.axes_
    assert axes.shape == (3, 3)
    assert axes[1, 1].get_xscale() == "log" and axes[1, 0].get_yscale() == "log"
    assert axes[0, 0].get_xscale() == "linear"
    labels = ["'x'", "'y'", "'z'"]
    assert [t.get_text() for t in axes[2, 2].get_xticklabels()] == labels
    assert [t.get_text() for t in axes[2, 0].get_yticklabels()] == labels
    assert not any(axes[i, j].get_visible() for i in range(3) for j in range(i + 1, 3))
    b_grid, kind_grid, surface = display.partial_dependence_2d_["b", "kind"]
    assert surface.shape == (3, 4) and kind_grid == ["x", "y", "z"]
    assert display.colorbar_ is not None and display.figure_ is axes[0, 0].figure


def test_best_row_and_evaluations_are_marked(bayes_search):
    display = ObjectiveDisplay.from_search(bayes_search, **FAST)
    best = best_config(bayes_search)
    position = {"a": best["a"], "b": best["b"], "kind": "xyz".index(best["kind"])}
    for name, value in position.items():
        assert display.best_lines_[name].get_xdata()[0] == pytest.approx(value)
    np.testing.assert_allclose(
        display.best_points_["a", "b"].get_offsets(), [[best["a"], best["b"]]]
    )
    configs = bayes_search.cv_results_["params"]
    np.testing.assert_allclose(
        display.rugs_["b"].get_xdata(), [configs[i]["b"] for i in display.rows_]
    )
    assert len(display.points_["a", "kind"].get_offsets()) == len(configs)


def test_draws_on_given_axes(bayes_search):
    fig, axes = plt.subplots(3, 3)
    display = ObjectiveDisplay.from_search(bayes_search, ax=axes, **FAST)
    assert display.axes_ is axes or np.all(display.axes_ == axes)
    assert display.figure_ is fig
    assert display.lines_["a"].axes is axes[0, 0]
    assert display.surfaces_["a", "b"].axes is axes[1, 0]
    _, other = plt.subplots(3, 3)
    assert display.plot(ax=other).lines_["a"].axes is other[0, 0]
    _, single = plt.subplots()
    one = ObjectiveDisplay.from_search(bayes_search, params=["b"], ax=single, **FAST)
    assert one.axes_.shape == (1, 1) and one.colorbar_ is None
    with pytest.raises(
        ValueError, match=r"ax must be an array of Axes of shape \(3, 3\)"
    ):
        display.plot(ax=axes[:2, :2])


def test_random_state_makes_it_repeatable(bayes_search):
    first, second, other = (
        ObjectiveDisplay.from_search(bayes_search, **{**FAST, "random_state": seed})
        for seed in (0, 0, 1)
    )
    for name, (_, mean) in first.partial_dependence_.items():
        np.testing.assert_array_equal(second.partial_dependence_[name][1], mean)
    for pair, (_, _, surface) in first.partial_dependence_2d_.items():
        np.testing.assert_array_equal(second.partial_dependence_2d_[pair][2], surface)
    assert not np.array_equal(
        first.partial_dependence_["a"][1], other.partial_dependence_["a"][1]
    )


def test_hyperband_uses_full_resource_rows_without_the_resource():
    search = HyperbandSearchCV(
        Quadratic(),
        {"a": uniform(0, 1), "b": randint(0, 6)},
        resource="n_iter",
        max_resource=9,
        cv=2,
        random_state=0,
    ).fit(X, y)
    display = ObjectiveDisplay.from_search(search, **FAST)
    n_resources = np.asarray(search.cv_results_["n_resources"])
    assert list(display.partial_dependence_) == ["a", "b"]
    assert set(n_resources[display.rows_]) == {9}
    assert len(display.rows_) == np.sum(n_resources == 9) < len(n_resources)
    grid, mean = display.partial_dependence_["b"]  # an Integer: every value
    np.testing.assert_array_equal(grid, [0, 1, 2, 3, 4, 5])
    assert mean[0] > mean[-1]


def test_failed_rows_are_left_out():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (FitFailedWarning, UserWarning))
        search = RandomizedSearchCV(
            Quadratic(fail_above=0.7),
            {"a": uniform(0, 1), "b": uniform(0, 5)},
            n_iter=12,
            cv=2,
            random_state=0,
        ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any()
    display = ObjectiveDisplay.from_search(search, **FAST)
    np.testing.assert_array_equal(display.rows_, np.flatnonzero(np.isfinite(scores)))


def test_conditional_space_models_one_subspace():
    space = [
        {"a": uniform(0, 1), "kind": ["x", "y"]},
        {"a": uniform(0, 1), "b": uniform(0, 5), "kind": ["z"]},
    ]
    search = RandomizedSearchCV(Quadratic(), space, n_iter=16, cv=2, random_state=0)
    configs = search.fit(X, y).cv_results_["params"]
    with_b = [i for i, c in enumerate(configs) if "b" in c]
    without_b = [i for i, c in enumerate(configs) if "b" not in c]
    assert len(with_b) == 9 and len(without_b) == 7  # the second is the larger
    display = ObjectiveDisplay.from_search(search, params=["b", "a"], **FAST)
    np.testing.assert_array_equal(display.rows_, with_b)
    assert display.axes_.shape == (2, 2)
    # "kind" takes one value where b is: the subspace where it varies is modelled.
    display = ObjectiveDisplay.from_search(search, params=["kind"], **FAST)
    np.testing.assert_array_equal(display.rows_, without_b)
    display = ObjectiveDisplay.from_search(search, **FAST)  # the larger subspace
    np.testing.assert_array_equal(display.rows_, with_b)
    assert list(display.partial_dependence_) == ["a", "b"]  # not the fixed "kind"
    with pytest.raises(ValueError, match="No subspace of the search holds all of"):
        ObjectiveDisplay.from_search(search, params=["b", "kind"], **FAST)


class Results(BaseEstimator):
    """A stand-in for a fitted search: a space and ``cv_results_``."""

    def __init__(self, param_distributions=None, cv_results=None):
        self.param_distributions = param_distributions
        self.cv_results = cv_results

    def fit(self):
        self.cv_results_ = self.cv_results
        return self


def test_errors(random_search):
    with pytest.raises(NotFittedError):
        ObjectiveDisplay.from_search(RandomizedSearchCV(Quadratic(), {"a": [1, 2]}))
    with pytest.raises(ValueError, match=r"some of \['a', 'b', 'kind'\]\. Got params"):
        ObjectiveDisplay.from_search(random_search, params=["a", "c"])
    with pytest.raises(ValueError, match="params must be a list"):
        ObjectiveDisplay.from_search(random_search, params="a")
    with pytest.raises(ValueError, match="n_points must be an int >= 2"):
        ObjectiveDisplay.from_search(random_search, n_points=1)
    with pytest.raises(ValueError, match="metric='r2' is not a metric"):
        ObjectiveDisplay.from_search(random_search, metric="r2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (FitFailedWarning, UserWarning))
        failing = GridSearchCV(
            Quadratic(fail_above=0.5), {"a": [0.1, 0.9, 0.95]}, cv=2
        ).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 finished rows.*Got 1"):
        ObjectiveDisplay.from_search(failing)
    names = [f"p{k}" for k in range(9)]
    many = Results(
        {name: loguniform(1e-3, 1.0) for name in names},
        {"params": [dict.fromkeys(names, 0.1)] * 3, "mean_test_score": [0.0] * 3},
    ).fit()
    with pytest.raises(ValueError, match=r"9 parameters, \['p0', .*'p8'\].*params="):
        ObjectiveDisplay.from_search(many)
    no_space = Results(None, many.cv_results_).fit()
    with pytest.raises(ValueError, match="needs the space of the Results"):
        ObjectiveDisplay.from_search(no_space)
