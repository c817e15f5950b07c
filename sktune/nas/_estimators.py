"""The public estimators: ``NASClassifier`` and ``NASRegressor``."""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets

from ._base import BaseNAS

_PARAMETERS = """
    Parameters
    ----------
    space : dict, list of dict or None, default=None
        Architecture and training values to search, as
        :class:`~sktune.space.Real` / :class:`~sktune.space.Integer` /
        :class:`~sktune.space.Categorical` (or lists of values). Names for tabular
        data: ``n_layers``, ``width``, ``activation``, ``dropout``, ``norm``,
        ``residual``; for images and sequences: ``n_stages``, ``filters``,
        ``growth``, ``kernel_size``, ``activation``, ``pool``, ``norm``,
        ``residual``, ``head``, ``dropout``; always: ``lr``, ``weight_decay``,
        ``batch_size``, ``optimizer``. Names left out keep their default value.
        ``None`` searches :func:`sktune.nas.default_space` of the input kind.
    input_kind : {"auto", "tabular", "image", "sequence"}, default="auto"
        How to read ``X``: "auto" takes 2-D ``X`` as tabular (fully connected
        networks) and 3-D / 4-D ``X`` as images (2-D convolutions); "sequence"
        reads (n, L) or (n, C, L) as signals (1-D convolutions).
    input_shape : tuple of int or None, default=None
        Shape each row of ``X`` is reshaped to before the network sees it, e.g.
        ``(8, 8)`` for flattened 8x8 images (with ``input_kind="auto"`` the data
        then count as images). Useful after a transformer in a Pipeline.
    strategy : {"random", "evolution", "bayesian", "morphism"}, default="evolution"
        "random" samples the space; "evolution" is regularized (aging) evolution;
        "bayesian" is Gaussian-process Bayesian optimization of the configuration
        (:class:`sktune.optimizers.BayesianOptimizer`); "morphism" grows the best
        trained networks by function-preserving widen / deepen / add-skip
        operations, each child inheriting its parent's weights.
    max_trials : int, default=20
        Number of trials (rows of ``cv_results_``). With ``multi_fidelity``, a
        configuration counts once per rung it reaches.
    time_budget : float or None, default=None
        Seconds of search. Checked after every training batch, so a running
        trial stops (and is scored as it is) when the budget runs out. The final
        refit is not counted.
    max_epochs : int, default=30
        Epochs per trial (per split); with ``multi_fidelity``, the epochs of the
        last rung of every bracket.
    multi_fidelity : {"hyperband"} or None, default=None
        "hyperband" searches over training epochs with Hyperband's brackets of
        successive halving (Li et al. 2018; the scheduler of
        :class:`sktune.HyperbandSearchCV`, epochs being the resource): a rung
        trains its configurations for a number of epochs between
        ``min_epochs`` and ``max_epochs`` and promotes the best ``1 / eta`` of
        them, whose skorch nets are then trained on for the missing epochs only
        (``partial_fit``, weights and optimizer state kept). When an iteration
        of Hyperband ends, another starts with new configurations, until
        ``max_trials`` or ``time_budget``. Supported with ``strategy="random"``
        (random configurations per bracket) and ``strategy="bayesian"``
        (BOHB: a Gaussian process fitted on the largest well-observed epoch
        budget proposes two thirds of a bracket, and keeps the scores of every
        earlier Hyperband iteration). The best network is chosen among the trials
        trained for the most epochs reached. Early stopping, if on, applies
        within each rung.
    min_epochs : int, default=1
        Epochs of the first rung of the most exploratory bracket (only with
        ``multi_fidelity``; at most ``max_epochs``).
    eta : int, default=3
        Halving rate of Hyperband: a rung keeps the best ``1 / eta`` of its
        configurations, for ``eta`` times more epochs (only with
        ``multi_fidelity``).
    early_stopping : bool, default=True
        Stop a trial when the validation loss has not improved for
        ``n_iter_no_change`` epochs, and keep its best weights.
    n_iter_no_change : int, default=5
        Patience of early stopping.
    validation_fraction : float, default=0.2
        Share of the training data held out (stratified for classifiers, seeded
        by ``random_state``) to score trials when ``cv`` is None.
    cv : int, cross-validation generator, iterable or None, default=None
        Score each trial by cross-validation instead (as in
        :func:`~sklearn.model_selection.check_cv`); costs one training per fold.
    scoring : str, callable or None, default=None
        How trials are scored and the best one chosen: a scikit-learn scorer
        name (``"balanced_accuracy"``, ``"neg_log_loss"``, ``"f1_macro"``,
        ``"neg_mean_absolute_error"``, ...) or a callable
        ``scorer(estimator, X, y)``, called with the trial's skorch net and its
        validation data (classes encoded as ``0 .. n_classes - 1``). ``None``
        scores by accuracy (classifiers) or R^2 (regressors). Greater is better.
        ``score`` stays accuracy / R^2, as for every scikit-learn estimator.
    refit : bool, default=True
        Retrain the best architecture (or the chosen finalist's) from scratch on
        all the data, with its trial's seed, for as many epochs as the trial
        needed (for a grown network, its whole lineage). If False,
        ``best_estimator_`` is the best trial's network (trained on the first
        split's training part).
    n_finalists : int, default=1
        How many of the best trials to re-score before choosing. With more than
        one, after the search each of the ``n_finalists`` best configurations is
        trained again on the folds of ``finalist_cv`` over all the training data
        (with its trial's seed, epochs and training settings), and the one with
        the best cross-validated score is chosen and refit. This guards against
        a choice that only fits the validation split well: a search that scores
        many networks on one small split picks among near-ties. It costs
        ``n_finalists`` times the folds of ``finalist_cv`` trainings, run after
        the search (not counted in ``time_budget``) on the search's workers.
        ``1`` keeps the search's best trial and trains nothing more. Measured
        in ``docs/nas.md``: 5 finalists helped random search on digits (a
        252-image validation split where many trials tie) a little and not in
        every run, and did not help evolution or ``"bayesian"`` there, nor
        MNIST-1D (800 validation samples).
    finalist_cv : int, cross-validation generator or iterable, default=3
        Folds of the finalists' re-scoring (only with ``n_finalists > 1``), as in
        :func:`~sklearn.model_selection.check_cv`: an int is stratified k-fold
        for classifiers, k-fold for regressors, without shuffling.
    pareto_costs : tuple of str, default=("n_params",)
        What ``pareto_front_`` weighs against the validation score: the trials'
        parameter counts (``"n_params"``), their measured prediction time per
        sample (``"latency_ms"``, on the search's device, 256 validation samples
        at once), or both. It only reads the trials' records: the search is the
        same whatever it is, and it may change when a checkpointed search is
        resumed.
    checkpoint : str, path-like or None, default=None
        File the trial records are written to after every batch of trials
        (atomically), with the weights of the best trial so far (of the
        ``n_finalists`` best): a search whose process dies loses at most the
        batch that was running. Fitting again with the same file and the same
        data and parameters resumes: the stored trials are not trained again,
        the strategy is told their results, and only the rest of
        ``max_trials`` is run (``time_budget`` counts anew). ``max_trials``,
        ``time_budget``, ``refit``, ``n_finalists``, ``finalist_cv``,
        ``pareto_costs``, ``device``, ``n_jobs`` and ``verbose`` may change
        between the two fits; any other change, or other data, raises a
        ``ValueError`` naming what differs. With ``strategy="morphism"`` only
        the best stored network can be grown further (the others' weights are
        not stored); with ``multi_fidelity``, the stored scores feed the BOHB
        sampler and a new Hyperband iteration starts.
    max_params : int or None, default=None
        Largest number of trainable parameters allowed. Checked on the
        architecture before training; larger candidates are redrawn, and recorded
        as ``"too_large"`` if none fits.
    device : {"auto", "cpu", "cuda"} or "cuda:N", default="auto"
        Where to train: "auto" uses CUDA when available. With "cuda" and
        ``n_jobs > 1``, trials run one per GPU, round-robin.
    n_jobs : int or None, default=None
        Trials trained in parallel (joblib process workers). On CPU the cores are
        shared between workers through ``torch.set_num_threads``.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the strategy and every network's
        initialization and batch order: a CPU search is repeatable.
    verbose : int, default=0
        Print one line per trial when positive.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    best_params_ : dict
        Configuration of the best trial. For a grown network (``"morphism"``)
        these are the values of the network it descends from;
        ``best_architecture_`` is what was actually trained.
    best_architecture_ : dict
        JSON-serializable architecture of the best network, with its training
        hyperparameters under ``"training"``; :func:`sktune.nas.build_module`
        rebuilds it.
    best_score_ : float
        Validation score of the best trial (``scoring``; by default {score});
        with ``n_finalists > 1``, the search's score of the chosen finalist.
    best_index_ : int
        Index of the best trial in ``cv_results_`` (on equal scores, the one with
        the fewest parameters; with ``multi_fidelity``, the best among the
        trials trained for the most epochs reached); with ``n_finalists > 1``,
        the finalist with the best cross-validated score.
    finalists_ : list of dict
        The re-scored finalists (empty when ``n_finalists=1``), in the search's
        ranking: ``trial`` (index in ``cv_results_``), ``score`` (the search's),
        ``cv_score`` and ``cv_std`` over the folds of ``finalist_cv`` (NaN if
        its training failed; ``status`` says why), ``epochs`` and ``fit_time``
        (seconds for all folds).
    best_estimator_ : skorch.NeuralNet
        The trained network used by ``predict``.
    best_module_ : torch.nn.Module
        Its module, in evaluation mode.
    best_trial_estimator_ : skorch.NeuralNet
        The best trial's network as the search trained and scored it (on the
        training part of the first split); ``best_estimator_`` itself when
        ``refit=False``. A search resumed from a ``checkpoint`` with a larger
        ``n_finalists`` than it ran with has not kept every finalist's weights:
        then it is the chosen finalist's network of the first fold of
        ``finalist_cv``.
    cv_results_ : dict of list or ndarray
        One entry per trial: ``params``, ``architecture``, ``mean_test_score``,
        ``std_test_score``, ``split<k>_test_score``, ``rank_test_score``,
        ``mean_valid_loss`` (a classifier's validation log loss, NaN for a
        regressor), ``n_params``, ``latency_ms`` (prediction time per sample),
        ``epochs``, ``mean_fit_time``, ``interrupted`` (cut short by
        ``time_budget``),
        ``status`` ("ok", "failed", "nan", "oom", "too_large"), ``error``,
        ``parent`` and ``operation`` (for grown networks); with
        ``multi_fidelity``, also ``config_id`` (the same for a configuration in
        every rung it reaches), ``bracket``, ``rung`` and ``n_resources`` (the
        epochs its nets have been trained for, ``epochs`` being the best of
        them). Load it into ``pandas.DataFrame``.
    pareto_front_ : list of dict
        Trials that no other beats on the validation score and every cost of
        ``pareto_costs`` at once (by default: the parameter count), ordered by
        the first cost, cheapest first (with ``multi_fidelity``, among the
        trials trained for the most epochs reached). Each has ``trial`` (index
        in ``cv_results_``), ``score``, ``n_params``, ``latency_ms`` and
        ``architecture``.
    n_trials_ : int
        Trials run (fewer than ``max_trials`` if ``time_budget`` ran out).
    n_splits_ : int
        Splits each trial was scored on.
    search_time_ : float
        Seconds spent searching.
    refit_epochs_ : int
        Epochs of the final refit (only if ``refit=True``).
    input_kind_ : str
        "tabular", "image" or "sequence".
    input_shape_ : list of int
        Shape of one sample as the network sees it (channels first).
    n_features_in_ : int
        ``X.shape[1]`` during fit.
    feature_names_in_ : ndarray of str
        Column names of ``X``, if it had any.
"""


