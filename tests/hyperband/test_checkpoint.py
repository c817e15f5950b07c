"""HyperbandSearchCV(checkpoint=...): a search that dies keeps every rung it ran, and
resuming replays those rungs instead of fitting them again."""

import joblib
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sktune import HyperbandSearchCV
from sktune.space import Real

from ._doubles import CountingModel, EpochModel

X = np.random.default_rng(0).normal(size=(60, 3))
SPACE = {"a": Real(0.0, 1.0)}
# max_resource / min_resource = 9, eta = 3: rungs of 9, 3, 1 | 5, 1 | 3 rows.
RUNG_SIZES = [9, 3, 1, 5, 1, 3]
RESOURCES = {
    "max_iter": {"resource": "max_iter"},
    "n_samples": {"resource": "n_samples", "min_resource": 6, "max_resource": 54},
}


class Crash(Exception):
    pass


def _crash_after(n_rungs):
    """A callback that raises after the ``n_rungs``-th rung, as a killed process."""
    calls = []

    def callback(result):
        calls.append(len(result.x_iters))
        if len(calls) == n_rungs:
            raise Crash

    return callback


def _search(path=None, estimator=None, resource="max_iter", **kwargs):
    options = {**RESOURCES[resource], "cv": 3, "random_state": 0, **kwargs}
    return HyperbandSearchCV(
        estimator or CountingModel(), SPACE, checkpoint=path, **options
    )


def _stored(path):
    return joblib.load(path)["results"]


def assert_same_rows(results, expected, n=None):
    """``results`` and the first ``n`` rows of ``expected`` agree in everything
    but the times."""
    rows = slice(None) if n is None else slice(n)
    assert sorted(results) == sorted(expected)
    assert results["params"] == expected["params"][rows]
    for key, value in expected.items():
        if key == "params" or "time" in key or (n is not None and "rank" in key):
            continue
        np.testing.assert_array_equal(
            np.ma.getdata(results[key]), np.ma.getdata(value[rows]), err_msg=key
        )


@pytest.mark.parametrize("n_rungs", [1, 2, 4])
def test_a_killed_search_keeps_exactly_the_rungs_it_ran(tmp_path, n_rungs):
    path = tmp_path / "hyperband.ckpt"
    with pytest.raises(Crash):
        _search(path, callbacks=_crash_after(n_rungs)).fit(X)
    uninterrupted = _search().fit(X).cv_results_
    n_rows = sum(RUNG_SIZES[:n_rungs])
    stored = _stored(path)
    assert len(stored["params"]) == n_rows
    assert_same_rows(stored, uninterrupted, n_rows)


@pytest.mark.parametrize("resource", ["max_iter", "n_samples"])
@pytest.mark.parametrize("n_rungs", [1, 2, 3, 5])
def test_resume_fits_only_the_missing_rungs_and_ends_as_one_run(
    tmp_path, resource, n_rungs
):
    path = tmp_path / "hyperband.ckpt"
    CountingModel.fits.clear()
    uninterrupted = _search(resource=resource).fit(X)
    uninterrupted_fits = list(CountingModel.fits)

    with pytest.raises(Crash):
        _search(path, resource=resource, callbacks=_crash_after(n_rungs)).fit(X)
    CountingModel.fits.clear()
    resumed = _search(path, resource=resource).fit(X)

    # Three folds per row of the rungs not stored, in the same order, then the
    # refit: the stored rungs were not fitted again.
    n_stored = sum(RUNG_SIZES[:n_rungs])
    assert CountingModel.fits == uninterrupted_fits[3 * n_stored :]
    assert_same_rows(resumed.cv_results_, uninterrupted.cv_results_)
    assert resumed.best_index_ == uninterrupted.best_index_
    assert resumed.best_params_ == uninterrupted.best_params_
    assert resumed.metadata_ == uninterrupted.metadata_
    assert resumed.n_resources_ == uninterrupted.n_resources_
    assert resumed.n_candidates_ == uninterrupted.n_candidates_
    assert resumed.n_brackets_ == uninterrupted.n_brackets_ == 3
    assert_same_rows(_stored(path), uninterrupted.cv_results_)


@pytest.mark.parametrize("n_rungs", [2, 3])
def test_bayesian_sampler_proposes_what_an_uninterrupted_run_does(tmp_path, n_rungs):
    path = tmp_path / "hyperband.ckpt"
    # The first bracket's 9 scores at resource 1 are enough for the model, which
    # then proposes most configurations of the next two brackets.
    uninterrupted = _search(sampler="bayesian").fit(X)
    random = _search().fit(X)
    assert random.cv_results_["params"][9:] != uninterrupted.cv_results_["params"][9:]
    with pytest.raises(Crash):
        _search(path, sampler="bayesian", callbacks=_crash_after(n_rungs)).fit(X)
    resumed = _search(path, sampler="bayesian").fit(X)
    assert resumed.cv_results_["params"] == uninterrupted.cv_results_["params"]
    assert_same_rows(resumed.cv_results_, uninterrupted.cv_results_)


