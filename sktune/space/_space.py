"""``SearchSpace``: named dimensions, possibly a union of conditional subspaces.

A search space is a list of *subspaces* (one per dict of a ``param_grid``-style
list), each mapping parameter names to dimensions. For the surrogate every
configuration is encoded into one fixed-width vector of [0, 1]:

* with several subspaces, a one-hot block says which subspace the configuration
  comes from;
* then one block of columns per distinct ``(name, dimension)`` pair; subspaces that
  share a parameter with the same range share its columns. Columns a subspace
  does not use are set to 0.5.
"""

import difflib
import math

import numpy as np
from scipy.stats import qmc

from ._dimensions import Categorical, Integer, Real

_INACTIVE = 0.5


class SearchSpace:
    """A union of subspaces of named dimensions, encoded on the unit cube.

    Parameters
    ----------
    subspaces : list of dict of str -> Dimension
        The subspaces. Build one from user input with
        :func:`sktune.space.as_search_space`.

    Attributes
    ----------
    n_columns : int
        Width of the encoding.
    names : list of str
        Every parameter name, in order of first appearance.

    Examples
    --------
    >>> import numpy as np
    >>> from sktune.space import Integer, Real, SearchSpace
    >>> space = SearchSpace([{"C": Real(1e-3, 1e3, "log-uniform"), "k": Integer(1, 5)}])
    >>> configs = space.sample(3, np.random.default_rng(0))
    >>> space.encode(configs).shape
    (3, 2)
    """

    def __init__(self, subspaces):
        self.subspaces = [dict(s) for s in subspaces]
        self._features = []  # distinct (name, dimension) pairs
        self._feature_ids = []  # per subspace: name -> feature index
        for subspace in self.subspaces:
            ids = {}
            for name, dim in subspace.items():
                for j, (other_name, other_dim) in enumerate(self._features):
                    if other_name == name and other_dim == dim:
                        ids[name] = j
                        break
                else:
                    ids[name] = len(self._features)
                    self._features.append((name, dim))
            self._feature_ids.append(ids)
        offset = len(self.subspaces) if len(self.subspaces) > 1 else 0
        self._slices = []
        for _, dim in self._features:
            self._slices.append(slice(offset, offset + dim.n_columns))
            offset += dim.n_columns
        self.n_columns = offset
        self.names = list(dict.fromkeys(name for name, _ in self._features))
        self._by_names = {}  # set of names -> subspaces with exactly those names
        for i, subspace in enumerate(self.subspaces):
            self._by_names.setdefault(frozenset(subspace), []).append(i)

    def __repr__(self):
        return f"SearchSpace({self.subspaces!r})"

    def __len__(self):
        return len(self.subspaces)

    @property
    def size(self):
        """Number of distinct configurations, or ``math.inf`` with a ``Real``."""
        total = 0
        for subspace in self.subspaces:
            count = 1
            for dim in subspace.values():
                if isinstance(dim, Real):
                    return math.inf
                if isinstance(dim, Categorical):
                    count *= len(dim.choices)
                elif np.isfinite(dim.low) and np.isfinite(dim.high):
                    count *= int(dim.high - dim.low + 1)
                else:
                    return math.inf
            total += count
        return total

    def check_names(self, valid_names, owner="the estimator"):
        """Raise a ValueError naming every parameter ``owner`` does not have.

        Parameters
        ----------
        valid_names : iterable of str
            Parameter names that may be searched (``estimator.get_params()``).
        owner : str, default="the estimator"
            What the names belong to, for the message.
        """
        valid = set(valid_names)
        unknown = [name for name in self.names if name not in valid]
        if unknown:
            hints = [
                f"did you mean {close[0]!r} for {name!r}?"
                for name in unknown
                if (close := difflib.get_close_matches(name, valid, n=1))
            ]
            raise ValueError(
                f"Invalid parameter(s) {unknown} for {owner}"
                + (f" ({'; '.join(hints)})" if hints else "")
                + f". Valid parameters are: {sorted(valid)}. Use 'step__param' to "
                "reach a Pipeline step's parameter."
            )

    # -- sampling -------------------------------------------------------------
    def _from_unit_rows(self, u):
        """Configurations from rows of [0, 1]^(1 + max subspace width)."""
        which = self._subspace_of_unit(u)
        configs = [None] * len(u)
        for s, subspace in enumerate(self.subspaces):
            rows = np.flatnonzero(which == s)
            values = {
                name: dim.from_unit(u[rows, 1 + j])
                for j, (name, dim) in enumerate(subspace.items())
            }
            for i, row in enumerate(rows):
                configs[row] = {name: values[name][i] for name in subspace}
        return configs

    def _subspace_of_unit(self, u):
        """Subspace of each row of unit draws, read off its first column."""
        k = len(self.subspaces)
        return np.minimum((u[:, 0] * k).astype(int), k - 1)

    def _unit_width(self):
        return 1 + max(len(s) for s in self.subspaces)

    def sample(self, n, random_state):
        """Draw ``n`` configurations at random from the priors.

        Parameters
        ----------
        n : int
            Number of configurations.
        random_state : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        configs : list of dict
        """
        return self._from_unit_rows(random_state.uniform(size=(n, self._unit_width())))

    def sample_encoded(self, n, random_state):
        """Draw ``n`` configurations at random, as :meth:`sample`, but encoded.

        For the same ``random_state`` this equals ``encode(sample(n,
        random_state))``, without building a dict per configuration: the
        acquisition maximiser scores pools of a thousand and more this way and
        decodes only the one it proposes.

        Parameters
        ----------
        n : int
            Number of configurations.
        random_state : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        X : ndarray of shape (n, n_columns)
        """
        u = random_state.uniform(size=(n, self._unit_width()))
        k = len(self.subspaces)
        which = self._subspace_of_unit(u)
        out = np.full((n, self.n_columns), _INACTIVE)
        if k > 1:
            out[:, :k] = 0.0
            out[np.arange(n), which] = 1.0
        for s, ids in enumerate(self._feature_ids):
            rows = np.flatnonzero(which == s)
            for j, f in enumerate(ids.values()):
                dim = self._features[f][1]
                out[rows, self._slices[f]] = dim.encode_unit(u[rows, 1 + j])
        return out

    def sobol(self, n, random_state):
        """Draw ``n`` configurations from a scrambled Sobol sequence.

        The first ``n`` points of a sequence of length ``2**ceil(log2(n))`` are used,
        so that the design spreads evenly for any ``n``.

        Parameters
        ----------
        n : int
            Number of configurations.
        random_state : numpy.random.Generator
            Seeds the scrambling.

        Returns
        -------
        configs : list of dict
        """
        if n == 0:
            return []
        engine = qmc.Sobol(d=self._unit_width(), scramble=True, seed=random_state)
        u = engine.random_base2(max(0, math.ceil(math.log2(n))))[:n]
        return self._from_unit_rows(u)

    # -- encoding -------------------------------------------------------------
    def subspace_index(self, config):
        """Index of the first subspace that holds ``config``.

        Parameters
        ----------
        config : dict
            A configuration: parameter name -> value.

        Returns
        -------
        index : int
            Position in ``subspaces`` of the first subspace with exactly the
            names of ``config`` and every value in range.

        Raises
        ------
        ValueError
            If no subspace has exactly these names and values in range.
        """
        for s, subspace in enumerate(self.subspaces):
            if set(subspace) == set(config) and all(
                dim.contains(config[name]) for name, dim in subspace.items()
            ):
                return s
        raise ValueError(f"Configuration {config!r} lies in no subspace of {self!r}.")

    def _locate(self, config):
        """Subspace of ``config``; only names are checked when they decide it."""
        candidates = self._by_names.get(frozenset(config), ())
        if len(candidates) == 1:
            return candidates[0]
        return self.subspace_index(config)

    def encode(self, configs):
        """Encode configurations as an array of shape (n, n_columns).

        Parameters
        ----------
        configs : list of dict
            ``n`` configurations of the space.

        Returns
        -------
        X : ndarray of shape (n, n_columns)
            Encoded rows in [0, 1]: the one-hot block of the subspace (with
            several subspaces), then the columns of every dimension; columns the
            row's subspace does not use are 0.5.

        Raises
        ------
        ValueError
            If a configuration lies in no subspace.
        """
        out = np.full((len(configs), self.n_columns), _INACTIVE)
        which = np.array([self._locate(c) for c in configs], dtype=int)
        if len(self.subspaces) > 1:
            out[:, : len(self.subspaces)] = 0.0
            out[np.arange(len(configs)), which] = 1.0
        for s, ids in enumerate(self._feature_ids):
            rows = np.flatnonzero(which == s)
            if rows.size == 0:
                continue
            for name, j in ids.items():
                dim = self._features[j][1]
                values = [configs[r][name] for r in rows]
                if not dim.contains_all(values):
                    bad = next(r for r in rows if not dim.contains(configs[r][name]))
                    raise ValueError(
                        f"Configuration {configs[bad]!r} lies in no subspace of "
                        f"{self!r}."
                    )
                out[rows, self._slices[j]] = dim.encode(values)
        return out

    def decode(self, X):
        """Decode an array of shape (n, n_columns) into configurations.

        Parameters
        ----------
        X : array-like of shape (n, n_columns)
            Encoded rows; with several subspaces, a row's subspace is the
            largest column of its one-hot block.

        Returns
        -------
        configs : list of dict
            ``n`` configurations, with the names of their subspace only.
        """
        X = np.asarray(X, dtype=float)
        which = self._which(X)
        configs = [None] * len(X)
        for s, ids in enumerate(self._feature_ids):
            rows = np.flatnonzero(which == s)
            values = {
                name: self._features[j][1].decode(
                    X[np.ix_(rows, _cols(self._slices[j]))]
                )
                for name, j in ids.items()
            }
            for i, row in enumerate(rows):
                configs[row] = {name: values[name][i] for name in ids}
        return configs

    def _which(self, X):
        """Subspace of each encoded row, read off the one-hot block."""
        k = len(self.subspaces)
        return np.argmax(X[:, :k], axis=1) if k > 1 else np.zeros(len(X), dtype=int)

    def continuous_mask(self, X):
        """Which entries of encoded rows ``X`` are ``Real`` values in use.

        A row uses the columns of its own subspace (read off the one-hot block);
        integer, categorical and inactive columns are False.

        Parameters
        ----------
        X : array-like of shape (n, n_columns) or (n_columns,)
            Encoded rows (a 1-D array is one row).

        Returns
        -------
        mask : ndarray of bool of shape (n, n_columns)
            True where a column is a ``Real`` of the row's subspace.
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        masks = np.zeros((len(self.subspaces), self.n_columns), dtype=bool)
        for s, ids in enumerate(self._feature_ids):
            for j in ids.values():
                if isinstance(self._features[j][1], Real):
                    masks[s, self._slices[j]] = True
        return masks[self._which(X)]

    @property
    def is_continuous(self):
        """Whether every dimension is a ``Real`` (no discrete neighbours)."""
        return all(isinstance(dim, Real) for _, dim in self._features)

    def neighbours(self, config):
        """List the configurations that differ from ``config`` in one discrete value.

        An ``Integer`` moves one step up or down; a ``Categorical`` takes each of its
        other choices.

        Parameters
        ----------
        config : dict
            A configuration of the space.

        Returns
        -------
        neighbours : list of dict
            The neighbours, dimension by dimension in the order of ``config``'s
            subspace (none for a ``Real``); integer steps out of range are left
            out.

        Raises
        ------
        ValueError
            If ``config`` lies in no subspace.
        """
        subspace = self.subspaces[self.subspace_index(config)]
        out = []
        for name, dim in subspace.items():
            if isinstance(dim, Integer):
                options = [config[name] - 1, config[name] + 1]
                options = [v for v in options if dim.contains(v)]
            elif isinstance(dim, Categorical):
                i = dim.index(config[name])
                options = [c for j, c in enumerate(dim.choices) if j != i]
            else:
                continue
            out.extend({**config, name: value} for value in options)
        return out

    def encoded_neighbours(self, X):
        """The neighbours of encoded rows, encoded.

        Row by row, these are ``encode(neighbours(decode(x)))`` in the same order,
        computed column-wise for all rows at once; the subspace of a row is the
        one its one-hot block names.

        Parameters
        ----------
        X : ndarray of shape (n, n_columns)
            Encoded configurations.

        Returns
        -------
        neighbours : ndarray of shape (m, n_columns)
            The neighbours of every row, those of row 0 first.
        owner : ndarray of shape (m,)
            The row of ``X`` each neighbour belongs to (non-decreasing).
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        which = self._which(X)
        blocks, owners = [], []
        for s, ids in enumerate(self._feature_ids):
            rows = np.flatnonzero(which == s)
            for f in ids.values():
                dim, cols = self._features[f][1], self._slices[f]
                if isinstance(dim, Integer) and rows.size:
                    values = np.asarray(dim.decode(X[rows, cols]))
                    for step in (-1, 1):
                        moved = values + step
                        keep = (moved >= dim.low) & (moved <= dim.high)
                        block = X[rows[keep]]
                        block[:, cols] = dim.encode(moved[keep].tolist())
                        blocks.append(block)
                        owners.append(rows[keep])
                elif isinstance(dim, Categorical) and dim.n_columns and rows.size:
                    current = np.argmax(X[rows, cols], axis=1)
                    for choice in range(dim.n_columns):
                        keep = current != choice
                        block = X[rows[keep]]
                        block[:, cols] = 0.0
                        block[:, cols.start + choice] = 1.0
                        blocks.append(block)
                        owners.append(rows[keep])
        if not blocks:
            return np.empty((0, self.n_columns)), np.empty(0, dtype=int)
        owner = np.concatenate(owners)
        order = np.argsort(owner, kind="stable")
        return np.vstack(blocks)[order], owner[order]


def _cols(s):
    return np.arange(s.start, s.stop)
