"""``ParetoFrontDisplay``: a NAS estimator's trials, score against size."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._results import comparable, fitted_results, metric_scores, pyplot


class ParetoFrontDisplay:
    """Validation score against parameter count, with the Pareto front.

    Build it with :meth:`from_estimator` from a fitted
    :class:`sktune.nas.NASClassifier` or :class:`sktune.nas.NASRegressor`.
    Every trial that finished is a point; the front (``pareto_front_``: the
    trials no other beats on both score and size) is a step line, so that its
    height at a parameter count is the best score reached within that size.

    Parameters
    ----------
    n_params : ndarray of int
        Trainable parameters of each finished trial.
    scores : ndarray of float
        Their validation scores.
    front_n_params : ndarray of int
        Parameters of the front's trials, smallest first.
    front_scores : ndarray of float
        Their scores.
    score_name : str
        Label of the y axis.

    Attributes
    ----------
    points_ : matplotlib PathCollection
        The trials.
    line_ : matplotlib Line2D
        The front.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    sktune.nas.NASClassifier : The estimator this display reads.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktune.plot import ParetoFrontDisplay
    >>> display = ParetoFrontDisplay(
    ...     n_params=[100, 400, 900, 2000],
    ...     scores=[0.80, 0.90, 0.85, 0.95],
    ...     front_n_params=[100, 400, 2000],
    ...     front_scores=[0.80, 0.90, 0.95],
    ...     score_name="accuracy",
    ... ).plot()
    >>> display.line_.get_xdata().tolist()
    [100, 400, 2000]
    """

    def __init__(self, *, n_params, scores, front_n_params, front_scores, score_name):
        self.n_params = n_params
        self.scores = scores
        self.front_n_params = front_n_params
        self.front_scores = front_scores
        self.score_name = score_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Read a fitted NAS estimator's trials and front, and plot them.

        With ``multi_fidelity``, only trials trained for the most epochs
        reached are drawn, the ones ``pareto_front_`` compares.

        Parameters
        ----------
        estimator : fitted NASClassifier or NASRegressor
            Or any fitted estimator with ``pareto_front_`` and ``cv_results_``
            holding ``n_params``, ``status`` and ``mean_test_score``.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : ParetoFrontDisplay
        """
        results = fitted_results(estimator, ("n_params", "status", "mean_test_score"))
        check_is_fitted(estimator, "pareto_front_")
        score_name, scores = metric_scores(estimator)
        finished = (
            (np.asarray(results["status"]) == "ok")
            & comparable(results)
            & np.isfinite(scores)
        )
        front = estimator.pareto_front_
        display = cls(
            n_params=np.asarray(results["n_params"])[finished],
            scores=scores[finished],
            front_n_params=np.asarray([t["n_params"] for t in front]),
            front_scores=np.asarray([t["score"] for t in front], dtype=float),
            score_name=score_name,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the trials and the front.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : ParetoFrontDisplay
            ``self``, with ``points_``, ``line_``, ``ax_`` and ``figure_`` set.
        """
        plt = pyplot(f"{type(self).__name__}.plot")
        if ax is None:
            _, ax = plt.subplots()
        self.points_ = ax.scatter(self.n_params, self.scores, s=16, label="trials")
        (self.line_,) = ax.step(
            self.front_n_params,
            self.front_scores,
            where="post",
            color="C1",
            label="Pareto front",
        )
        ax.set_xscale("log")
        ax.set_xlabel("trainable parameters")
        ax.set_ylabel(f"validation {self.score_name}")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self
