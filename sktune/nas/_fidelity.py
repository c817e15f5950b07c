"""Multi-fidelity search over epochs: Hyperband rungs as NAS proposals.

:class:`HyperbandStrategy` speaks the same ask/tell over proposals as the other
strategies (see ``_strategies.py``), so the search loop runs it unchanged. The
brackets and promotions are those of :class:`sktune.optimizers.HyperbandScheduler`
with the number of epochs as the resource; a promoted configuration hands its
trained skorch nets to the next rung, which trains them only for the missing
epochs.
"""

import math

from sktune.optimizers import HyperbandScheduler

from ._strategies import _Strategy

# The strategies whose way of drawing configurations the scheduler has: random
# draws per bracket, or its BOHB sampler (a GP, as strategy="bayesian" uses).
SAMPLERS = {"random": "random", "bayesian": "bayesian"}


class HyperbandStrategy(_Strategy):
    """Hyperband (Li et al. 2018) over training epochs, as proposals.

    Each proposal is one configuration at one rung: ``n_resources`` is the
    number of epochs its nets must have been trained for, and a promoted
    configuration carries ``nets``, its trained skorch nets (one per split),
    to be trained on for the missing epochs. When every bracket of an iteration
    is done, a new Hyperband iteration starts with fresh configurations (the
    search stops on ``max_trials`` or the time budget).

    Parameters
    ----------
    space, make_architecture, rng, max_params, max_trials
        As for every strategy (see ``_Strategy``). Oversized configurations are
        not redrawn: the trial runner records them as ``"too_large"`` and they
        are never promoted.
    min_epochs, max_epochs : int
        Epochs of the first rung of the most exploratory bracket, and of the
        last rung of every bracket.
    eta : int
        Halving rate: a rung promotes the best ``1 / eta`` of its configurations.
    sampler : {"random", "bayesian"}
        How the scheduler draws a bracket's configurations.
    """

    def __init__(self, *args, min_epochs, max_epochs, eta, sampler, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_epochs = min_epochs
        self.max_epochs = max_epochs
        self.eta = eta
        self.sampler = sampler
        self.n_iterations = 0
        self.id_offset = 0  # keeps config ids unique across iterations
        self.n_ids = 0  # config ids handed out so far, over all iterations
        self.scheduler = None
        self.history = []  # (epochs, configs, scores) of finished iterations
        self.rung = None  # the rung being handed out
        self.n_handed = 0  # configurations of the rung handed out so far
        self.scores = []  # scores of the rung, NaN until told
        self.nets = {}  # config id -> trained nets, for promotion
        self.architectures = {}  # config id -> architecture

    def _next_rung(self):
        rung = None if self.scheduler is None else self.scheduler.ask()
        if rung is None:  # start (another) Hyperband iteration
            if self.scheduler is not None:
                self.history.extend(
                    (done.resource, done.configs, scores)
                    for done, scores in self.scheduler.history
                )
            self.scheduler = HyperbandScheduler(
                self.space,
                self.min_epochs,
                self.max_epochs,
                self.eta,
                sampler=self.sampler,
                random_state=int(self.rng.integers(2**31 - 1)),
            )
            # The BOHB sampler keeps learning from every earlier iteration.
            for epochs, configs, scores in self.history:
                self.scheduler.observe(epochs, configs, scores)
            self.n_iterations += 1
            self.id_offset = self.n_ids
            self.nets, self.architectures = {}, {}
            rung = self.scheduler.ask()
        # Nets of configurations that were not promoted are dropped here.
        ids = [self.id_offset + i for i in rung.ids]
        self.nets = {i: self.nets[i] for i in ids if i in self.nets}
        self.rung, self.n_handed = rung, 0
        self.scores = [math.nan] * len(rung.ids)

    def _is_last_rung(self, rung):
        bracket = next(b for b in self.scheduler.brackets if b.s == rung.bracket)
        return rung.rung == len(bracket.n_resources) - 1

    def ask(self, n):
        if self.rung is None or self.n_handed == len(self.rung.ids):
            self._next_rung()
        rung = self.rung
        out = []
        for j in range(self.n_handed, min(self.n_handed + n, len(rung.ids))):
            config_id, params = self.id_offset + rung.ids[j], rung.configs[j]
            self.n_ids = max(self.n_ids, config_id + 1)
            if config_id not in self.architectures:
                self.architectures[config_id] = self.make_architecture(params)
            out.append(
                {
                    "params": params,
                    "architecture": self.architectures[config_id],
                    "config_id": config_id,
                    "bracket": rung.bracket,
                    "rung": rung.rung,
                    "n_resources": rung.resource,
                    "nets": self.nets.get(config_id),
                    "keep_nets": not self._is_last_rung(rung),
                }
            )
        self.n_handed += len(out)
        return out

    def replay(self, trials):
        """Scores of an earlier run's rows (a resumed search) feed the BOHB
        sampler of the next Hyperband iteration, which starts afresh; their
        configuration ids are not handed out again."""
        self.history.extend(
            (t["n_resources"], [t["params"]], [t["score"]]) for t in trials
        )
        self.n_ids = max([self.n_ids] + [t["config_id"] + 1 for t in trials])

    def tell(self, proposals, results):
        rung = self.rung
        for proposal, result in zip(proposals, results, strict=True):
            j = rung.ids.index(proposal["config_id"] - self.id_offset)
            self.scores[j] = result["score"]
            if result.get("nets") is not None:
                self.nets[proposal["config_id"]] = result["nets"]
        if self.n_handed == len(rung.ids):
            self.scheduler.tell(rung, self.scores)
