"""n_finalists: the best trials re-scored by cross-validation before the choice."""

import math

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sktune.nas import NASClassifier, _finalists  # noqa: E402
from sktune.nas._finalists import finalist_epochs  # noqa: E402

from ._archs import SMALL_SPACE  # noqa: E402


def search(**kwargs):
    params = dict(
        space=SMALL_SPACE, strategy="random", max_trials=4, max_epochs=4, random_state=0
    )
    return NASClassifier(**{**params, **kwargs})


def ranking(cv_results):
    """Trial indices from the best to the worst, as the search ranks them."""
    keys = zip(
        -cv_results["mean_test_score"], cv_results["n_params"], range(4), strict=True
    )
    return [k[2] for k in sorted(keys)]


def fake_cv_scores(monkeypatch, scores_by_rank, status="ok"):
    """Make the re-scoring return ``scores_by_rank[i]`` for the i-th finalist."""
    calls = []
    run_trial = _finalists.run_trial

    def fake_run_trial(job, X, y, splits, settings):
        score = scores_by_rank[len(calls)]
        calls.append(job)
        return run_trial(job, X, y, splits, settings) | {
            "status": status,
            "scores": [score] * len(splits) if status == "ok" else [],
        }

    monkeypatch.setattr(_finalists, "run_trial", fake_run_trial)
    return calls


def test_finalists_are_the_best_trials_cross_validated(blobs):
    X, y = blobs
    plain = search().fit(X, y)
    clf = search(n_finalists=3, finalist_cv=2).fit(X, y)
    assert plain.finalists_ == []
    # The search itself is the same; only the choice after it differs.
    np.testing.assert_array_equal(
        plain.cv_results_["mean_test_score"], clf.cv_results_["mean_test_score"]
    )
    order = ranking(clf.cv_results_)
    assert [f["trial"] for f in clf.finalists_] == order[:3]
    for f in clf.finalists_:
        assert f["status"] == "ok" and 0.0 <= f["cv_score"] <= 1.0
        assert f["score"] == clf.cv_results_["mean_test_score"][f["trial"]]
    best_cv = max(f["cv_score"] for f in clf.finalists_)
    assert clf.best_index_ in [
        f["trial"] for f in clf.finalists_ if f["cv_score"] == best_cv
    ]
    assert clf.best_score_ == clf.cv_results_["mean_test_score"][clf.best_index_]
    assert clf.best_architecture_ == clf.cv_results_["architecture"][clf.best_index_]
    # The chosen trial's own network was kept: its weights are the trained ones.
    trial_net = clf.best_trial_estimator_
    assert trial_net.score(X.astype(np.float32), clf._encode_y(y)) > 0.5
    again = search(n_finalists=3, finalist_cv=2).fit(X, y)
    assert [f["cv_score"] for f in again.finalists_] == [
        f["cv_score"] for f in clf.finalists_
    ]


def test_the_choice_follows_the_cross_validated_score(blobs, monkeypatch):
    X, y = blobs
    calls = fake_cv_scores(monkeypatch, [0.5, 0.6, 0.9])
    clf = search(n_finalists=3, refit=False).fit(X, y)
    third = ranking(clf.cv_results_)[2]
    assert clf.best_index_ == third
    assert clf.best_params_ == clf.cv_results_["params"][third]
    assert clf.best_estimator_ is clf.best_trial_estimator_
    assert [f["cv_score"] for f in clf.finalists_] == [0.5, 0.6, 0.9]
    # Each finalist is retrained with its trial's seed, from scratch.
    ranked = ranking(clf.cv_results_)
    assert [j["architecture"] for j in calls] == [
        clf.cv_results_["architecture"][t] for t in ranked[:3]
    ]
    assert all(j["parent_states"] is None for j in calls)


def test_every_finalist_failing_keeps_the_search_choice(blobs, monkeypatch):
    X, y = blobs
    fake_cv_scores(monkeypatch, [0, 0], status="failed")
    plain = search().fit(X, y)
    clf = search(n_finalists=2).fit(X, y)
    assert clf.best_index_ == plain.best_index_
    assert [f["status"] for f in clf.finalists_] == ["failed", "failed"]
    assert all(math.isnan(f["cv_score"]) for f in clf.finalists_)


def test_more_finalists_than_trials(blobs):
    X, y = blobs
    clf = search(max_trials=2, n_finalists=5, finalist_cv=2).fit(X, y)
    assert sorted(f["trial"] for f in clf.finalists_) == [0, 1]


@pytest.mark.parametrize(
    "trial, expected",
    [
        ({"epochs_total": 7.0}, 10),  # early-stopped trial: the search's max_epochs
        ({"epochs_total": 9.0, "n_resources": 9}, 9),  # a Hyperband rung's epochs
        ({"epochs_total": 24.5}, 25),  # a grown network's whole lineage
    ],
)
def test_finalist_epochs(trial, expected):
    assert finalist_epochs(trial, max_epochs=10) == expected


def test_a_checkpointed_search_can_be_rescored(blobs, tmp_path, monkeypatch):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    first = search(checkpoint=path).fit(X, y)
    fake_cv_scores(monkeypatch, [0.1, 0.9])
    trained = []
    monkeypatch.setattr(
        "sktune.nas._search.run_trial", lambda *a, **k: trained.append(1)
    )
    resumed = search(checkpoint=path, n_finalists=2, refit=False).fit(X, y)
    assert not trained  # every trial came from the checkpoint
    assert resumed.best_index_ == ranking(first.cv_results_)[1]
    assert resumed.predict(X).shape == y.shape


def test_regressor_finalists():
    from sklearn.datasets import make_regression

    from sktune.nas import NASRegressor

    X, y = make_regression(80, 4, random_state=0)
    reg = NASRegressor(
        space=SMALL_SPACE, max_trials=3, max_epochs=3, n_finalists=2, random_state=0
    ).fit(X, y)
    assert len(reg.finalists_) == 2
    best = max(reg.finalists_, key=lambda f: f["cv_score"])
    assert reg.best_index_ == best["trial"]
    assert reg.predict(X[:2]).shape == (2,)
