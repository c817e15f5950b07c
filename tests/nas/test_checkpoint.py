"""NAS checkpoints: trials survive a dead process; a resumed search retrains none."""

import copy

import joblib
import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sktune.nas import NASClassifier, _search  # noqa: E402

from ._archs import SMALL_SPACE  # noqa: E402


def small(**kwargs):
    params = dict(space=SMALL_SPACE, max_trials=3, max_epochs=4, random_state=0)
    return NASClassifier(**{**params, **kwargs})


@pytest.fixture
def count_trainings(monkeypatch):
    """Count the trials trained; ``die_at`` makes that call raise as a killed
    process would."""
    calls = {"n": 0, "die_at": None}
    run_trial = _search.run_trial

    def counting(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == calls["die_at"]:
            raise KeyboardInterrupt
        return run_trial(*args, **kwargs)

    monkeypatch.setattr(_search, "run_trial", counting)
    return calls


def stored_trials(path):
    return joblib.load(path)["results"]


def test_every_batch_is_written(blobs, tmp_path, count_trainings):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    clf = small(checkpoint=str(path)).fit(X, y)
    trials = stored_trials(path)
    assert len(trials) == 3 == count_trainings["n"]
    assert [t["score"] for t in trials] == list(clf.cv_results_["mean_test_score"])
    # Only the best trial keeps its weights.
    assert [t["states"] is not None for t in trials].count(True) == 1


def test_a_killed_search_resumes_without_retraining(blobs, tmp_path, count_trainings):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    count_trainings["die_at"] = 3
    with pytest.raises(KeyboardInterrupt):
        small(checkpoint=path, max_trials=4).fit(X, y)
    assert len(stored_trials(path)) == 2  # the two finished trials were kept

    count_trainings.update(n=0, die_at=None)
    resumed = small(checkpoint=path, max_trials=4).fit(X, y)
    assert count_trainings["n"] == 2  # only the missing trials were trained
    assert resumed.n_trials_ == 4
    uninterrupted = small(max_trials=4).fit(X, y)
    np.testing.assert_array_equal(  # the stored rows, as first run
        resumed.cv_results_["mean_test_score"][:2],
        uninterrupted.cv_results_["mean_test_score"][:2],
    )
    assert resumed.cv_results_["params"][:2] == uninterrupted.cv_results_["params"][:2]
    assert resumed.score(X, y) > 0.8


def test_a_complete_checkpoint_trains_nothing_again(blobs, tmp_path, count_trainings):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    first = small(checkpoint=path).fit(X, y)
    count_trainings["n"] = 0
    again = small(checkpoint=path, refit=False, pareto_costs=["latency_ms"]).fit(X, y)
    assert count_trainings["n"] == 0
    # The front is read again from the stored trials, with the new costs.
    latency = again.cv_results_["latency_ms"]
    front = [p["trial"] for p in again.pareto_front_]
    assert [latency[i] for i in front] == sorted(latency[i] for i in front)
    np.testing.assert_array_equal(latency, first.cv_results_["latency_ms"])
    assert again.best_index_ == first.best_index_
    as_trained = copy.copy(first)  # predicting with the best trial's own network
    as_trained.best_estimator_ = first.best_trial_estimator_
    np.testing.assert_allclose(again.predict_proba(X), as_trained.predict_proba(X))


@pytest.mark.parametrize(
    "change, differs",
    [({"max_epochs": 5}, "params"), ({"strategy": "random"}, "params"), (None, "data")],
)
def test_another_search_is_refused(blobs, tmp_path, change, differs):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    small(checkpoint=path, max_trials=1).fit(X, y)
    if change is None:
        X = X + 1.0
    with pytest.raises(ValueError, match=rf"checkpoint .* differs in \['{differs}'\]"):
        small(checkpoint=path, max_trials=2, **(change or {})).fit(X, y)


def test_bayesian_strategy_is_told_the_stored_trials(blobs, tmp_path, monkeypatch):
    from sktune.optimizers import BayesianOptimizer

    X, y = blobs
    path = tmp_path / "nas.ckpt"
    small(checkpoint=path, strategy="bayesian").fit(X, y)
    told = []
    tell = BayesianOptimizer.tell
    monkeypatch.setattr(
        BayesianOptimizer,
        "tell",
        lambda self, configs, scores, *costs: (
            told.append(len(configs)) or tell(self, configs, scores, *costs)
        ),
    )
    resumed = small(checkpoint=path, strategy="bayesian", max_trials=5).fit(X, y)
    assert told == [3, 1, 1]  # the stored trials first, then one per new trial
    assert resumed.n_trials_ == 5


def test_morphism_grows_the_stored_best(blobs, tmp_path):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    small(checkpoint=path, strategy="morphism").fit(X, y)
    resumed = small(checkpoint=path, strategy="morphism", max_trials=5).fit(X, y)
    # Its two seed networks (a quarter of max_trials, at least two) are stored, so
    # the new trials grow the stored best instead of drawing new seeds.
    assert list(resumed.cv_results_["operation"][:2]) == [None, None]
    assert all(op is not None for op in resumed.cv_results_["operation"][3:])
    assert set(resumed.cv_results_["parent"][3:]) <= set(range(5))


def test_multi_fidelity_resumes_with_new_configuration_ids(blobs, tmp_path):
    X, y = blobs
    path = tmp_path / "nas.ckpt"
    params = dict(
        multi_fidelity="hyperband",
        strategy="random",
        min_epochs=1,
        max_epochs=3,
        checkpoint=path,
    )
    first = small(**params, max_trials=4).fit(X, y)
    resumed = small(**params, max_trials=9).fit(X, y)
    ids = resumed.cv_results_["config_id"]
    np.testing.assert_array_equal(ids[:4], first.cv_results_["config_id"])
    assert min(ids[4:]) > max(ids[:4])  # a new iteration, new configurations
