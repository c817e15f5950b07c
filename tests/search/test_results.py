"""cv_results_, best_* and optimizer_results_ in sklearn's format; clone, pickle,
tags and reproducibility."""

import pickle

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sktune import BayesianSearchCV
from sktune.space import Real

from ._doubles import ToyEstimator, branin

X_TOY = np.zeros((8, 2))
SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}
EXTRA_KEYS = {"surrogate_mean", "surrogate_std", "acquisition", "batch"}


@pytest.fixture(scope="module")
def fitted():
    return BayesianSearchCV(
        ToyEstimator(),
        SPACE,
        n_iter=9,
        n_initial_points=4,
        cv=2,
        random_state=0,
        return_train_score=True,
    ).fit(X_TOY)


def test_cv_results_keys_are_randomized_search_keys_plus_four(fitted):
    random = RandomizedSearchCV(
        ToyEstimator(),
        {"x1": uniform(-5, 15), "x2": uniform(0, 15)},
        n_iter=3,
        cv=2,
        random_state=0,
        return_train_score=True,
    ).fit(X_TOY)
    assert set(fitted.cv_results_) == set(random.cv_results_) | EXTRA_KEYS


def test_cv_results_values(fitted):
    results = fitted.cv_results_
    n = 9
    params = results["params"]
    assert isinstance(params, list) and len(params) == n
    assert all(set(p) == {"x1", "x2"} for p in params)
    for key, value in results.items():
        assert len(value) == n, key
    np.testing.assert_array_equal(results["param_x1"], [p["x1"] for p in params])
    expected = np.array([-branin(p["x1"], p["x2"]) for p in params])
    np.testing.assert_allclose(results["mean_test_score"], expected)
    np.testing.assert_allclose(results["split1_test_score"], expected)
    np.testing.assert_allclose(results["std_test_score"], 0.0, atol=1e-12)
    # rank 1 is the best score, ranks are sklearn's integer "min" ranks
    rank = results["rank_test_score"]
    assert rank.dtype.kind == "i"
    assert rank[np.argmax(expected)] == 1
    np.testing.assert_array_equal(
        np.argsort(rank, kind="stable")[0], np.argmax(expected)
    )
    # the four extra columns
    np.testing.assert_array_equal(results["batch"], np.arange(n))
    design = slice(0, 4)
    model = slice(4, n)
    for key in ("surrogate_mean", "surrogate_std", "acquisition"):
        assert np.all(np.isnan(results[key][design])), key
        assert np.all(np.isfinite(results[key][model])), key
    assert np.all(results["surrogate_std"][model] >= 0)


def test_best_attributes(fitted):
    results = fitted.cv_results_
    best = int(np.argmax(results["mean_test_score"]))
    assert fitted.best_index_ == best
    assert fitted.best_params_ == results["params"][best]
    assert fitted.best_score_ == results["mean_test_score"][best]
    assert fitted.best_estimator_.get_params()["x1"] == fitted.best_params_["x1"]
    assert fitted.best_estimator_.fitted_
    assert fitted.n_splits_ == 2
    assert fitted.multimetric_ is False
    assert fitted.refit_time_ >= 0
    assert callable(fitted.scorer_)
    assert fitted.n_features_in_ == 2
    assert fitted.score(X_TOY) == pytest.approx(fitted.best_score_)


def test_optimizer_results(fitted):
    (result,) = fitted.optimizer_results_
    scores = fitted.cv_results_["mean_test_score"]
    assert result.x == fitted.best_params_
    assert result.fun == pytest.approx(-fitted.best_score_)
    assert result.x_iters == fitted.cv_results_["params"]
    np.testing.assert_allclose(result.func_vals, -scores)
    assert fitted.total_iterations == fitted.n_iter


@pytest.mark.parametrize(
    "estimator, classifier",
    [
        (LogisticRegression(), True),
        (Ridge(), False),
        (make_pipeline(StandardScaler(), LogisticRegression()), True),
        (make_pipeline(StandardScaler(), Ridge()), False),
    ],
)
def test_tags_follow_the_estimator(estimator, classifier):
    search = BayesianSearchCV(estimator, {"C": [1.0]} if classifier else {})
    assert is_classifier(search) is classifier
    assert is_regressor(search) is not classifier
    tags = search.__sklearn_tags__()
    assert tags.estimator_type == ("classifier" if classifier else "regressor")


