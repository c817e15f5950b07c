"""The bracket schedule against the paper's own algorithm; the ask/tell scheduler."""

import math

import numpy as np
import pytest

from sktune.optimizers import HyperbandScheduler, hyperband_brackets
from sktune.space import Real


def _paper_hyperband(R, eta):
    """Li et al. (JMLR 2018), Algorithm 1, written as the paper writes it (R in units
    of the smallest resource): returns [(n_i, r_i) per rung] per bracket."""
    s_max = int(math.floor(math.log(R) / math.log(eta) + 1e-9))
    B = (s_max + 1) * R
    brackets = []
    for s in range(s_max, -1, -1):
        n = int(math.ceil(B / R * eta**s / (s + 1)))
        r = R * eta ** (-s)
        brackets.append(
            [(int(math.floor(n * eta ** (-i))), r * eta**i) for i in range(s + 1)]
        )
    return brackets


@pytest.mark.parametrize(
    "R, eta", [(81, 3), (27, 3), (9, 3), (1, 3), (16, 2), (64, 4), (125, 5), (243, 3)]
)
def test_brackets_match_the_paper(R, eta):
    paper = _paper_hyperband(R, eta)
    ours = hyperband_brackets(1, R, eta)
    assert [b.s for b in ours] == list(range(len(paper) - 1, -1, -1))
    for bracket, rungs in zip(ours, paper, strict=True):
        assert bracket.n_candidates == [n for n, _ in rungs]
        assert bracket.n_resources == [round(r) for _, r in rungs]


def test_the_papers_example():
    brackets = hyperband_brackets(1, 81, eta=3)
    assert [b.n_candidates[0] for b in brackets] == [81, 34, 15, 8, 5]
    assert [b.n_resources[0] for b in brackets] == [1, 3, 9, 27, 81]
    assert sum(b.n_candidates[0] for b in brackets) == 143
    assert all(b.n_resources[-1] == 81 for b in brackets)


def test_min_resource_scales_the_rungs():
    (first, *_), plain = hyperband_brackets(10, 810, eta=3), hyperband_brackets(1, 81)
    assert first.n_resources == [10, 30, 90, 270, 810]
    assert first.n_candidates == plain[0].n_candidates


