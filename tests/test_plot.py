"""sktune.plot: what each display computes from a fitted search, and what it draws."""

import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sktune import BayesianSearchCV, HyperbandSearchCV
from sktune.plot import (
    BracketsDisplay,
    ConvergenceDisplay,
    EvaluationsDisplay,
    ParetoFrontDisplay,
)
from sktune.space import Real

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

X, y = load_iris(return_X_y=True)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def random_search():
    return RandomizedSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": randint(1, 6), "criterion": ["gini", "entropy"]},
        n_iter=6,
        cv=3,
        random_state=0,
    ).fit(X, y)


@pytest.fixture(scope="module")
def bayes_search():
    space = {
        "C": Real(1e-3, 1e3, prior="log-uniform"),
        "tol": Real(1e-4, 1.0),  # uniform, though it spans four decades
    }
    return BayesianSearchCV(SVC(), space, n_iter=6, cv=3, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def hyperband():
    # Three brackets (s = 2, 1, 0) from 1 to 9 iterations: 22 rows, 17 configurations.
    return HyperbandSearchCV(
        SGDClassifier(max_iter=9, tol=None, random_state=0),
        {"alpha": loguniform(1e-5, 1e-1), "loss": ["hinge", "log_loss"]},
        resource="max_iter",
        cv=3,
        random_state=0,
    ).fit(X, y)


def running_best(scores):
    """Best score so far, written out: NaN until the first finite score."""
    best, out = None, []
    for s in scores:
        if not np.isnan(s) and (best is None or s > best):
            best = s
        out.append(np.nan if best is None else best)
    return np.array(out)


class Results(BaseEstimator):
    """A stand-in for a fitted search: only ``cv_results_``."""

    def __init__(self, cv_results=None):
        self.cv_results = cv_results

    def fit(self):
        self.cv_results_ = self.cv_results
        return self


# -- ConvergenceDisplay ----------------------------------------------------------------
def test_convergence_is_running_best_and_skips_failures():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (FitFailedWarning, UserWarning))
        search = GridSearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": [-1, 1, 3, -2, 2]},  # negative depths fail to fit
            cv=3,
            error_score=np.nan,
        ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[[0, 3]]).all()
    display = ConvergenceDisplay.from_search(search)
    (line,) = display.lines_
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(line.get_ydata(), running_best(scores))
    assert np.isnan(line.get_ydata()[0]) and line.get_ydata()[4] == scores[2]
    assert display.ax_.get_ylabel() == "best score so far"


def test_convergence_compares_several_searches(random_search, bayes_search):
    display = ConvergenceDisplay.from_search([random_search, bayes_search])
    assert [line.get_label() for line in display.lines_] == [
        "RandomizedSearchCV",
        "BayesianSearchCV",
    ]
    for line, search in zip(display.lines_, [random_search, bayes_search], strict=True):
        scores = search.cv_results_["mean_test_score"]
        np.testing.assert_allclose(line.get_ydata(), running_best(scores))
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        "RandomizedSearchCV",
        "BayesianSearchCV",
    ]
    assert len(display.points_) == 2
    np.testing.assert_allclose(
        display.points_[1].get_offsets()[:, 1],
        bayes_search.cv_results_["mean_test_score"],
    )


def test_convergence_labels(random_search):
    display = ConvergenceDisplay.from_search([random_search, random_search])
    assert [line.get_label() for line in display.lines_] == [
        "RandomizedSearchCV 1",
        "RandomizedSearchCV 2",
    ]
    display = ConvergenceDisplay.from_search(
        (random_search,), labels=["random"], show_scores=False
    )
    assert display.lines_[0].get_label() == "random"
    assert display.points_ == [None]


def test_convergence_of_hyperband_counts_full_resource_rows(hyperband):
    results = hyperband.cv_results_
    n_resources = np.asarray(results["n_resources"])
    scores = results["mean_test_score"]
    full = np.flatnonzero(n_resources == 9)
    assert 0 < len(full) < len(scores)

    (line,) = ConvergenceDisplay.from_search(hyperband).lines_
    np.testing.assert_array_equal(line.get_xdata(), full + 1)
    np.testing.assert_array_equal(line.get_ydata(), running_best(scores[full]))

    (line,) = ConvergenceDisplay.from_search(hyperband, x="resources").lines_
    np.testing.assert_array_equal(line.get_xdata(), np.cumsum(n_resources)[full])
    assert display_xlabel(hyperband, x="resources").startswith("resources spent")

    (line,) = ConvergenceDisplay.from_search(hyperband, all_resources=True).lines_
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(scores) + 1))
    np.testing.assert_array_equal(line.get_ydata(), running_best(scores))


