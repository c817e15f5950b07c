"""``BayesianOptimizer.ask(pending=...)``: asking while earlier proposals run."""

import numpy as np

from sktune.optimizers import BayesianOptimizer
from sktune.space import Categorical, Real, as_search_space

SPACE = as_search_space({"x": Real(0.0, 1.0), "kind": Categorical(["a", "b"])})


def _told(seed=0, n=8):
    optimizer = BayesianOptimizer(SPACE, n_initial_points=4, random_state=seed)
    rng = np.random.default_rng(seed)
    configs = SPACE.sample(n, rng)
    optimizer.tell(configs, [-((c["x"] - 0.3) ** 2) for c in configs])
    return optimizer


def test_no_pending_asks_as_before():
    plain = [c.params for c in _told().ask(2)]
    empty = [c.params for c in _told().ask(2, pending=[])]
    assert plain == empty


def test_pending_configurations_are_not_proposed_again_and_move_the_batch():
    (running,) = _told().ask(1)
    after = _told().ask(1, pending=[running.params])[0].params
    assert after != running.params
    # The surrogate is conditioned on the running point, as within a batch: the
    # proposal equals the second point of a batch of two that holds it.
    assert after == [c.params for c in _told().ask(2)][1]
