"""HyperbandSearchCV end to end on fast doubles: resources, incremental training,
selection, errors, sklearn's search features."""

import pickle
import warnings

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import Perceptron, SGDClassifier
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sktune import HyperbandSearchCV
from sktune.search._incremental import resume_kind
from sktune.space import Real

from ._doubles import EpochModel, SizeModel, TreeModel, WarmEpochModel

X = np.random.default_rng(0).normal(size=(60, 3))
SPACE = {"a": Real(0.0, 1.0)}


def _search(estimator=None, **kwargs):
    options = {"resource": "max_iter", "cv": 3, "random_state": 0, **kwargs}
    return HyperbandSearchCV(estimator or EpochModel(max_iter=9), SPACE, **options)


def _expected(results):
    """Each row's score if its models were trained exactly to its n_resources."""
    a = np.array([p["a"] for p in results["params"]])
    return -((a - 0.3) ** 2) + 0.01 * np.asarray(results["n_resources"])


def test_schedule_and_results_columns():
    search = _search().fit(X)
    results = search.cv_results_
    plan = search.metadata
    assert plan["n_evaluations"] == len(results["params"]) == 22
    assert search.metadata_["n_evaluations"] == 22
    assert sorted(search.n_resources_) == [[1, 3, 9], [3, 9], [9]]
    assert search.n_brackets_ == 3
    for key in ("bracket", "rung", "n_resources", "param_max_iter", "rank_test_score"):
        assert len(results[key]) == 22
    assert all(
        p["max_iter"] == r
        for p, r in zip(results["params"], results["n_resources"], strict=True)
    )
    # One config_id per configuration drawn (9 + 5 + 3), kept by its promotions:
    # the rows of an id are one bracket's rungs 0, 1, ... with equal params.
    ids = results["config_id"].tolist()
    assert sorted(set(ids)) == list(range(17))
    for i in set(ids):
        rows = [j for j in range(22) if ids[j] == i]
        assert results["rung"][rows].tolist() == list(range(len(rows)))
        assert len(set(results["bracket"][rows].tolist())) == 1
        assert len({results["params"][j]["a"] for j in rows}) == 1


@pytest.mark.parametrize("incremental", [True, False])
def test_partial_fit_continues_the_fold_models(incremental):
    EpochModel.log.clear()
    search = _search(incremental=incremental).fit(X)
    results = search.cv_results_
    np.testing.assert_allclose(results["mean_test_score"], _expected(results))
    # Every row trained to its resource; incremental spends only the increments.
    refit = 9
    spent = len(EpochModel.log) - refit
    if incremental:
        assert search.incremental_ == "partial_fit"
        assert spent == 3 * _increments(results) < 3 * sum(results["n_resources"])
    else:
        assert search.incremental_ is None
        assert spent == 3 * sum(results["n_resources"])


def _increments(results):
    """Epochs needed if each configuration continues from its previous rung."""
    reached = {}
    total = 0
    for params, r in zip(results["params"], results["n_resources"], strict=True):
        key = params["a"]
        total += r - reached.get(key, 0)
        reached[key] = r
    return total


def test_warm_start_adds_trees():
    TreeModel.log.clear()
    search = _search(TreeModel(n_estimators=27), resource="n_estimators").fit(X)
    results = search.cv_results_
    assert search.incremental_ == "warm_start"
    np.testing.assert_allclose(results["mean_test_score"], _expected(results))
    assert sum(TreeModel.log) - 27 == 3 * _increments(results)
    assert search.best_estimator_.trees_ == 27


def test_warm_start_continues_epochs_in_one_call():
    WarmEpochModel.log.clear()
    search = _search(WarmEpochModel(max_iter=9)).fit(X)
    results = search.cv_results_
    assert search.incremental_ == "warm_start_epochs"
    np.testing.assert_allclose(results["mean_test_score"], _expected(results))
    refit = 9
    assert sum(WarmEpochModel.log) - refit == 3 * _increments(results)
    # One fit call per fold and row, however many epochs it adds.
    assert len(WarmEpochModel.log) - 1 == 3 * len(results["params"])
    assert search.best_estimator_.epochs_ == 9


