"""``evaluation_recorder``: fits run outside sklearn's ``evaluate_candidates`` reach
``cv_results_``; it fails loudly if a sklearn release renames what it extends."""

import numpy as np
import pytest

from sktune.search._compat import BaseSearchCV, evaluation_recorder, set_up_fit

from ._doubles import EpochModel

X = np.zeros((30, 2))


def _record(score):
    """A ``_fit_and_score`` record of one fold."""
    return {
        "fit_error": None,
        "test_scores": score,
        "n_test_samples": 10,
        "fit_time": 0.5,
        "score_time": 0.0,
    }


class RecordedSearch(BaseSearchCV):
    """Evaluates ``{"a": 0.1}`` through sklearn, then records ``{"a": 0.3}``."""

    def __init__(self, estimator, *, cv=3, sklearn_first=True):
        super().__init__(estimator, cv=cv, return_train_score=False)
        self.sklearn_first = sklearn_first

    def fit(self, X, y=None, **params):
        set_up_fit(self, X, y, params)  # as sktune's searches do
        return super().fit(X, y, **params)

    def _run_search(self, evaluate_candidates):
        record = evaluation_recorder(evaluate_candidates, self)
        if self.sklearn_first:
            evaluate_candidates([{"a": 0.1}], more_results={"extra": [1]})
        self.returned_ = record(
            [{"a": 0.3}], [_record(2.0)] * 3, more_results={"extra": [2]}
        )


@pytest.mark.parametrize("sklearn_first", [True, False])
def test_recorded_fits_reach_cv_results(sklearn_first):
    search = RecordedSearch(EpochModel(), sklearn_first=sklearn_first).fit(X)
    results = search.cv_results_
    params = [{"a": 0.1}, {"a": 0.3}] if sklearn_first else [{"a": 0.3}]
    assert results["params"] == params
    assert list(results["extra"]) == [1, 2][-len(params) :]
    assert results["mean_test_score"][-1] == 2.0
    assert results["mean_fit_time"][-1] == 0.5
    # fit selected among sklearn's and the recorded rows, and refitted that one.
    assert search.best_params_ == {"a": 0.3} and search.best_index_ == len(params) - 1
    assert search.best_estimator_.a == 0.3
    assert search.returned_ is not None and search.returned_["params"] == params


def test_refuses_a_closure_without_sklearns_variables():
    all_out = []

    def evaluate_candidates(candidate_params, cv=None, more_results=None):
        all_out.extend(candidate_params)

    with pytest.raises(RuntimeError, match=r"does not hold \['all_candidate_params'"):
        evaluation_recorder(evaluate_candidates, RecordedSearch(EpochModel()))