def _epochs_trained(results, start):
    """Epochs per fold to train the rows from ``start`` on, each configuration
    continuing only from a row evaluated in the same fit."""
    reached = {}
    total = 0
    for params, r in zip(
        results["params"][start:], results["n_resources"][start:], strict=True
    ):
        total += r - reached.get(params["a"], 0)
        reached[params["a"]] = r
    return total


def test_incremental_resume_retrains_promoted_configurations_from_scratch(tmp_path):
    path = tmp_path / "hyperband.ckpt"
    EpochModel.log.clear()
    uninterrupted = _search(estimator=EpochModel()).fit(X)
    assert uninterrupted.incremental_ == "partial_fit"
    refit = 9
    results = uninterrupted.cv_results_
    assert len(EpochModel.log) == 3 * _epochs_trained(results, 0) + refit

    with pytest.raises(Crash):
        _search(path, estimator=EpochModel(), callbacks=_crash_after(1)).fit(X)
    EpochModel.log.clear()
    resumed = _search(path, estimator=EpochModel()).fit(X)
    # The 3 configurations promoted from the stored rung (resource 1) train 3
    # epochs from scratch, where the uninterrupted run trained 2 more.
    n_stored = 9
    expected = 3 * _epochs_trained(results, n_stored) + refit
    assert len(EpochModel.log) == expected
    assert expected == 3 * (_epochs_trained(results, 0) - 9 * 1 + 3 * 1) + refit
    # EpochModel scores exactly its epochs, so every row is as in one run.
    assert_same_rows(resumed.cv_results_, results)


def test_resuming_a_complete_checkpoint_evaluates_its_last_row_again(tmp_path):
    path = tmp_path / "hyperband.ckpt"
    first = _search(path).fit(X)
    for _ in range(2):  # the rewritten checkpoint resumes as well
        CountingModel.fits.clear()
        # What does not change the results may change.
        again = _search(path, n_jobs=1, progress_bar=False, timeout=1e6).fit(X)
        last = first.cv_results_["params"][-1]
        assert CountingModel.fits == [(last["a"], 9, 40)] * 3 + [
            (first.best_params_["a"], 9, 60)
        ]
        assert_same_rows(again.cv_results_, first.cv_results_)
        assert again.best_params_ == first.best_params_
        assert again.metadata_ == first.metadata_


@pytest.mark.parametrize(
    "change, differs",
    [
        ({"eta": 2}, "eta"),
        ({"sampler": "bayesian"}, "sampler"),
        ({"min_resource": 3}, "min_resource"),
        ({"estimator": CountingModel(max_iter=27)}, "estimator"),
        ({"cv": 4}, "n_splits"),
    ],
)
def test_checkpoint_of_another_search_is_refused_before_any_fit(
    tmp_path, change, differs
):
    path = tmp_path / "hyperband.ckpt"
    _search(path).fit(X)
    CountingModel.fits.clear()
    with pytest.raises(ValueError, match=rf"different search.*'{differs}'"):
        _search(path, **change).fit(X)
    assert CountingModel.fits == []


def test_checkpoint_of_other_data_is_refused_before_any_fit(tmp_path):
    path = tmp_path / "hyperband.ckpt"
    _search(path).fit(X)
    CountingModel.fits.clear()
    with pytest.raises(ValueError, match=r"different search.*\['data'\]"):
        _search(path).fit(X + 1)
    assert CountingModel.fits == []


@pytest.mark.parametrize("checkpoint", [3, ["a.ckpt"]])
def test_bad_checkpoint_fails_before_any_fit(checkpoint):
    CountingModel.fits.clear()
    with pytest.raises(InvalidParameterError, match="'checkpoint' parameter"):
        _search(checkpoint).fit(X)
    assert CountingModel.fits == []


def test_a_resumed_search_killed_again_resumes_as_one_run(tmp_path):
    path = tmp_path / "hyperband.ckpt"
    CountingModel.fits.clear()
    uninterrupted = _search().fit(X)
    uninterrupted_fits = list(CountingModel.fits)
    with pytest.raises(Crash):
        _search(path, callbacks=_crash_after(2)).fit(X)
    with pytest.raises(Crash):  # one more rung, then killed again
        _search(path, callbacks=_crash_after(1)).fit(X)
    assert len(_stored(path)["params"]) == sum(RUNG_SIZES[:3])
    CountingModel.fits.clear()
    resumed = _search(path).fit(X)
    assert CountingModel.fits == uninterrupted_fits[3 * sum(RUNG_SIZES[:3]) :]
    assert_same_rows(resumed.cv_results_, uninterrupted.cv_results_)