@pytest.mark.parametrize(
    "estimator, kind",
    [
        (SGDClassifier(max_iter=9), "warm_start_epochs"),
        (MLPClassifier(max_iter=9), "warm_start_epochs"),
        (Perceptron(max_iter=9), "warm_start_epochs"),
        (EpochModel(max_iter=9), "partial_fit"),
        (HistGradientBoostingClassifier(max_iter=9), "warm_start"),
    ],
)
def test_auto_prefers_one_warm_started_call(estimator, kind):
    assert resume_kind(estimator, "max_iter") == kind


@pytest.mark.parametrize(
    "estimator, kind",
    [
        (SGDClassifier(max_iter=9), "partial_fit"),
        (MLPClassifier(max_iter=9), "partial_fit"),
        (Perceptron(max_iter=9), "partial_fit"),
        (MLPClassifier(max_iter=9, solver="lbfgs"), "warm_start_epochs"),
        (MLPClassifier(max_iter=9, early_stopping=True), "warm_start_epochs"),
        (SGDClassifier(max_iter=9, early_stopping=True), "warm_start_epochs"),
        (HistGradientBoostingClassifier(max_iter=9), "warm_start"),
    ],
)
def test_partial_fit_is_preferred_where_it_applies(estimator, kind):
    assert resume_kind(estimator, "max_iter", prefer_partial_fit=True) == kind


@pytest.mark.parametrize(
    "estimator",
    [
        MLPClassifier(max_iter=9, solver="lbfgs"),
        SGDClassifier(max_iter=9, early_stopping=True),
        HistGradientBoostingClassifier(max_iter=9),
    ],
)
def test_partial_fit_that_cannot_apply_fails_before_any_fit(estimator):
    search = HyperbandSearchCV(
        estimator,
        {"tol": Real(1e-4, 1e-2)},
        resource="max_iter",
        incremental="partial_fit",
        cv=2,
    )
    with pytest.raises(ValueError, match="incremental='partial_fit', but"):
        search.fit(*_digits_sample())
    assert not hasattr(search, "cv_results_")


def _digits_sample():
    digits = load_digits()
    return digits.data[:240] / 16, digits.target[:240]


