"""Multi-fidelity NAS: Hyperband brackets over epochs, promoted nets trained on."""

import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.datasets import make_regression  # noqa: E402

from sktune.nas import NASClassifier, NASRegressor  # noqa: E402
from sktune.optimizers import hyperband_brackets  # noqa: E402

from ._archs import SMALL_SPACE  # noqa: E402

# hyperband_brackets(1, 9, eta=3): 9 -> 3 -> 1 at 1/3/9 epochs, 5 -> 1 at 3/9, 3 at 9.
ONE_ITERATION = 22


def hb(**kwargs):
    params = dict(
        space=SMALL_SPACE,
        strategy="random",
        multi_fidelity="hyperband",
        min_epochs=1,
        max_epochs=9,
        eta=3,
        max_trials=ONE_ITERATION,
        early_stopping=False,
        random_state=0,
    )
    return NASClassifier(**{**params, **kwargs})


def _plan_rows(min_epochs, max_epochs, eta):
    """(bracket, rung, epochs) of every row of one Hyperband iteration."""
    rows = []
    for b in hyperband_brackets(min_epochs, max_epochs, eta):
        for i, (n, r) in enumerate(zip(b.n_candidates, b.n_resources, strict=True)):
            rows += [(b.s, i, r)] * n
    return rows


def test_rows_follow_the_hyperband_schedule(blobs):
    clf = hb().fit(*blobs)
    res = clf.cv_results_
    rows = list(zip(res["bracket"], res["rung"], res["n_resources"], strict=True))
    assert rows == _plan_rows(1, 9, 3)
    assert len(rows) == ONE_ITERATION
    # A rung is the top 1/eta of the rung before it, by validation score.
    scores, ids = res["mean_test_score"], res["config_id"]
    for start, n, k in [(0, 9, 3), (9, 3, 1), (13, 5, 1)]:
        first = slice(start, start + n)
        top = ids[first][np.argsort(-scores[first], kind="stable")[:k]]
        assert list(ids[start + n : start + n + k]) == list(top)
    # Configurations are new in every bracket.
    assert len(set(ids)) == 9 + 5 + 3
    # The best is chosen among the rows trained for the most epochs.
    top_rows = np.flatnonzero(res["n_resources"] == 9)
    assert clf.best_index_ in top_rows
    assert clf.best_score_ == scores[top_rows].max()
    assert clf.score(*blobs) > 0.8


def test_promoted_nets_train_only_the_missing_epochs(blobs, monkeypatch):
    from sktune.nas import _trial

    real_continue, real_fit = _trial.continue_network, _trial.fit_network
    continued, fresh = [], []

    def spy_continue(net, train, epochs):
        before = len(net.history)
        net = real_continue(net, train, epochs)
        continued.append((before, len(net.history), epochs))
        return net

    def spy_fit(module, task, training, settings, epochs, *args, **kwargs):
        net = real_fit(module, task, training, settings, epochs, *args, **kwargs)
        fresh.append((len(net.history), epochs))
        return net

    monkeypatch.setattr(_trial, "continue_network", spy_continue)
    monkeypatch.setattr(_trial, "fit_network", spy_fit)
    clf = hb(refit=False).fit(*blobs)
    res = clf.cv_results_
    # Promoted rows (rung > 0) continue a net trained for the previous rung.
    assert sorted(continued) == sorted([(1, 3, 3)] * 3 + [(3, 9, 9)] + [(3, 9, 9)])
    # First rungs train from scratch for exactly their epochs.
    assert sorted(fresh) == sorted([(1, 1)] * 9 + [(3, 3)] * 5 + [(9, 9)] * 3)
    assert int((res["rung"] > 0).sum()) == len(continued)
    # Epochs trained over the search: 9*1 + 3*2 + 1*6 + 5*3 + 1*6 + 3*9.
    assert sum(a - b for b, a, _ in continued) + sum(n for n, _ in fresh) == 69


def test_max_trials_and_time_budget_stop_the_search(blobs):
    clf = hb(max_trials=5).fit(*blobs)  # stops inside the first rung
    assert clf.n_trials_ == 5
    assert list(clf.cv_results_["n_resources"]) == [1] * 5
    X, y = np.repeat(blobs[0], 20, axis=0), np.repeat(blobs[1], 20)
    start = time.perf_counter()
    clf = hb(
        space={"width": [256], "n_layers": [3], "batch_size": [16]},
        min_epochs=100,
        max_epochs=900,
        max_trials=1000,
        time_budget=1.0,
        refit=False,
    ).fit(X, y)
    assert time.perf_counter() - start < 6.0
    assert clf.n_trials_ == 1
    assert clf.cv_results_["interrupted"].tolist() == [True]


