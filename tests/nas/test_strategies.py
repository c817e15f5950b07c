"""Search strategies as ask/tell objects, without training."""

from functools import partial

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sktune.nas import build_module, count_params  # noqa: E402
from sktune.nas._search import pareto_front, worker_layout  # noqa: E402
from sktune.nas._spaces import config_to_architecture, resolve_space  # noqa: E402
from sktune.nas._strategies import make_strategy  # noqa: E402


def _strategy(name, max_params=None, max_trials=12, seed=0):
    space, defaults = resolve_space(None, "tabular")
    make_arch = partial(
        config_to_architecture,
        defaults=defaults,
        input_kind="tabular",
        input_shape=[6],
        n_outputs=3,
    )
    rng = np.random.default_rng(seed)
    return make_strategy(name, space, make_arch, rng, max_params, max_trials, 1024)


def _fake_results(proposals, first_trial, scores=None):
    results = []
    for i, p in enumerate(proposals):
        module = build_module(p["architecture"])
        results.append(
            {
                "trial": first_trial + i,
                "status": "ok",
                "score": float(scores[i]) if scores is not None else 0.5,
                "epochs": 3.0,
                "states": [module.state_dict()],
            }
        )
    return results


def test_mutation_changes_one_value_within_the_space():
    strategy = _strategy("evolution")
    parent = strategy.space.sample(1, strategy.rng)[0]
    for _ in range(30):
        child = strategy.mutate(parent)
        changed = [k for k in parent if child[k] != parent[k]]
        assert len(changed) <= 1
        strategy.space.subspace_index(child)  # raises if out of the space
    assert any(strategy.mutate(parent) != parent for _ in range(5))


def test_aging_evolution_keeps_the_most_recent_members():
    strategy = _strategy("evolution", max_trials=40)
    size = strategy.population_size
    told = 0
    for _ in range(size + 3):
        (proposal,) = strategy.ask(1)
        strategy.tell([proposal], _fake_results([proposal], told, [told]))
        told += 1
    assert len(strategy.population) == size
    # The oldest died: the scores left are the last `size` ones.
    assert [s for _, s in strategy.population] == list(range(told - size, told))


def test_evolution_children_descend_from_good_members():
    strategy = _strategy("evolution", max_trials=40)
    told = 0
    while told < strategy.population_size:
        (p,) = strategy.ask(1)
        strategy.tell([p], _fake_results([p], told, [float(told == 0)]))
        told += 1
    best = strategy.population[0][0]
    children = [strategy.ask(1)[0]["params"] for _ in range(300)]
    near = np.mean([sum(c[k] != best[k] for k in best) <= 1 for c in children])
    # A tournament of S out of P members holds the only good one with probability
    # S / P; choosing parents uniformly would give 1 / P.
    expected = strategy.sample_size / strategy.population_size
    assert expected > 2 / strategy.population_size
    assert abs(near - expected) < 0.1


@pytest.mark.parametrize("name", ["random", "evolution", "bayesian", "morphism"])
def test_proposals_respect_max_params(name):
    if name == "bayesian":
        pytest.importorskip("sktune.optimizers")
    strategy = _strategy(name, max_params=3000)
    told = 0
    for _ in range(4):
        proposals = strategy.ask(2)
        assert all(count_params(p["architecture"]) <= 3000 for p in proposals)
        strategy.tell(proposals, _fake_results(proposals, told))
        told += len(proposals)


def test_morphism_children_inherit_parent_weights():
    strategy = _strategy("morphism", max_trials=8)
    seeds = strategy.ask(strategy.n_seeds)
    assert all("parent" not in p for p in seeds)
    strategy.tell(seeds, _fake_results(seeds, 0, np.arange(len(seeds))))
    (child,) = strategy.ask(1)
    assert child["parent"] in range(len(seeds))
    parent = seeds[child["parent"]]
    assert count_params(child["architecture"]) > count_params(parent["architecture"])
    assert child["params"] == parent["params"]
    assert child["epochs_before"] == 3.0
    module = build_module(child["architecture"])
    module.load_state_dict(child["parent_states"][0])  # shapes match the child


def test_worker_layout():
    assert worker_layout("cpu", 1, 0) == (["cpu"], 1)
    assert worker_layout("cpu", 3, 0) == (["cpu"] * 3, 1)
    assert worker_layout("cuda", 4, 2) == (["cuda:0", "cuda:1"], None)
    assert worker_layout("cuda:1", 4, 2) == (["cuda:1"], None)


