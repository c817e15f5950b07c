"""Searches run on a Dask cluster through joblib's backend, as the docs promise.

The cluster is a local one (threads in this process, two workers), which goes
through the same joblib -> distributed path as a remote cluster.
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification

from ._cluster_searches import bayesian_search, hyperband_search

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=120, n_features=6, random_state=0)


def _run_twice(make_search, X, y, backend):
    results = []
    for _ in range(2):
        search = make_search()
        with parallel_config(backend=backend, n_jobs=2):
            search.fit(X, y)
        results.append(search)
    return results


def _fits_on_cluster(client, search, X, y):
    """Fit ``search`` on the Dask backend; return how many tasks the cluster ran."""
    with distributed.get_task_stream(client) as stream:
        with parallel_config(backend="dask", n_jobs=2):
            search.fit(X, y)
    return len(stream.data)


def test_bayesian_search_on_dask_matches_local_processes(client, data):
    X, y = data

    on_dask = bayesian_search()
    assert _fits_on_cluster(client, on_dask, X, y) > 0
    local = _run_twice(bayesian_search, X, y, "loky")
    for search in local:
        np.testing.assert_allclose(
            search.cv_results_["mean_test_score"],
            on_dask.cv_results_["mean_test_score"],
        )
    assert on_dask.best_estimator_.score(X, y) > 0.7


def test_hyperband_search_on_dask(client, data):
    X, y = data
    search = hyperband_search()
    assert _fits_on_cluster(client, search, X, y) > 0
    assert search.n_brackets_ == 3
    assert max(search.cv_results_["n_resources"]) == 9
    assert hasattr(search, "best_estimator_")
