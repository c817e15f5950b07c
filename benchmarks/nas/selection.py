"""How well a digits search's final choice generalizes, trial by trial.

A diagnostic for the "bayesian beats random" target on digits, where the
252-image validation split saturates. Three steps:

``search VARIANT SEED``
    One time-budgeted ``NASClassifier`` search (as ``bench_nas.py`` runs it on
    digits; ``bayesian-eips`` is the bayesian strategy with expected improvement
    per second) that keeps every trial's weights, then writes per trial its
    validation score and loss, parameter count, the GP posterior mean of its
    score (sktune's ``GPSurrogate`` fitted on all the trials' encodings, failures
    as NaN) and its network's test accuracy; and the test accuracy of the refit
    from scratch (``NASClassifier``'s rule) of two picks: the highest validation
    score (the search's own choice) and the highest posterior mean.
``rescore FILE``
    Re-scores the ``--finalists`` best trials of a ``search`` file by 3-fold
    cross-validation of the training data (trained as a trial is, from its
    seed), picks the best mean and writes the test accuracy of its refit.
``report``
    Per run: the tie count at the top validation score, the test accuracy of
    the three picks' refits, and of the top ten trials' own networks.

Examples
--------
::

    for s in 0 1 2 3 4; do
        python benchmarks/nas/selection.py search random $s
        python benchmarks/nas/selection.py search bayesian $s
    done
    for f in /tmp/sktune_selection/*.json; do
        python benchmarks/nas/selection.py rescore $f
    done
    python benchmarks/nas/selection.py report
"""

import argparse
import json
import math
import pathlib
import sys

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_nas import load  # noqa: E402

import sktune.nas._base as nas_base  # noqa: E402
import sktune.nas._search as nas_search  # noqa: E402
from sktune.nas import NASClassifier  # noqa: E402
from sktune.nas._builder import NASNetwork  # noqa: E402
from sktune.nas._spaces import config_to_architecture, resolve_space  # noqa: E402
from sktune.nas._strategies import BayesianStrategy  # noqa: E402
from sktune.nas._trial import (  # noqa: E402
    fit_network,
    run_trial,
    set_statistics,
    trial_job,
)
from sktune.optimizers._surrogate import GPSurrogate  # noqa: E402

MAX_EPOCHS = 27
# variant: (strategy, acquisition of the bayesian strategy or None)
VARIANTS = {
    "random": ("random", None),
    "evolution": ("evolution", None),
    "bayesian": ("bayesian", None),
    "bayesian-eips": ("bayesian", "EIps"),
    "morphism": ("morphism", None),
}


def _test_accuracy(module, A_te, y_te, classes):
    with torch.no_grad():
        predicted = module.eval()(A_te).argmax(1).numpy()
    return float((classes[predicted] == y_te).mean())


def _refit(architecture, seed, epochs_total, X, y, settings):
    """The refit from scratch on all the training data, as ``NASClassifier.fit``."""
    torch.manual_seed(seed)
    module = NASNetwork(architecture)
    set_statistics(module, X, y, "classification")
    epochs = max(1, int(round(epochs_total)))
    net = fit_network(
        module, "classification", architecture["training"], settings, epochs, (X, y)
    )
    return net.module_


def search(variant, seed, budget, out):
    """Run one search keeping every trial; write its per-trial record."""
    torch.set_num_threads(1)
    captured = {}
    # Keep every trial's weights.
    nas_search._keep_best_states = lambda trials, n_keep: None
    run_search = nas_base.run_search

    def capturing_run_search(strategy, X, y, splits, settings, **kwargs):
        trials = run_search(strategy, X, y, splits, settings, **kwargs)
        captured.update(strategy=strategy, X=X, y=y, settings=settings, trials=trials)
        return trials

    nas_base.run_search = capturing_run_search
    strategy, acq_func = VARIANTS[variant]
    if acq_func is not None:  # the measurement switch of the bayesian strategy
        BayesianStrategy.acq_func = acq_func
    X_tr, X_te, y_tr, y_te, args, _ = load("digits")
    clf = NASClassifier(
        strategy=strategy,
        max_trials=10_000,
        time_budget=budget,
        max_epochs=MAX_EPOCHS,
        random_state=seed,
        **args,
    ).fit(X_tr, y_tr)
    A_te = torch.as_tensor(
        clf._shape_input(np.asarray(X_te, dtype=np.float32), fitting=False)
    )
    trials = captured["trials"]
    rows = []
    for t in trials:
        row = {
            key: t.get(key)
            for key in ("trial", "status", "score", "valid_loss", "n_params")
            + ("seed", "epochs_total")
        }
        row["params"] = t["params"]
        if t["status"] == "ok":
            module = NASNetwork(t["architecture"])
            module.load_state_dict(t["states"][0])
            row["test"] = _test_accuracy(module, A_te, y_te, clf.classes_)
        rows.append(row)
    space = captured["strategy"].space
    scores = [r["score"] if r["status"] == "ok" else math.nan for r in rows]
    encoded = space.encode([r["params"] for r in rows])
    gp = GPSurrogate(random_state=0).fit(encoded, scores)
    mean, _ = gp.to_scores(*gp.predict(encoded))
    for row, m in zip(rows, mean, strict=True):
        row["gp_mean"] = float(m)
    best = nas_search.best_trial(trials)
    ok = [r for r in rows if r["status"] == "ok"]
    gp_pick = max(ok, key=lambda r: (r["gp_mean"], -r["n_params"], -r["trial"]))
    settings = {**captured["settings"], "device": "cpu"}
    refit = {}
    for i in {best["trial"], gp_pick["trial"]}:
        t = trials[i]
        epochs = t["epochs_total"] if clf.early_stopping else clf.max_epochs
        module = _refit(
            t["architecture"], t["seed"], epochs, captured["X"], captured["y"], settings
        )
        refit[str(i)] = _test_accuracy(module, A_te, y_te, clf.classes_)
    record = {
        "variant": variant,
        "seed": seed,
        "budget": budget,
        "classifier_test": float(clf.score(X_te, y_te)),
        "best_trial": best["trial"],
        "gp_pick": gp_pick["trial"],
        "refit": refit,
        "rows": rows,
    }
    path = out / f"{variant}-{seed}.json"
    path.write_text(json.dumps(record))
    print(path, "trials", len(rows), "refit test", refit)


