"""``ObjectiveDisplay``: partial dependence of the score on the searched parameters."""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ..space import SearchSpace
from ._partial_dependence import (
    average,
    choose,
    fit_model,
    grid_values,
    positions,
    subspace_of,
)
from ._results import (
    comparable,
    fitted_results,
    metric_scores,
    pyplot,
    resource_param,
    search_space,
)


class ObjectiveDisplay:
    """Partial dependence of a model of the score on each parameter and pair.

    Build it with :meth:`from_search`. A Gaussian process is fitted to the
    scores of the evaluated candidates (its own model: plots read results and
    never the search's optimizer), then its predictions are averaged over
    random configurations of the space with one or two parameters held fixed
    (Friedman 2001), as scikit-optimize's ``plot_objective`` does. On an
    ``n``-by-``n`` grid of panels the diagonal shows each parameter's curve,
    with the evaluated values as a rug and a dashed line at the best
    candidate's value; below it, each pair's surface, with the evaluated
    candidates as dots and the best as a star. A categorical parameter sits at
    integer positions labelled with the ``repr`` of its choices; a parameter
    with a log-uniform prior on a log axis. The upper panels are hidden.

    Parameters
    ----------
    panels : list of Bunch
        Per parameter: ``name``, ``grid`` (its values: an array, or the
        list of choices of a categorical), ``x`` (their positions on the axis),
        ``mean`` (the partial dependence at each), ``points`` (the position of
        each evaluated candidate), ``best`` (that of the best one),
        ``tick_labels`` (list of str for a categorical, else None) and ``log``
        (bool).
    pairs : dict of (str, str) -> Bunch
        Per pair of parameters ``(x_name, y_name)`` of panels ``j < i``:
        ``x_grid``, ``y_grid`` (their coarser grids), ``x``, ``y`` (their
        positions) and ``mean`` of shape ``(len(y), len(x))``.
    score_name : str
        The score modelled, for the labels.

    Attributes
    ----------
    partial_dependence_ : dict of str -> (grid, mean)
        Per parameter, its grid values and the partial dependence there.
    partial_dependence_2d_ : dict of (str, str) -> (x_grid, y_grid, mean)
        Per pair, as ``pairs``; ``mean[k, l]`` is at ``(x_grid[l],
        y_grid[k])``.
    model_ : GaussianProcessRegressor
        The fitted model (set by :meth:`from_search`). It predicts the score
        of configurations encoded by ``space_``.
    space_ : SearchSpace
        The one subspace modelled (set by :meth:`from_search`).
    rows_ : ndarray of int
        The rows of ``cv_results_`` the model was fitted on (set by
        :meth:`from_search`).
    lines_, best_lines_, rugs_ : dict of str -> matplotlib Line2D
        Per parameter, its curve, its best-value line and its rug.
    surfaces_ : dict of (str, str) -> matplotlib QuadContourSet or QuadMesh
        Per pair, its surface (contours for two numeric parameters, cells
        otherwise).
    points_, best_points_ : dict of (str, str) -> matplotlib PathCollection
        Per pair, the evaluated candidates and the best one.
    colorbar_ : matplotlib Colorbar or None
        The scale of the surfaces (None with one parameter).
    axes_ : ndarray of matplotlib Axes of shape (n, n)
        The panels; ``axes_[i, j]`` plots parameter ``j`` against ``i``.
    figure_ : matplotlib Figure
        The figure holding them.

    See Also
    --------
    EvaluationsDisplay : The evaluated scores themselves, against each parameter.
    sklearn.inspection.PartialDependenceDisplay : The same average, of a model
        of data rather than of a search.

    Notes
    -----
    The surface is a model's, not a measurement: where few candidates were
    evaluated it is the model's guess, which the rug and the dots show. A
    partial dependence averages over the other parameters, so it can hide
    interactions that the pairs' panels show.

    References
    ----------
    Friedman, "Greedy function approximation: a gradient boosting machine",
    Annals of Statistics 29(5), 2001.

    Snoek, Larochelle and Adams, "Practical Bayesian Optimization of Machine
    Learning Algorithms", NeurIPS 2012.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sktune import BayesianSearchCV
    >>> from sktune.plot import ObjectiveDisplay
    >>> from sktune.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, "log-uniform"), "kernel": ["linear", "rbf"]}
    >>> search = BayesianSearchCV(SVC(), space, n_iter=6, random_state=0).fit(X, y)
    >>> display = ObjectiveDisplay.from_search(search, n_points=5, random_state=0)
    >>> display.axes_.shape
    (2, 2)
    >>> display.partial_dependence_["C"][0].round(2).tolist()  # log-spaced
    [0.01, 0.1, 1.0, 10.0, 100.0]
    >>> [t.get_text() for t in display.axes_[1, 1].get_xticklabels()]
    ["'linear'", "'rbf'"]
    """

    def __init__(self, *, panels, pairs, score_name):
        self.panels = panels
        self.pairs = pairs
        self.score_name = score_name

    @property
    def partial_dependence_(self):
        """dict of str -> (grid, mean): per parameter, from ``panels``."""
        return {p.name: (p.grid, p.mean) for p in self.panels}

    @property
    def partial_dependence_2d_(self):
        """dict of (str, str) -> (x_grid, y_grid, mean): per pair, from ``pairs``."""
        return {k: (p.x_grid, p.y_grid, p.mean) for k, p in self.pairs.items()}

    @classmethod
    def from_search(
        cls,
        search,
        *,
        params=None,
        metric=None,
        n_points=40,
        n_samples=250,
        random_state=None,
        ax=None,
    ):
        """Fit a model of the score, compute its partial dependences and plot.

        The model is a ``GaussianProcessRegressor`` (Matern 5/2 kernel with one
        length scale per column, times a constant, plus white noise;
        ``normalize_y=True``) on the configurations encoded on the unit cube by
        :class:`sktune.space.SearchSpace` (log priors on a log scale,
        categoricals one-hot). It is fitted on the rows of ``cv_results_`` that
        finished (a finite score); for a multi-fidelity search, on those at the
        largest ``n_resources``, without the resource parameter. A conditional
        space (a list of dicts) is modelled one subspace at a time: the one,
        among those where every parameter of ``params`` takes more than one
        value, with the most such rows; the others' rows are left out.

        Parameters
        ----------
        search : fitted search estimator
            A fitted ``BayesianSearchCV``, ``HyperbandSearchCV`` or any
            scikit-learn ``BaseSearchCV`` whose space (``search_spaces``,
            ``param_distributions`` or ``param_grid``)
            :func:`sktune.space.as_search_space` reads; grid lists are
            categoricals.
        params : list of str, default=None
            The parameters to plot, in this order. None: every parameter of the
            subspace with more than one value, at most 8 of them.
        metric : str, default=None
            The scorer of a multimetric search. None: the only metric, or the
            ``refit`` metric when ``refit`` is a string.
        n_points : int, default=40
            Grid values per numeric parameter (logarithmically spaced under a
            log-uniform prior; every integer of a shorter range); the pairs'
            grids have ``n_points // 2`` (at least 2). A categorical's grid is
            its choices.
        n_samples : int, default=250
            Random configurations of the space, drawn from its priors, that
            each prediction is averaged over.
        random_state : int, RandomState instance or None, default=None
            Seeds those configurations and the model's optimizer restarts.
        ax : ndarray of matplotlib Axes of shape (n, n), default=None
            Axes to draw on, ``n = len(params)``; None creates a figure.

        Returns
        -------
        display : ObjectiveDisplay
        """
        results = fitted_results(search)
        score_name, scores = metric_scores(search, metric)
        for name, value in (("n_points", n_points), ("n_samples", n_samples)):
            low = 2 if name == "n_points" else 1
            if not isinstance(value, numbers.Integral) or value < low:
                raise ValueError(
                    f"{name} must be an int >= {low}. Got {name}={value!r} instead."
                )
        space = search_space(search)
        if space is None:
            raise ValueError(
                f"ObjectiveDisplay needs the space of the {type(search).__name__} "
                "(search_spaces, param_distributions or param_grid) in a form "
                "sktune.space.as_search_space reads; it found none."
            )
        resource = resource_param(search)
        configs = [
            {k: v for k, v in c.items() if k != resource} for c in results["params"]
        ]
        which = np.array([subspace_of(space, c) for c in configs])
        finished = comparable(results) & np.isfinite(scores)
        s, params = choose(space, params, finished, which, resource)
        subspace = space.subspaces[s]
        rows = np.flatnonzero(finished & (which == s))
        if len(rows) < 2:
            raise ValueError(
                f"ObjectiveDisplay needs at least 2 finished rows of cv_results_ "
                f"in the subspace of {params} to fit its model. Got {len(rows)}."
            )
        model_space = SearchSpace([subspace])
        rng = check_random_state(random_state)
        X = model_space.encode([configs[i] for i in rows])
        model = fit_model(X, scores[rows], rng.randint(2**31 - 1))
        # A one-subspace space encodes its dimensions in order, each in its
        # n_columns columns (see sktune.space._space).
        ends = np.cumsum([dim.n_columns for dim in subspace.values()])
        columns = {
            name: slice(end - dim.n_columns, end)
            for (name, dim), end in zip(subspace.items(), ends, strict=True)
        }
        # The configurations every prediction is averaged over, from the priors.
        sample_rng = np.random.default_rng(rng.randint(2**31 - 1))
        base = model_space.encode(model_space.sample(n_samples, sample_rng))

        def dependence(names, n):  # grids of the names, mean on their product
            grids = [grid_values(subspace[name], n) for name in names]
            fixed = [
                (columns[name], subspace[name].encode(grid))
                for name, (grid, _, _) in zip(names, grids, strict=True)
            ]
            return grids, average(model, base, fixed)

        best = rows[np.argmax(scores[rows])]
        panels, pairs = [], {}
        for i, name in enumerate(params):
            dim = subspace[name]
            [(grid, x, labels)], mean = dependence([name], n_points)
            panels.append(
                Bunch(
                    name=name,
                    grid=grid,
                    x=x,
                    mean=mean,
                    points=positions(dim, [configs[r][name] for r in rows]),
                    best=positions(dim, [configs[best][name]])[0],
                    tick_labels=labels,
                    log=getattr(dim, "prior", None) == "log-uniform",
                )
            )
            for x_name in params[:i]:  # the pairs below the diagonal
                grids, mean = dependence([x_name, name], max(n_points // 2, 2))
                (x_grid, x, _), (y_grid, y, _) = grids
                pairs[x_name, name] = Bunch(
                    x_grid=x_grid, y_grid=y_grid, x=x, y=y, mean=mean.T
                )
        display = cls(panels=panels, pairs=pairs, score_name=score_name)
        display.model_, display.space_, display.rows_ = model, model_space, rows
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the partial dependences on an ``n``-by-``n`` grid of panels.

        Parameters
        ----------
        ax : ndarray of matplotlib Axes of shape (n, n), default=None
            Axes to draw on, ``n = len(panels)`` (a single Axes when ``n`` is
            1); the upper panels are hidden. None creates a figure.

        Returns
        -------
        display : ObjectiveDisplay
            ``self``, with the artists, ``colorbar_``, ``axes_`` and
            ``figure_`` set.
        """
        plt = pyplot(f"{type(self).__name__}.plot")
        from matplotlib.colors import Normalize

        n = len(self.panels)
        if ax is None:
            size = (2.4 * n + 1.2, 2.2 * n + 0.4)
            _, axes = plt.subplots(
                n, n, squeeze=False, figsize=size, layout="constrained"
            )
        else:
            axes = np.asarray(ax, dtype=object)
            axes = axes.reshape(1, 1) if axes.ndim == 0 and n == 1 else axes
            if axes.shape != (n, n):
                raise ValueError(
                    f"ax must be an array of Axes of shape ({n}, {n}), one per pair "
                    f"of the parameters {[p.name for p in self.panels]}. Got shape "
                    f"{axes.shape} instead."
                )
        self.lines_, self.best_lines_, self.rugs_ = {}, {}, {}
        self.surfaces_, self.points_, self.best_points_ = {}, {}, {}
        means = np.concatenate([p.mean.ravel() for p in self.panels])
        low, high = means.min(), means.max()
        margin = 0.05 * (high - low) or 1e-3 * max(abs(high), 1.0)
        for k, panel in enumerate(self.panels):
            panel_ax = axes[k, k]
            marker = None if panel.tick_labels is None else "o"
            (line,) = panel_ax.plot(panel.x, panel.mean, marker=marker, color="C0")
            # The rug: at the bottom of the panel, y being an axes fraction.
            rug = {"color": "k", "ms": 10, "transform": panel_ax.get_xaxis_transform()}
            (self.rugs_[panel.name],) = panel_ax.plot(
                panel.points, np.zeros(len(panel.points)), "|", **rug
            )
            self.lines_[panel.name] = line
            self.best_lines_[panel.name] = panel_ax.axvline(
                panel.best, color="C3", linestyle="--", linewidth=1
            )
            panel_ax.set_ylim(low - margin, high + margin)  # one scale: compare
            panel_ax.yaxis.tick_right()
            panel_ax.yaxis.set_label_position("right")
            panel_ax.set_ylabel(f"predicted {self.score_name}")
            _set_axis(panel_ax.xaxis, panel, panel_ax.set_xscale, panel_ax.set_xlim)
            panel_ax.set_xlabel(panel.name)
        levels = [p.mean for p in self.pairs.values()]
        norm = None
        if levels:
            vmin = min(m.min() for m in levels)
            vmax = max(max(m.max() for m in levels), vmin + 1e-12)
            norm = Normalize(vmin, vmax)
        for i, y_panel in enumerate(self.panels):
            for j, x_panel in enumerate(self.panels[:i]):
                self._draw_pair(axes[i, j], x_panel, y_panel, norm)
                if i < n - 1:
                    axes[i, j].tick_params(labelbottom=False)
                else:
                    axes[i, j].set_xlabel(x_panel.name)
                if j > 0:
                    axes[i, j].tick_params(labelleft=False)
                else:
                    axes[i, j].set_ylabel(y_panel.name)
            for j in range(i + 1, n):
                axes[i, j].set_visible(False)
        self.figure_ = axes[0, 0].figure
        self.colorbar_ = None
        if norm is not None:
            self.colorbar_ = self.figure_.colorbar(
                plt.cm.ScalarMappable(norm=norm, cmap="viridis"),
                ax=list(axes.ravel()),
                label=f"predicted {self.score_name}",
                shrink=0.6,
                aspect=30,
            )
        self.axes_ = axes
        return self

    def _draw_pair(self, ax, x_panel, y_panel, norm):
        pair = self.pairs[x_panel.name, y_panel.name]
        style = {"cmap": "viridis", "norm": norm}
        if x_panel.tick_labels is None and y_panel.tick_labels is None:
            levels = np.linspace(norm.vmin, norm.vmax, 12)
            surface = ax.contourf(pair.x, pair.y, pair.mean, levels=levels, **style)
        else:  # a categorical: one cell per choice
            edges = _edges(pair.x, x_panel), _edges(pair.y, y_panel)
            surface = ax.pcolormesh(*edges, pair.mean, **style)
        key = x_panel.name, y_panel.name
        self.surfaces_[key] = surface
        self.points_[key] = ax.scatter(
            x_panel.points, y_panel.points, s=8, color="k", alpha=0.6
        )
        self.best_points_[key] = ax.scatter(
            x_panel.best, y_panel.best, s=90, marker="*", color="C3", edgecolors="w"
        )
        _set_axis(ax.xaxis, x_panel, ax.set_xscale, ax.set_xlim)
        _set_axis(ax.yaxis, y_panel, ax.set_yscale, ax.set_ylim)


def _edges(centres, panel):
    """Cell edges around grid positions (geometric midpoints on a log axis)."""
    if panel.tick_labels is not None:
        return np.arange(len(centres) + 1) - 0.5
    c = np.log(centres) if panel.log else np.asarray(centres)
    mid = (c[1:] + c[:-1]) / 2
    edges = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(edges) if panel.log else edges


def _set_axis(axis, panel, set_scale, set_lim):
    """Scale, limits and ticks of an axis showing ``panel``'s parameter."""
    if panel.tick_labels is not None:
        rotate = axis.axis_name == "x" and max(map(len, panel.tick_labels)) > 8
        style = {"rotation": 30, "ha": "right"} if rotate else {}
        axis.set_ticks(range(len(panel.tick_labels)), panel.tick_labels, **style)
        set_lim(-0.5, len(panel.tick_labels) - 0.5)
    elif panel.log:
        set_scale("log")
