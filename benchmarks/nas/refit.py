"""How to refit a searched network: from scratch, or from its trained weights.

``NASClassifier(refit=True)`` retrains the best architecture from scratch on all
the training data, for as many epochs as its trial needed. A network chosen
among dozens for its validation score also won an initialization lottery, and a
refit from scratch gives that win away. This script measures the trade-off on
the best architectures of a ``bench_nas.py`` run (its results JSON). For each
architecture and seed, on that run's data set:

* ``trial``: trained on 80% of the training data with early stopping on the
  other 20% (as a search trial is), best epoch restored;
* ``scratch``: retrained from scratch on all the training data for the trial's
  best number of epochs (what ``refit=True`` does);
* ``warm``: the trial's network trained on for a quarter of those epochs (at
  least one) on all the training data, with a fresh optimizer;
* ``guarded_all`` / ``guarded_fit``: ``scratch``, unless it scores lower than
  the trial's network on all the training data (``_all``) or on the trial's 80%,
  which both were trained on (``_fit``); then the trial's network. Candidate
  rules to catch a refit that trained badly (not what ``refit=True`` does).

Test accuracy of each; the table goes to ``docs/nas.md`` between the
``bench:refit-<name>`` markers and the rows to ``benchmarks/nas/results/``.

Usage::

    python benchmarks/nas/refit.py benchmarks/nas/results/mnist1d-quiet-300.json \
        --seeds 0 1 2
"""

import argparse
import json
import pathlib
import statistics

import numpy as np
import torch
from bench_nas import ROOT, load, update_docs, warm_refit
from sklearn.model_selection import StratifiedShuffleSplit

from sktune.nas import NASNetwork
from sktune.nas._trial import _best_epochs, fit_network, set_statistics

SETTINGS = {"early_stopping": True, "n_iter_no_change": 5, "device": "cpu"}
TASK = "classification"


def accuracy(net, X, y):
    return float(np.mean(net.predict(X) == y))


def refits(architecture, data, seed, max_epochs):
    """Test accuracy of the trial network and of its two refits."""
    X_tr, X_te, y_tr, y_te = data
    training = architecture["training"]
    fit, valid = next(
        StratifiedShuffleSplit(1, test_size=0.2, random_state=seed).split(X_tr, y_tr)
    )
    torch.manual_seed(seed)
    module = NASNetwork(architecture)
    set_statistics(module, X_tr[fit], y_tr[fit], TASK)
    trial = fit_network(
        module,
        TASK,
        training,
        SETTINGS,
        max_epochs,
        (X_tr[fit], y_tr[fit]),
        (X_tr[valid], y_tr[valid]),
    )
    epochs = max(1, _best_epochs(trial))
    torch.manual_seed(seed)
    module = NASNetwork(architecture)
    set_statistics(module, X_tr, y_tr, TASK)
    scratch = fit_network(module, TASK, training, SETTINGS, epochs, (X_tr, y_tr))
    torch.manual_seed(seed)
    warm = warm_refit(trial.module_, training, epochs, X_tr, y_tr)
    row = {
        "epochs": epochs,
        "trial": accuracy(trial, X_te, y_te),
        "scratch": accuracy(scratch, X_te, y_te),
        "warm": accuracy(warm, X_te, y_te),
    }
    for rows, part in ((slice(None), "all"), (fit, "fit")):
        trial_train = accuracy(trial, X_tr[rows], y_tr[rows])
        scratch_train = accuracy(scratch, X_tr[rows], y_tr[rows])
        row[f"trial_train_{part}"], row[f"scratch_train_{part}"] = (
            trial_train,
            scratch_train,
        )
        row[f"guarded_{part}"] = (
            row["trial"] if scratch_train < trial_train else row["scratch"]
        )
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=pathlib.Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    run = json.loads(args.results.read_text())
    dataset = "mnist1d" if "mnist1d" in args.results.name else "digits"
    X_tr, X_te, y_tr, y_te, _, shape = load(dataset)
    X_tr = np.asarray(X_tr, dtype=np.float32).reshape(len(X_tr), *shape)
    X_te = np.asarray(X_te, dtype=np.float32).reshape(len(X_te), *shape)
    data = (X_tr, X_te, np.asarray(y_tr, dtype=np.int64), np.asarray(y_te))
    torch.set_num_threads(1)
    rows = []
    for record in run["nas"]:
        for seed in args.seeds:
            row = refits(record["architecture"], data, seed, run["max_epochs"])
            row.update(variant=record["variant"], search_seed=record["seed"], seed=seed)
            print(json.dumps(row))
            rows.append(row)
    name = args.results.stem
    out = ROOT / "benchmarks" / "nas" / "results" / f"refit-{name}.json"
    out.write_text(json.dumps(rows, indent=1))
    n = len(rows)
    lines = [
        f"Command: `python benchmarks/nas/refit.py benchmarks/nas/results/{name}.json "
        f"--seeds {' '.join(map(str, args.seeds))}`  ",
        f"{len(run['nas'])} best architectures of `{name}` x {len(args.seeds)} seeds "
        f"= {n} networks; test accuracy, median [min, max]:",
        "",
        "| network | test accuracy | better than trial |",
        "|---|---|---|",
    ]
    for key in ("trial", "scratch", "warm", "guarded_all", "guarded_fit"):
        acc = [r[key] for r in rows]
        wins = sum(r[key] > r["trial"] for r in rows)
        lines.append(
            f"| {key} | {statistics.median(acc):.4f} [{min(acc):.4f}, "
            f"{max(acc):.4f}] | {'-' if key == 'trial' else f'{wins}/{n}'} |"
        )
    lines.append("")
    for part in ("all", "fit"):
        kept = sum(r[f"scratch_train_{part}"] < r[f"trial_train_{part}"] for r in rows)
        lines.append(
            f"guarded_{part} kept the trial's network for {kept} of {n}; better "
            f"than scratch on {sum(r[f'guarded_{part}'] > r['scratch'] for r in rows)}"
            f", worse on {sum(r[f'guarded_{part}'] < r['scratch'] for r in rows)}."
        )
    update_docs(f"refit-{name}", "\n".join(lines))


if __name__ == "__main__":
    main()
