"""error_score, failed batches, and bad input rejected before any fit."""

import re

import numpy as np
import pytest
from sklearn.exceptions import FitFailedWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sktune import BayesianSearchCV
from sktune.optimizers import BayesianOptimizer
from sktune.space import Categorical, Real

from ._doubles import ToyEstimator

X_TOY = np.zeros((8, 2))
SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}
FAILING = {**SPACE, "fail": [False, True]}


@pytest.mark.parametrize("error_score", [np.nan, -1e4])
def test_failing_candidates_are_recorded_and_the_search_goes_on(error_score):
    search = BayesianSearchCV(
        ToyEstimator(),
        FAILING,
        n_iter=10,
        n_points=1,
        cv=2,
        random_state=0,
        error_score=error_score,
    )
    with pytest.warns(FitFailedWarning, match="All the 2 fits of this batch failed"):
        search.fit(X_TOY)
    results = search.cv_results_
    failed = np.array([p["fail"] for p in results["params"]])
    assert len(failed) == 10  # one failing batch did not end the search
    assert failed.any() and not failed.all()
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        if np.isnan(error_score):
            assert np.all(np.isnan(results[key][failed]))
        else:
            np.testing.assert_array_equal(results[key][failed], error_score)
        assert np.all(np.isfinite(results[key][~failed]))
    # failures rank last and are never the best
    assert np.all(
        results["rank_test_score"][failed] > results["rank_test_score"][~failed].max()
    )
    assert search.best_params_["fail"] is False
    # the optimizer sees them as failures (NaN), not as a good score
    func_vals = search.optimizer_results_[0].func_vals
    assert np.all(np.isnan(func_vals[failed]))


def test_failing_region_is_avoided_after_the_initial_design():
    search = BayesianSearchCV(
        ToyEstimator(),
        FAILING,
        n_iter=16,
        n_initial_points=6,
        cv=2,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X_TOY)
    failed = np.array([p["fail"] for p in search.cv_results_["params"]])
    assert failed[:6].sum() >= 2  # the design tried the failing choice
    assert failed[6:].sum() <= 2  # the model mostly stays away from it


def test_error_score_raise_raises_the_fit_error():
    search = BayesianSearchCV(
        ToyEstimator(fail=True), SPACE, n_iter=3, cv=2, error_score="raise"
    )
    with pytest.raises(ValueError, match="ToyEstimator was asked to fail"):
        search.fit(X_TOY)
    assert len(ToyEstimator.fits) == 1  # stopped at the very first failure


def test_every_candidate_failing_raises_a_clear_error():
    search = BayesianSearchCV(ToyEstimator(fail=True), SPACE, n_iter=3, cv=2)
    with pytest.warns(FitFailedWarning):
        with pytest.raises(ValueError, match="All the 3 candidates failed to fit"):
            search.fit(X_TOY)
    assert len(ToyEstimator.fits) == 6


def test_partly_failing_batch_warns_like_sklearn():
    search = BayesianSearchCV(
        ToyEstimator(),
        {"x1": Real(-5.0, 10.0), "fail": [False, True]},
        n_iter=4,
        n_points=4,
        n_initial_points=4,
        cv=2,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning, match=r"fits failed out of a total of 8"):
        search.fit(X_TOY)


def test_non_finite_score_warning_is_issued_once():
    search = BayesianSearchCV(ToyEstimator(), FAILING, n_iter=8, cv=2, random_state=0)
    with pytest.warns(UserWarning) as record:
        search.fit(X_TOY)
    non_finite = [w for w in record if "scores are non-finite" in str(w.message)]
    assert len(non_finite) == 1
    # the one shown is the final one, listing every candidate's mean score
    assert str(non_finite[0].message).count("nan") == sum(
        p["fail"] for p in search.cv_results_["params"]
    )


# -- bad input fails before any fit, naming the parameter ---------------------

