"""NASClassifier / NASRegressor: validation, API contract, results, failures."""

import json
import pickle
import time

import numpy as np
import pytest
from sklearn.metrics import get_scorer

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_regression  # noqa: E402
from sklearn.model_selection import KFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sktune.nas import NASClassifier, NASRegressor, build_module, load, save  # noqa: E402
from sktune.space import Categorical, Integer  # noqa: E402

from ._archs import SMALL_SPACE  # noqa: E402


def small(cls=NASClassifier, **kwargs):
    params = dict(space=SMALL_SPACE, max_trials=2, max_epochs=10, random_state=0)
    return cls(**{**params, **kwargs})


# -- errors before any training ----------------------------------------------------
@pytest.mark.parametrize(
    "params, data, match",
    [
        ({"strategy": "grid"}, None, r"'strategy' parameter of NASClassifier must be"),
        ({"max_trials": 0}, None, r"'max_trials' parameter .* must be an int"),
        ({"validation_fraction": 1.5}, None, r"'validation_fraction' parameter"),
        ({"n_finalists": 0}, None, r"'n_finalists' parameter .* must be an int"),
        ({"finalist_cv": "five"}, None, r"'finalist_cv' parameter of NASClassifier"),
        ({"device": "tpu"}, None, r"'device' parameter must be 'auto', 'cpu', 'cuda'"),
        ({"pareto_costs": "n_params"}, None, r"'pareto_costs' parameter"),
        ({"pareto_costs": ()}, None, r"pareto_costs must be a non-empty tuple"),
        (
            {"pareto_costs": ("n_params", "flops")},
            None,
            r"among \['n_params', 'latency_ms'\]. Got \('n_params', 'flops'\)",
        ),
        (
            {"pareto_costs": ["latency_ms", "latency_ms"]},
            None,
            r"pareto_costs must be a non-empty tuple of distinct names",
        ),
        ({"scoring": "acuracy"}, None, r"'scoring' parameter of NASClassifier must be"),
        ({"input_kind": "image"}, None, r"input_kind='image' needs X of shape"),
        ({"input_kind": "tabular"}, "3d", r"input_kind='tabular' needs X of shape"),
        ({"input_shape": (3, 3)}, None, r"input_shape=\(3, 3\) holds 9 values"),
        ({}, "nan", r"Input X contains NaN"),
        ({}, "one_class", r"y must hold at least two classes; got one class"),
        ({}, "continuous", r"Unknown label type"),
        (
            {"space": {"filters": [8]}},
            None,
            r"Invalid parameter\(s\) \['filters'\] .* These name a convolutional space",
        ),
        ({"space": {"bogus": [8]}}, None, r"Valid parameters are: \['activation'"),
        (
            {"space": {"width": [8]}, "input_kind": "image"},
            "3d",
            r"\['width'\] in space for image data.*fully connected",
        ),
        (
            {"space": {"width": Categorical([8])}, "max_params": 5},
            None,
            r"All 2 trials",
        ),
    ],
)
def test_bad_input_fails_before_training(blobs, params, data, match, monkeypatch):
    X, y = blobs
    if data == "3d":
        X = X.reshape(90, 2, 2)
    elif data == "nan":
        X = X.copy()
        X[3, 1] = np.nan
    elif data == "one_class":
        y = np.full(len(y), "ant")
    elif data == "continuous":
        y = np.linspace(0, 1, len(y))
    trained = []
    monkeypatch.setattr(
        "sktune.nas._trial.fit_network", lambda *a, **k: trained.append(1)
    )
    with pytest.raises(ValueError, match=match):
        small(**params).fit(X, y)
    assert not trained


def test_cuda_device_without_cuda_is_rejected(blobs):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ValueError, match=r"device='cuda' but 0 CUDA device"):
        small(device="cuda").fit(*blobs)


# -- the estimator contract --------------------------------------------------------
def test_fit_predict_string_labels_and_fitted_attributes(blobs):
    X, y = blobs
    clf = small().fit(X, y)
    assert clf.score(X, y) > 0.9
    assert set(clf.predict(X)) <= {"ant", "bee", "cat"}
    np.testing.assert_array_equal(clf.classes_, ["ant", "bee", "cat"])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert clf.n_features_in_ == 4
    json.dumps(clf.best_architecture_)
    json.dumps(clf.best_params_)
    assert isinstance(clf.best_module_, torch.nn.Module)
    assert clf.best_estimator_.train_split is None  # never skorch's unseeded split
    assert len(clf.cv_results_["params"]) == clf.n_trials_ == 2
    assert not clf.cv_results_["interrupted"].any()
    assert clf.cv_results_["rank_test_score"][clf.best_index_] == 1
    assert clf.best_score_ == max(clf.cv_results_["mean_test_score"])
    sizes = [p["n_params"] for p in clf.pareto_front_]
    scores = [p["score"] for p in clf.pareto_front_]
    assert sizes == sorted(sizes) and scores == sorted(scores)


