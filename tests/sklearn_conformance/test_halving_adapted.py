"""The parts of sklearn's successive-halving tests that apply to Hyperband.

Several tests of ``sklearn/model_selection/tests/test_successive_halving.py``
mix an assertion on the single-bracket schedule (which cannot apply to
Hyperband, see ``not_applicable.HALVING_NOT_APPLICABLE``) with assertions that
do apply. Each test here re-runs, through the same adapters and with the same
estimators and data, the applicable part of the sklearn test it names, with the
schedule assertion replaced by its Hyperband counterpart (per-bracket
``n_candidates_`` / ``n_resources_``, rows keyed by ``bracket`` and ``rung``).
"""

import numpy as np
import pytest
from scipy.stats import expon, norm
from sklearn.datasets import make_classification
from sklearn.svm import SVC

from sktune import HyperbandSearchCV

from ._halving_adapter import (
    HyperbandHalvingGridSearchCV,
    HyperbandHalvingRandomSearchCV,
)
from .test_sklearn_halving import _module as sk

ADAPTERS = (HyperbandHalvingGridSearchCV, HyperbandHalvingRandomSearchCV)
FastClassifier = sk.FastClassifier


def _rows(search, bracket, rung):
    results = search.cv_results_
    return np.flatnonzero(
        (results["bracket"] == bracket) & (results["rung"] == rung)
    ).tolist()


def _key(params):
    return repr(sorted(params.items()))


def test_unfrozen_scipy_distribution_is_accepted():
    # sklearn test_random_search: param_grid = {"a": norm, "b": norm}
    X, y = make_classification(n_samples=1024, random_state=0)
    search = HyperbandHalvingRandomSearchCV(
        FastClassifier(),
        {"a": norm, "b": norm},
        cv=2,
        factor=2,
        min_resources=4,
        max_resources=32,
    ).fit(X, y)
    values = np.asarray([p["a"] for p in search.cv_results_["params"]], dtype=float)
    assert np.isfinite(values).all() and values.std() > 0


@pytest.mark.parametrize("Est", ADAPTERS)
def test_all_list_space_is_not_oversampled(Est):
    # sklearn test_random_search_discrete_distributions, case {"a": [1, 2]}:
    # an all-list space is not sampled beyond its size.
    X, y = make_classification(n_samples=1024, random_state=0)
    search = Est(FastClassifier(), {"a": [1, 2]}).fit(X, y)
    assert max(c[0] for c in search.n_candidates_) == 2
    rungs = set(
        zip(search.cv_results_["bracket"], search.cv_results_["rung"], strict=True)
    )
    for bracket, rung in rungs:
        rows = _rows(search, bracket, rung)
        keys = [_key(search.cv_results_["params"][i]) for i in rows]
        assert len(set(keys)) == len(keys)  # no configuration twice in a rung


@pytest.mark.parametrize("Est", ADAPTERS)
def test_resource_parameter_rows(Est):
    # sklearn test_resource_parameter, without its single-bracket n_resources_.
    X, y = make_classification(n_samples=1000, random_state=0)
    param_grid = {"a": [1, 2], "b": list(range(10))}
    search = Est(
        FastClassifier(), param_grid, cv=2, resource="c", max_resources=10, factor=3
    ).fit(X, y)
    # Hyperband's rungs for (1, 10, eta=3): [1, 3, 10], [3, 10], [10].
    assert search.n_resources_ == [[1, 3, 10], [3, 10], [10]]
    assert set(search.cv_results_["n_resources"]) == {1, 3, 10}
    for r_i, params, param_c in zip(
        search.cv_results_["n_resources"],
        search.cv_results_["params"],
        search.cv_results_["param_c"],
        strict=True,
    ):
        assert r_i == params["c"] == param_c

    with pytest.raises(ValueError, match="resource='1234' is not a parameter"):
        Est(FastClassifier(), param_grid, cv=2, resource="1234", max_resources=10).fit(
            X, y
        )
    with pytest.raises(ValueError, match="resource='c' is also in"):
        Est(
            FastClassifier(),
            {"a": [1, 2], "b": [1, 2], "c": [1, 3]},
            cv=2,
            resource="c",
            max_resources=10,
        ).fit(X, y)


