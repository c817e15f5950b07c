"""The skorch path of incremental Hyperband: ``max_epochs`` grows by ``partial_fit``."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.datasets import load_iris  # noqa: E402

from sktune import HyperbandSearchCV  # noqa: E402
from sktune.space import Real  # noqa: E402


class TinyModule(torch.nn.Module):
    """4 -> 8 -> 3 logits, initialised the same way every time (seeded)."""

    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.out = torch.nn.Linear(8, 3)
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            for param in self.parameters():
                param.copy_(0.3 * torch.randn(param.shape, generator=generator))

    def forward(self, X):
        return self.out(torch.relu(self.hidden(X)))


class EpochLog(skorch.callbacks.Callback):
    """Appends the history length at the end of every epoch trained anywhere, and
    counts the training sessions begun."""

    log = []
    sessions = 0

    def on_train_begin(self, net, **kwargs):
        EpochLog.sessions += 1

    def on_epoch_end(self, net, **kwargs):
        EpochLog.log.append(len(net.history))


def _net(callbacks=()):
    return skorch.NeuralNetClassifier(
        TinyModule,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=9,
        lr=0.1,
        train_split=None,  # deterministic: no unseeded validation split
        callbacks=[("epochs", EpochLog()), *callbacks],
        verbose=0,
    )


def _fit(incremental, callbacks=()):
    X, y = load_iris(return_X_y=True)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(np.float32)
    EpochLog.log.clear()
    EpochLog.sessions = 0
    search = HyperbandSearchCV(
        _net(callbacks),
        {"lr": Real(0.01, 1.0, prior="log-uniform")},
        resource="max_epochs",
        cv=3,
        refit=False,
        incremental=incremental,
        random_state=0,
    )
    return search.fit(X, y.astype(np.int64)), list(EpochLog.log)


def test_promoted_nets_train_only_the_missing_epochs():
    search, epochs = _fit(incremental="auto")
    results = search.cv_results_
    assert search.incremental_ == "partial_fit"
    assert list(dict.fromkeys(results["bracket"])) == [2, 1, 0]
    reached, missing = {}, 0
    for params, r in zip(results["params"], results["n_resources"], strict=True):
        missing += r - reached.get(params["lr"], 0)
        reached[params["lr"]] = r
    assert len(epochs) == 3 * missing < 3 * sum(results["n_resources"])
    # Histories grow across rungs: a net promoted 1 -> 3 -> 9 ends with 9 epochs.
    assert max(epochs) == 9 and epochs.count(9) == 3 * sum(
        np.asarray(results["n_resources"]) == 9
    )


def test_continued_nets_score_as_nets_trained_to_their_resource():
    continued, _ = _fit(incremental=True)
    retrained, epochs = _fit(incremental=False)
    assert retrained.incremental_ is None
    assert len(epochs) == 3 * sum(retrained.cv_results_["n_resources"])
    assert continued.cv_results_["params"] == retrained.cv_results_["params"]
    np.testing.assert_allclose(
        continued.cv_results_["mean_test_score"],
        retrained.cv_results_["mean_test_score"],
    )


def test_each_rung_is_a_training_session_and_early_stopping_ends_only_it():
    # Stops after the second epoch of every session (never improves by 10).
    stop = skorch.callbacks.EarlyStopping(
        monitor="train_loss", patience=1, threshold=10, threshold_mode="abs"
    )
    search, epochs = _fit(incremental="auto", callbacks=[("stop", stop)])
    results = search.cv_results_
    assert search.incremental_ == "partial_fit"
    assert EpochLog.sessions == 3 * len(results["params"])  # one per fold and row
    assert np.isfinite(results["mean_test_score"]).all()
    # Rungs of 1, 3 and 9 epochs: 1 epoch, then every continued session stops
    # after its second epoch, so a net promoted twice ends with 1 + 2 + 2.
    assert max(results["rung"]) == 2 and max(epochs) == 5
