"""Searches (and NAS trials) run on a Ray cluster through Ray's joblib backend, as
the docs promise.

The cluster is a local one started by the test (two CPUs), which goes through the
same joblib -> Ray path as a remote cluster (``ray.init(address=...)``).
"""

import sys

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.metrics import get_scorer

from ._cluster_searches import bayesian_search, hyperband_search

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster():
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    register_ray()
    # Ray's workers cannot import this test module: send its scorer by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=120, n_features=6, random_state=0)


def in_ray_task(estimator, X, y):
    """1.0 where the scoring runs inside a Ray task, 0.0 in this process."""
    return float(ray.get_runtime_context().get_task_id() is not None)


SCORING = {"accuracy": get_scorer("accuracy"), "in_ray_task": in_ray_task}
RAY_SCORING = {"scoring": SCORING, "refit": "accuracy"}


def _fit(search, X, y, backend):
    with parallel_config(backend=backend, n_jobs=2):
        return search.fit(X, y)


def test_bayesian_search_on_ray_matches_local_processes(cluster, data):
    X, y = data

    on_ray = _fit(bayesian_search(**RAY_SCORING), X, y, "ray")
    local = _fit(bayesian_search(**RAY_SCORING), X, y, "loky")
    # Every fold was fitted and scored by a Ray worker, and the search is the
    # one that runs on local processes.
    np.testing.assert_array_equal(on_ray.cv_results_["mean_test_in_ray_task"], 1.0)
    np.testing.assert_array_equal(local.cv_results_["mean_test_in_ray_task"], 0.0)
    np.testing.assert_allclose(
        on_ray.cv_results_["mean_test_accuracy"],
        local.cv_results_["mean_test_accuracy"],
    )
    assert on_ray.cv_results_["params"] == local.cv_results_["params"]
    assert on_ray.best_estimator_.score(X, y) > 0.7


def test_hyperband_search_on_ray(cluster, data):
    X, y = data
    search = hyperband_search(**RAY_SCORING)
    _fit(search, X, y, "ray")
    assert search.n_brackets_ == 3
    assert max(search.cv_results_["n_resources"]) == 9
    np.testing.assert_array_equal(search.cv_results_["mean_test_in_ray_task"], 1.0)
    assert hasattr(search, "best_estimator_")


def test_nas_trials_on_ray(cluster, data):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from sktune.nas import NASClassifier

    X, y = data
    clf = NASClassifier(
        space={"n_layers": [1], "width": [8, 16]},
        max_trials=4,
        max_epochs=2,
        scoring=in_ray_task,
        n_jobs=2,
        random_state=0,
    )
    with parallel_config(backend="ray", n_jobs=2):
        clf.fit(X.astype("float32"), y)
    # Two batches of two trials, every one trained and scored in a Ray task.
    assert clf.n_trials_ == 4
    np.testing.assert_array_equal(clf.cv_results_["mean_test_score"], 1.0)
    assert clf.predict(X.astype("float32")).shape == y.shape  # refit in-process
