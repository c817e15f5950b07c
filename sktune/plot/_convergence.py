"""``ConvergenceDisplay``: the best score found so far, evaluation after evaluation."""

from collections import Counter

import numpy as np

from ._results import comparable, fitted_results, metric_scores, single_axes

_X_LABELS = {
    "evaluations": "evaluation",
    "resources": "resources spent (sum of n_resources)",
    "fit_time": "seconds of fitting and scoring spent (all folds)",
}


class ConvergenceDisplay:
    """Best score so far against the search's progress, for one or more searches.

    Build it with :meth:`from_search`; the constructor only stores what was
    computed. ``cv_results_`` lists the evaluations in the order they ran, so its
    running maximum is how quickly a search found good candidates, and several
    searches on one axes compare their convergence.

    Parameters
    ----------
    x : list of ndarray
        Per search, the position on the x axis of each counted evaluation.
    scores : list of ndarray
        Per search, the score of each counted evaluation (NaN where it failed).
    best_scores : list of ndarray
        Per search, the best score among the evaluations up to each one (NaN
        before the first that succeeded).
    labels : list of str
        Per search, its legend entry.
    score_name : str
        Label of the y axis.
    x_label : str
        Label of the x axis.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        Per search, the best-so-far line.
    points_ : list of matplotlib PathCollection or None
        Per search, the individual scores (None when not shown).
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    EvaluationsDisplay : Score against each parameter's value.
    BracketsDisplay : Score against resource, per Hyperband bracket.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sktune.plot import ConvergenceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]}
    ... ).fit(X, y)
    >>> display = ConvergenceDisplay.from_search(search)
    >>> display.lines_[0].get_ydata().round(2).tolist()
    [0.67, 0.93, 0.96]
    """

    def __init__(self, *, x, scores, best_scores, labels, score_name, x_label):
        self.x = x
        self.scores = scores
        self.best_scores = best_scores
        self.labels = labels
        self.score_name = score_name
        self.x_label = x_label

    @classmethod
    def from_search(
        cls,
        search,
        *,
        labels=None,
        metric=None,
        x="evaluations",
        all_resources=False,
        show_scores=True,
        ax=None,
    ):
        """Compute the convergence of fitted searches and plot it.

        Parameters
        ----------
        search : fitted search estimator or list of them
            Any fitted scikit-learn ``BaseSearchCV`` (``GridSearchCV``,
            ``RandomizedSearchCV``, ...) or sktune search.
        labels : list of str, default=None
            One legend entry per search. None: the class names, numbered where
            they repeat.
        metric : str, default=None
            The scorer of a multimetric search to follow. None: the only
            metric, or the ``refit`` metric when ``refit`` is a string.
        x : {"evaluations", "resources", "fit_time"}, default="evaluations"
            The x axis: the evaluation's row number in ``cv_results_`` (from
            1); the resource spent so far, the running sum of the
            ``n_resources`` column of a multi-fidelity search
            (``HyperbandSearchCV``, ``HalvingRandomSearchCV``); or the seconds
            spent fitting and scoring so far, the running sum of each row's
            ``(mean_fit_time + mean_score_time) * n_splits_`` (compute summed
            over the folds and workers, not wall time), which puts searches of
            any kind on one scale (a Hyperband row that continued its fold
            models counts the continuation only).
        all_resources : bool, default=False
            With an ``n_resources`` column, count every row in the best score
            so far. By default only rows at the largest resource count: a score
            after less training does not compare with a full one.
        show_scores : bool, default=True
            Also draw each counted evaluation's score as a point.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : ConvergenceDisplay
        """
        searches = list(search) if isinstance(search, (list, tuple)) else [search]
        if not searches:
            raise ValueError("search must be a fitted search or a non-empty list.")
        if x not in _X_LABELS:
            raise ValueError(
                f"x must be one of {list(_X_LABELS)}. Got x={x!r} instead."
            )
        if labels is None:
            labels = _default_labels(searches)
        elif len(labels) != len(searches):
            raise ValueError(
                f"labels must hold one label per search ({len(searches)}). Got "
                f"{len(labels)} labels: {list(labels)!r}."
            )
        xs, scores, best, score_names = [], [], [], []
        for i, one in enumerate(searches):
            score_name, one_scores = metric_scores(one, metric)
            score_names.append(score_name)
            results = fitted_results(one)
            if x == "resources" and "n_resources" not in results:
                raise ValueError(
                    "x='resources' needs the n_resources column of a "
                    f"multi-fidelity search; search {i} ({type(one).__name__}) "
                    "has none. Use x='evaluations'."
                )
            counted = comparable(results, all_resources)
            if x == "resources":
                position = np.cumsum(np.asarray(results["n_resources"], dtype=float))
            elif x == "fit_time":
                seconds = np.asarray(results["mean_fit_time"]) + np.asarray(
                    results["mean_score_time"]
                )
                position = np.cumsum(seconds * one.n_splits_)
            else:
                position = np.arange(1, len(one_scores) + 1, dtype=float)
            xs.append(position[counted])
            scores.append(one_scores[counted])
            # fmax skips NaN: a failed candidate never lowers nor resets the best.
            best.append(np.fmax.accumulate(one_scores[counted]))
        display = cls(
            x=xs,
            scores=scores,
            best_scores=best,
            labels=list(labels),
            score_name=" / ".join(dict.fromkeys(score_names)),
            x_label=_X_LABELS[x],
        )
        return display.plot(ax=ax, show_scores=show_scores)

    def plot(self, ax=None, *, show_scores=True):
        """Draw the best-so-far lines (and the scores) on ``ax``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        show_scores : bool, default=True
            Also draw each evaluation's score as a point.

        Returns
        -------
        display : ConvergenceDisplay
            ``self``, with ``lines_``, ``points_``, ``ax_`` and ``figure_`` set.
        """
        ax = single_axes(ax, self)
        from matplotlib.ticker import MaxNLocator

        self.lines_, self.points_ = [], []
        for k, (x, scores, best, label) in enumerate(
            zip(self.x, self.scores, self.best_scores, self.labels, strict=True)
        ):
            color = f"C{k % 10}"
            (line,) = ax.plot(x, best, drawstyle="steps-post", color=color, label=label)
            self.lines_.append(line)
            self.points_.append(
                ax.scatter(x, scores, s=12, alpha=0.4, color=color)
                if show_scores
                else None
            )
        if self.x_label != _X_LABELS["fit_time"]:  # counts
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(f"best {self.score_name} so far")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _default_labels(searches):
    names = [type(s).__name__ for s in searches]
    repeated = {name for name, n in Counter(names).items() if n > 1}
    seen = Counter()
    labels = []
    for name in names:
        seen[name] += 1
        labels.append(f"{name} {seen[name]}" if name in repeated else name)
    return labels
