"""``EvaluationsDisplay``: the score of every candidate against each parameter."""

import math
import numbers

import numpy as np
from sklearn.utils import Bunch

from ..space import Integer, Real
from ._results import (
    comparable,
    fitted_results,
    metric_scores,
    pyplot,
    resource_param,
    search_space,
)


class EvaluationsDisplay:
    """Score against each searched parameter's value, one panel per parameter.

    Build it with :meth:`from_search`. Every evaluated candidate is a point,
    coloured by when it ran, so a panel shows both where good scores lie along
    one parameter and where the search spent its evaluations. Numeric values
    lie on a numeric axis (logarithmic where the search space gives the
    parameter a log-uniform prior, or, without such a prior, where its positive
    values span two decades or more); other values (strings, None, booleans,
    tuples, estimators) at integer positions labelled with their ``repr``.
    Candidates without the parameter (conditional spaces) are left out of its
    panel.

    Parameters
    ----------
    panels : list of Bunch
        Per parameter: ``name``, ``x`` (value or position of each point),
        ``scores``, ``evaluation`` (its row number in ``cv_results_``, from 1),
        ``tick_labels`` (list of str for non-numeric values, else None) and
        ``log`` (bool).
    score_name : str
        Label of the y axes.
    n_evaluations : int
        Rows of ``cv_results_``: the top of the colour scale.

    Attributes
    ----------
    scatters_ : list of matplotlib PathCollection
        Per panel, its points.
    colorbar_ : matplotlib Colorbar
        The evaluation-order scale.
    axes_ : ndarray of matplotlib Axes
        The panels, in the order of ``panels``.
    figure_ : matplotlib Figure
        The figure holding them.

    See Also
    --------
    ConvergenceDisplay : Best score so far against the evaluations.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from sktune.plot import EvaluationsDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(
    ...     SVC(), {"C": [0.01, 1.0, 100.0], "kernel": ["linear", "rbf"]}
    ... ).fit(X, y)
    >>> display = EvaluationsDisplay.from_search(search)
    >>> [ax.get_xscale() for ax in display.axes_]
    ['log', 'linear']
    >>> [t.get_text() for t in display.axes_[1].get_xticklabels()]
    ["'linear'", "'rbf'"]
    """

    def __init__(self, *, panels, score_name, n_evaluations):
        self.panels = panels
        self.score_name = score_name
        self.n_evaluations = n_evaluations

    @classmethod
    def from_search(
        cls,
        search,
        *,
        params=None,
        metric=None,
        all_resources=False,
        n_cols=3,
        ax=None,
    ):
        """Compute each parameter's panel from a fitted search and plot them.

        Parameters
        ----------
        search : fitted search estimator
            Any fitted scikit-learn ``BaseSearchCV`` or sktune search.
        params : list of str, default=None
            The parameters to plot, in this order. None: every parameter in
            ``cv_results_["params"]`` but the resource a multi-fidelity search
            sets.
        metric : str, default=None
            The scorer of a multimetric search. None: the only metric, or the
            ``refit`` metric when ``refit`` is a string.
        all_resources : bool, default=False
            With an ``n_resources`` column, plot the rows at every resource. By
            default only those at the largest resource.
        n_cols : int, default=3
            Panels per row of a figure created here.
        ax : array-like of matplotlib Axes, default=None
            One Axes per parameter to draw on; None creates a figure.

        Returns
        -------
        display : EvaluationsDisplay
        """
        results = fitted_results(search)
        score_name, scores = metric_scores(search, metric)
        configs = results["params"]
        names = list(dict.fromkeys(k for config in configs for k in config))
        names = [name for name in names if name != resource_param(search)]
        if params is None:
            params = names
        elif not params or set(params) - set(names):
            raise ValueError(
                f"params must name parameters of the search, some of {names}. "
                f"Got params={params!r} instead."
            )
        rows = np.flatnonzero(comparable(results, all_resources) & np.isfinite(scores))
        space = search_space(search)
        panels = []
        for name in params:
            kept = [i for i in rows if name in configs[i]]
            values = [configs[i][name] for i in kept]
            panel = Bunch(
                name=name,
                scores=scores[kept],
                evaluation=np.asarray(kept, dtype=int) + 1,
            )
            if all(_is_number(v) for v in values):
                panel.x = np.asarray(values, dtype=float)
                panel.tick_labels = None
                panel.log = _log_scaled(space, name, panel.x)
            else:
                choices = sorted(
                    {repr(v): v for v in values}.items(), key=lambda c: _order(c[1])
                )
                position = {label: k for k, (label, _) in enumerate(choices)}
                panel.x = np.asarray([position[repr(v)] for v in values], dtype=float)
                panel.tick_labels = [label for label, _ in choices]
                panel.log = False
            panels.append(panel)
        display = cls(panels=panels, score_name=score_name, n_evaluations=len(configs))
        return display.plot(ax=ax, n_cols=n_cols)

    def plot(self, ax=None, *, n_cols=3):
        """Draw one panel per parameter.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per panel; None creates a figure with ``n_cols`` panels a
            row, sharing their y axis.
        n_cols : int, default=3
            Panels per row of a figure created here.

        Returns
        -------
        display : EvaluationsDisplay
            ``self``, with ``scatters_``, ``colorbar_``, ``axes_`` and
            ``figure_`` set.
        """
        plt = pyplot(f"{type(self).__name__}.plot")
        n = len(self.panels)
        if ax is None:
            n_cols = min(n_cols, n)
            fig, grid = plt.subplots(
                math.ceil(n / n_cols),
                n_cols,
                sharey=True,
                squeeze=False,
                figsize=(3.2 * n_cols, 2.8 * math.ceil(n / n_cols)),
                layout="constrained",
            )
            for unused in grid.ravel()[n:]:
                unused.remove()
            axes = grid.ravel()[:n]
        else:
            axes = np.ravel(ax)
            n_cols = n
            if len(axes) != n:
                raise ValueError(
                    f"ax must hold one Axes per parameter ({n}: "
                    f"{[p.name for p in self.panels]}). Got {len(axes)}."
                )
        self.scatters_ = []
        for k, (panel_ax, panel) in enumerate(zip(axes, self.panels, strict=True)):
            points = panel_ax.scatter(
                panel.x,
                panel.scores,
                c=panel.evaluation,
                cmap="viridis",
                vmin=1,
                vmax=max(self.n_evaluations, 2),
                s=16,
            )
            self.scatters_.append(points)
            if panel.tick_labels is not None:
                rotate = max(map(len, panel.tick_labels), default=0) > 8
                panel_ax.set_xticks(
                    range(len(panel.tick_labels)),
                    panel.tick_labels,
                    rotation=30 if rotate else 0,
                    ha="right" if rotate else "center",
                )
                panel_ax.set_xlim(-0.5, len(panel.tick_labels) - 0.5)
            if panel.log:
                panel_ax.set_xscale("log")
            panel_ax.set_xlabel(panel.name)
            if k % n_cols == 0:
                panel_ax.set_ylabel(self.score_name)
        self.figure_ = axes[0].figure
        self.colorbar_ = self.figure_.colorbar(
            self.scatters_[0], ax=list(axes), label="evaluation"
        )
        self.axes_ = axes
        return self


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _order(value):
    """Sort key of non-numeric panels: numbers first, by value, then by repr."""
    return (0, value, "") if _is_number(value) else (1, 0, repr(value))


def _log_scaled(space, name, values):
    """A log x axis: the space's prior says so, else two decades of positives."""
    dims = [] if space is None else [s[name] for s in space.subspaces if name in s]
    numeric = [d for d in dims if isinstance(d, (Real, Integer))]
    if numeric:
        return any(d.prior == "log-uniform" for d in numeric)
    return bool(values.size and values.min() > 0 and values.max() >= 100 * values.min())
