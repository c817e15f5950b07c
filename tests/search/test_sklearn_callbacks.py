"""scikit-learn >= 1.9 callbacks (``sklearn.callback``) on BayesianSearchCV.

sklearn hands ``_run_search`` a ``callback_ctx``; BayesianSearchCV opens a
"search" task under it, one "batch" task per batch, and passes the batch context to
``evaluate_candidates``, whose fits become "candidate-split-evaluation" leaves.
"""

import inspect
from collections import Counter

import numpy as np
import pytest

callback = pytest.importorskip(
    "sklearn.callback", reason="sklearn < 1.9 has no callback API"
)
callback_utils = pytest.importorskip(
    "sklearn.callback.tests._utils", reason="sklearn installed without its tests"
)

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import FitFailedWarning  # noqa: E402

from sktune import BayesianSearchCV  # noqa: E402
from sktune.space import Integer, Real  # noqa: E402

from ._doubles import ToyEstimator  # noqa: E402

X, y = make_classification(n_samples=40, n_features=4, n_informative=2, random_state=0)


def _search(refit=True, n_points=1, estimator=None):
    return BayesianSearchCV(
        estimator or callback_utils.MaxIterEstimator(),
        {"max_iter": Integer(1, 5)},
        n_iter=4,
        n_points=n_points,
        cv=2,
        scoring="r2",
        refit=refit,
        random_state=0,
    )


def test_run_search_accepts_callback_ctx():
    assert "callback_ctx" in inspect.signature(BayesianSearchCV._run_search).parameters


@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize("n_points, n_batches", [(1, 4), (2, 2), (4, 1)])
def test_hook_counts_and_task_tree(refit, n_points, n_batches):
    recorder = callback_utils.RecordingCallback()
    search = _search(refit, n_points).set_callbacks(recorder).fit(X, y)
    n_evaluations = 4 * search.n_splits_
    expected = 1 + 1 + n_batches + n_evaluations + refit  # root, search, ...
    assert recorder.count_hooks("setup") == 1
    assert recorder.count_hooks("on_fit_task_begin") == expected
    assert recorder.count_hooks("on_fit_task_end") == expected
    assert recorder.count_hooks("teardown") == 1

    begins = [e for e in recorder.record if e["name"] == "on_fit_task_begin"]
    tasks = Counter(e["context"].task_name for e in begins)
    assert tasks["search"] == 1
    assert tasks["batch"] == n_batches
    assert tasks["candidate-split-evaluation"] == n_evaluations
    assert tasks["refit-with-best-params"] == refit
    for entry in begins:
        context = entry["context"]
        assert entry["estimator"] is search
        if context.task_name == "candidate-split-evaluation":
            assert context.parent.task_name == "batch"
            assert context.parent.parent.task_name == "search"
        if context.task_name == "batch":
            assert context.max_subtasks == n_points * search.n_splits_


def test_auto_propagated_callback_reaches_every_inner_fit():
    recorder = callback_utils.RecordingAutoPropagatedCallback()
    search = _search().set_callbacks(recorder).fit(X, y)
    own = 1 + 1 + 4 + 4 * search.n_splits_ + 1
    inner = sum(p["max_iter"] for p in search.cv_results_["params"]) * search.n_splits_
    refit = search.best_estimator_.n_iter_
    assert recorder.count_hooks("on_fit_task_begin") == own + inner + refit
    assert recorder.count_hooks("on_fit_task_end") == own + inner + refit


def test_failing_batches_still_open_and_close_every_task():
    recorder = callback_utils.RecordingCallback()
    search = BayesianSearchCV(
        ToyEstimator(),
        {"x1": Real(-5.0, 10.0), "fail": [False, True]},
        n_iter=6,
        cv=2,
        random_state=0,
    ).set_callbacks(recorder)
    with pytest.warns(FitFailedWarning, match="All the 2 fits of this batch failed"):
        search.fit(np.zeros((8, 2)))
    expected = 1 + 1 + 6 + 6 * 2 + 1
    assert recorder.count_hooks("on_fit_task_begin") == expected
    assert recorder.count_hooks("on_fit_task_end") == expected
    assert recorder.count_hooks("teardown") == 1


def test_sklearn_progress_bar_callback():
    pytest.importorskip("rich", reason="sklearn's ProgressBar needs rich")
    bar = callback.ProgressBar()
    search = _search().set_callbacks(bar).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.best_score_)


def test_sklearn_scoring_monitor_on_the_inner_estimator():
    monitor = callback.ScoringMonitor(scoring="r2")
    estimator = callback_utils.MaxIterEstimator().set_callbacks(monitor)
    search = _search(estimator=estimator).fit(X, y)
    (log,) = monitor.get_logs(select="all")
    fits = [row for row in log.data if row["task_name"] == "fit"]
    # one logged fit per CV fit, plus the refit
    assert len(fits) == 4 * search.n_splits_ + 1
    assert all(np.isfinite(row["r2"]) for row in fits)
