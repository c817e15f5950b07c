"""A search that dies keeps what it evaluated, and resumes without refitting it."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_regression

from sktune import BayesianSearchCV
from sktune.space import Real

X, y = make_regression(n_samples=60, n_features=3, noise=0.1, random_state=0)


class CountingRegressor(RegressorMixin, BaseEstimator):
    """Predicts a constant; its score is a smooth function of ``a``."""

    fits = 0

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        type(self).fits += 1
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y):
        return -((self.a - 0.3) ** 2)


class Crash(Exception):
    pass


def _search(path, **kwargs):
    return BayesianSearchCV(
        CountingRegressor(),
        {"a": Real(-1.0, 1.0)},
        n_iter=8,
        n_initial_points=3,
        n_points=1,
        cv=2,
        random_state=0,
        checkpoint=path,
        **kwargs,
    )


def _crash_after(n):
    def callback(result):
        if len(result.x_iters) >= n:
            raise Crash

    return callback


def test_resume_after_a_crash_refits_nothing_already_evaluated(tmp_path):
    path = tmp_path / "search.ckpt"
    with pytest.raises(Crash):
        _search(path, callbacks=[_crash_after(5)]).fit(X, y)
    assert path.exists()

    CountingRegressor.fits = 0
    search = _search(path).fit(X, y)
    # 3 new candidates x 2 folds, plus the final refit.
    assert CountingRegressor.fits == 3 * 2 + 1
    results = search.cv_results_
    assert len(results["params"]) == 8
    assert len({repr(p) for p in results["params"]}) == 8
    assert results["batch"].tolist() == list(range(8))
    best = int(np.argmax(results["mean_test_score"]))
    assert search.best_index_ == best
    assert results["rank_test_score"][best] == 1
    assert search.best_params_ == results["params"][best]
    assert results["param_a"].shape == (8,)


def test_resuming_a_complete_search_evaluates_only_its_best_again(tmp_path):
    path = tmp_path / "search.ckpt"
    first = _search(path).fit(X, y)
    CountingRegressor.fits = 0
    again = _search(path).fit(X, y)
    assert CountingRegressor.fits == 2 + 1
    assert len(again.cv_results_["params"]) == 8
    assert again.best_params_ == first.best_params_
    assert again.best_score_ == pytest.approx(first.best_score_)


def test_checkpoint_of_another_search_is_refused_before_any_fit(tmp_path):
    path = tmp_path / "search.ckpt"
    _search(path).fit(X, y)
    other = BayesianSearchCV(
        CountingRegressor(),
        {"a": Real(-2.0, 2.0)},
        n_iter=4,
        cv=2,
        checkpoint=path,
    )
    CountingRegressor.fits = 0
    with pytest.raises(ValueError, match=r"different search.*\['space'\]"):
        other.fit(X, y)
    assert CountingRegressor.fits == 0


def test_checkpoint_of_other_data_is_refused_before_any_fit(tmp_path):
    path = tmp_path / "search.ckpt"
    _search(path).fit(X, y)
    CountingRegressor.fits = 0
    with pytest.raises(ValueError, match=r"different search.*\['data'\]"):
        _search(path).fit(X[:50], y[:50])
    assert CountingRegressor.fits == 0


def test_the_fitted_search_keeps_no_reference_to_the_data(tmp_path):
    search = _search(tmp_path / "search.ckpt").fit(X, y)
    assert not hasattr(search, "_fit_data")