@pytest.mark.parametrize(
    "estimator, space",
    [
        (
            SGDClassifier(max_iter=9, shuffle=False, tol=None, random_state=0),
            {"alpha": Real(1e-5, 1e-1, prior="log-uniform")},
        ),
        (
            MLPClassifier((8,), max_iter=9, shuffle=False, random_state=0),
            {"learning_rate_init": Real(1e-3, 1e-1, prior="log-uniform")},
        ),
    ],
    ids=["SGDClassifier", "MLPClassifier"],
)
def test_partial_fit_continues_sklearn_models_as_retraining_would(estimator, space):
    # partial_fit keeps SGD's learning-rate schedule and MLP's optimizer state,
    # which a warm-started fit starts again: with a fixed data order a continued
    # model is the model trained from scratch to that many epochs.
    X_digits, y_digits = _digits_sample()
    runs = []
    for incremental in ("partial_fit", False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = HyperbandSearchCV(
                estimator,
                space,
                resource="max_iter",
                min_resource=1,
                cv=3,
                refit=False,
                random_state=0,
                incremental=incremental,
            ).fit(X_digits, y_digits)
        runs.append(search)
    assert list(runs[0].cv_results_["params"]) == list(runs[1].cv_results_["params"])
    scores = [run.cv_results_["split0_test_score"] for run in runs]
    np.testing.assert_allclose(scores[0], scores[1])
    assert runs[0].incremental_ == "partial_fit"


def test_a_configuration_without_partial_fit_continues_by_warm_start():
    # The solver is searched: lbfgs configurations have no partial_fit.
    X_digits, y_digits = _digits_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = HyperbandSearchCV(
            MLPClassifier((8,), max_iter=9, random_state=0),
            {"solver": ["adam", "lbfgs"]},
            resource="max_iter",
            min_resource=1,
            incremental="partial_fit",
            cv=2,
            refit=False,
            random_state=0,
            error_score="raise",
        ).fit(X_digits, y_digits)
    results = search.cv_results_
    assert search.incremental_ == "partial_fit"
    continued = [
        params["solver"]
        for params, rung in zip(results["params"], results["rung"], strict=True)
        if rung > 0
    ]
    assert {"adam", "lbfgs"} <= set(continued)
    assert np.isfinite(results["mean_test_score"]).all()


@pytest.mark.parametrize("sampler", ["random", "bayesian"])
@pytest.mark.parametrize(
    "estimator, resource",
    [
        (EpochModel(max_iter=27), "max_iter"),
        (WarmEpochModel(max_iter=27), "max_iter"),
        (TreeModel(n_estimators=27), "n_estimators"),
    ],
)
def test_incremental_and_retrain_evaluate_the_same_configurations(
    estimator, resource, sampler
):
    runs = [
        _search(
            estimator,
            resource=resource,
            sampler=sampler,
            incremental=inc,
            min_resource=1,
        )
        .fit(X)
        .cv_results_
        for inc in (True, False)
    ]
    for key in ("params", "bracket", "rung", "n_resources"):
        assert list(runs[0][key]) == list(runs[1][key]), key
    np.testing.assert_allclose(runs[0]["mean_test_score"], runs[1]["mean_test_score"])
    # The paper's order: the most aggressive bracket first.
    assert list(dict.fromkeys(runs[0]["bracket"])) == [3, 2, 1, 0]


def test_pipeline_step_resource_is_continued():
    EpochModel.log.clear()
    pipe = Pipeline([("scale", StandardScaler()), ("model", EpochModel(max_iter=9))])
    search = HyperbandSearchCV(
        pipe,
        {"model__a": Real(0.0, 1.0)},
        resource="model__max_iter",
        cv=3,
        random_state=0,
    ).fit(X)
    assert search.incremental_ == "partial_fit"
    results = search.cv_results_
    a = np.array([p["model__a"] for p in results["params"]])
    expected = -((a - 0.3) ** 2) + 0.01 * np.asarray(results["n_resources"])
    np.testing.assert_allclose(results["mean_test_score"], expected)
    assert search.best_params_["model__max_iter"] == 9


def test_n_samples_subsamples_the_training_folds():
    search = HyperbandSearchCV(
        SizeModel(), SPACE, min_resource=6, max_resource=54, cv=3, random_state=0
    ).fit(X)
    results = search.cv_results_
    train_size = 40  # 60 samples, 3 folds
    expected = [int(r / 54 * train_size) for r in results["n_resources"]]
    np.testing.assert_array_equal(results["mean_test_score"], expected)
    assert search.min_resource_ == 6 and search.max_resource_ == 54
    assert search.incremental_ is None


def test_n_samples_auto_uses_the_data():
    search = HyperbandSearchCV(SizeModel(), SPACE, cv=3, random_state=0).fit(X)
    assert (search.min_resource_, search.max_resource_) == (6, 60)
    assert search.metadata_["max_resource"] == 60


def test_best_is_chosen_at_the_largest_resource():
    search = _search().fit(X)
    results = search.cv_results_
    top = results["n_resources"] == 9
    best = np.flatnonzero(top)[np.argmax(results["mean_test_score"][top])]
    assert search.best_index_ == best
    assert search.best_params_["max_iter"] == 9
    assert search.best_estimator_.epochs_ == 9


def test_best_among_top_resource_even_when_a_lower_rung_scored_higher():
    # Score falls with training: the best rows are at resource 1, never chosen.
    class Overfits(EpochModel):
        def score(self, X, y=None):
            return -self.epochs_ - (self.a - 0.3) ** 2

    search = _search(Overfits()).fit(X)
    assert search.cv_results_["n_resources"][search.best_index_] == 9
    assert np.argmax(search.cv_results_["mean_test_score"]) != search.best_index_


def test_callable_refit_is_honoured():
    def pick_first_row_at_resource_3(results):
        return int(np.flatnonzero(np.asarray(results["n_resources"]) == 3)[0])

    search = _search(refit=pick_first_row_at_resource_3).fit(X)
    assert search.cv_results_["n_resources"][search.best_index_] == 3
    assert search.best_estimator_.epochs_ == 3


def test_multimetric_and_train_scores():
    scoring = {
        "s": lambda est, X, y=None: est.score(X),
        "e": lambda est, X, y=None: est.epochs_,
    }
    search = _search(scoring=scoring, refit="s", return_train_score=True).fit(X)
    results = search.cv_results_
    np.testing.assert_allclose(results["mean_test_s"], _expected(results))
    np.testing.assert_array_equal(results["mean_test_e"], results["n_resources"])
    np.testing.assert_array_equal(results["mean_train_e"], results["n_resources"])
    assert search.multimetric_ and search.best_params_["max_iter"] == 9
    no_refit = _search(scoring=scoring, refit=False).fit(X)
    assert not hasattr(no_refit, "best_estimator_")


@pytest.mark.parametrize("incremental", [True, False])
def test_failing_configurations_are_recorded(incremental):
    space = {"a": Real(-1.0, 1.0)}
    with pytest.warns(FitFailedWarning):
        search = HyperbandSearchCV(
            EpochModel(),
            space,
            resource="max_iter",
            cv=3,
            random_state=0,
            incremental=incremental,
        ).fit(X)
    results = search.cv_results_
    failed = np.array([p["a"] < 0 for p in results["params"]])
    assert failed.any() and np.isnan(results["mean_test_score"][failed]).all()
    assert search.best_params_["a"] >= 0
    with pytest.raises(ValueError, match="fails on purpose"):
        HyperbandSearchCV(
            EpochModel(),
            space,
            resource="max_iter",
            cv=3,
            random_state=0,
            error_score="raise",
            incremental=incremental,
        ).fit(X)


@pytest.mark.parametrize("sampler", ["random", "bayesian"])
def test_repeatable_with_random_state(sampler):
    a = _search(sampler=sampler, random_state=3).fit(X).cv_results_["params"]
    b = _search(sampler=sampler, random_state=3).fit(X).cv_results_["params"]
    c = _search(sampler=sampler, random_state=4).fit(X).cv_results_["params"]
    assert a == b and a != c


def test_n_jobs_gives_the_same_results():
    one = _search(TreeModel(n_estimators=9), resource="n_estimators").fit(X)
    two = _search(TreeModel(n_estimators=9), resource="n_estimators", n_jobs=2).fit(X)
    np.testing.assert_allclose(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )


def test_param_distributions_alias_clone_and_pickle():
    search = HyperbandSearchCV(
        EpochModel(),
        param_distributions={"a": uniform(0, 1)},
        resource="max_iter",
        cv=3,
        random_state=0,
    )
    cloned = clone(search).get_params()
    assert cloned["search_spaces"] is None and list(cloned["param_distributions"]) == [
        "a"
    ]
    search.fit(X)
    again = pickle.loads(pickle.dumps(search))
    assert again.best_params_ == search.best_params_
    assert again.score(X) == search.score(X)
    assert not any(hasattr(search, a) for a in ("_fit_data", "_routed", "_ledger"))


def test_timeout_and_callbacks_stop_between_rungs():
    calls = []

    def stop_after_two(result):
        calls.append(len(result.x_iters))
        return len(calls) == 2

    search = _search(callbacks=stop_after_two).fit(X)
    assert len(calls) == 2 and len(search.cv_results_["params"]) == calls[-1]
    # The most aggressive bracket runs first: two of its rungs, nothing else.
    assert search.n_brackets_ == 1 and search.n_resources_ == [[1, 3]]
    quick = _search(timeout=1e-9).fit(X)
    assert len(quick.cv_results_["params"]) == 9  # the first rung only


def test_verbose_and_progress_bar(capsys):
    _search(verbose=1, progress_bar=True).fit(X)
    out = capsys.readouterr()
    assert "bracket 2, rung 0: 9 candidates, n_resources=1" in out.out
    assert "22/22" in out.err


class NoFit(EpochModel):
    def fit(self, X, y=None):
        raise AssertionError("no fit may happen before the input is validated")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"eta": 1}, InvalidParameterError, "'eta' parameter .* range \\[2, inf\\)"),
        (
            {"min_resource": 10},
            ValueError,
            "min_resource must be <= max_resource. Got min_resource=10 and "
            "max_resource=9",
        ),
        (
            {"resource": "epochs"},
            ValueError,
            "resource='epochs' is not a parameter of NoFit. Use 'n_samples' or one "
            "of its integer parameters: \\['max_iter'\\]",
        ),
        (
            {"estimator": NoFit(max_iter=None)},
            ValueError,
            "max_resource='auto' cannot be inferred: NoFit's max_iter is None",
        ),
        (
            {"estimator": TreeModel(), "resource": "a"},
            ValueError,
            "resource='a' is also in search_spaces",
        ),
        (
            {"resource": "n_samples", "incremental": True},
            ValueError,
            "incremental=True, but NoFit cannot continue",
        ),
        (
            {"param_distributions": SPACE},
            ValueError,
            "Give exactly one of search_spaces and param_distributions",
        ),
        ({"search_spaces": {"b": Real(0, 1)}}, ValueError, "b"),
        ({"sampler": "tpe"}, InvalidParameterError, "'sampler' parameter"),
    ],
)
def test_bad_input_fails_before_any_fit(kwargs, error, match):
    options = {
        "estimator": NoFit(max_iter=9),
        "search_spaces": SPACE,
        "resource": "max_iter",
        "cv": 3,
        **kwargs,
    }
    search = HyperbandSearchCV(**options)
    with pytest.raises(error, match=match):
        search.fit(X)