def test_clone_pickle_pipeline_and_cross_val_score(blobs):
    X, y = blobs
    clf = small()
    assert clone(clf).get_params() == clf.get_params()
    clf.set_params(max_epochs=3)
    assert clf.max_epochs == 3
    fitted = clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    scores = cross_val_score(make_pipeline(StandardScaler(), small()), X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8


def test_same_random_state_same_search(blobs):
    X, y = blobs
    a = small(strategy="evolution", max_trials=4).fit(X, y)
    b = small(strategy="evolution", max_trials=4).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_image_input_and_export(images, tmp_path):
    X, y = images
    clf = NASClassifier(
        space={"n_stages": [1], "filters": [4], "lr": [1e-2], "batch_size": [16]},
        max_trials=1,
        max_epochs=8,
        random_state=0,
    ).fit(X, y)
    assert clf.input_kind_ == "image" and clf.input_shape_ == [1, 6, 6]
    assert clf.score(X, y) > 0.9
    save(clf, tmp_path / "model")
    rebuilt = load(tmp_path / "model")
    x = torch.as_tensor(X[:, None], dtype=torch.float32)
    np.testing.assert_allclose(
        torch.softmax(rebuilt(x), 1).detach().numpy(), clf.predict_proba(X), rtol=1e-5
    )
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        clf.predict(X[:, :, :5])


def test_flat_rows_as_images_and_sequences(images):
    X, y = images
    flat = X.reshape(len(X), -1)
    clf = small(space={"n_stages": [1], "filters": [4]}, input_shape=(6, 6)).fit(
        flat, y
    )
    assert (
        clf.best_architecture_["kind"] == "cnn" and clf.best_architecture_["ndim"] == 2
    )
    seq = small(space={"n_stages": [1], "filters": [4]}, input_kind="sequence")
    seq.fit(flat, y)
    assert seq.best_architecture_["ndim"] == 1 and seq.input_shape_ == [1, 36]


def test_regressor_multioutput_and_cv():
    X, y = make_regression(n_samples=80, n_features=5, n_targets=2, random_state=0)
    y = y * 100 + 1000  # learnt standardized, predicted in original units
    reg = small(NASRegressor, max_epochs=30, cv=KFold(2)).fit(X, y)
    assert reg.predict(X).shape == (80, 2)
    assert reg.n_splits_ == 2 and "split1_test_score" in reg.cv_results_
    assert reg.score(X, y) > 0.5


# -- strategies --------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["random", "evolution", "bayesian", "morphism"])
def test_each_strategy_runs_on_tiny_data(blobs, strategy):
    if strategy == "bayesian":
        pytest.importorskip("sktune.optimizers")
    X, y = blobs
    clf = small(strategy=strategy, max_trials=5, max_epochs=3).fit(X, y)
    assert clf.n_trials_ == 5
    assert all(s == "ok" for s in clf.cv_results_["status"])
    assert clf.score(X, y) > 0.6


def test_morphism_children_inherit_and_grow(blobs):
    X, y = blobs
    clf = small(strategy="morphism", max_trials=5, max_epochs=3).fit(X, y)
    res = clf.cv_results_
    children = [i for i, op in enumerate(res["operation"]) if op is not None]
    assert children  # the budget beyond the seeds is spent on grown networks
    for i in children:
        parent = res["parent"][i]
        assert parent < i
        assert res["n_params"][i] > res["n_params"][parent]


@pytest.mark.parametrize("strategy", ["random", "evolution", "bayesian", "morphism"])
def test_max_params_is_respected(blobs, strategy):
    if strategy == "bayesian":
        pytest.importorskip("sktune.optimizers")
    space = {"width": Integer(4, 512), "n_layers": Integer(1, 3), "lr": [2e-2]}
    clf = small(strategy=strategy, space=space, max_params=400, max_trials=6)
    clf.fit(*blobs)
    assert all(n <= 400 for n in clf.cv_results_["n_params"])
    assert all(s == "ok" for s in clf.cv_results_["status"])


# -- failures and budgets ----------------------------------------------------------
def test_failing_and_nan_trials_are_recorded_not_fatal(blobs, monkeypatch):
    from sktune.nas import _trial

    real = _trial.fit_network
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2 GiB")
        if len(calls) == 2:
            raise ValueError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(_trial, "fit_network", flaky)
    clf = small(max_trials=3).fit(*blobs)
    assert clf.cv_results_["status"] == ["oom", "failed", "ok"]
    assert "boom" in clf.cv_results_["error"][1]
    assert np.isnan(clf.cv_results_["mean_test_score"][:2]).all()
    assert clf.best_index_ == 2


def test_nan_loss_is_caught(blobs):
    clf = small(space={"lr": [1e6], "optimizer": ["sgd"]}, max_trials=2).fit
    with pytest.raises(ValueError, match="All 2 trials failed.*nan"):
        clf(*blobs)


def test_time_budget_stops_inside_training(blobs):
    X, y = blobs
    X = np.repeat(X, 20, axis=0)
    y = np.repeat(y, 20)
    start = time.perf_counter()
    clf = small(
        space={"width": [256], "n_layers": [3], "batch_size": [32]},
        max_trials=50,
        max_epochs=1000,
        early_stopping=False,
        time_budget=1.0,
        refit=False,
    ).fit(X, y)
    elapsed = time.perf_counter() - start
    assert clf.n_trials_ == 1  # the first trial was cut short, not run to 1000 epochs
    assert clf.cv_results_["interrupted"].tolist() == [True]
    assert elapsed < 6.0


def test_refit_false_keeps_best_trial_network(blobs):
    X, y = blobs
    clf = small(refit=False).fit(X, y)
    assert not hasattr(clf, "refit_epochs_")
    net = build_module(clf.best_architecture_)
    net.load_state_dict(clf.best_module_.state_dict())
    assert clf.score(X, y) > 0.8
    assert clf.best_trial_estimator_ is clf.best_estimator_


def test_refit_keeps_the_best_trial_network_apart(blobs):
    X, y = blobs
    clf = small().fit(X, y)
    trial_net = clf.best_trial_estimator_
    assert trial_net is not clf.best_estimator_
    assert trial_net.module_.architecture == clf.best_architecture_
    labels = clf.classes_[trial_net.predict(X.astype(np.float32))]  # encoded classes
    assert np.mean(labels == y) > 0.8
    # Rebuilt from stored weights, never fitted, it still knows its classes: a
    # probability scorer works on it.
    assert trial_net.classes_.tolist() == [0, 1, 2]
    encoded = np.searchsorted(clf.classes_, y)
    assert get_scorer("neg_log_loss")(trial_net, X.astype(np.float32), encoded) < 0


def test_scoring_chooses_the_metric_of_trials(blobs):
    X, y = blobs
    clf = small(scoring="neg_log_loss", max_trials=3).fit(X, y)
    scores = clf.cv_results_["mean_test_score"]
    assert np.all(scores < 0) and clf.best_score_ == scores.max()
    assert clf.score(X, y) > 0.8  # score stays accuracy
    # The validation loss that breaks ties is the same log loss.
    np.testing.assert_allclose(clf.cv_results_["mean_valid_loss"], -scores, rtol=1e-6)

    seen = []

    def scorer(net, X_valid, y_valid):
        seen.append(np.unique(y_valid).tolist())
        return -float(np.mean(net.predict(X_valid) != y_valid))  # minus error rate

    clf = small(scoring=scorer, max_trials=2).fit(X, y)
    assert seen == [[0, 1, 2], [0, 1, 2]]  # encoded classes, one call per trial
    assert -1.0 <= clf.best_score_ <= 0.0


def test_regressor_scoring():
    X, y = make_regression(n_samples=80, n_features=4, noise=1.0, random_state=0)
    reg = small(NASRegressor, scoring="neg_mean_absolute_error").fit(X, y)
    assert np.all(reg.cv_results_["mean_test_score"] < 0)
    assert reg.score(X, y) > 0.5  # R^2
    assert np.isnan(reg.cv_results_["mean_valid_loss"]).all()  # classifiers only


def test_parallel_trials(blobs):
    X, y = blobs
    clf = small(max_trials=4, n_jobs=2).fit(X, y)
    assert clf.n_trials_ == 4 and all(s == "ok" for s in clf.cv_results_["status"])
    assert torch.get_num_threads() >= 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_search(blobs):
    X, y = blobs
    clf = small(device="cuda", max_trials=2).fit(X, y)
    assert next(clf.best_module_.parameters()).is_cuda
    assert clf.score(X, y) > 0.8


def test_batch_norm_survives_a_last_batch_of_one_sample():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(42, 3))  # 33 training samples: 32 + 1
    y = (X[:, 0] > 0).astype(int)
    clf = small(space={"norm": ["batch"], "batch_size": [32]}, max_trials=1)
    clf.fit(X, y)
    assert clf.cv_results_["status"] == ["ok"]