@pytest.mark.parametrize("Est", ADAPTERS)
@pytest.mark.parametrize(
    "min_resources, max_resources, expected_range",
    [
        ("smallest", "auto", (20, 1000)),  # 2 * 5 splits * 2 classes; n_samples
        (50, "auto", (50, 1000)),
        ("smallest", 30, (20, 30)),
        ("exhaust", "auto", (20, 1000)),
        ("exhaust", 600, (20, 600)),
        ("exhaust", 20, (20, 20)),
    ],
)
def test_min_max_resources_range(Est, min_resources, max_resources, expected_range):
    # sklearn test_min_max_resources, with Hyperband's range instead of the
    # single bracket's iterations.
    X, y = make_classification(n_samples=1000, random_state=0)
    search = Est(
        FastClassifier(),
        {"a": [1, 2], "b": [1, 2, 3]},
        factor=3,
        min_resources=min_resources,
        max_resources=max_resources,
    ).fit(X, y)
    low, high = expected_range
    assert (search.min_resource_, search.max_resource_) == expected_range
    assert all(rungs[-1] == high for rungs in search.n_resources_)
    resources = np.asarray(search.cv_results_["n_resources"])
    assert resources.min() >= low and resources.max() == high


@pytest.mark.parametrize("Est", ADAPTERS)
def test_select_best_index_at_largest_resource(Est):
    # sklearn test_select_best_index, keyed by n_resources instead of iter: the
    # best row among those at the largest resource ("i"), not the best overall.
    scores = np.array([4, 3, 5, 1, 11, 10, 5, 6, 9])
    results = {
        "n_resources": np.array([1, 1, 1, 1, 3, 3, 9, 9, 9]),
        "mean_test_score": scores,
        "rank_test_score": (np.argsort(np.argsort(-scores)) + 1).astype(np.int32),
        "params": np.array(["a", "b", "c", "d", "e", "f", "g", "h", "i"]),
    }
    assert Est._select_best_index(True, "score", results) == 8


def test_list_of_dicts():
    # sklearn test_halving_random_search_list_of_dicts with Hyperband's extra
    # keys (config_id, bracket, rung, n_resources) and the number of rows as
    # n_candidates.
    X, y = make_classification(n_samples=150, n_features=4, random_state=42)
    params = [
        {"kernel": ["rbf"], "C": expon(scale=10), "gamma": expon(scale=0.1)},
        {"kernel": ["poly"], "degree": [2, 3]},
    ]
    param_keys = ("param_C", "param_degree", "param_gamma", "param_kernel")
    score_keys = (
        "mean_test_score",
        "mean_train_score",
        "rank_test_score",
        "split0_test_score",
        "split1_test_score",
        "split2_test_score",
        "split0_train_score",
        "split1_train_score",
        "split2_train_score",
        "std_test_score",
        "std_train_score",
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "std_score_time",
    )
    extra_keys = ("n_resources", "config_id", "bracket", "rung")
    search = HyperbandHalvingRandomSearchCV(
        SVC(), cv=3, param_distributions=params, return_train_score=True, random_state=0
    ).fit(X, y)
    cv_results = search.cv_results_
    n_rows = sum(sum(c) for c in search.n_candidates_)
    assert len(cv_results["params"]) == n_rows
    sk.check_cv_results_keys(cv_results, param_keys, score_keys, n_rows, extra_keys)
    sk.check_cv_results_array_types(
        search,
        param_keys,
        score_keys,
        {"param_C": "f", "param_degree": "i", "param_gamma": "f", "param_kernel": "O"},
    )
    kernels = cv_results["param_kernel"]
    assert set(kernels) == {"rbf", "poly"}  # both subspaces drawn
    for i in range(n_rows):
        poly = kernels[i] == "poly"
        assert cv_results["param_C"].mask[i] == poly
        assert cv_results["param_gamma"].mask[i] == poly
        assert cv_results["param_degree"].mask[i] != poly