def test_convergence_against_fit_time_puts_searches_on_one_scale(
    hyperband, random_search
):
    display = ConvergenceDisplay.from_search([hyperband, random_search], x="fit_time")
    for search, line in zip([hyperband, random_search], display.lines_, strict=True):
        results = search.cv_results_
        seconds = [
            (results["mean_fit_time"][i] + results["mean_score_time"][i])
            * search.n_splits_
            for i in range(len(results["params"]))
        ]
        counted = np.flatnonzero(
            np.asarray(results.get("n_resources", [0] * len(seconds)))
            == max(results.get("n_resources", [0]))
        )
        np.testing.assert_allclose(line.get_xdata(), np.cumsum(seconds)[counted])
    assert display.ax_.get_xlabel().startswith("seconds of fitting and scoring")


def display_xlabel(search, **kwargs):
    return ConvergenceDisplay.from_search(search, **kwargs).ax_.get_xlabel()


def test_convergence_multimetric():
    kwargs = dict(scoring=["accuracy", "f1_macro"], cv=3)
    grid = {"max_depth": [1, 2]}
    search = GridSearchCV(DecisionTreeClassifier(random_state=0), grid, **kwargs)
    search.set_params(refit="f1_macro").fit(X, y)
    display = ConvergenceDisplay.from_search(search)
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(),
        running_best(search.cv_results_["mean_test_f1_macro"]),
    )
    assert display.ax_.get_ylabel() == "best f1_macro so far"
    display = ConvergenceDisplay.from_search(search, metric="accuracy")
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(),
        running_best(search.cv_results_["mean_test_accuracy"]),
    )
    search.set_params(refit=False).fit(X, y)
    with pytest.raises(ValueError, match=r"refit=False names none .* \['accuracy'"):
        ConvergenceDisplay.from_search(search)


def test_scoring_string_labels_the_axis():
    search = GridSearchCV(
        DecisionTreeClassifier(), {"max_depth": [1, 2]}, scoring="balanced_accuracy"
    ).fit(X, y)
    assert display_xlabel(search) == "evaluation"
    display = ConvergenceDisplay.from_search(search)
    assert display.ax_.get_ylabel() == "best balanced_accuracy so far"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"x": "time"},
            r"x must be one of \['evaluations', 'resources', 'fit_time'\]. Got x='t",
        ),
        ({"x": "resources"}, r"x='resources' needs the n_resources column.*search 0"),
        ({"metric": "f1"}, r"metric='f1' is not a metric .*choose one of \['score'\]"),
        ({"labels": ["a", "b"]}, r"labels must hold one label per search \(1\)"),
    ],
)
def test_convergence_errors(random_search, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ConvergenceDisplay.from_search(random_search, **kwargs)


def test_unfitted_search_is_refused():
    search = RandomizedSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2]})
    for display in (ConvergenceDisplay, EvaluationsDisplay, BracketsDisplay):
        with pytest.raises(NotFittedError):
            display.from_search(search)
    with pytest.raises(ValueError, match="search must be a fitted search"):
        ConvergenceDisplay.from_search([])