def test_pareto_front():
    trials = [
        {"trial": 0, "status": "ok", "score": 0.9, "n_params": 100},
        {"trial": 1, "status": "ok", "score": 0.8, "n_params": 200},  # dominated
        {"trial": 2, "status": "ok", "score": 0.95, "n_params": 300},
        {"trial": 3, "status": "failed", "score": np.nan, "n_params": 10},
        {"trial": 4, "status": "ok", "score": 0.7, "n_params": 50},
    ]
    for t in trials:
        t.update(latency_ms=0.1, architecture={})
    assert [p["trial"] for p in pareto_front(trials)] == [4, 0, 2]


def _brute_force_front(trials, costs):
    """Indices of the ok trials no other weakly dominates (ties: earlier wins)."""

    def weakly_dominates(u, t):
        return u["score"] >= t["score"] and all(u[c] <= t[c] for c in costs)

    ok = [t for t in trials if t["status"] == "ok"]
    return {
        t["trial"]
        for t in ok
        if not any(
            weakly_dominates(u, t)
            and (not weakly_dominates(t, u) or u["trial"] < t["trial"])
            for u in ok
            if u is not t
        )
    }


@pytest.mark.parametrize(
    "costs", [("n_params",), ("latency_ms",), ("n_params", "latency_ms")]
)
def test_pareto_front_matches_brute_force(costs):
    rng = np.random.default_rng(0)
    trials = [
        {
            "trial": i,
            "status": "ok",
            # Few distinct values, so that ties in every objective occur.
            "score": float(rng.integers(0, 6)) / 5,
            "n_params": int(rng.integers(1, 8)) * 100,
            "latency_ms": float(rng.integers(1, 5)) / 10,
            "architecture": {},
        }
        for i in range(60)
    ]
    front = pareto_front(trials, costs)
    assert {p["trial"] for p in front} == _brute_force_front(trials, costs)
    first = [p[costs[0]] for p in front]
    assert first == sorted(first)


def test_pareto_front_with_latency_keeps_a_fast_larger_network():
    trials = [
        {"trial": 0, "score": 0.9, "n_params": 100, "latency_ms": 0.5},
        {"trial": 1, "score": 0.9, "n_params": 300, "latency_ms": 0.1},
        {"trial": 2, "score": 0.8, "n_params": 200, "latency_ms": 0.6},  # beaten
        {"trial": 3, "score": 0.95, "n_params": 900, "latency_ms": np.nan},
    ]
    for t in trials:
        t.update(status="ok", architecture={})
    assert [p["trial"] for p in pareto_front(trials)] == [0, 3]
    assert [p["trial"] for p in pareto_front(trials, ("latency_ms",))] == [1, 3]
    both = pareto_front(trials, ("n_params", "latency_ms"))
    assert [p["trial"] for p in both] == [0, 1, 3]


def test_best_trial_prefers_smaller_network_on_ties():
    from sktune.nas._search import best_trial

    trials = [
        {"trial": 0, "status": "ok", "score": 0.9, "n_params": 500},
        {"trial": 1, "status": "ok", "score": 0.9, "n_params": 100},
        {"trial": 2, "status": "ok", "score": 0.8, "n_params": 10},
        {"trial": 3, "status": "nan", "score": np.nan, "n_params": 5},
    ]
    assert best_trial(trials)["trial"] == 1
    assert best_trial(trials[3:]) is None


def test_bayesian_strategy_tells_training_time_as_cost():
    strategy = _strategy("bayesian")
    proposals = strategy.ask(4)
    results = _fake_results(proposals, 0, [0.5, 0.6, float("nan"), 0.7])
    for result, fit_time in zip(results, [2.0, 3.0, 0.5, 0.01], strict=True):
        result["fit_time"] = fit_time
    results[2]["status"] = "failed"  # trained, then failed: its time counts
    results[3]["status"] = "too_large"  # never trained: no cost
    strategy.tell(proposals, results)
    history = strategy.optimizer._history
    costs = dict(zip(map(repr, history.configs), history.costs, strict=True))
    told = [costs[repr(p["params"])] for p in proposals]
    np.testing.assert_array_equal(told, [2.0, 3.0, 0.5, np.nan])


def test_bayesian_replay_tells_costs(monkeypatch):
    from sktune.nas._strategies import BayesianStrategy

    monkeypatch.setattr(BayesianStrategy, "acq_func", "EIps")
    first = _strategy("bayesian", seed=1)
    proposals = first.ask(5)
    records = [
        {**p, **r, "fit_time": 1.0 + i}
        for i, (p, r) in enumerate(
            zip(proposals, _fake_results(proposals, 0, np.arange(5) / 10), strict=True)
        )
    ]
    resumed = _strategy("bayesian", seed=2)
    resumed.replay(records)
    assert resumed.n_asked == 5
    assert resumed.optimizer._history.costs == [1.0, 2.0, 3.0, 4.0, 5.0]
    (proposal,) = resumed.ask(1)  # the model, with costs
    assert proposal["params"] not in [p["params"] for p in proposals]
