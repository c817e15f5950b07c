"""NASClassifier's strategies against fixed networks and classic classifiers.

Runs, on one data set, in one process:

* baselines: ``SVC(C=10)``, ``MLPClassifier``, ``HistGradientBoostingClassifier``, a
  fixed skorch MLP and a fixed skorch CNN (written here, independently of sktune);
* ``NASClassifier`` with each search variant (a strategy, alone, with Hyperband
  over epochs, or scored by 3-fold cross-validation), at the same time budget
  and epoch limit, for several seeds, ``--parallel`` searches at a time;
* weight inheritance: a network grown by morphisms from a trained parent, trained
  on with the inherited weights and, separately, from scratch.

Results go to ``benchmarks/nas/results/<name>.json`` and into the section of
``docs/nas.md`` between ``<!-- bench:<name> -->`` markers (``--name`` defaults to the
data set).

Usage::

    python benchmarks/nas/bench_nas.py --dataset digits --budget 60 --seeds 0 1 2
    python benchmarks/nas/bench_nas.py --dataset mnist1d --budget 90 --seeds 0
    python benchmarks/nas/bench_nas.py --budget 150 --max-epochs 27 --parallel 2 \
        --variants random bayesian random+hyperband bayesian+hyperband
"""

import argparse
import copy
import json
import os
import pathlib
import platform
import statistics
import subprocess
import tempfile
import time

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from sktune.nas import NASClassifier, build_module, count_params, deepen, widen
from sktune.nas._trial import fit_network

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Search variants: NASClassifier arguments on top of the shared ones.
VARIANTS = {
    "random": {"strategy": "random"},
    "evolution": {"strategy": "evolution"},
    "bayesian": {"strategy": "bayesian"},
    "morphism": {"strategy": "morphism"},
    "random+hyperband": {"strategy": "random", "multi_fidelity": "hyperband"},
    "bayesian+hyperband": {"strategy": "bayesian", "multi_fidelity": "hyperband"},
    # Hyperband's first rung at 3 epochs: with max_epochs 27-30 and eta=3, three
    # brackets, as HyperbandSearchCV's min_resource="auto" would start.
    "random+hyperband-min3": {
        "strategy": "random",
        "multi_fidelity": "hyperband",
        "min_epochs": 3,
    },
    "random+cv3": {"strategy": "random", "cv": 3},
    "bayesian+cv3": {"strategy": "bayesian", "cv": 3},
    # The search of a strategy, then its 5 best trials re-scored by 3-fold
    # cross-validation (see nas_search: both choices from one search).
    **{
        f"{strategy}+finalists5": {"strategy": strategy, "n_finalists": 5}
        for strategy in ("random", "evolution", "bayesian", "morphism")
    },
}
DEFAULT_VARIANTS = ["random", "evolution", "bayesian", "morphism"]


def load(dataset):
    """Train/test split, NASClassifier arguments for the data and the shape of
    one sample (channels first)."""
    if dataset == "digits":
        X, y = load_digits(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=0
        )
        return X_tr, X_te, y_tr, y_te, {"input_shape": (8, 8)}, (1, 8, 8)
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # generated locally, default settings
    return (
        data["x"],
        data["x_test"],
        data["y"],
        data["y_test"],
        {"input_kind": "sequence"},
        (1, data["x"].shape[1]),
    )


class FixedMLP(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(n_in, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, 128),
            torch.nn.ReLU(),
            torch.nn.Linear(128, n_out),
        )

    def forward(self, x):
        return self.net(x.flatten(1))