BAD_SPACES = [
    ({"x1": (5.0, 1.0)}, ValueError, "'x1'.*low must be smaller than high"),
    ({"x1": (0.0, 1.0, "log-uniform")}, ValueError, "'x1'.*log-uniform.*low > 0"),
    ({"x1": []}, ValueError, "'x1'.*choices must not be empty"),
    ({"x1": "abc"}, TypeError, "'x1'"),
    ({}, ValueError, "search_spaces must not be empty"),
    ([], ValueError, "search_spaces must not be an empty list"),
    ([{"x1": [1.0]}, {}], ValueError, r"search_spaces\[1\] must not be empty"),
    ("x1", ValueError, "'search_spaces' parameter"),
]


@pytest.mark.parametrize("space, error, match", BAD_SPACES)
def test_invalid_space_fails_before_any_fit(space, error, match):
    with pytest.raises(error, match=match):
        BayesianSearchCV(ToyEstimator(), space, n_iter=3, cv=2).fit(X_TOY)
    assert ToyEstimator.fits == []


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        BayesianSearchCV(ToyEstimator(), {"bogus": [1]}, cv=2).fit(X_TOY)
    message = str(info.value)
    assert "'bogus'" in message
    assert "['bonus', 'fail', 'x1', 'x2']" in message
    assert ToyEstimator.fits == []


def test_unknown_pipeline_step_parameter():
    pipe = Pipeline([("scale", StandardScaler()), ("toy", ToyEstimator())])
    with pytest.raises(ValueError, match=r"'toy__x3'.*'toy__x1'"):
        BayesianSearchCV(pipe, {"toy__x3": [1.0]}, cv=2).fit(X_TOY)
    assert ToyEstimator.fits == []


def test_unknown_parameter_in_one_subspace_is_found():
    spaces = [{"x1": [1.0, 2.0]}, {"x2": [1.0], "nope": [1]}]
    with pytest.raises(ValueError, match="'nope'"):
        BayesianSearchCV(ToyEstimator(), spaces, cv=2).fit(X_TOY)
    assert ToyEstimator.fits == []


BAD_OPTIONS = [
    ({"n_iter": 0}, "'n_iter' parameter"),
    ({"n_iter": -2}, "'n_iter' parameter"),
    ({"n_points": 0}, "'n_points' parameter"),
    ({"n_points": "many"}, "'n_points' parameter"),
    ({"n_initial_points": 0}, "'n_initial_points' parameter"),
    ({"acq_func": "UCB"}, "'acq_func' parameter"),
    ({"optimizer_kwargs": {"n_candidate": 10}}, "optimizer_kwargs.*'n_candidate'"),
    ({"optimizer_kwargs": {"acq_optimizer_kwargs": {"foo": 1}}}, "foo"),
    ({"optimizer_kwargs": {"initial_point_generator": "lhs"}}, "initial_point"),
    ({"callbacks": 3}, "'callbacks' parameter"),
    ({"callbacks": [print, 3]}, re.escape("callbacks[1] must be callable")),
    ({"timeout": 0}, "'timeout' parameter"),
    ({"timeout": -1.0}, "'timeout' parameter"),
    ({"progress_bar": "yes"}, "'progress_bar' parameter"),
    ({"random_state": "seed"}, "'random_state' parameter"),
    ({"error_score": "ignore"}, "'error_score' parameter"),
]


@pytest.mark.parametrize("options, match", BAD_OPTIONS)
def test_invalid_option_fails_before_any_fit(options, match):
    search = BayesianSearchCV(ToyEstimator(), SPACE, cv=2, **options)
    with pytest.raises((ValueError, TypeError), match=match):
        search.fit(X_TOY)
    assert ToyEstimator.fits == []


def test_inconsistent_lengths_fail_before_any_fit():
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[8, 5\]"):
        BayesianSearchCV(ToyEstimator(), SPACE, cv=2).fit(X_TOY, np.zeros(5))
    assert ToyEstimator.fits == []