def test_empty_data_is_named_as_the_cause():
    search = HyperbandSearchCV(NoFit(), SPACE, cv=3)
    with pytest.raises(ValueError, match="X has 0: you might have passed an empty"):
        search.fit(np.empty((0, 3)), [])


def test_every_rung_uses_the_same_folds():
    """A cv that reshuffles at every split() call is split once per fit."""

    class TestFold(EpochModel):
        def score(self, X, y=None):
            return float(np.sum(X))  # identifies the test fold

    for resource, estimator in [("max_iter", TestFold()), ("n_samples", TestFold())]:
        search = HyperbandSearchCV(
            estimator,
            SPACE,
            resource=resource,
            min_resource=6 if resource == "n_samples" else "auto",
            cv=KFold(3, shuffle=True),
            random_state=0,
        ).fit(X)
        results = search.cv_results_
        full = np.asarray(results["n_resources"]) == search.max_resource_
        for k in range(3):
            scores = results[f"split{k}_test_score"][full]
            np.testing.assert_allclose(scores, scores[0], err_msg=resource)


def test_metadata_before_fit():
    with pytest.raises(ValueError, match="depend on the data"):
        _ = HyperbandSearchCV(SizeModel(), SPACE).metadata
    plan = HyperbandSearchCV(
        EpochModel(max_iter=81), SPACE, resource="max_iter", min_resource=1
    ).metadata
    assert [b["n_candidates"][0] for b in plan["brackets"]] == [81, 34, 15, 8, 5]
    assert plan["n_candidates"] == 143


