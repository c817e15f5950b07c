"""Evaluation costs and expected improvement per second ("EIps")."""

import numpy as np
import pytest

from sktune.optimizers import BayesianOptimizer
from sktune.space import Real

# The score does not depend on x; the cost grows 55-fold along it.
SPACE = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}


def _score(c):
    return -((c["y"] - 0.3) ** 2)


def _cost(c):
    return float(np.exp(4 * c["x"]))


def _run(acq_func, n_evals=20, seed=0, costs=True):
    optimizer = BayesianOptimizer(
        SPACE, acq_func=acq_func, n_initial_points=5, random_state=seed
    )
    proposals = []
    while optimizer.n_observed < n_evals:
        candidates = optimizer.ask()
        configs = [c.params for c in candidates]
        optimizer.tell(
            configs,
            [_score(c) for c in configs],
            costs=[_cost(c) for c in configs] if costs else None,
        )
        proposals += candidates
    return optimizer, proposals


def test_eips_spends_less_for_the_same_improvement():
    spent, found = {}, {}
    for acq_func in ("EI", "EIps"):
        runs = [_run(acq_func, seed=seed) for seed in range(3)]
        spent[acq_func] = np.median(
            [sum(_cost(c.params) for c in p[5:]) for _, p in runs]
        )
        found[acq_func] = np.median([o.best()[1] for o, _ in runs])
    assert spent["EIps"] < 0.5 * spent["EI"]
    assert found["EIps"] > -1e-3  # y still found: within 0.03 of 0.3


def test_default_acquisition_ignores_costs():
    with_costs, _ = _run("EI", n_evals=10, costs=True)
    without, _ = _run("EI", n_evals=10, costs=False)
    assert with_costs._history.configs == without._history.configs


def test_constant_costs_leave_eips_proposing_as_ei():
    ei, eips = (
        BayesianOptimizer(SPACE, random_state=3),
        BayesianOptimizer(SPACE, acq_func="EIps", random_state=3),
    )
    for _ in range(9):
        (a,), (b,) = ei.ask(), eips.ask()
        assert a.params == b.params
        for optimizer, c in ((ei, a), (eips, b)):
            optimizer.tell([c.params], [_score(c.params)], costs=[1.0])


def test_eips_needs_costs_and_uses_only_those_told():
    optimizer = BayesianOptimizer(
        SPACE, acq_func="EIps", n_initial_points=3, random_state=0
    )
    for candidate in optimizer.ask(3):
        optimizer.tell([candidate.params], [_score(candidate.params)])
    with pytest.raises(ValueError, match=r"acq_func='EIps'.*no cost was told"):
        optimizer.ask()
    # One evaluation with a cost is enough; those without stay out of the model.
    config = {"x": 0.5, "y": 0.5}
    optimizer.tell([config], [_score(config)], costs=[2.0])
    (candidate,) = optimizer.ask()
    assert np.isfinite(candidate.acquisition)
    assert optimizer._cost_model.surrogate.gp_.X_train_.shape[0] == 1


@pytest.mark.parametrize(
    "costs, match",
    [
        ([1.0, 0.0], r"costs must be finite and > 0.*\[0\.0\] at position\(s\) \[1\]"),
        ([-1.0, 2.0], r"costs must be finite and > 0.*position\(s\) \[0\]"),
        ([np.nan, 2.0], r"costs must be finite and > 0"),
        ([np.inf, 2.0], r"costs must be finite and > 0"),
        ([1.0], "2 configurations but 1 costs"),
        (["fast", "slow"], "costs must be an array-like of seconds"),
    ],
)
def test_bad_costs_are_refused(costs, match):
    optimizer = BayesianOptimizer(SPACE, acq_func="EIps")
    configs = [{"x": 0.1, "y": 0.1}, {"x": 0.2, "y": 0.2}]
    with pytest.raises(ValueError, match=match):
        optimizer.tell(configs, [0.0, 0.0], costs=costs)
    assert optimizer.n_observed == 0  # nothing recorded


def test_failed_evaluations_may_have_a_cost():
    optimizer = BayesianOptimizer(SPACE, acq_func="EIps", random_state=0)
    optimizer.tell([{"x": 0.9, "y": 0.9}], [np.nan], costs=[30.0])
    optimizer.tell([{"x": 0.1, "y": 0.2}], [-0.01], costs=[1.0])
    assert optimizer._history.costs == [30.0, 1.0]
