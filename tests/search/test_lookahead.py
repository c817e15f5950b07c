"""Asynchronous look-ahead: with fits in worker processes and one candidate per
batch, BayesianSearchCV proposes batch k+1 while batch k runs, batch k pending."""

import threading
import warnings

import numpy as np
import pytest
from joblib import parallel_config

from sktune import BayesianSearchCV
from sktune.optimizers import BayesianOptimizer
from sktune.space import Integer, Real

from ._doubles import ToyEstimator, branin

X_TOY = np.zeros((8, 2))
SPACE = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}


def _search(**kwargs):
    options = dict(n_iter=7, n_initial_points=3, cv=2, random_state=42)
    options.update(kwargs)
    return BayesianSearchCV(ToyEstimator(), SPACE, **options)


def _score(params):
    return -branin(params["x1"], params["x2"])


def _simulate(n_iter, n_points, look_ahead, random_state=42):
    """The configurations a search asks for, replayed on the optimizer alone."""
    optimizer = BayesianOptimizer(SPACE, n_initial_points=3, random_state=random_state)
    asked = []
    batch = optimizer.ask(n_points)
    while batch:
        asked += [c.params for c in batch]
        n_next = min(n_points, n_iter - len(asked))
        pending = [c.params for c in batch]
        following = []
        if look_ahead and n_next > 0:
            following = optimizer.ask(n_next, pending=pending)
        optimizer.tell(pending, [_score(p) for p in pending])
        if not look_ahead and n_next > 0:
            following = optimizer.ask(n_next)
        batch = following
    return asked


def _meanwhile_threads():
    return [t for t in threading.enumerate() if t.name == "sktune-meanwhile"]


def test_two_worker_processes_propose_each_batch_with_the_previous_one_pending():
    search = _search(n_jobs=2).fit(X_TOY)
    assert search.n_points_ == 1
    assert search.cv_results_["params"] == _simulate(7, 1, look_ahead=True)
    assert search.cv_results_["params"] != _simulate(7, 1, look_ahead=False)


def test_batches_of_several_candidates_do_not_look_ahead():
    search = _search(n_jobs=2, n_points=2).fit(X_TOY)
    assert search.cv_results_["params"] == _simulate(7, 2, look_ahead=False)


@pytest.mark.parametrize("n_points", [1, 2])
def test_one_job_proposes_after_every_batch_as_before(n_points):
    search = _search(n_jobs=1, n_points=n_points).fit(X_TOY)
    assert search.cv_results_["params"] == _simulate(7, n_points, look_ahead=False)


def test_fits_in_threads_do_not_look_ahead():
    # The optimizer would then run beside the fits in this process, its
    # warnings filters included.
    with parallel_config(backend="threading"):
        search = _search(n_jobs=2).fit(X_TOY)
    assert search.cv_results_["params"] == _simulate(7, 1, look_ahead=False)


def test_look_ahead_leaves_the_warnings_state_as_it_was():
    filters, showwarning = list(warnings.filters), warnings.showwarning
    _search(n_jobs=2, n_iter=9).fit(X_TOY)
    assert warnings.filters == filters
    assert warnings.showwarning is showwarning
    assert not _meanwhile_threads()


def test_a_callback_stop_discards_the_proposal_made_ahead():
    stops = []

    def stop_after_three(result):
        stops.append(len(result.x_iters))
        return len(result.x_iters) >= 3

    search = _search(n_jobs=2, callbacks=stop_after_three).fit(X_TOY)
    assert stops == [1, 2, 3]
    assert search.cv_results_["params"] == _simulate(7, 1, look_ahead=True)[:3]


def test_a_failing_batch_with_error_score_raise_still_joins_the_proposal():
    space = {"x1": Real(-5.0, 10.0), "fail": [True]}
    search = BayesianSearchCV(
        ToyEstimator(), space, n_iter=4, cv=2, n_jobs=2, error_score="raise"
    )
    with pytest.raises(ValueError, match="asked to fail"):
        search.fit(X_TOY)
    assert not _meanwhile_threads()


def test_an_error_of_the_proposal_made_ahead_is_raised_after_the_batch(
    monkeypatch, tmp_path
):
    plain_ask = BayesianOptimizer.ask

    def ask(self, n_points=1, pending=None):
        if pending:
            raise RuntimeError("proposal failed")
        return plain_ask(self, n_points)

    monkeypatch.setattr(BayesianOptimizer, "ask", ask)
    checkpoint = tmp_path / "search.pkl"
    with pytest.raises(RuntimeError, match="proposal failed"):
        _search(n_jobs=2, checkpoint=checkpoint).fit(X_TOY)
    # The batch that ran meanwhile was recorded before the error surfaced.
    monkeypatch.setattr(BayesianOptimizer, "ask", plain_ask)
    resumed = _search(n_jobs=1, checkpoint=checkpoint).fit(X_TOY)
    assert resumed.cv_results_["params"][0] == _simulate(7, 1, look_ahead=True)[0]


def test_pending_configurations_are_not_proposed_again():
    space = {"k": Integer(0, 5)}
    optimizer = BayesianOptimizer(space, n_initial_points=2, random_state=0)
    told = [c.params for c in optimizer.ask(2)]
    optimizer.tell(told, [float(p["k"]) for p in told])
    taken = {p["k"] for p in told}
    pending = [{"k": k} for k in range(6) if k not in taken][:3]
    (candidate,) = optimizer.ask(1, pending=pending)
    assert candidate.params["k"] not in taken | {p["k"] for p in pending}
    rest = [{"k": k} for k in range(6) if k not in taken]
    assert optimizer.ask(1, pending=rest) == []


@pytest.mark.parametrize("pending", [None, []])
def test_no_pending_configurations_give_the_plain_proposals(pending):
    def proposals(**kwargs):
        optimizer = BayesianOptimizer(SPACE, n_initial_points=3, random_state=7)
        out = []
        for _ in range(6):
            batch = optimizer.ask(2, **kwargs)
            out += [c.params for c in batch]
            optimizer.tell([c.params for c in batch], [_score(c.params) for c in batch])
        return out

    assert proposals(pending=pending) == proposals()
