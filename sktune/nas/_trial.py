"""Training one candidate network through skorch, and surviving its failures.

:func:`run_trial` is what a joblib worker executes: it builds (or inherits) the
network of one architecture, trains it on each split with early stopping and a
deadline checked after every batch, scores it on the held-out part, and returns
a plain dict. A failure (an exception, a NaN loss, running out of memory, a
network over the parameter limit) is returned as a status, never raised.
"""

import math
import time
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.metrics import accuracy_score, log_loss, r2_score
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from ._builder import NASNetwork, count_params

OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
}


class TrialGuard(Callback):
    """Stop training at a wall-clock deadline or on a non-finite training loss.

    Parameters
    ----------
    deadline : float or None
        ``time.time()`` after which training stops at the end of the current batch.
    """

    def __init__(self, deadline=None):
        self.deadline = deadline

    def on_train_begin(self, net, **kwargs):
        self.stopped_ = None

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training and not math.isfinite(
            float(net.history[-1, "batches", -1, "train_loss"])
        ):
            self.stopped_ = "nan"
            raise KeyboardInterrupt
        if self.deadline is not None and time.time() > self.deadline:
            self.stopped_ = "deadline"
            raise KeyboardInterrupt


class StandardizedMSELoss(torch.nn.Module):
    """Mean squared error of targets divided by a fixed scale."""

    def __init__(self, scale):
        super().__init__()
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, y_pred, y_true):
        return torch.mean(((y_pred - y_true) / self.scale) ** 2)


def set_statistics(module, X, y, task):
    """Set the input standardization (and regression output scale) from data."""
    axes = (0,) if X.ndim == 2 else (0, *range(2, X.ndim))
    mean = X.mean(axis=axes, keepdims=True)[0]
    scale = X.std(axis=axes, keepdims=True)[0]
    scale[scale < 1e-8] = 1.0
    with torch.no_grad():
        module.standardize.mean.copy_(torch.as_tensor(mean))
        module.standardize.scale.copy_(torch.as_tensor(scale))
        if task == "regression":
            y_scale = y.std(axis=0)
            y_scale[y_scale < 1e-8] = 1.0
            module.output_mean.copy_(torch.as_tensor(y.mean(axis=0)))
            module.output_scale.copy_(torch.as_tensor(y_scale))


def make_net(
    module, task, training, settings, epochs, valid=None, deadline=None, drop_last=False
):
    """A skorch net around an initialized ``module``; no internal random split."""
    optimizer, extra = OPTIMIZERS[training["optimizer"]]
    callbacks = [("trial_guard", TrialGuard(deadline))]
    if valid is not None and settings["early_stopping"]:
        callbacks.append(
            (
                "early_stopping",
                EarlyStopping(patience=settings["n_iter_no_change"], load_best=True),
            )
        )
    if task == "classification":
        cls, criterion = NeuralNetClassifier, torch.nn.CrossEntropyLoss
        # The encoded classes, known before any fit: a net rebuilt from stored
        # weights (never fitted) still has classes_ for a scorer.
        known = {"classes": list(range(module.architecture["n_outputs"]))}
    else:
        cls, criterion = NeuralNetRegressor, StandardizedMSELoss(module.output_scale)
        known = {}
    return cls(
        **known,
        module=module,
        criterion=criterion,
        optimizer=optimizer,
        lr=training["lr"],
        optimizer__weight_decay=training["weight_decay"],
        **{f"optimizer__{k}": v for k, v in extra.items()},
        max_epochs=epochs,
        batch_size=int(training["batch_size"]),
        iterator_train__shuffle=True,
        iterator_train__drop_last=drop_last,
        train_split=None if valid is None else predefined_split(Dataset(*valid)),
        callbacks=callbacks,
        device=settings["device"],
        verbose=0,
    )