class NASClassifier(ClassifierMixin, BaseNAS):
    __doc__ = (
        """Neural architecture search for classification, as an sklearn estimator.

    Trains ``max_trials`` PyTorch networks (through skorch) chosen by a search
    strategy, scores them on a seeded validation split (or by cross-validation),
    and keeps the best. Tabular data get fully connected networks, images 2-D
    and signals 1-D convolutional networks.
"""
        + _PARAMETERS
        + _ATTRIBUTES.format(score="accuracy")
        + """
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    NASRegressor : The same search for regression.
    sktune.nas.build_module : Rebuild a network from ``best_architecture_``.

    References
    ----------
    Real, Aggarwal, Huang and Le, "Regularized Evolution for Image Classifier
    Architecture Search", AAAI 2019. Jin, Song and Hu, "Auto-Keras: An Efficient
    Neural Architecture Search System", KDD 2019. Snoek, Larochelle and Adams,
    "Practical Bayesian Optimization of Machine Learning Algorithms", NeurIPS 2012.
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18, 2018.
    Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
    Optimization at Scale", ICML 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sktune.nas import NASClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NASClassifier(max_trials=2, max_epochs=5, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)

    Multi-fidelity: 9 configurations for 1 epoch, the best 3 trained on to 3
    epochs, the best of those to 9 (one bracket of Hyperband):

    >>> clf = NASClassifier(strategy="random", multi_fidelity="hyperband",
    ...                     max_epochs=9, max_trials=13, random_state=0).fit(X, y)
    >>> clf.cv_results_["n_resources"].tolist()
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9]
    """
    )

    _task = "classification"

    def _encode_y(self, y):
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "y must hold at least two classes; got one class, "
                f"{self.classes_[0]!r}. A classifier cannot be trained on it."
            )
        return encoder.transform(y).astype(np.int64)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples shaped as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, in the order of ``classes_``.
        """
        return self._forward(X).astype(np.float64)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples shaped as in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self._forward(X)
        return self.classes_[np.argmax(proba, axis=1)]


class NASRegressor(RegressorMixin, BaseNAS):
    __doc__ = (
        """Neural architecture search for regression, as an sklearn estimator.

    Like :class:`NASClassifier`, with networks trained on standardized targets
    (mean squared error) and scored by R^2. Several targets are predicted jointly.
"""
        + _PARAMETERS
        + _ATTRIBUTES.format(score="R^2")
        + """
    See Also
    --------
    NASClassifier : The same search for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sktune.nas import NASRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = NASRegressor(max_trials=2, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """
    )

    _task = "regression"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _encode_y(self, y):
        self._y_ndim = np.ndim(y)
        return np.asarray(y, dtype=np.float32).reshape(len(y), -1)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples shaped as in ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        out = self._forward(X).astype(np.float64)
        return out.ravel() if self._y_ndim == 1 else out