def test_draws_on_given_axes(random_search):
    fig, ax = plt.subplots()
    display = ConvergenceDisplay.from_search(random_search, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    assert display.lines_[0] in ax.lines
    # plot() draws again, elsewhere, from what was computed.
    _, other = plt.subplots()
    assert display.plot(ax=other).ax_ is other and display.lines_[0] in other.lines


# -- EvaluationsDisplay ----------------------------------------------------------------
def test_evaluations_points_are_the_candidates(bayes_search):
    display = EvaluationsDisplay.from_search(bayes_search)
    results = bayes_search.cv_results_
    assert [ax.get_xlabel() for ax in display.axes_] == ["C", "tol"]
    for name, points in zip(["C", "tol"], display.scatters_, strict=True):
        expected = [p[name] for p in results["params"]]
        np.testing.assert_allclose(points.get_offsets()[:, 0], expected)
        np.testing.assert_allclose(
            points.get_offsets()[:, 1], results["mean_test_score"]
        )
        # Coloured by evaluation order.
        np.testing.assert_array_equal(points.get_array(), np.arange(1, 7))
    # Log axis from the space's prior, not from the span of the values.
    assert [ax.get_xscale() for ax in display.axes_] == ["log", "linear"]
    assert display.figure_ is display.axes_[0].figure
    assert display.colorbar_.ax.get_ylabel() == "evaluation"


def test_evaluations_categorical_and_conditional_panels():
    space = [
        {"kernel": ["linear"], "C": [0.1, 10.0]},
        {"kernel": ["rbf"], "C": [0.1, 10.0], "gamma": ["scale", 0.1]},
    ]
    search = GridSearchCV(SVC(), space, cv=3).fit(X, y)
    display = EvaluationsDisplay.from_search(search)
    panels = {
        ax.get_xlabel(): (ax, points)
        for ax, points in zip(display.axes_, display.scatters_, strict=True)
    }
    assert list(panels) == ["C", "kernel", "gamma"]
    ax, points = panels["kernel"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["'linear'", "'rbf'"]
    np.testing.assert_array_equal(points.get_offsets()[:, 0], [0, 0, 1, 1, 1, 1])
    # Mixed values: numbers first, then the rest; linear candidates have no gamma.
    ax, points = panels["gamma"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "'scale'"]
    np.testing.assert_array_equal(points.get_offsets()[:, 0], [1, 0, 1, 0])
    np.testing.assert_array_equal(points.get_array(), [3, 4, 5, 6])
    # Two decades of positive values without a prior to go by: log.
    assert panels["C"][0].get_xscale() == "log"


def test_evaluations_of_hyperband_leave_out_the_resource(hyperband):
    display = EvaluationsDisplay.from_search(hyperband, params=["loss"])
    assert [ax.get_xlabel() for ax in display.axes_] == ["loss"]
    n_full = int(np.sum(np.asarray(hyperband.cv_results_["n_resources"]) == 9))
    assert len(display.scatters_[0].get_offsets()) == n_full
    display = EvaluationsDisplay.from_search(hyperband, all_resources=True)
    assert [ax.get_xlabel() for ax in display.axes_] == ["alpha", "loss"]
    assert len(display.scatters_[0].get_offsets()) == 22


def test_evaluations_on_given_axes_and_errors(random_search):
    _, axes = plt.subplots(1, 2)
    display = EvaluationsDisplay.from_search(random_search, ax=axes)
    assert list(display.axes_) == list(axes)
    with pytest.raises(ValueError, match=r"ax must hold one Axes per parameter \(2"):
        EvaluationsDisplay.from_search(random_search, ax=axes[:1])
    with pytest.raises(ValueError, match=r"params must name parameters .*\['criterion"):
        EvaluationsDisplay.from_search(random_search, params=["depth"])


# -- BracketsDisplay -------------------------------------------------------------------
def test_brackets_one_line_per_configuration(hyperband):
    display = BracketsDisplay.from_search(hyperband)
    lines_per_bracket = {}
    for line, s in zip(display.lines_, display.brackets, strict=True):
        x = line.get_xdata()
        assert np.all(np.diff(x) > 0)  # rung after rung
        lines_per_bracket.setdefault(s, []).append(line)
    for planned in hyperband.metadata_["brackets"]:
        lines = lines_per_bracket[planned["bracket"]]
        # As many lines as the bracket's first rung has configurations; as many
        # reach each rung as the schedule kept.
        assert len(lines) == planned["n_candidates"][0]
        reached = [sum(len(line.get_xdata()) > r for line in lines) for r in range(3)]
        assert reached[: len(planned["n_candidates"])] == planned["n_candidates"]
        assert len({line.get_color() for line in lines}) == 1
    colors = {s: lines[0].get_color() for s, lines in lines_per_bracket.items()}
    assert len(set(colors.values())) == 3
    # Every row of cv_results_ is one point, with its score.
    results = hyperband.cv_results_
    points = sorted(
        (x, y) for line in display.lines_ for x, y in zip(*line.get_data(), strict=True)
    )
    assert points == sorted(
        zip(results["n_resources"], results["mean_test_score"], strict=True)
    )
    assert display.ax_.get_xscale() == "log"
    assert display.ax_.get_xlabel() == "resource (max_iter)"
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["bracket 2", "bracket 1", "bracket 0"]


def test_brackets_link_rows_by_config_id():
    rows = dict(
        config_id=[0, 1, 1, 2],
        bracket=[1, 1, 1, 0],
        n_resources=[1, 1, 3, 3],
        mean_test_score=[0.5, 0.6, 0.7, 0.8],
        # Equal params do not link rows: the same draw twice stays two lines.
        params=[{"a": 1}, {"a": 1}, {"a": 1}, {"a": 1}],
    )
    display = BracketsDisplay.from_search(Results(rows).fit())
    assert [line.get_ydata().tolist() for line in display.lines_] == [
        [0.5],
        [0.6, 0.7],
        [0.8],
    ]


def test_brackets_need_hyperband_columns(random_search):
    with pytest.raises(
        ValueError, match=r"has no column \['config_id', 'bracket', 'n_resources'\]"
    ):
        BracketsDisplay.from_search(random_search)


# -- ParetoFrontDisplay ----------------------------------------------------------------
def test_pareto_front_of_a_nas_estimator():
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from sktune.nas import NASClassifier
    from sktune.space import Integer

    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0, 0.0, 0.0], [4.0, 4.0, 0.0, 0.0], [0, 4, 4, 4]])
    labels = np.repeat([0, 1, 2], 30)
    data = centers[labels] + rng.normal(scale=2.5, size=(90, 4))
    space = {"n_layers": Integer(1, 2), "width": Integer(4, 32), "lr": [2e-2]}
    clf = NASClassifier(space=space, max_trials=5, max_epochs=5, random_state=0)
    with pytest.raises(NotFittedError):
        ParetoFrontDisplay.from_estimator(clf)
    clf.fit(data, labels)

    display = ParetoFrontDisplay.from_estimator(clf)
    ok = np.array([s == "ok" for s in clf.cv_results_["status"]])
    offsets = display.points_.get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], clf.cv_results_["n_params"][ok])
    np.testing.assert_array_equal(offsets[:, 1], clf.cv_results_["mean_test_score"][ok])
    front = clf.pareto_front_
    assert display.line_.get_xdata().tolist() == [t["n_params"] for t in front]
    assert display.line_.get_ydata().tolist() == [t["score"] for t in front]
    assert display.line_.get_drawstyle() == "steps-post"
    assert display.ax_.get_xscale() == "log"

    # A front over both costs, drawn against latency: its trials are marked.
    clf.set_params(pareto_costs=("n_params", "latency_ms"), refit=False)
    clf.fit(data, labels)
    display = ParetoFrontDisplay.from_estimator(clf, cost="latency_ms")
    latency = sorted(t["latency_ms"] for t in clf.pareto_front_)
    assert display.line_.get_xdata().tolist() == latency
    assert display.line_.get_linestyle() == "None"
    assert display.ax_.get_xlabel() == "prediction time per sample (ms)"
    with pytest.raises(ValueError, match=r"cost must be one of \['latency_ms', 'n_p"):
        ParetoFrontDisplay.from_estimator(clf, cost="flops")


def test_pareto_front_needs_nas_columns(random_search):
    with pytest.raises(ValueError, match=r"has no column \['n_params', 'status'\]"):
        ParetoFrontDisplay.from_estimator(random_search)


# -- matplotlib stays optional ---------------------------------------------------------
def test_missing_matplotlib_names_the_extra(random_search, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sktune\[plot\]"'):
        ConvergenceDisplay.from_search(random_search)


def test_import_does_not_need_matplotlib():
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None  # as if it were not installed\n"
        "import sktune.plot\n"
        "print(sorted(k for k in ('matplotlib', 'torch') if sys.modules.get(k)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