def fit_network(
    module, task, training, settings, epochs, train, valid=None, deadline=None
):
    """Train ``module`` on ``train = (X, y)``; returns the fitted skorch net."""
    X, y = train
    training = dict(training)
    training["batch_size"] = min(int(training["batch_size"]), len(X))
    # A last batch of one sample breaks batch normalization: drop it (the data are
    # shuffled, so a different sample sits out each epoch).
    drop_last = len(X) % training["batch_size"] == 1
    net = make_net(module, task, training, settings, epochs, valid, deadline, drop_last)
    net.initialize()
    net.partial_fit(X, y)
    return net


def continue_network(net, train, epochs):
    """Train a fitted skorch ``net`` on until its history holds ``epochs`` epochs.

    Multi-fidelity promotion: only the missing epochs are trained, starting from
    the net's current weights and optimizer state; nothing is trained when the
    history is already that long.
    """
    missing = epochs - len(net.history)
    if missing > 0:
        net.partial_fit(*train, epochs=missing)
    return net


def score_net(net, X, y, task, scorer=None):
    """``(score, loss)`` of ``net`` on ``(X, y)``.

    ``score`` is ``scorer(net, X, y)``, by default accuracy (classification) or
    R^2 (regression); NaN for a regressor with non-finite predictions. ``loss`` is
    the log loss of a classifier's probabilities (NaN for a regressor), reported
    in ``cv_results_``: it still ranks networks whose accuracies tie on a small
    validation set. ``y`` holds the encoded classes the net was trained on, so a
    scorer sees the net's own labels (``0 .. n_classes - 1``).
    """
    if task == "classification":
        proba = net.predict_proba(X)
        if not np.all(np.isfinite(proba)):
            return math.nan, math.nan
        loss = float(log_loss(y, proba, labels=np.arange(proba.shape[1])))
        if scorer is not None:
            return float(scorer(net, X, y)), loss
        return float(accuracy_score(y, np.argmax(proba, axis=1))), loss
    pred = net.predict(X)
    if not np.all(np.isfinite(pred)):
        return math.nan, math.nan
    return float(r2_score(y, pred) if scorer is None else scorer(net, X, y)), math.nan


def _latency_ms(net, X):
    X = X[:256]
    start = time.perf_counter()
    net.predict(X)
    return 1e3 * (time.perf_counter() - start) / len(X)


def _best_epochs(net):
    losses = [row.get("valid_loss", math.nan) for row in net.history]
    if not losses:
        return 0
    if all(math.isnan(v) for v in losses):
        return len(losses)
    return int(np.nanargmin(losses)) + 1


@contextmanager
def torch_threads(n):
    """Run with ``n`` torch intra-op threads (unchanged if None), then restore."""
    old = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if n:
            torch.set_num_threads(old)


def trial_job(
    architecture,
    seed,
    device,
    n_threads,
    *,
    epochs=None,
    parent_states=None,
    nets=None,
    keep_nets=False,
    deadline=None,
):
    """The ``job`` dict of :func:`run_trial` (its keys are described there)."""
    return {
        "architecture": architecture,
        "parent_states": parent_states,
        "epochs": epochs,
        "nets": nets,
        "keep_nets": keep_nets,
        "seed": seed,
        "device": device,
        "n_threads": n_threads,
        "deadline": deadline,
    }


def run_trial(job, X, y, splits, settings):
    """Train and score one candidate on every split; never raises.

    See :func:`_run_trial`; this wrapper sets the torch threads of the trial.
    """
    with torch_threads(job.get("n_threads")):
        return _run_trial(job, X, y, splits, settings)


