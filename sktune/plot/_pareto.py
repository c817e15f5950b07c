"""``ParetoFrontDisplay``: a NAS estimator's trials, score against a cost."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._results import comparable, fitted_results, metric_scores, single_axes

_COST_LABELS = {
    "n_params": "trainable parameters",
    "latency_ms": "prediction time per sample (ms)",
}


class ParetoFrontDisplay:
    """Validation score against a cost (size or latency), with the Pareto front.

    Build it with :meth:`from_estimator` from a fitted
    :class:`sktune.nas.NASClassifier` or :class:`sktune.nas.NASRegressor`.
    Every trial that finished is a point. When the front (``pareto_front_``:
    the trials no other beats on the score and every cost of the estimator's
    ``pareto_costs``) weighs the drawn cost alone, it is a step line, so that
    its height at a cost is the best score reached within that cost; when it
    weighs other costs too, its trials are marked instead (they need not rise
    along the drawn axis).

    Parameters
    ----------
    costs : ndarray
        The drawn cost of each finished trial.
    scores : ndarray of float
        Their validation scores.
    front_costs : ndarray
        Cost of the front's trials, cheapest first.
    front_scores : ndarray of float
        Their scores.
    score_name : str
        Label of the y axis.
    cost_name : {"n_params", "latency_ms"}, default="n_params"
        Which cost is drawn (labels the x axis).
    step : bool, default=True
        Draw the front as a step line (it weighs the drawn cost alone) rather
        than as marked trials.

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
    ...     costs=[100, 400, 900, 2000],
    ...     scores=[0.80, 0.90, 0.85, 0.95],
    ...     front_costs=[100, 400, 2000],
    ...     front_scores=[0.80, 0.90, 0.95],
    ...     score_name="accuracy",
    ... ).plot()
    >>> display.line_.get_xdata().tolist()
    [100, 400, 2000]
    """

    def __init__(
        self,
        *,
        costs,
        scores,
        front_costs,
        front_scores,
        score_name,
        cost_name="n_params",
        step=True,
    ):
        self.costs = costs
        self.scores = scores
        self.front_costs = front_costs
        self.front_scores = front_scores
        self.score_name = score_name
        self.cost_name = cost_name
        self.step = step

    @classmethod
    def from_estimator(cls, estimator, *, cost=None, ax=None):
        """Read a fitted NAS estimator's trials and front, and plot them.

        With ``multi_fidelity``, only trials trained for the most epochs
        reached are drawn, the ones ``pareto_front_`` compares.

        Parameters
        ----------
        estimator : fitted NASClassifier or NASRegressor
            Or any fitted estimator with ``pareto_front_`` and ``cv_results_``
            holding ``status``, ``mean_test_score`` and the drawn cost.
        cost : {"n_params", "latency_ms"} or None, default=None
            The cost on the x axis; None draws the first of the estimator's
            ``pareto_costs`` (``"n_params"`` if it has none).
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : ParetoFrontDisplay
        """
        front_costs = tuple(getattr(estimator, "pareto_costs", ("n_params",)))
        if cost is None:
            cost = front_costs[0]
        if cost not in _COST_LABELS:
            raise ValueError(
                f"cost must be one of {sorted(_COST_LABELS)} or None. "
                f"Got {cost!r} instead."
            )
        results = fitted_results(estimator, (cost, "status", "mean_test_score"))
        check_is_fitted(estimator, "pareto_front_")
        score_name, scores = metric_scores(estimator)
        finished = (
            (np.asarray(results["status"]) == "ok")
            & comparable(results)
            & np.isfinite(scores)
        )
        front = sorted(estimator.pareto_front_, key=lambda t: t[cost])
        display = cls(
            costs=np.asarray(results[cost])[finished],
            scores=scores[finished],
            front_costs=np.asarray([t[cost] for t in front]),
            front_scores=np.asarray([t["score"] for t in front], dtype=float),
            score_name=score_name,
            cost_name=cost,
            step=front_costs == (cost,),
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
        ax = single_axes(ax, self)
        self.points_ = ax.scatter(self.costs, self.scores, s=16, label="trials")
        style = (
            {"drawstyle": "steps-post"}
            if self.step
            else {"linestyle": "none", "marker": "o", "fillstyle": "none"}
        )
        (self.line_,) = ax.plot(
            self.front_costs,
            self.front_scores,
            color="C1",
            label="Pareto front",
            **style,
        )
        ax.set_xscale("log")
        ax.set_xlabel(_COST_LABELS.get(self.cost_name, self.cost_name))
        ax.set_ylabel(f"validation {self.score_name}")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self