def test_max_resource_not_a_power_of_eta():
    brackets = hyperband_brackets(1, 100, eta=3)
    assert len(brackets) == 5  # 3**4 = 81 <= 100 < 243
    assert brackets[0].n_resources == [1, 4, 11, 33, 100]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"eta": 1}, "eta must be an int >= 2. Got 1"),
        ({"min_resource": 0}, "min_resource must be an int >= 1. Got 0"),
        (
            {"min_resource": 10, "max_resource": 9},
            "min_resource must be <= max_resource",
        ),
        ({"max_resource": 2.5}, "max_resource must be an int >= 1. Got 2.5"),
    ],
)
def test_bracket_errors(kwargs, match):
    options = {"min_resource": 1, "max_resource": 9, "eta": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        hyperband_brackets(**options)


def _run(scheduler, objective):
    rungs = []
    while (rung := scheduler.ask()) is not None:
        scores = [objective(c, rung.resource) for c in rung.configs]
        scheduler.tell(rung, scores)
        rungs.append((rung, scores))
    return rungs


def test_scheduler_promotes_the_best_third():
    sched = HyperbandScheduler({"x": Real(0, 1)}, 1, 9, random_state=0)
    rungs = _run(sched, lambda c, r: c["x"])
    first, second = rungs[0], rungs[1]
    ranked = sorted(zip(first[1], first[0].ids, strict=True), reverse=True)
    assert second[0].ids == [i for _, i in ranked[:3]]
    assert second[0].resource == 3 and second[0].bracket == first[0].bracket == 2
    assert [len(r.ids) for r, _ in rungs] == [9, 3, 1, 5, 1, 3]


def test_failures_are_never_promoted_ahead_of_scores():
    sched = HyperbandScheduler({"x": Real(0, 1)}, 1, 9, random_state=0)
    rung = sched.ask()
    scores = [np.nan] * 8 + [0.0]
    sched.tell(rung, scores)
    assert sched.ask().ids[0] == rung.ids[-1]


def test_scheduler_is_repeatable_and_checks_its_protocol():
    a = _run(
        HyperbandScheduler({"x": Real(0, 1)}, 1, 27, random_state=3),
        lambda c, r: c["x"],
    )
    b = _run(
        HyperbandScheduler({"x": Real(0, 1)}, 1, 27, random_state=3),
        lambda c, r: c["x"],
    )
    assert [r.configs for r, _ in a] == [r.configs for r, _ in b]
    sched = HyperbandScheduler({"x": Real(0, 1)}, 1, 9)
    rung = sched.ask()
    with pytest.raises(RuntimeError, match="tell"):
        sched.ask()
    with pytest.raises(ValueError, match="1 scores"):
        sched.tell(rung, [1.0])
    with pytest.raises(ValueError, match="sampler must be one of"):
        HyperbandScheduler({"x": Real(0, 1)}, 1, 9, sampler="tpe")


def test_brackets_run_in_the_papers_order():
    sched = HyperbandScheduler({"x": Real(0, 1)}, 1, 9)
    assert [b.s for b in sched.brackets] == [2, 1, 0]
    assert [r.bracket for r, _ in _run(sched, lambda c, r: c["x"])] == [
        2,
        2,
        2,
        1,
        1,
        0,
    ]


def test_bayesian_sampler_concentrates_near_the_optimum():
    def objective(config, resource):
        return -((config["x"] - 0.7) ** 2)

    distances = {}
    for sampler in ("random", "bayesian"):
        sched = HyperbandScheduler(
            {"x": Real(0, 1)}, 1, 27, sampler=sampler, random_state=0
        )
        rungs = _run(sched, objective)
        # Bracket 2 starts once resource 3 has 21 scores: the GP proposes 2/3.
        drawn = [
            c["x"] for r, _ in rungs if (r.bracket, r.rung) == (2, 0) for c in r.configs
        ]
        distances[sampler] = np.abs(np.asarray(drawn) - 0.7)
    assert np.mean(distances["bayesian"] < 0.05) >= 0.5
    assert np.mean(distances["random"] < 0.05) < 0.25


def test_observed_results_guide_the_first_bracket():
    """Results of an earlier run, told with observe(), feed the BOHB sampler."""
    rng = np.random.default_rng(0)
    earlier = [{"x": float(x)} for x in rng.uniform(size=30)]
    scores = [-((c["x"] - 0.7) ** 2) for c in earlier]
    drawn = {}
    for observe in (False, True):
        sched = HyperbandScheduler(
            {"x": Real(0, 1)}, 1, 27, sampler="bayesian", random_state=0
        )
        if observe:
            sched.observe(27, earlier, scores)
        drawn[observe] = np.array([c["x"] for c in sched.ask().configs])
    assert np.mean(np.abs(drawn[True] - 0.7) < 0.05) >= 0.5
    assert np.mean(np.abs(drawn[False] - 0.7) < 0.05) < 0.25
    with pytest.raises(ValueError, match="2 configurations but 1 scores"):
        sched.observe(27, earlier[:2], scores[:1])


def test_small_spaces_give_smaller_brackets():
    from sktune.space import Categorical

    sched = HyperbandScheduler({"k": Categorical(["a", "b"])}, 1, 9, random_state=0)
    rung = sched.ask()
    assert sorted(c["k"] for c in rung.configs) == ["a", "b"]


@pytest.mark.parametrize("sampler", ["random", "bayesian"])
def test_rungs_asked_with_their_configs_replay_a_run(sampler):
    def score(config, resource):
        return -((config["x"] - 0.3) ** 2) + 0.01 * resource

    def scheduler(seed):
        space = {"x": Real(0, 1)}
        return HyperbandScheduler(space, 1, 27, sampler=sampler, random_state=seed)

    original = _run(scheduler(3), score)
    # Replayed from another seed: the stored rungs win over the scheduler's own.
    for seed, same_after in [(3, True), (4, False)]:
        sched = scheduler(seed)
        for rung, scores in original[:5]:
            asked = sched.ask(rung.configs)
            assert (asked.bracket, asked.rung, asked.ids, asked.configs) == (
                rung.bracket,
                rung.rung,
                rung.ids,
                rung.configs,
            )
            sched.tell(asked, scores)
        rest = _run(sched, score)
        same = [r.configs for r, _ in rest] == [r.configs for r, _ in original[5:]]
        assert same is same_after


def test_replayed_configs_must_come_from_the_rung_before():
    sched = HyperbandScheduler({"x": Real(0, 1)}, 1, 9, random_state=0)
    rung = sched.ask()
    sched.tell(rung, [c["x"] for c in rung.configs])
    with pytest.raises(ValueError, match="were not in rung 0 of bracket 2"):
        sched.ask([{"x": 0.123456}])