def _run_trial(job, X, y, splits, settings):
    """Train and score one candidate on every split; never raises.

    Parameters
    ----------
    job : dict
        ``architecture``, ``seed``, ``device``, ``n_threads``, ``deadline``; for
        inherited weights, ``parent_states`` (one state dict per split); for
        multi-fidelity, ``epochs`` (the epochs the trial's nets must have been
        trained for, instead of ``max_epochs``), ``nets`` (the fitted skorch nets
        of a promoted trial, one per split, trained on) and ``keep_nets``
        (return them).
    X, y : ndarray
        All the data, already shaped and typed for torch.
    splits : list of (ndarray, ndarray)
        Train and validation indices.
    settings : dict
        ``task``, ``max_epochs``, ``early_stopping``, ``n_iter_no_change``,
        ``max_params``, ``scorer`` (None for accuracy / R^2).

    Returns
    -------
    result : dict
        ``status`` ("ok", "failed", "nan", "oom" or "too_large"), ``error``,
        ``scores`` and ``losses`` (one per split; see :func:`score_net`),
        ``epochs`` (mean best epoch), ``n_params``,
        ``latency_ms``, ``interrupted`` (stopped by the deadline), ``fit_time``,
        ``states`` (the trained state dict of each split) and ``nets`` (the
        fitted skorch nets, if ``keep_nets``); both None unless the trial
        succeeded.
    """
    start = time.perf_counter()
    result = {
        "status": "ok",
        "error": "",
        "scores": [],
        "losses": [],
        "epochs": 0,
        "n_params": -1,
        "latency_ms": math.nan,
        "interrupted": False,
        "states": None,
        "nets": None,
    }
    settings = {**settings, "device": job["device"]}
    arch, parents = job["architecture"], job.get("parent_states")
    epochs_target = job.get("epochs") or settings["max_epochs"]
    promoted = job.get("nets")
    try:
        result["n_params"] = count_params(arch)
        limit = settings["max_params"]
        if limit is not None and result["n_params"] > limit:
            result["status"] = "too_large"
            result["error"] = f"{result['n_params']} parameters > max_params={limit}"
            return _finish(result, start)
        states, epochs, nets = [], [], []
        for k, (train, valid) in enumerate(splits):
            torch.manual_seed(job["seed"] + k)
            if promoted is not None:
                net = continue_network(promoted[k], (X[train], y[train]), epochs_target)
            else:
                module = NASNetwork(arch)
                if parents is not None:
                    module.load_state_dict(parents[k])
                else:
                    set_statistics(module, X[train], y[train], settings["task"])
                net = fit_network(
                    module,
                    settings["task"],
                    arch["training"],
                    settings,
                    epochs_target,
                    (X[train], y[train]),
                    (X[valid], y[valid]),
                    job["deadline"],
                )
            nets.append(net)
            guard = dict(net.callbacks_)["trial_guard"]
            if guard.stopped_ == "nan":
                result["status"] = "nan"
                result["error"] = "training loss became NaN or infinite"
                return _finish(result, start)
            result["interrupted"] |= guard.stopped_ == "deadline"
            score, loss = score_net(
                net, X[valid], y[valid], settings["task"], settings["scorer"]
            )
            result["scores"].append(score)
            result["losses"].append(loss)
            epochs.append(_best_epochs(net))
            if k == 0:
                result["latency_ms"] = _latency_ms(net, X[valid])
            states.append(
                {n: t.detach().cpu() for n, t in net.module_.state_dict().items()}
            )
        result["epochs"] = float(np.mean(epochs))
        result["states"] = states
        result["nets"] = nets if job.get("keep_nets") else None
        if not np.all(np.isfinite(result["scores"])):
            result["status"] = "nan"
            result["error"] = "predictions are not finite"
    except MemoryError as exc:  # host memory
        result["status"], result["error"] = "oom", f"MemoryError: {exc}"
    except RuntimeError as exc:  # torch.cuda.OutOfMemoryError is a RuntimeError
        oom = isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in str(
            exc
        )
        result["status"] = "oom" if oom else "failed"
        result["error"] = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a failing candidate never stops the search
        result["status"], result["error"] = "failed", f"{type(exc).__name__}: {exc}"
    if result["status"] == "oom" and torch.cuda.is_available():
        torch.cuda.empty_cache()
    return _finish(result, start)


def _finish(result, start):
    result["fit_time"] = time.perf_counter() - start
    if result["status"] != "ok":
        result["states"] = result["nets"] = None
    return result
