"""Shared machinery of NASClassifier and NASRegressor: validation, search, refit."""

import math
import os
import re
import time
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from joblib import effective_n_jobs
from joblib import hash as data_hash
from sklearn.base import BaseEstimator, is_classifier
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit, check_cv
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from sktune.search._checkpoint import load_checkpoint, save_checkpoint
from sktune.search._compat import Interval, StrOptions

from ._builder import NASNetwork
from ._fidelity import SAMPLERS as FIDELITY_SAMPLERS
from ._fidelity import HyperbandStrategy
from ._finalists import rescore_finalists
from ._search import (
    PARETO_COSTS,
    best_trial,
    pareto_front,
    results_table,
    run_search,
    worker_layout,
)
from ._spaces import INPUT_KINDS, config_to_architecture, resolve_space
from ._strategies import STRATEGIES, make_strategy
from ._trial import fit_network, make_net, set_statistics, torch_threads

_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")
_MAX_WIDTH = {"tabular": 1024, "image": 256, "sequence": 256}


class BaseNAS(BaseEstimator):
    """Base of the NAS estimators; use ``NASClassifier`` or ``NASRegressor``."""

    _task = None  # "classification" or "regression", set by subclasses

    _parameter_constraints = {
        "space": [dict, list, None],
        "input_kind": [StrOptions(set(INPUT_KINDS))],
        "input_shape": [tuple, list, None],
        "strategy": [StrOptions(set(STRATEGIES))],
        "max_trials": [Interval(Integral, 1, None, closed="left")],
        "time_budget": [Interval(Real, 0, None, closed="neither"), None],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "multi_fidelity": [StrOptions({"hyperband"}), None],
        "min_epochs": [Interval(Integral, 1, None, closed="left")],
        "eta": [Interval(Integral, 2, None, closed="left")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object", None],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "refit": ["boolean"],
        "n_finalists": [Interval(Integral, 1, None, closed="left")],
        "finalist_cv": ["cv_object"],
        "pareto_costs": [tuple, list],
        "checkpoint": [str, os.PathLike, None],
        "max_params": [Interval(Integral, 1, None, closed="left"), None],
        "device": [str],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        space=None,
        input_kind="auto",
        input_shape=None,
        strategy="evolution",
        max_trials=20,
        time_budget=None,
        max_epochs=30,
        multi_fidelity=None,
        min_epochs=1,
        eta=3,
        early_stopping=True,
        n_iter_no_change=5,
        validation_fraction=0.2,
        cv=None,
        scoring=None,
        refit=True,
        n_finalists=1,
        finalist_cv=3,
        pareto_costs=("n_params",),
        checkpoint=None,
        max_params=None,
        device="auto",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.space = space
        self.input_kind = input_kind
        self.input_shape = input_shape
        self.strategy = strategy
        self.max_trials = max_trials
        self.time_budget = time_budget
        self.max_epochs = max_epochs
        self.multi_fidelity = multi_fidelity
        self.min_epochs = min_epochs
        self.eta = eta
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.validation_fraction = validation_fraction
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_finalists = n_finalists
        self.finalist_cv = finalist_cv
        self.pareto_costs = pareto_costs
        self.checkpoint = checkpoint
        self.max_params = max_params
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- validation -------------------------------------------------------------
    def _check_fidelity(self):
        """Options of ``multi_fidelity`` that the other parameters must allow."""
        if self.multi_fidelity is None:
            return
        if self.strategy not in FIDELITY_SAMPLERS:
            raise ValueError(
                f"multi_fidelity={self.multi_fidelity!r} supports strategy in "
                f"{sorted(FIDELITY_SAMPLERS)} (Hyperband draws each bracket's "
                f"configurations at random, or BOHB-style with a Gaussian process). "
                f"Got strategy={self.strategy!r}; use multi_fidelity=None for it."
            )
        if self.min_epochs > self.max_epochs:
            raise ValueError(
                f"min_epochs must be <= max_epochs with multi_fidelity="
                f"{self.multi_fidelity!r}. Got min_epochs={self.min_epochs} and "
                f"max_epochs={self.max_epochs}."
            )

    def _check_pareto_costs(self):
        costs = list(self.pareto_costs)
        known = [c for c in costs if isinstance(c, str) and c in PARETO_COSTS]
        if not costs or len(known) != len(costs) or len(set(known)) != len(costs):
            raise ValueError(
                "pareto_costs must be a non-empty tuple of distinct names among "
                f"{list(PARETO_COSTS)}. Got {self.pareto_costs!r} instead."
            )

    def _resolve_device(self):
        if not _DEVICE.match(self.device):
            raise ValueError(
                "The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'cuda:N'. "
                f"Got {self.device!r} instead."
            )
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device.startswith("cuda"):
            n = torch.cuda.device_count() if torch.cuda.is_available() else 0
            index = int(self.device[5:]) if ":" in self.device else 0
            if index >= n:
                raise ValueError(
                    f"device={self.device!r} but {n} CUDA device(s) are available; "
                    "use device='cpu' or device='auto'."
                )
        return self.device

    def _shape_input(self, X, fitting):
        """Reshape validated X to (n_samples, *input_shape_), channels first."""
        raw_shape = tuple(X.shape[1:])
        if fitting:
            self._raw_shape = raw_shape
        elif raw_shape != self._raw_shape:
            raise ValueError(
                f"X has samples of shape {raw_shape}, but {type(self).__name__} was "
                f"fitted on samples of shape {self._raw_shape}."
            )
        if self.input_shape is not None:
            shape = tuple(int(s) for s in self.input_shape)
            n_shape, n_raw = int(np.prod(shape)), int(np.prod(raw_shape))
            if n_raw != n_shape:
                raise ValueError(
                    f"input_shape={tuple(self.input_shape)} holds {n_shape} values but "
                    f"each sample of X has {n_raw} (X of shape {X.shape})."
                )
            X = X.reshape(len(X), *shape)
        kind = self.input_kind
        if kind == "auto":
            kind = "tabular" if X.ndim == 2 else "image"
        accepted = {
            "tabular": (2, "(n_samples, n_features)"),
            "image": ((3, 4), "(n_samples, H, W) or (n_samples, C, H, W)"),
            "sequence": ((2, 3), "(n_samples, L) or (n_samples, C, L)"),
        }[kind]
        if X.ndim not in np.atleast_1d(accepted[0]):
            hint = (
                " Pass input_shape=(H, W) to read flat rows as images."
                if kind == "image"
                else ""
            )
            raise ValueError(
                f"input_kind={kind!r} needs X of shape {accepted[1]}; got X of shape "
                f"{X.shape}.{hint}"
            )
        if (kind == "image" and X.ndim == 3) or (kind == "sequence" and X.ndim == 2):
            X = X[:, None]
        if fitting:
            self.input_kind_ = kind
            self.input_shape_ = [int(s) for s in X.shape[1:]]
        return np.ascontiguousarray(X, dtype=np.float32)

    def _splits(self, X, y, rng):
        if self.cv is not None:
            cv = check_cv(self.cv, y, classifier=is_classifier(self))
            return [(np.asarray(tr), np.asarray(va)) for tr, va in cv.split(X, y)]
        n = len(X)
        n_valid = max(1, math.ceil(self.validation_fraction * n))
        if n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no training "
                f"sample out of n_samples={n}."
            )
        seed = rng.randint(2**31 - 1)
        splitter = ShuffleSplit(n_splits=1, test_size=n_valid, random_state=seed)
        if is_classifier(self):
            counts = np.bincount(y)
            if counts.min() >= 2 and min(n_valid, n - n_valid) >= len(counts):
                splitter = StratifiedShuffleSplit(
                    n_splits=1, test_size=n_valid, random_state=seed
                )
        return [next(splitter.split(X, y))]

    def _checkpoint_signature(self, X, y):
        """What must not change between a checkpointed search and its resumption:
        the class, every parameter that changes what a trial scores, and the data.
        The budget (``max_trials``, ``time_budget``), the choice after the
        search (``refit``, ``n_finalists``, ``finalist_cv``, ``pareto_costs``) and
        where trials run
        may change."""
        free = {
            "checkpoint",
            "max_trials",
            "time_budget",
            "refit",
            "n_finalists",
            "finalist_cv",
            "pareto_costs",
            "device",
            "n_jobs",
            "verbose",
        }
        params = sorted(
            (k, v) for k, v in self.get_params(deep=False).items() if k not in free
        )
        return {
            "estimator": type(self).__name__,
            "params": repr(params),
            "data": data_hash((X, y)),
        }

    # -- fitting -------------------------------------------------------------------
    def fit(self, X, y):
        """Search architectures on ``(X, y)``, then refit the best one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Training data; images as (n, H, W) or (n, C, H, W), sequences as
            (n, L) or (n, C, L) (see ``input_kind``).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        self._check_fidelity()
        self._check_pareto_costs()
        device = self._resolve_device()
        X, y = validate_data(
            self,
            X,
            y,
            allow_nd=True,
            dtype=[np.float64, np.float32],
            ensure_min_samples=2,
            multi_output=self._task == "regression",
            y_numeric=self._task == "regression",
        )
        y = self._encode_y(y)
        X = self._shape_input(X, fitting=True)
        rng = check_random_state(self.random_state)
        space, defaults = resolve_space(self.space, self.input_kind_)
        n_outputs = len(self.classes_) if self._task == "classification" else y.shape[1]

        make_architecture = partial(
            config_to_architecture,
            defaults=defaults,
            input_kind=self.input_kind_,
            input_shape=self.input_shape_,
            n_outputs=n_outputs,
        )
        splits = self._splits(X, y, rng)
        self.n_splits_ = len(splits)
        n_jobs = effective_n_jobs(self.n_jobs)
        cuda_count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        devices, n_threads = worker_layout(device, n_jobs, cuda_count)
        strategy_args = (
            space,
            make_architecture,
            np.random.default_rng(rng.randint(2**31 - 1)),
            self.max_params,
            self.max_trials,
        )
        if self.multi_fidelity is None:
            strategy = make_strategy(
                self.strategy, *strategy_args, _MAX_WIDTH[self.input_kind_]
            )
        else:
            strategy = HyperbandStrategy(
                *strategy_args,
                min_epochs=self.min_epochs,
                max_epochs=self.max_epochs,
                eta=self.eta,
                sampler=FIDELITY_SAMPLERS[self.strategy],
            )
        settings = {
            "task": self._task,
            "max_epochs": self.max_epochs,
            "early_stopping": self.early_stopping,
            "n_iter_no_change": self.n_iter_no_change,
            "max_params": self.max_params,
            "scorer": None if self.scoring is None else get_scorer(self.scoring),
        }
        signature = self._checkpoint_signature(X, y)
        done = load_checkpoint(self.checkpoint, signature) or []
        start = time.time()
        deadline = None if self.time_budget is None else start + self.time_budget
        trials = run_search(
            strategy,
            X,
            y,
            splits,
            settings,
            devices=devices,
            n_threads=n_threads,
            max_trials=self.max_trials,
            deadline=deadline,
            rng=rng,
            verbose=self.verbose,
            done=done,
            on_batch=(
                None
                if self.checkpoint is None
                else partial(save_checkpoint, self.checkpoint, signature)
            ),
            n_keep=self.n_finalists,
        )
        self.search_time_ = time.time() - start
        self.cv_results_ = results_table(trials, len(splits))
        self.n_trials_ = len(trials)
        best = best_trial(trials)
        if best is None:
            errors = sorted({f"{t['status']}: {t['error']}" for t in trials})
            raise ValueError(
                f"All {len(trials)} trials failed, so no model could be selected. "
                f"Errors: {errors[:5]}"
            )
        self.finalists_, states = [], best["states"]
        if self.n_finalists > 1:
            cv = check_cv(self.finalist_cv, y, classifier=is_classifier(self))
            self.finalists_, best, fold_states = rescore_finalists(
                trials,
                self.n_finalists,
                X,
                y,
                [(np.asarray(tr), np.asarray(va)) for tr, va in cv.split(X, y)],
                settings,
                devices=devices,
                n_threads=n_threads,
                verbose=self.verbose,
            )
            # A search resumed with more finalists than it kept weights for.
            states = best["states"] or fold_states
        self.best_index_ = best["trial"]
        self.best_score_ = best["score"]
        self.best_params_ = dict(best["params"])
        self.best_architecture_ = best["architecture"]
        self.pareto_front_ = pareto_front(trials, tuple(self.pareto_costs))
        settings["device"] = devices[0]
        trial_module = NASNetwork(best["architecture"])
        trial_module.load_state_dict(states[0])
        self.best_trial_estimator_ = make_net(
            trial_module,
            self._task,
            best["architecture"]["training"],
            settings,
            self.max_epochs,
        ).initialize()
        net = self.best_trial_estimator_
        if self.refit:
            # The best trial's seed: the refit differs from it only by its data.
            torch.manual_seed(best["seed"])
            module = NASNetwork(best["architecture"])
            set_statistics(module, X, y, self._task)
            epochs = (
                self.max_epochs if not self.early_stopping else best["epochs_total"]
            )
            self.refit_epochs_ = max(1, int(round(epochs)))
            with torch_threads(n_threads):
                net = fit_network(
                    module,
                    self._task,
                    best["architecture"]["training"],
                    settings,
                    self.refit_epochs_,
                    (X, y),
                )
        self.best_estimator_ = net
        self.best_module_ = net.module_.eval()
        return self

    # -- prediction --------------------------------------------------------------
    def _prepare(self, X):
        check_is_fitted(self, "best_estimator_")
        X = validate_data(
            self, X, reset=False, allow_nd=True, dtype=[np.float64, np.float32]
        )
        return self._shape_input(X, fitting=False)

    def _forward(self, X):
        """Outputs of the best network, in batches, in evaluation mode."""
        X = self._prepare(X)
        return self.best_estimator_.predict_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags
