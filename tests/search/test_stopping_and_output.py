"""Stoppers and callbacks, verbose output, the progress bar, sklearn's callbacks."""

import re
import time

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.model_selection import RandomizedSearchCV

from sktune import BayesianSearchCV
from sktune.callbacks import DeadlineStopper, NoImprovementStopper, ThresholdStopper
from sktune.space import Real

from ._doubles import SlowEstimator, ToyEstimator

X_TOY = np.zeros((8, 2))
SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def _search(estimator=None, **kwargs):
    options = {"n_iter": 30, "cv": 2, "random_state": 0, **kwargs}
    return BayesianSearchCV(estimator or ToyEstimator(), SPACE, **options)


def _running_best(scores):
    return np.maximum.accumulate(np.where(np.isnan(scores), -np.inf, scores))


# -- stoppers -----------------------------------------------------------------


def test_timeout_stops_the_search():
    search = _search(SlowEstimator(delay=0.05), n_iter=200, timeout=0.5)
    start = time.monotonic()
    search.fit(X_TOY)
    elapsed = time.monotonic() - start
    n = len(search.cv_results_["params"])
    assert 1 <= n < 200
    # no batch starts after the budget: at most one batch (one candidate) runs on
    assert n <= 0.5 / 0.1 + 1
    assert elapsed < 30  # generous: only guards against ignoring the budget
    assert search.best_estimator_ is not None


def test_deadline_stopper_stops_the_search():
    search = _search(
        SlowEstimator(delay=0.05), n_iter=200, callbacks=DeadlineStopper(0.5)
    ).fit(X_TOY)
    n = len(search.cv_results_["params"])
    assert 1 <= n <= 0.5 / 0.1 + 1


def _batches_since_improvement(scores):
    best, stale, out = -np.inf, 0, []
    for score in scores:
        if score > best:
            best, stale = score, 0
        else:
            stale += 1
        out.append(stale)
    return out


def test_no_improvement_stopper_stops_after_k_stale_batches():
    search = _search(callbacks=[NoImprovementStopper(n_rounds=3)], n_iter=60).fit(X_TOY)
    scores = search.cv_results_["mean_test_score"]
    stale = _batches_since_improvement(scores)  # n_points=1: one batch = one score
    assert len(scores) < 60
    assert stale[-1] == 3  # stopped right when the third stale batch ended
    assert max(stale[:-1]) < 3  # and not before


def test_no_improvement_stopper_min_delta():
    stopper = NoImprovementStopper(n_rounds=2, min_delta=1e6)  # nothing is enough
    search = _search(callbacks=[stopper]).fit(X_TOY)
    # the first batch improves on -inf; the next two do not count
    assert len(search.cv_results_["params"]) == 3


def test_no_improvement_stopper_is_reusable_across_fits():
    stopper = NoImprovementStopper(n_rounds=2, min_delta=1e6)
    first = _search(callbacks=[stopper]).fit(X_TOY)
    second = _search(callbacks=[stopper]).fit(X_TOY)
    assert len(second.cv_results_["params"]) == len(first.cv_results_["params"]) == 3


def test_threshold_stopper_stops_at_the_first_good_enough_score():
    threshold = -20.0
    search = _search(callbacks=[ThresholdStopper(threshold)], n_iter=60).fit(X_TOY)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) < 60
    assert scores[-1] >= threshold
    assert np.all(scores[:-1] < threshold)


def test_callback_returning_true_stops_and_sees_the_search_so_far():
    seen = []

    def stop_after_four(result):
        seen.append(result)
        return len(result.x_iters) >= 4

    search = _search(callbacks=stop_after_four).fit(X_TOY)
    results = search.cv_results_
    assert len(results["params"]) == 4
    assert [len(r.x_iters) for r in seen] == [1, 2, 3, 4]
    last = seen[-1]
    assert last.x_iters == results["params"]
    np.testing.assert_allclose(last.scores, results["mean_test_score"])
    assert last.best_score == pytest.approx(search.best_score_)
    assert last.x == search.best_params_
    assert last.elapsed >= 0


def test_callback_returning_falsy_values_does_not_stop():
    search = _search(callbacks=[lambda r: None, lambda r: 0], n_iter=5).fit(X_TOY)
    assert len(search.cv_results_["params"]) == 5


def test_stop_applies_after_a_whole_batch():
    search = _search(callbacks=[lambda r: True], n_points=3, n_iter=9).fit(X_TOY)
    assert len(search.cv_results_["params"]) == 3


class SkoptStyleDeltaY:
    """Written as for scikit-optimize (minimisation): stop once the best ``n``
    values of ``result.func_vals`` lie within ``delta``."""

    def __init__(self, delta, n_best=3):
        self.delta = delta
        self.n_best = n_best
        self.func_vals = []

    def __call__(self, result):
        self.func_vals.append(np.array(result.func_vals))
        if len(result.func_vals) < self.n_best:
            return False
        best = np.sort(result.func_vals)[: self.n_best]
        return best[-1] - best[0] <= self.delta


def test_skopt_style_callback_reading_func_vals():
    callback = SkoptStyleDeltaY(delta=5.0)
    search = _search(callbacks=[callback], n_iter=60).fit(X_TOY)
    scores = search.cv_results_["mean_test_score"]
    # func_vals are the negated scores, as scikit-optimize minimises
    np.testing.assert_allclose(callback.func_vals[-1], -scores)
    assert len(scores) < 60
    best3 = np.sort(-scores)[:3]
    assert best3[-1] - best3[0] <= 5.0
    previous = np.sort(-scores[:-1])[:3]
    assert previous[-1] - previous[0] > 5.0


# -- output -------------------------------------------------------------------

FITTING = re.compile(
    r"^Fitting (\d+) folds for each of (\d+) candidates, totalling (\d+) fits$"
)


def _fitting_lines(text):
    return [FITTING.match(line) for line in text.splitlines() if FITTING.match(line)]


def test_verbose_1_prints_sklearn_lines_per_batch(capsys):
    _search(verbose=1, n_iter=5, n_points=2).fit(X_TOY)
    out = capsys.readouterr().out
    lines = _fitting_lines(out)
    # batches of 2, 2, 1 candidates, each announced as sklearn does
    assert [(m[1], m[2], m[3]) for m in lines] == [
        ("2", "2", "4"),
        ("2", "2", "4"),
        ("2", "1", "2"),
    ]
    RandomizedSearchCV(
        ToyEstimator(), {"x1": uniform(-5, 15)}, n_iter=5, cv=2, verbose=1
    ).fit(X_TOY)
    assert len(_fitting_lines(capsys.readouterr().out)) == 1  # same format


def test_verbose_0_prints_nothing(capsys):
    _search(verbose=0, n_iter=3).fit(X_TOY)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_verbose_3_prints_each_fit_with_its_score(capsys):
    search = _search(verbose=3, n_iter=3).fit(X_TOY)
    out = capsys.readouterr().out
    ends = [line for line in out.splitlines() if re.match(r"\[CV \d/2.*\] END", line)]
    assert len(ends) == 3 * 2
    for params, line in zip(
        np.repeat(search.cv_results_["params"], 2), ends, strict=True
    ):
        assert f"x1={params['x1']!r}, x2={params['x2']!r};" in line
        assert re.search(r"score=-?\d", line)


def test_progress_bar_reports_trials_and_best(capsys):
    search = _search(progress_bar=True, n_iter=5).fit(X_TOY)
    err = capsys.readouterr().err
    assert "BayesianSearchCV" in err
    assert "5/5" in err
    assert "trial" in err
    assert f"best={search.best_score_:.4g}" in err
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", err)  # elapsed<ETA


def test_no_progress_bar_by_default(capsys):
    _search(n_iter=3).fit(X_TOY)
    assert "trial" not in capsys.readouterr().err


def test_no_improvement_stopper_reused_after_a_one_batch_search():
    # the first fit ends after a single batch of 3; the second fit, with the same
    # seed, starts with the same batch: a fresh stopper must see it as progress
    stopper = NoImprovementStopper(n_rounds=1)
    _search(callbacks=[stopper], n_points=3, n_iter=3).fit(X_TOY)
    reused = _search(callbacks=[stopper], n_points=3, n_iter=12).fit(X_TOY)
    fresh = _search(
        callbacks=[NoImprovementStopper(n_rounds=1)], n_points=3, n_iter=12
    ).fit(X_TOY)
    assert len(fresh.cv_results_["params"]) > 3
    assert reused.cv_results_["params"] == fresh.cv_results_["params"]