def test_classifier_search_delegates_predict_proba_and_classes():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    search = BayesianSearchCV(
        LogisticRegression(), {"C": Real(0.1, 10.0, "log-uniform")}, n_iter=3, cv=2
    ).fit(X, y)
    np.testing.assert_array_equal(search.classes_, [0, 1])
    np.testing.assert_allclose(
        search.predict_proba(X), search.best_estimator_.predict_proba(X)
    )
    ridge = BayesianSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, n_iter=2, cv=2)
    assert not hasattr(ridge.fit(X, y), "predict_proba")


def test_clone_keeps_parameters_and_drops_fitted_state(fitted):
    copy = clone(fitted)
    assert not hasattr(copy, "cv_results_")
    params, original = copy.get_params(deep=False), fitted.get_params(deep=False)
    assert params.keys() == original.keys()
    assert params["search_spaces"] == original["search_spaces"]
    assert params["search_spaces"] is not original["search_spaces"]
    for key in ("n_iter", "n_initial_points", "random_state", "cv"):
        assert params[key] == original[key]
    # a clone with the same random_state redoes the same search
    again = copy.fit(X_TOY)
    assert again.cv_results_["params"] == fitted.cv_results_["params"]


def test_pickle_fitted_search(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.best_params_ == fitted.best_params_
    assert restored.cv_results_["params"] == fitted.cv_results_["params"]
    np.testing.assert_array_equal(
        restored.cv_results_["mean_test_score"], fitted.cv_results_["mean_test_score"]
    )
    assert restored.optimizer_results_[0].x == fitted.optimizer_results_[0].x
    assert restored.score(X_TOY) == fitted.score(X_TOY)


def test_pickle_real_model_search_predicts_the_same():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    search = BayesianSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        {"logisticregression__C": Real(0.01, 10.0, "log-uniform")},
        n_iter=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict_proba(X), search.predict_proba(X))


def _params(random_state=42, **kwargs):
    search = BayesianSearchCV(
        ToyEstimator(),
        SPACE,
        n_iter=7,
        n_initial_points=3,
        cv=2,
        random_state=random_state,
        **kwargs,
    ).fit(X_TOY)
    return search.cv_results_["params"], search


def test_random_state_repeats_the_search_with_one_job():
    first, _ = _params(n_jobs=1)
    second, _ = _params(n_jobs=1)
    assert first == second
    other, _ = _params(n_jobs=1, random_state=43)
    assert other != first


def test_random_state_repeats_the_search_with_two_jobs_and_matches_one_job():
    # cv=2 on 2 workers: n_points="auto" is 1, as with one job
    first, search = _params(n_jobs=2)
    second, _ = _params(n_jobs=2)
    assert search.n_points_ == 1
    assert first == second
    assert first == _params(n_jobs=1)[0]


def test_fixed_batch_size_gives_the_same_params_for_any_n_jobs():
    one, _ = _params(n_jobs=1, n_points=2)
    two, search = _params(n_jobs=2, n_points=2)
    assert one == two
    np.testing.assert_array_equal(search.cv_results_["batch"], [0, 0, 1, 1, 2, 2, 3])


def test_cv_results_dtypes_and_masks_of_a_conditional_space():
    space = [
        {"x1": Real(-5.0, 10.0), "bonus": [0.0, 1.0]},
        {"x2": Real(0.0, 15.0), "fail": [False], "bonus": [2.0]},
    ]
    search = BayesianSearchCV(
        ToyEstimator(), space, n_iter=8, cv=2, random_state=0
    ).fit(X_TOY)
    results = search.cv_results_
    params = results["params"]
    assert {"x1" in p for p in params} == {True, False}  # both subspaces tried
    kinds = {"param_x1": "f", "param_x2": "f", "param_bonus": "f", "param_fail": "b"}
    for key, kind in kinds.items():
        assert isinstance(results[key], np.ma.MaskedArray), key
        assert results[key].dtype.kind == kind, key
        name = key[len("param_") :]
        np.testing.assert_array_equal(
            results[key].mask, [name not in p for p in params]
        )
    for key in ("mean_test_score", "std_test_score", "split0_test_score"):
        assert not isinstance(results[key], np.ma.MaskedArray)
        assert results[key].dtype == np.float64
    assert results["rank_test_score"].dtype == np.int32
    assert results["batch"].dtype.kind == "i"
