"""Scoring, refit, groups, fit parameters and metadata routing, as in sklearn."""

import numpy as np
import pytest
import sklearn
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold, KFold, LeaveOneGroupOut, ShuffleSplit

from sktune import BayesianSearchCV
from sktune.space import Real

from ._doubles import ToyClassifier, ToyEstimator

X_TOY = np.zeros((8, 2))
SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def near_low_corner(estimator, X, y=None):
    """Best at (x1, x2) = (-5, 0)."""
    return -((estimator.x1 + 5) ** 2) - estimator.x2**2


def near_high_corner(estimator, X, y=None):
    """Best at (x1, x2) = (10, 15)."""
    return -((estimator.x1 - 10) ** 2) - (estimator.x2 - 15) ** 2


SCORING = {"low": near_low_corner, "high": near_high_corner}


def _multimetric(refit, **kwargs):
    return BayesianSearchCV(
        ToyEstimator(),
        SPACE,
        scoring=SCORING,
        refit=refit,
        n_iter=12,
        n_initial_points=5,
        cv=2,
        random_state=0,
        **kwargs,
    ).fit(X_TOY)


@pytest.mark.parametrize("refit, other", [("low", "high"), ("high", "low")])
def test_refit_metric_drives_the_optimizer(refit, other):
    search = _multimetric(refit)
    results = search.cv_results_
    driven = results[f"mean_test_{refit}"]
    # the optimizer was told the refit metric
    np.testing.assert_allclose(search.optimizer_results_[0].func_vals, -driven)
    # and its model-based proposals (after the 5-point design) chase that metric
    assert np.mean(driven[5:]) > np.mean(driven[:5])
    assert np.mean(driven[5:]) > np.mean(
        _multimetric(other).cv_results_[f"mean_test_{refit}"][5:]
    )
    assert search.best_index_ == int(np.argmax(driven))
    assert search.best_score_ == driven[search.best_index_]
    assert {"rank_test_low", "rank_test_high"} <= set(results)
    assert search.multimetric_ is True
    assert set(search.scorer_) == {"low", "high"}


@pytest.mark.parametrize("refit", ["low", "high"])
def test_multimetric_search_is_the_single_metric_search_of_its_refit(refit):
    # What applies of sklearn's test_random_search_cv_results_multimetric before
    # 1.8 (not_applicable.py): same candidates, model columns and scores as a
    # search scored by the refit metric alone.
    multi = _multimetric(refit).cv_results_
    single = (
        BayesianSearchCV(
            ToyEstimator(),
            SPACE,
            scoring=SCORING[refit],
            n_iter=12,
            n_initial_points=5,
            cv=2,
            random_state=0,
        )
        .fit(X_TOY)
        .cv_results_
    )
    assert multi["params"] == single["params"]
    for key in ("surrogate_mean", "surrogate_std", "acquisition", "batch"):
        np.testing.assert_array_equal(multi[key], single[key], err_msg=key)
    np.testing.assert_array_equal(
        multi[f"mean_test_{refit}"], single["mean_test_score"]
    )


def test_callable_refit_selects_its_index_and_first_metric_drives():
    def pick_best_high(results):
        return int(np.argmax(results["mean_test_high"]))

    search = _multimetric(pick_best_high)
    results = search.cv_results_
    assert search.best_index_ == int(np.argmax(results["mean_test_high"]))
    assert search.best_params_ == results["params"][search.best_index_]
    assert not hasattr(search, "best_score_")  # sklearn sets none for a callable
    assert search.best_estimator_.x1 == search.best_params_["x1"]
    # documented: with a callable refit the first metric drives the optimizer
    np.testing.assert_allclose(
        search.optimizer_results_[0].func_vals, -results["mean_test_low"]
    )


def test_callable_refit_single_metric():
    search = BayesianSearchCV(
        ToyEstimator(),
        SPACE,
        refit=lambda results: 0,
        n_iter=4,
        cv=2,
        random_state=0,
    ).fit(X_TOY)
    assert search.best_index_ == 0
    assert search.best_params_ == search.cv_results_["params"][0]


def test_refit_false():
    search = _multimetric(False)
    assert not hasattr(search, "best_estimator_")
    assert not hasattr(search, "best_index_")
    assert len(search.cv_results_["params"]) == 12
    with pytest.raises(AttributeError, match="has no attribute 'predict'"):
        search.predict(X_TOY)