def test_iterations_repeat_until_the_budget_with_new_configurations(blobs):
    clf = hb(max_trials=ONE_ITERATION + 4).fit(*blobs)
    res = clf.cv_results_
    assert list(res["n_resources"][ONE_ITERATION:]) == [1] * 4
    # The second iteration's configurations get new ids.
    first, second = res["config_id"][:ONE_ITERATION], res["config_id"][ONE_ITERATION:]
    assert min(second) == max(first) + 1


def test_same_random_state_same_search(blobs):
    a, b = hb(max_trials=14).fit(*blobs), hb(max_trials=14).fit(*blobs)
    for key in ("config_id", "n_resources", "mean_test_score", "n_params"):
        np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key])
    np.testing.assert_array_equal(a.predict_proba(blobs[0]), b.predict_proba(blobs[0]))
    c = hb(max_trials=14, random_state=1).fit(*blobs)
    assert a.cv_results_["params"] != c.cv_results_["params"]


def test_parallel_workers_give_the_same_search(blobs):
    a = hb(max_trials=14).fit(*blobs)
    b = hb(max_trials=14, n_jobs=2).fit(*blobs)
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )


def test_regressor_with_cross_validation_continues_every_fold(monkeypatch):
    from sktune.nas import _trial

    real = _trial.continue_network
    histories = []

    def spy(net, train, epochs):
        histories.append(len(net.history))
        return real(net, train, epochs)

    monkeypatch.setattr(_trial, "continue_network", spy)
    X, y = make_regression(n_samples=80, n_features=4, noise=1.0, random_state=0)
    reg = NASRegressor(
        space=SMALL_SPACE,
        strategy="random",
        multi_fidelity="hyperband",
        min_epochs=2,
        max_epochs=4,
        eta=2,
        max_trials=3,
        cv=2,
        early_stopping=False,
        random_state=0,
    ).fit(X, y)
    assert reg.cv_results_["n_resources"].tolist() == [2, 2, 4]
    assert histories == [2, 2]  # both folds of the promoted configuration
    assert np.isfinite(reg.cv_results_["split1_test_score"]).all()
    assert reg.predict(X).shape == (80,)


@pytest.mark.parametrize("strategy", ["random", "bayesian"])
def test_strategy_picks_the_scheduler_sampler(blobs, strategy, monkeypatch):
    from sktune.nas import _fidelity

    samplers = []

    class Spy(_fidelity.HyperbandScheduler):
        def __init__(self, *args, sampler, **kwargs):
            samplers.append(sampler)
            super().__init__(*args, sampler=sampler, **kwargs)

    monkeypatch.setattr(_fidelity, "HyperbandScheduler", Spy)
    clf = hb(strategy=strategy, max_trials=ONE_ITERATION + 5).fit(*blobs)
    assert samplers == [strategy, strategy]  # one per Hyperband iteration
    assert clf.n_trials_ == ONE_ITERATION + 5
    assert all(s == "ok" for s in clf.cv_results_["status"])


def test_failed_trials_are_recorded_and_not_promoted(blobs, monkeypatch):
    from sktune.nas import _trial

    real = _trial.fit_network
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) in (1, 2):
            raise ValueError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(_trial, "fit_network", flaky)
    res = hb(max_trials=13).fit(*blobs).cv_results_
    assert res["status"][:2] == ["failed", "failed"]
    assert "boom" in res["error"][0]
    promoted = set(res["config_id"][9:])
    assert not promoted & set(res["config_id"][:2])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"strategy": "morphism"}, r"multi_fidelity='hyperband' supports strategy"),
        ({"strategy": "evolution"}, r"Got strategy='evolution'"),
        ({"min_epochs": 10}, r"min_epochs must be <= max_epochs"),
        ({"multi_fidelity": "bohb"}, r"'multi_fidelity' parameter of NASClassifier"),
        ({"eta": 1}, r"'eta' parameter of NASClassifier must be an int"),
    ],
)
def test_bad_fidelity_options_fail_before_training(blobs, params, match, monkeypatch):
    trained = []
    monkeypatch.setattr(
        "sktune.nas._trial.fit_network", lambda *a, **k: trained.append(1)
    )
    with pytest.raises(ValueError, match=match):
        hb(**params).fit(*blobs)
    assert not trained