def rescore(path, n_finalists):
    """Re-score the finalists of a ``search`` record by 3-fold CV; refit the best."""
    torch.set_num_threads(1)
    record = json.loads(pathlib.Path(path).read_text())
    X_tr, X_te, y_tr, y_te, args, _ = load("digits")
    # A one-trial fit gives the input layout and the encodings of X and y.
    clf = NASClassifier(max_trials=1, max_epochs=1, random_state=0, **args)
    clf.fit(X_tr, y_tr)
    X = clf._shape_input(np.asarray(X_tr, dtype=np.float32), fitting=False)
    y = np.searchsorted(clf.classes_, y_tr)
    A_te = torch.as_tensor(
        clf._shape_input(np.asarray(X_te, dtype=np.float32), fitting=False)
    )
    _, defaults = resolve_space(None, clf.input_kind_)
    settings = {
        "task": "classification",
        "max_epochs": MAX_EPOCHS,
        "early_stopping": clf.early_stopping,
        "n_iter_no_change": clf.n_iter_no_change,
        "max_params": None,
        "scorer": None,
        "device": "cpu",
    }
    ok = [r for r in record["rows"] if r["status"] == "ok"]
    finalists = sorted(ok, key=lambda r: (-r["score"], r["n_params"], r["trial"]))
    folds = StratifiedKFold(3, shuffle=True, random_state=1000 + record["seed"])
    splits = list(folds.split(X, y))
    rescored = []
    for row in finalists[:n_finalists]:
        architecture = config_to_architecture(
            row["params"], defaults, clf.input_kind_, clf.input_shape_, 10
        )
        job = trial_job(architecture, row["seed"], "cpu", 1)
        result = run_trial(job, X, y, splits, settings)
        cv = float(np.mean(result["scores"])) if result["status"] == "ok" else math.nan
        rescored.append((row, cv, architecture))
        print(row["trial"], round(row["score"], 4), round(cv, 4), flush=True)
    row, _, architecture = max(rescored, key=lambda t: (t[1], -t[0]["n_params"]))
    module = _refit(architecture, row["seed"], row["epochs_total"], X, y, settings)
    record["cv_pick"] = row["trial"]
    record["cv_pick_refit"] = _test_accuracy(module, A_te, y_te, clf.classes_)
    record["finalists"] = [[r["trial"], cv] for r, cv, _ in rescored]
    pathlib.Path(path).write_text(json.dumps(record))
    print(path, "CV pick", row["trial"], "refit test", record["cv_pick_refit"])


def report(out):
    """One markdown row per search record in ``out``."""
    print(
        "| variant | seed | trials | ties at the top validation score "
        "| refit test: highest validation (the search's choice) "
        "| refit test: highest GP mean | refit test: best CV of the finalists "
        "| top ten trials' own networks, mean test | best trial network's test |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for path in sorted(out.glob("*.json")):
        record = json.loads(pathlib.Path(path).read_text())
        ok = [r for r in record["rows"] if r["status"] == "ok"]
        top = max(r["score"] for r in ok)
        top_ten = sorted(ok, key=lambda r: (-r["score"], r["n_params"], r["trial"]))
        cv_pick = record.get("cv_pick_refit")
        print(
            f"| {record['variant']} | {record['seed']} | {len(record['rows'])} "
            f"| {sum(r['score'] == top for r in ok)} "
            f"| {record['refit'][str(record['best_trial'])]:.4f} "
            f"| {record['refit'][str(record['gp_pick'])]:.4f} "
            f"| {'-' if cv_pick is None else f'{cv_pick:.4f}'} "
            f"| {np.mean([r['test'] for r in top_ten[:10]]):.4f} "
            f"| {max(r['test'] for r in ok):.4f} |"
        )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=pathlib.Path, default="/tmp/sktune_selection")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("search", help="one search that keeps every trial")
    s.add_argument("variant", choices=list(VARIANTS))
    s.add_argument("seed", type=int)
    s.add_argument("--budget", type=float, default=300.0, help="seconds")
    r = sub.add_parser("rescore", help="3-fold CV of a search's finalists")
    r.add_argument("file")
    r.add_argument("--finalists", type=int, default=5)
    sub.add_parser("report", help="markdown table of the records in --out")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.command == "search":
        search(args.variant, args.seed, args.budget, args.out)
    elif args.command == "rescore":
        rescore(args.file, args.finalists)
    else:
        report(args.out)


if __name__ == "__main__":
    main()