def test_multimetric_refit_true_is_rejected_before_any_fit():
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        BayesianSearchCV(
            ToyEstimator(), SPACE, scoring=SCORING, refit=True, n_iter=2, cv=2
        ).fit(X_TOY)
    assert ToyEstimator.fits == []


def _classification_data():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y = np.arange(30) % 2
    groups = np.arange(30) % 3  # interleaved: plain K-fold would mix groups
    X[:, 0] = groups
    return X, y, groups


@pytest.mark.parametrize(
    "cv", [GroupKFold(3), LeaveOneGroupOut()], ids=["GroupKFold", "LeaveOneGroupOut"]
)
def test_groups_reach_the_splitter(cv):
    X, y, groups = _classification_data()
    search = BayesianSearchCV(
        ToyClassifier(), {"c": Real(0.0, 1.0)}, n_iter=3, cv=cv
    ).fit(X, y, groups=groups)
    assert search.n_splits_ == 3
    # every CV fit trains on two whole groups (column 0 of X is the group)
    cv_fits = ToyClassifier.fits[:-1]
    assert len(cv_fits) == 9
    for fit in cv_fits:
        values, counts = np.unique(fit["first_column"], return_counts=True)
        assert len(values) == 2 and list(counts) == [10, 10]
    with pytest.raises(ValueError, match="groups"):
        BayesianSearchCV(
            ToyClassifier(), {"c": Real(0.0, 1.0)}, n_iter=3, cv=GroupKFold(3)
        ).fit(X, y)


def test_fit_params_are_split_with_the_data():
    X, y, _ = _classification_data()
    sample_weight = np.arange(30, dtype=float)
    BayesianSearchCV(
        ToyClassifier(), {"c": Real(0.0, 1.0)}, n_iter=2, cv=3, random_state=0
    ).fit(X, y, sample_weight=sample_weight)
    *cv_fits, refit = ToyClassifier.fits
    assert len(cv_fits) == 6
    for fit in cv_fits:
        assert len(fit["sample_weight"]) == 20
        assert set(fit["sample_weight"]) <= set(sample_weight)
    np.testing.assert_array_equal(refit["sample_weight"], sample_weight)


def weighted_accuracy_calls(record):
    def score(y_true, y_pred, sample_weight=None):
        record.append(sample_weight)
        return accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    return score


def test_metadata_routing():
    X, y, groups = _classification_data()
    sample_weight = np.arange(1, 31, dtype=float)
    scored = []
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_scorer(weighted_accuracy_calls(scored)).set_score_request(
            sample_weight=True
        )
        estimator = ToyClassifier().set_fit_request(sample_weight=True)
        search = BayesianSearchCV(
            estimator,
            {"c": Real(0.0, 1.0)},
            scoring=scorer,
            n_iter=2,
            cv=GroupKFold(3),
            random_state=0,
        ).fit(X, y, sample_weight=sample_weight, groups=groups)
        assert search.n_splits_ == 3
        *cv_fits, refit = ToyClassifier.fits
        assert all(len(f["sample_weight"]) == 20 for f in cv_fits)
        np.testing.assert_array_equal(refit["sample_weight"], sample_weight)
        assert len(scored) == 6 and all(len(w) == 10 for w in scored)

        ToyClassifier.fits.clear()
        unrequested = BayesianSearchCV(
            ToyClassifier(), {"c": Real(0.0, 1.0)}, n_iter=2, cv=2
        )
        with pytest.raises(ValueError, match="sample_weight"):
            unrequested.fit(X, y, sample_weight=sample_weight)
        assert ToyClassifier.fits == []


@pytest.mark.parametrize(
    "cv",
    [KFold(3, shuffle=True), ShuffleSplit(3, test_size=0.25)],
    ids=["KFold-shuffle", "ShuffleSplit"],
)
def test_every_batch_uses_the_same_splits(cv):
    """As RandomizedSearchCV scores all candidates on one set of splits, so does a
    search that calls evaluate_candidates once per batch, even with a splitter
    that shuffles differently at every split() call."""
    X = np.arange(24, dtype=float).reshape(12, 2)
    search = BayesianSearchCV(ToyEstimator(), SPACE, n_iter=4, cv=cv, random_state=0)
    search.fit(X)
    *cv_fits, _ = ToyEstimator.fits
    train_sets = [fit[3] for fit in cv_fits]
    per_candidate = [tuple(train_sets[i : i + 3]) for i in range(0, 12, 3)]
    assert len(set(per_candidate)) == 1
    assert len(set(per_candidate[0])) == 3  # three different folds
