"""Continuing sklearn models by ``partial_fit`` or by a warm-started ``fit``.

HyperbandSearchCV continues a promoted configuration's fold models. For
estimators whose resource counts epochs (``max_iter`` of ``SGDClassifier``,
``MLPClassifier``) there are two ways: one ``partial_fit`` call per missing
epoch, or one more ``fit`` call with ``warm_start=True`` and ``max_iter`` set to
the missing epochs. This script measures both against training from scratch:

1. **Quality.** For random configurations of each estimator, the test accuracy
   on ``load_digits`` (2/3 train, 1/3 test, stratified) of the model trained
   from scratch for ``max_iter`` epochs, of the same configuration continued
   through Hyperband's rungs (1, 3, 9, 27, 81 epochs) by warm start, and of it
   continued by ``partial_fit`` (a ``fit`` with the default ``tol`` may stop
   before ``max_iter``; ``partial_fit`` calls do not stop); plus, without
   shuffling or stopping, the largest difference of the first layer's weights
   from the model trained from scratch.
2. **Cost.** CPU seconds per epoch of ``fit`` and of a ``partial_fit`` call on
   synthetic 10-class data of 1,198 to 20,000 rows.

Reproduce: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hyperband/continuation.py``
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy / sklearn load

import argparse  # noqa: E402
import functools  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

RUNGS = (1, 3, 9, 27, 81)


def _sgd(rng):
    params = {
        "alpha": float(10 ** rng.uniform(-6, -1)),
        "loss": str(rng.choice(["hinge", "log_loss", "modified_huber"])),
        "penalty": str(rng.choice(["l2", "l1", "elasticnet"])),
    }
    return lambda **kw: SGDClassifier(tol=None, random_state=0, **params, **kw)


def _mlp(rng):
    params = {
        "alpha": float(10 ** rng.uniform(-6, -1)),
        "learning_rate_init": float(10 ** rng.uniform(-4, -1)),
        "batch_size": int(rng.integers(16, 257)),
    }
    return lambda **kw: MLPClassifier((64,), random_state=0, **params, **kw)


ESTIMATORS = {"SGDClassifier": _sgd, "MLPClassifier": _mlp}


def _first_layer(model):
    return model.coef_ if hasattr(model, "coef_") else model.coefs_[0]


def _chains(make, X, y, **fixed):
    """Models trained from scratch, by a warm-started chain, by partial_fit
    (``fixed``: more parameters of every model)."""
    make = functools.partial(make, **fixed)
    scratch = make(max_iter=RUNGS[-1]).fit(X, y)
    warm = make(max_iter=RUNGS[0], warm_start=True).fit(X, y)
    partial = make(max_iter=RUNGS[0]).fit(X, y)
    for done, target in zip(RUNGS[:-1], RUNGS[1:], strict=True):
        warm.set_params(max_iter=target - done).fit(X, y)
        for _ in range(target - done):
            partial.partial_fit(X, y)
    return scratch, warm, partial


def quality(name, n_configs, seed):
    """Rows of the quality table for ``name``."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_size=1 / 3, stratify=y, random_state=0
    )
    rng = np.random.default_rng(seed)
    scores, gaps = [], []
    for _ in range(n_configs):
        make = ESTIMATORS[name](rng)
        models = _chains(make, X_train, y_train)
        scores.append([m.score(X_test, y_test) for m in models])
        fixed = _chains(make, X_train, y_train, shuffle=False, n_iter_no_change=10**6)
        reference = _first_layer(fixed[0])
        gaps.append([np.abs(_first_layer(m) - reference).max() for m in fixed[1:]])
    scores, gaps = np.array(scores), np.array(gaps)
    below = scores[:, 1:] < scores[:, :1]
    return (
        f"| {name} | {n_configs} | {np.median(scores[:, 0]):.4f} | "
        f"{np.median(scores[:, 1]):.4f} ({below[:, 0].sum()}) | "
        f"{np.median(scores[:, 2]):.4f} ({below[:, 1].sum()}) | "
        f"{gaps[:, 0].max():.3g} | {gaps[:, 1].max():.3g} |"
    )


def cost(name, n_rows, epochs=20):
    """CPU seconds per epoch of ``fit`` and of a ``partial_fit`` call."""
    X, y = make_classification(
        n_samples=n_rows,
        n_features=64,
        n_informative=20,
        n_classes=10,
        random_state=0,
    )
    make = ESTIMATORS[name](np.random.default_rng(0))
    start = time.process_time()
    make(max_iter=epochs).fit(X, y)
    per_fit_epoch = (time.process_time() - start) / epochs
    model = make(max_iter=1).fit(X, y)
    start = time.process_time()
    for _ in range(epochs):
        model.partial_fit(X, y)
    per_call = (time.process_time() - start) / epochs
    return per_fit_epoch, per_call


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--configs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rows", type=int, nargs="+", default=[1198, 5000, 20000])
    args = p.parse_args()
    warnings.simplefilter("ignore")  # short rungs stop before converging

    print(
        f"Test accuracy on digits after {RUNGS[-1]} epochs (rungs {RUNGS}), "
        f"{args.configs} random configurations (seed {args.seed}); medians, in "
        "brackets the configurations scoring below the model trained from "
        "scratch; last columns: without shuffling or stopping, the largest "
        "difference of a "
        "first-layer weight from the model trained from scratch.\n"
    )
    print(
        "| estimator | configurations | from scratch | warm-started fit calls "
        "| partial_fit calls | weight gap, warm start | weight gap, partial_fit |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in ESTIMATORS:
        print(quality(name, args.configs, args.seed))

    print("\nCPU ms per epoch, synthetic 10-class data, 64 features, 20 epochs:\n")
    print("| estimator | rows | fit | partial_fit call | ratio |")
    print("|---|---|---|---|---|")
    for name in ESTIMATORS:
        for n_rows in args.rows:
            fit, call = cost(name, n_rows)
            print(
                f"| {name} | {n_rows} | {fit * 1e3:.2f} | {call * 1e3:.2f} | "
                f"{call / fit:.2f} |"
            )


if __name__ == "__main__":
    main()