class FixedCNN(torch.nn.Module):
    """Two convolution + max-pool stages (32 and 64 filters), linear head."""

    def __init__(self, shape, n_out):
        super().__init__()
        ndim = len(shape) - 1
        conv = torch.nn.Conv2d if ndim == 2 else torch.nn.Conv1d
        pool = torch.nn.MaxPool2d if ndim == 2 else torch.nn.MaxPool1d
        spatial = int(np.prod([s // 4 for s in shape[1:]]))
        self.net = torch.nn.Sequential(
            conv(shape[0], 32, 3, padding=1),
            torch.nn.ReLU(),
            pool(2),
            conv(32, 64, 3, padding=1),
            torch.nn.ReLU(),
            pool(2),
            torch.nn.Flatten(),
            torch.nn.Linear(64 * spatial, n_out),
        )

    def forward(self, x):
        return self.net(x)


def _scaled(X_tr, X_te, shape):
    mean, std = X_tr.mean(), X_tr.std()
    f = lambda X: ((X - mean) / std).astype(np.float32).reshape(len(X), *shape)  # noqa: E731
    return f(X_tr), f(X_te)


def _adam_net(module, epochs, train_split):
    """The fixed baselines' training: Adam at lr 1e-3, batches of 64, shuffled."""
    return NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=epochs,
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=train_split,
        verbose=0,
    )


def fixed_net(make_module, X_tr, X_te, y_tr, y_te, shape, epochs):
    torch.manual_seed(0)  # before the module is built: seeds its initialization too
    module = make_module()
    A_tr, A_te = _scaled(X_tr, X_te, shape)
    net = _adam_net(module, epochs, train_split=None)
    start = time.perf_counter()
    net.fit(A_tr, y_tr.astype(np.int64))
    seconds = time.perf_counter() - start
    acc = float((net.predict(A_te) == y_te).mean())
    return {"accuracy": acc, "n_params": count_params(net.module_), "seconds": seconds}


def baselines(X_tr, X_te, y_tr, y_te, shape):
    out = {}
    for name, model in {
        "SVC(C=10)": SVC(C=10),
        "MLPClassifier": make_pipeline(
            StandardScaler(), MLPClassifier(max_iter=1000, random_state=0)
        ),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
    }.items():
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        out[name] = {
            "accuracy": float(model.score(X_te, y_te)),
            "n_params": None,
            "seconds": time.perf_counter() - start,
        }
    n_out = len(np.unique(y_tr))
    out["skorch MLP (2x128)"] = fixed_net(
        lambda: FixedMLP(int(np.prod(shape)), n_out), X_tr, X_te, y_tr, y_te, shape, 50
    )
    out["skorch CNN (32-64)"] = fixed_net(
        lambda: FixedCNN(shape, n_out), X_tr, X_te, y_tr, y_te, shape, 30
    )
    return out


def nas_search(X_tr, X_te, y_tr, y_te, search_args, budget, variant, seed, max_epochs):
    """One time-budgeted search; the record of its best network on the test set.

    A variant with ``n_finalists`` runs its search once, with the search's own
    choice (``n_finalists=1``) and a checkpoint, then resumes it from the
    checkpoint with ``n_finalists`` and no trial left to run: both choices come
    from the same trials, and the record holds both refits' test accuracies.
    """
    torch.set_num_threads(1)  # in a worker process too
    options = dict(VARIANTS[variant])
    n_finalists = options.pop("n_finalists", 1)
    clf = NASClassifier(
        **options,
        max_trials=10_000,
        time_budget=budget,
        max_epochs=max_epochs,
        random_state=seed,
        **search_args,
    )
    finalists = {}
    with tempfile.TemporaryDirectory() as tmp:
        if n_finalists > 1:
            clf.set_params(checkpoint=os.path.join(tmp, "search.ckpt"))
        start, cpu_start = time.perf_counter(), time.process_time()
        clf.fit(X_tr, y_tr)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        search_seconds = clf.search_time_
        if n_finalists > 1:
            finalists["search_choice_accuracy"] = float(clf.score(X_te, y_te))
            finalists["search_choice_trial"] = int(clf.best_index_)
            clf = clone(clf).set_params(
                n_finalists=n_finalists, max_trials=clf.n_trials_
            )
            start_f, cpu_start_f = time.perf_counter(), time.process_time()
            clf.fit(X_tr, y_tr)
            finalists["finalists_seconds"] = time.perf_counter() - start_f
            finalists["finalists_cpu_seconds"] = time.process_time() - cpu_start_f
            finalists["finalists"] = [
                [f["trial"], round(f["score"], 4), round(f["cv_score"], 4)]
                for f in clf.finalists_
            ]
    res = clf.cv_results_
    record = {
        "variant": variant,
        "seed": seed,
        "accuracy": float(clf.score(X_te, y_te)),
        # The selected trial's own network (trained on the search's training
        # split), before the refit on all the training data.
        "trial_accuracy": float(_as_trial(clf).score(X_te, y_te)),
        # That network trained on for a quarter of its epochs on all the
        # training data, instead of the refit from scratch.
        "warm_accuracy": float(_warm(clf, X_tr, y_tr).score(X_te, y_te)),
        "valid_score": float(clf.best_score_),
        "n_params": int(res["n_params"][clf.best_index_]),
        "best_index": int(clf.best_index_),
        "n_trials": int(clf.n_trials_),
        "n_configs": len(set(res.get("config_id", range(clf.n_trials_)))),
        "failed": int(sum(s != "ok" for s in res["status"])),
        "search_seconds": float(search_seconds),
        "total_seconds": total,
        "cpu_seconds": cpu,
        "pareto_front": [
            (p["n_params"], round(p["score"], 4)) for p in clf.pareto_front_
        ],
        "architecture": clf.best_architecture_,
        **finalists,
    }
    print(json.dumps({k: v for k, v in record.items() if k != "architecture"}))
    return record


def _as_trial(clf):
    """``clf`` predicting with its best trial's network instead of the refit one."""
    view = copy.copy(clf)
    view.best_estimator_ = clf.best_trial_estimator_
    return view


def warm_refit(module, training, epochs, X, y):
    """A copy of the trained ``module`` trained on ``(X, y)`` for a quarter of
    ``epochs`` (at least one), with a fresh optimizer: the "warm" refit."""
    settings = {"early_stopping": False, "device": "cpu"}
    return fit_network(
        copy.deepcopy(module),
        "classification",
        training,
        settings,
        max(1, int(epochs) // 4),
        (X, y),
    )


def _warm(clf, X_tr, y_tr):
    """``clf`` predicting with its best trial's network after a warm refit."""
    torch.manual_seed(0)
    view = copy.copy(clf)
    view.best_estimator_ = warm_refit(
        clf.best_trial_estimator_.module_,
        clf.best_architecture_["training"],
        clf.cv_results_["epochs"][clf.best_index_],
        clf._shape_input(np.asarray(X_tr, dtype=np.float32), fitting=False),
        np.searchsorted(clf.classes_, y_tr),
    )
    return view


def nas_runs(data, search_args, budget, seeds, max_epochs, variants, n_parallel):
    """Every (variant, seed) search, ``n_parallel`` at a time in worker processes.

    Seed by seed, so that the variants of one seed run at about the same time,
    under about the same load of a shared machine.
    """
    jobs = [(variant, seed) for seed in seeds for variant in variants]
    return Parallel(n_jobs=n_parallel)(
        delayed(nas_search)(*data, search_args, budget, variant, seed, max_epochs)
        for variant, seed in jobs
    )


def _epoch_accuracies(module, A_tr, y_tr, A_va, y_va, epochs, seed):
    torch.manual_seed(seed)
    net = _adam_net(module, epochs, predefined_split(Dataset(A_va, y_va)))
    net.initialize()  # keeps the given (possibly inherited) weights
    net.partial_fit(A_tr, y_tr)
    return [round(float(a), 4) for a in net.history[:, "valid_acc"]]


def inheritance(X_tr, y_tr, shape, epochs=15):
    """Valid accuracy per epoch of a grown child: inherited weights vs scratch."""
    A_tr, A_va, y_a, y_b = train_test_split(
        X_tr, y_tr, test_size=0.25, stratify=y_tr, random_state=0
    )
    A_tr, A_va = _scaled(A_tr, A_va, shape)
    y_a, y_b = y_a.astype(np.int64), y_b.astype(np.int64)
    block = {
        "filters": 8,
        "kernel_size": 3,
        "activation": "relu",
        "norm": "batch",
        "pool": "max",
        "skip": "none",
    }
    parent_arch = {
        "kind": "cnn",
        "ndim": len(shape) - 1,
        "input_shape": list(shape),
        "n_outputs": int(len(np.unique(y_tr))),
        "blocks": [block],
        "head": {"pool": "flatten", "dropout": 0.0},
    }
    torch.manual_seed(0)
    parent = build_module(parent_arch)
    parent_curve = _epoch_accuracies(parent, A_tr, y_a, A_va, y_b, epochs, 0)
    child = deepen(widen(parent.eval(), 0, 16, np.random.default_rng(0)), 0)
    torch.manual_seed(1)
    scratch = build_module(child.architecture)
    # Same input standardization for both (the sktune layer stays identity here).
    inherited_curve = _epoch_accuracies(child, A_tr, y_a, A_va, y_b, epochs, 1)
    scratch_curve = _epoch_accuracies(scratch, A_tr, y_a, A_va, y_b, epochs, 1)
    targets = sorted({max(parent_curve), 0.95})

    def first(curve, target):
        hits = [i + 1 for i, a in enumerate(curve) if a >= target]
        return hits[0] if hits else None

    return {
        "parent_params": count_params(parent_arch),
        "child_params": count_params(child),
        "parent_curve": parent_curve,
        "inherited_curve": inherited_curve,
        "scratch_curve": scratch_curve,
        "epochs_to_reach": {
            str(t): {
                "inherited": first(inherited_curve, t),
                "scratch": first(scratch_curve, t),
            }
            for t in targets
        },
    }


def _spread(values):
    """``median [min, max]``, or "-" for none."""
    if not values:
        return "-"
    return f"{statistics.median(values):.4f} [{min(values):.4f}, {max(values):.4f}]"


def markdown(results, command):
    lines = [
        f"Command: `{command}`  ",
        f"Machine: {results['machine']}; load average at start "
        f"{results['load_average']}; sktune at commit {results.get('commit', '?')}.",
        "",
        "| model | test accuracy | parameters | seconds |",
        "|---|---|---|---|",
    ]
    for name, r in results["baselines"].items():
        params = "-" if r["n_params"] is None else f"{r['n_params']:,}"
        acc, sec = r["accuracy"], r["seconds"]
        lines.append(f"| {name} | {acc:.4f} | {params} | {sec:.1f} |")
    lines += [
        "",
        f"NASClassifier, time budget {results['budget']} s per search, "
        f"max_epochs={results['max_epochs']}, "
        f"max_params={results.get('max_params')}, seeds {results['seeds']}, "
        f"{results.get('parallel', 1)} search(es) at a time "
        "(median [min, max] over seeds; seconds, wall and CPU of the search "
        "process, include the final refit; trials are trainings, a configuration "
        "promoted by Hyperband counts once per rung):",
        "",
        "| variant | test accuracy | trial net test accuracy | warm refit test "
        "accuracy | validation score | best net parameters | configurations | trials "
        "| seconds | CPU seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for variant in dict.fromkeys(r["variant"] for r in results["nas"]):
        runs = [r for r in results["nas"] if r["variant"] == variant]
        acc = [r["accuracy"] for r in runs]
        trial_acc = [r["trial_accuracy"] for r in runs if "trial_accuracy" in r]
        warm_acc = [r["warm_accuracy"] for r in runs if "warm_accuracy" in r]
        valid = statistics.median(r["valid_score"] for r in runs)
        params = int(statistics.median(r["n_params"] for r in runs))
        configs = int(statistics.median(r["n_configs"] for r in runs))
        lines.append(
            f"| {variant} | {_spread(acc)} | {_spread(trial_acc)} "
            f"| {_spread(warm_acc)} | {valid:.4f} "
            f"| {params:,} | {configs} "
            f"| {int(statistics.median(r['n_trials'] for r in runs))} "
            f"| {statistics.median(r['total_seconds'] for r in runs):.0f} "
            f"| {statistics.median(r['cpu_seconds'] for r in runs):.0f} |"
        )
    lines += _finalists_lines(results["nas"])
    inh = results["inheritance"]
    lines += [
        "",
        f"Weight inheritance: parent CNN ({inh['parent_params']:,} parameters) "
        f"trained {len(inh['parent_curve'])} epochs, grown by widen + deepen to "
        f"{inh['child_params']:,} parameters. Validation accuracy per epoch:",
        "",
        f"- parent: {inh['parent_curve']}",
        f"- child, inherited weights: {inh['inherited_curve']}",
        f"- child, from scratch: {inh['scratch_curve']}",
    ]
    for target, hits in inh["epochs_to_reach"].items():
        lines.append(
            f"- epochs to reach {float(target):.4f}: inherited {hits['inherited']}, "
            f"from scratch {hits['scratch']} (None: not within "
            f"{len(inh['scratch_curve'])} epochs)"
        )
    return "\n".join(lines)


def _finalists_lines(records):
    """Per ``n_finalists`` variant: the search's choice against the finalists'."""
    lines = []
    for variant in dict.fromkeys(r["variant"] for r in records if "finalists" in r):
        runs = [r for r in records if r["variant"] == variant]
        plain = [r["search_choice_accuracy"] for r in runs]
        chosen = [r["accuracy"] for r in runs]
        changed = sum(r["best_index"] != r["search_choice_trial"] for r in runs)
        diffs = [c - p for c, p in zip(chosen, plain, strict=True)]
        lines += [
            "",
            f"{variant}: test accuracy of the search's own choice "
            f"{_spread(plain)}, of the cross-validated finalists' choice "
            f"{_spread(chosen)} (better / equal / worse on "
            f"{sum(d > 0 for d in diffs)} / {sum(d == 0 for d in diffs)} / "
            f"{sum(d < 0 for d in diffs)} seeds; another trial chosen on {changed} "
            f"of {len(runs)}); re-scoring and refit "
            f"{statistics.median(r['finalists_seconds'] for r in runs):.0f} s "
            "in median after the search (in the seconds columns above: the search "
            "and the search's own refit only).",
        ]
    return lines


def update_docs(name, text):
    path = ROOT / "docs" / "nas.md"
    doc = path.read_text()
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start not in doc:
        doc += f"\n{start}\n{end}\n"
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["digits", "mnist1d"], default="digits")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), default=DEFAULT_VARIANTS
    )
    parser.add_argument(
        "--parallel", type=int, default=1, help="searches run at a time (processes)"
    )
    parser.add_argument(
        "--name", default=None, help="results name and docs section (default: dataset)"
    )
    parser.add_argument(
        "--max-params", type=int, default=None, help="NASClassifier's max_params"
    )
    args = parser.parse_args()
    name = args.name or args.dataset
    command = (
        f"python benchmarks/nas/bench_nas.py --dataset {args.dataset} "
        f"--budget {args.budget:g} --max-epochs {args.max_epochs} "
        f"--seeds {' '.join(map(str, args.seeds))}"
        + (
            f" --variants {' '.join(args.variants)}"
            if args.variants != DEFAULT_VARIANTS
            else ""
        )
        + (f" --parallel {args.parallel}" if args.parallel != 1 else "")
        + (f" --max-params {args.max_params}" if args.max_params else "")
        + (f" --name {args.name}" if args.name else "")
    )
    X_tr, X_te, y_tr, y_te, search_args, shape = load(args.dataset)
    search_args["max_params"] = args.max_params
    results = {
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__}",
        "load_average": [round(v, 1) for v in os.getloadavg()],
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "budget": args.budget,
        "max_epochs": args.max_epochs,
        "seeds": args.seeds,
        "parallel": args.parallel,
        "max_params": args.max_params,
    }
    torch.set_num_threads(1)  # as NASClassifier trains; see docs/nas.md
    results["baselines"] = baselines(X_tr, X_te, y_tr, y_te, shape)
    print(json.dumps(results["baselines"]))
    results["inheritance"] = inheritance(X_tr, y_tr, shape)
    print(json.dumps(results["inheritance"]))
    results["nas"] = nas_runs(
        (X_tr, X_te, y_tr, y_te),
        search_args,
        args.budget,
        args.seeds,
        args.max_epochs,
        args.variants,
        args.parallel,
    )
    out = ROOT / "benchmarks" / "nas" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1))
    update_docs(name, markdown(results, command))


if __name__ == "__main__":
    main()