@pytest.mark.parametrize("Est", ADAPTERS)
def test_promotion_keeps_the_best_of_each_rung(Est):
    # sklearn test_cv_results, per bracket: the configurations of rung i + 1 are
    # the best n_candidates_[b][i + 1] of rung i, and the best is chosen among
    # the rows at the largest resource.
    rng = np.random.RandomState(0)
    X, y = make_classification(n_samples=1000, random_state=0)

    def scorer(est, X, y):  # random scores: no ties
        return rng.rand()

    search = Est(
        FastClassifier(), {"a": ("l1", "l2"), "b": list(range(30))}, factor=2
    ).set_params(scoring=scorer)
    search.fit(X, y)
    results = search.cv_results_
    for b, (counts, resources) in enumerate(
        zip(search.n_candidates_, search.n_resources_, strict=True)
    ):
        bracket = search.metadata_["brackets"][b]["bracket"]
        rows = [_rows(search, bracket, rung) for rung in range(len(counts))]
        assert [len(r) for r in rows] == counts
        for rung, r in enumerate(rows):
            assert set(results["n_resources"][r]) == {resources[rung]}
        for now, nxt in zip(rows, rows[1:], strict=False):
            score = {
                _key(results["params"][i]): results["mean_test_score"][i] for i in now
            }
            kept = {_key(results["params"][i]) for i in nxt}
            assert kept <= set(score)
            discarded = set(score) - kept
            assert min(score[k] for k in kept) > max(score[k] for k in discarded)
    top = np.flatnonzero(results["n_resources"] == search.max_resource_)
    assert search.best_index_ == top[np.argmax(results["mean_test_score"][top])]


@pytest.mark.parametrize("Est", ADAPTERS)
def test_base_estimator_inputs_rows(Est):
    # sklearn test_base_estimator_inputs, with Hyperband's per-bracket schedule
    # flattened: every resource used, with the number of rows run at it.
    passed_n_samples_fit, passed_n_samples_predict, passed_params = [], [], []

    class FastClassifierBookKeeping(FastClassifier):
        def fit(self, X, y):
            passed_n_samples_fit.append(X.shape[0])
            return super().fit(X, y)

        def predict(self, X):
            passed_n_samples_predict.append(X.shape[0])
            return super().predict(X)

        def set_params(self, **params):
            passed_params.append(params)
            return super().set_params(**params)

    n_splits = 2
    X, y = make_classification(n_samples=1024, random_state=0)
    search = Est(
        FastClassifierBookKeeping(),
        {"a": ("l1", "l2"), "b": list(range(30))},
        factor=2,
        cv=n_splits,
        return_train_score=False,
        refit=False,
    ).fit(X, y)

    assert len(passed_n_samples_fit) == len(passed_n_samples_predict)
    passed_n_samples = [
        f + p
        for f, p in zip(passed_n_samples_fit, passed_n_samples_predict, strict=True)
    ][::n_splits]
    passed_params = passed_params[::n_splits]
    results = search.cv_results_
    assert len(passed_params) == len(passed_n_samples) == len(results["params"])

    uniques, counts = np.unique(passed_n_samples, return_counts=True)
    per_resource = {}
    for n_cand, n_res in zip(search.n_candidates_, search.n_resources_, strict=True):
        for c, r in zip(n_cand, n_res, strict=True):
            per_resource[r] = per_resource.get(r, 0) + c
    assert uniques.tolist() == sorted(per_resource)
    assert counts.tolist() == [per_resource[r] for r in sorted(per_resource)]

    assert list(results["params"]) == passed_params
    assert list(results["n_resources"]) == passed_n_samples


def test_adapter_maps_onto_hyperband_parameters():
    adapter = HyperbandHalvingRandomSearchCV(
        FastClassifier(),
        {"a": [1, 2]},
        factor=2,
        min_resources="exhaust",
        max_resources=64,
        n_candidates=7,
    )
    assert (adapter.eta, adapter.min_resource, adapter.max_resource) == (2, "auto", 64)
    assert adapter.search_spaces is None and adapter.param_distributions == {
        "a": [1, 2]
    }
    assert "n_candidates" in adapter.get_params() and "eta" not in adapter.get_params()
    grid = HyperbandHalvingGridSearchCV(FastClassifier(), {"a": [1]}, min_resources=8)
    assert grid.min_resource == 8 and grid.param_distributions == {"a": [1]}
    assert isinstance(grid, HyperbandSearchCV)