@pytest.mark.parametrize(
    "max_iter, eta, min_resource, first_rungs",
    [
        (81, 3, 9, [9, 5, 3]),  # max_resource / eta**2: three brackets
        (243, 3, 27, [9, 5, 3]),
        (100, 3, 11, [9, 5, 3]),
        (64, 2, 16, [4, 3, 3]),
        (5, 3, 1, [3, 2]),  # too small for three brackets: every bracket
    ],
)
def test_auto_min_resource_of_a_parameter_gives_three_brackets(
    max_iter, eta, min_resource, first_rungs
):
    plan = HyperbandSearchCV(
        EpochModel(max_iter=max_iter), SPACE, resource="max_iter", eta=eta
    ).metadata
    assert plan["min_resource"] == min_resource
    assert [b["n_candidates"][0] for b in plan["brackets"]] == first_rungs


def test_constant_folds_for_the_executor():
    search = _search(cv=KFold(3, shuffle=True, random_state=0)).fit(X)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], _expected(search.cv_results_)
    )


def test_callable_scoring_returning_a_dict_with_failures():
    def scoring(est, X, y=None):
        return {"s": est.score(X), "e": est.epochs_}

    space = {"a": Real(-1.0, 1.0)}
    with pytest.warns(FitFailedWarning):
        search = HyperbandSearchCV(
            EpochModel(),
            space,
            resource="max_iter",
            scoring=scoring,
            refit="s",
            cv=3,
            random_state=0,
            incremental=True,
        ).fit(X)
    results = search.cv_results_
    failed = np.array([p["a"] < 0 for p in results["params"]])
    assert failed.any() and np.isnan(results["mean_test_e"][failed]).all()
    np.testing.assert_array_equal(
        results["mean_test_e"][~failed], results["n_resources"][~failed]
    )
    assert search.multimetric_ and search.best_params_["a"] >= 0
