"""The skorch path of incremental Hyperband: ``max_epochs`` grows by ``fit_loop``."""

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
    """Appends the history length at the end of every epoch trained anywhere."""

    log = []

    def on_epoch_end(self, net, **kwargs):
        EpochLog.log.append(len(net.history))


def _net():
    return skorch.NeuralNetClassifier(
        TinyModule,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=9,
        lr=0.1,
        train_split=None,  # deterministic: no unseeded validation split
        callbacks=[("epochs", EpochLog())],
        verbose=0,
    )


def _fit(incremental):
    X, y = load_iris(return_X_y=True)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(np.float32)
    EpochLog.log.clear()
    search = HyperbandSearchCV(
        _net(),
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
