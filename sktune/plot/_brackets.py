"""``BracketsDisplay``: each configuration's score as Hyperband gives it more."""

from collections import defaultdict

import numpy as np

from ._results import fitted_results, metric_scores, single_axes


class BracketsDisplay:
    """Score against resource for every configuration of a Hyperband search.

    Build it with :meth:`from_search`. A line follows one configuration through
    the rungs it reached in its bracket, coloured by bracket, on a logarithmic
    resource axis: where lines cross, the small resource ranked configurations
    differently from the large one, and a bracket that starts there promoted
    the wrong ones.

    Parameters
    ----------
    n_resources : list of ndarray
        Per configuration, the resource of each rung it reached.
    scores : list of ndarray
        Per configuration, its score at each of them (NaN where it failed).
    brackets : ndarray of int
        Per configuration, its bracket (``s`` of Li et al. 2018).
    score_name : str
        Label of the y axis.
    resource_name : str
        Label of the x axis.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One per configuration, in the order of ``scores``.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    sktune.HyperbandSearchCV : The search this display reads.
    ConvergenceDisplay : Best score so far, against evaluations or resources.

    References
    ----------
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18, 2018.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sktune import HyperbandSearchCV
    >>> from sktune.plot import BracketsDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     SGDClassifier(max_iter=9, tol=None, random_state=0),
    ...     {"alpha": loguniform(1e-5, 1e-1)},
    ...     resource="max_iter",
    ...     random_state=0,
    ... ).fit(X, y)
    >>> display = BracketsDisplay.from_search(search)
    >>> len(display.lines_), search.metadata_["n_candidates"]  # one per configuration
    (17, 17)
    >>> sorted(set(display.brackets.tolist()))
    [0, 1, 2]
    """

    def __init__(self, *, n_resources, scores, brackets, score_name, resource_name):
        self.n_resources = n_resources
        self.scores = scores
        self.brackets = brackets
        self.score_name = score_name
        self.resource_name = resource_name

    @classmethod
    def from_search(cls, search, *, metric=None, ax=None):
        """Link each configuration's rows across rungs and plot them.

        Rows of one configuration are those with its ``config_id``.

        Parameters
        ----------
        search : fitted HyperbandSearchCV
            Or any fitted estimator whose ``cv_results_`` has ``config_id``,
            ``bracket`` and ``n_resources`` columns (a NAS estimator with
            ``multi_fidelity``).
        metric : str, default=None
            The scorer of a multimetric search. None: the only metric, or the
            ``refit`` metric when ``refit`` is a string.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : BracketsDisplay
        """
        results = fitted_results(search, ("config_id", "bracket", "n_resources"))
        score_name, scores = metric_scores(search, metric)
        n_resources = np.asarray(results["n_resources"])
        bracket = np.asarray(results["bracket"])
        chains = _configurations(results)
        display = cls(
            n_resources=[n_resources[rows] for rows in chains],
            scores=[scores[rows] for rows in chains],
            brackets=np.asarray([bracket[rows[0]] for rows in chains], dtype=int),
            score_name=score_name,
            resource_name=getattr(search, "resource", None) or "n_resources",
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw one line per configuration, coloured by bracket.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.

        Returns
        -------
        display : BracketsDisplay
            ``self``, with ``lines_``, ``ax_`` and ``figure_`` set.
        """
        ax = single_axes(ax, self)
        # The most aggressive bracket (largest s) runs first: it gets C0.
        order = sorted(set(self.brackets.tolist()), reverse=True)
        colors = {s: f"C{k % 10}" for k, s in enumerate(order)}
        labelled = set()
        self.lines_ = []
        for n_resources, scores, s in zip(
            self.n_resources, self.scores, self.brackets, strict=True
        ):
            (line,) = ax.plot(
                n_resources,
                scores,
                "o-",
                color=colors[s],
                alpha=0.7,
                markersize=3,
                label="_nolegend_" if s in labelled else f"bracket {s}",
            )
            labelled.add(s)
            self.lines_.append(line)
        ax.set_xscale("log")
        ticks = np.unique(np.concatenate(self.n_resources))
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel(f"resource ({self.resource_name})")
        ax.set_ylabel(self.score_name)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _configurations(results):
    """Rows of ``cv_results_`` grouped by ``config_id``, each in the order run
    (rung after rung)."""
    chains = defaultdict(list)
    for i, config in enumerate(np.asarray(results["config_id"]).tolist()):
        chains[config].append(i)
    return list(chains.values())
