"""BayesianSearchCV accepts every way sklearn and scikit-optimize users write spaces."""

import numbers
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, norm, randint, uniform
from sklearn.base import is_classifier
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RandomizedSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from sktune import BayesianSearchCV
from sktune.space import Categorical, Integer, Real

from ._doubles import ToyEstimator

X_TOY = np.zeros((8, 2))


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=60, n_features=4, n_informative=2, random_state=0
    )


def test_pipeline_step_params(data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    search = BayesianSearchCV(
        pipe,
        {
            "clf__C": Real(1e-3, 1e2, prior="log-uniform"),
            "scale__with_mean": [True, False],
        },
        n_iter=5,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert set(search.best_params_) == {"clf__C", "scale__with_mean"}
    for params in search.cv_results_["params"]:
        assert 1e-3 <= params["clf__C"] <= 1e2
        assert params["scale__with_mean"] in (True, False)
    best = search.best_estimator_
    assert best.named_steps["clf"].C == search.best_params_["clf__C"]
    assert (
        best.named_steps["scale"].with_mean == search.best_params_["scale__with_mean"]
    )
    assert is_classifier(search)
    np.testing.assert_array_equal(search.predict(X), best.predict(X))


def test_conditional_space_keeps_each_subspace_own_names():
    spaces = [
        {"x1": Real(-5.0, 10.0), "bonus": [0.0]},
        {"x2": Real(0.0, 15.0), "fail": [False]},
    ]
    search = BayesianSearchCV(
        ToyEstimator(), spaces, n_iter=10, cv=2, random_state=0
    ).fit(X_TOY)
    seen = {frozenset(p) for p in search.cv_results_["params"]}
    assert seen == {frozenset({"x1", "bonus"}), frozenset({"x2", "fail"})}
    results = search.cv_results_
    for i, params in enumerate(results["params"]):
        # a parameter absent from a candidate is masked, as in sklearn's grids
        assert bool(results["param_x1"].mask[i]) == ("x1" not in params)
        assert bool(results["param_x2"].mask[i]) == ("x2" not in params)
        # the other parameter keeps the estimator's default when fitted
        fitted = ToyEstimator.fits[2 * i][0]
        assert fitted["x1"] == params.get("x1", 0.0)
        assert fitted["x2"] == params.get("x2", 0.0)


def test_tuple_categorical_hidden_layer_sizes(data):
    X, y = data
    choices = [(8,), (8, 8)]
    search = BayesianSearchCV(
        MLPClassifier(max_iter=5, random_state=0),
        {"hidden_layer_sizes": choices, "alpha": Real(1e-5, 1e-1, "log-uniform")},
        n_iter=4,
        cv=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    values = [p["hidden_layer_sizes"] for p in search.cv_results_["params"]]
    assert all(type(v) is tuple and v in choices for v in values)
    assert set(values) == set(choices)  # both tried within 4 candidates
    column = search.cv_results_["param_hidden_layer_sizes"]
    assert column.dtype == object
    assert list(column) == values  # stored as tuples, not split into columns
    assert search.best_estimator_.hidden_layer_sizes in choices
    n_layers = len(search.best_params_["hidden_layer_sizes"])
    assert len(search.best_estimator_.coefs_) == n_layers + 1


def test_estimators_as_categorical_values(data):
    X, y = data
    tree = DecisionTreeClassifier(max_depth=2, random_state=0)
    logreg = LogisticRegression()
    spaces = [
        {"clf": [logreg], "clf__C": Real(1e-2, 1e2, "log-uniform")},
        {"clf": [tree], "clf__min_samples_leaf": Integer(1, 10)},
    ]
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    search = BayesianSearchCV(pipe, spaces, n_iter=8, cv=2, random_state=0).fit(X, y)
    kinds = {type(p["clf"]) for p in search.cv_results_["params"]}
    assert kinds == {LogisticRegression, DecisionTreeClassifier}
    for params in search.cv_results_["params"]:
        if isinstance(params["clf"], DecisionTreeClassifier):
            assert "clf__min_samples_leaf" in params and "clf__C" not in params
    fitted = search.best_estimator_.named_steps["clf"]
    check_is_fitted(fitted)
    # the estimators in the space are cloned, never fitted in place
    assert fitted is not tree and fitted is not logreg
    for original in (tree, logreg):
        with pytest.raises(NotFittedError):
            check_is_fitted(original)


def test_scipy_distributions():
    space = {
        "x1": uniform(-5, 15),  # [-5, 10]
        "x2": loguniform(1e-2, 15),
        "bonus": randint(0, 3),  # {0, 1, 2}
    }
    search = BayesianSearchCV(
        ToyEstimator(), space, n_iter=8, cv=2, random_state=0
    ).fit(X_TOY)
    for params in search.cv_results_["params"]:
        assert -5 <= params["x1"] <= 10
        assert 1e-2 <= params["x2"] <= 15
        assert isinstance(params["bonus"], numbers.Integral)
        assert params["bonus"] in (0, 1, 2)


def test_unbounded_scipy_distribution_samples_its_support():
    search = BayesianSearchCV(
        ToyEstimator(), {"bonus": norm(100.0, 1.0)}, n_iter=6, cv=2, random_state=0
    ).fit(X_TOY)
    values = np.array([p["bonus"] for p in search.cv_results_["params"]])
    assert np.all(np.isfinite(values))
    assert np.all(np.abs(values - 100.0) < 10.0)  # from norm(100, 1), not [0, 1]
    assert len(np.unique(values)) == len(values)


def test_skopt_style_tuples():
    space = {"x1": (1e-3, 10.0, "log-uniform"), "x2": (0.0, 15.0), "bonus": (1, 4)}
    search = BayesianSearchCV(
        ToyEstimator(), space, n_iter=8, cv=2, random_state=0
    ).fit(X_TOY)
    params = search.cv_results_["params"]
    assert all(1e-3 <= p["x1"] <= 10.0 for p in params)
    assert all(0.0 <= p["x2"] <= 15.0 for p in params)
    assert all(isinstance(p["bonus"], numbers.Integral) for p in params)
    assert all(1 <= p["bonus"] <= 4 for p in params)
    # the log prior shows: the Sobol design puts about half its points below 0.1
    assert sum(p["x1"] < 0.1 for p in params) >= 2


def test_sktune_dimensions_and_single_choice():
    space = {"x1": Real(-5.0, 10.0), "x2": Categorical([2.0])}
    search = BayesianSearchCV(
        ToyEstimator(), space, n_iter=5, cv=2, random_state=0
    ).fit(X_TOY)
    assert all(p["x2"] == 2.0 for p in search.cv_results_["params"])


def test_finite_space_smaller_than_n_iter_warns_and_evaluates_each_once():
    space = {"bonus": [0.0, 1.0, 2.0], "fail": [False]}
    with pytest.warns(UserWarning, match="holds 3 configurations, fewer than") as rec:
        search = BayesianSearchCV(
            ToyEstimator(), space, n_iter=10, cv=2, random_state=0
        ).fit(X_TOY)
    assert [w.filename for w in rec] == [__file__]  # stacklevel points at the caller
    bonuses = sorted(p["bonus"] for p in search.cv_results_["params"])
    assert bonuses == [0.0, 1.0, 2.0]
    assert search.best_params_["bonus"] == 2.0


def test_same_spaces_as_randomized_search_cv():
    """A RandomizedSearchCV space works unchanged and gives the same columns."""
    dists = {"x1": uniform(-5, 15), "x2": uniform(0, 15), "bonus": [0.0, 1.0]}
    random = RandomizedSearchCV(
        ToyEstimator(), dists, n_iter=4, cv=2, random_state=0
    ).fit(X_TOY)
    bayes = BayesianSearchCV(ToyEstimator(), dists, n_iter=4, cv=2, random_state=0).fit(
        X_TOY
    )
    param_keys = {k for k in random.cv_results_ if k.startswith("param")}
    assert {k for k in bayes.cv_results_ if k.startswith("param")} == param_keys