def test_categorical_of_unhashables_is_accepted():
    # lists and dicts as choices work, as sklearn's grids allow
    space = {"x1": [1.0, 2.0], "bonus": Categorical([0.0, 1.0])}
    search = BayesianSearchCV(ToyEstimator(), space, n_iter=4, cv=2, random_state=0)
    search.fit(X_TOY)
    assert search.best_params_ == {"x1": 2.0, "bonus": 1.0}


def test_numeric_error_score_that_looks_good_does_not_attract_the_optimizer():
    # every real score is negative; error_score=0 would be the best by far if the
    # optimizer took it as a score (refit=False: sklearn itself would pick and
    # refit a failed candidate as the best here)
    search = BayesianSearchCV(
        ToyEstimator(),
        FAILING,
        n_iter=16,
        n_initial_points=6,
        cv=2,
        random_state=0,
        error_score=0.0,
        refit=False,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X_TOY)
    results = search.cv_results_
    failed = np.array([p["fail"] for p in results["params"]])
    np.testing.assert_array_equal(results["mean_test_score"][failed], 0.0)
    assert failed[:6].sum() >= 2
    assert failed[6:].sum() <= 2
    (result,) = search.optimizer_results_
    assert np.all(np.isnan(result.scores[failed]))
    assert result.x["fail"] is False


def test_numeric_error_score_does_not_trigger_a_threshold_stopper():
    from sktune.callbacks import ThresholdStopper

    search = BayesianSearchCV(
        ToyEstimator(),
        FAILING,
        n_iter=6,
        n_initial_points=6,
        cv=2,
        random_state=0,
        error_score=0.0,
        refit=False,
        callbacks=[ThresholdStopper(-1.0)],  # no real score reaches it
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X_TOY)
    assert len(search.cv_results_["params"]) == 6


def test_every_candidate_failing_raises_whatever_the_error_score():
    search = BayesianSearchCV(
        ToyEstimator(fail=True), SPACE, n_iter=2, cv=2, error_score=0.0
    )
    with pytest.warns(FitFailedWarning):
        with pytest.raises(ValueError, match="All the 2 candidates failed to fit"):
            search.fit(X_TOY)


def two_metrics(estimator, X, y=None):
    """A callable scoring returning several metrics."""
    return {"a": estimator.score(X), "b": -estimator.x1}


def _first_seed_whose_design_starts(space, failing):
    """The first random_state whose first design point has ``fail=failing`` (read
    from the optimizer the search makes: scipy's Sobol streams differ between
    releases, so fixed seeds would not mean the same designs everywhere)."""
    for seed in range(100):
        (first,) = BayesianOptimizer(space, random_state=seed).ask()
        if first.params["fail"] is failing:
            return seed
    raise AssertionError("no such seed")


@pytest.mark.parametrize("first_fails", [False, True])
def test_failing_batch_with_callable_multimetric_scoring(first_fails):
    space = {"x1": Real(-5.0, 10.0), "fail": [True, False]}
    seed = _first_seed_whose_design_starts(space, first_fails)
    search = BayesianSearchCV(
        ToyEstimator(),
        space,
        scoring=two_metrics,
        refit="a",
        n_iter=5,
        cv=2,
        random_state=seed,
        return_train_score=True,
    )
    with pytest.warns(FitFailedWarning, match="All the 2 fits of this batch failed"):
        search.fit(X_TOY)
    results = search.cv_results_
    failed = np.array([p["fail"] for p in results["params"]])
    assert bool(failed[0]) is first_fails
    assert failed.any() and not failed.all()
    assert search.multimetric_ is True
    for metric in ("a", "b"):
        for kind in ("test", "train"):
            values = results[f"mean_{kind}_{metric}"]
            assert np.all(np.isnan(values[failed]))
            assert np.all(np.isfinite(values[~failed]))
    assert search.best_params_["fail"] is False
