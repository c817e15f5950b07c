"""One-dimensional search ranges: ``Real``, ``Integer`` and ``Categorical``.

Every dimension maps its values to and from two representations:

* a scalar ``u`` in [0, 1] (``from_unit`` / ``to_unit``), used by designs such as
  scrambled Sobol that fill the unit cube, and
* an encoding of ``n_columns`` columns in [0, 1] (``encode`` / ``decode``), used by
  surrogate models. Numeric dimensions encode as their unit scalar; categorical
  dimensions encode one-hot.

A ``prior`` is either ``"uniform"``, ``"log-uniform"`` or a frozen
``scipy.stats`` distribution; in the last case the unit scale is the distribution's
CDF, so sampling ``u`` uniformly reproduces the distribution exactly.
"""

import numbers

import numpy as np

_PRIORS = ("uniform", "log-uniform")


def _is_frozen_distribution(obj):
    return hasattr(obj, "dist") and hasattr(obj, "cdf") and hasattr(obj, "ppf")


def _check_prior(prior, kind):
    if isinstance(prior, str):
        if prior not in _PRIORS:
            raise ValueError(
                f"{kind}: prior must be one of {list(_PRIORS)} or a frozen "
                f"scipy.stats distribution. Got {prior!r} instead."
            )
    elif not _is_frozen_distribution(prior):
        raise TypeError(
            f"{kind}: prior must be one of {list(_PRIORS)} or a frozen scipy.stats "
            f"distribution. Got {type(prior).__name__} instead."
        )


def _check_bound(value, name, kind, integral):
    accepted = numbers.Integral if integral else numbers.Real
    if isinstance(value, bool) or not isinstance(value, accepted):
        what = "an integer" if integral else "a real number"
        raise TypeError(f"{kind}: {name} must be {what}. Got {value!r} instead.")
    if not np.isfinite(value):
        raise ValueError(f"{kind}: {name} must be finite. Got {value!r} instead.")


class Dimension:
    """Base of the search dimensions; see ``Real``, ``Integer``, ``Categorical``."""

    n_columns = 1

    def sample(self, n, random_state):
        """Draw ``n`` values from the prior.

        Parameters
        ----------
        n : int
            Number of values.
        random_state : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        values : list
            ``n`` values of this dimension.
        """
        return self.from_unit(random_state.uniform(size=n))

    def contains_all(self, values):
        """Whether every one of ``values`` lies in this dimension.

        Parameters
        ----------
        values : sequence
            Values to check.

        Returns
        -------
        contained : bool
            True if :meth:`contains` holds for each of them (or there are none).
        """
        return all(self.contains(v) for v in values)

    def encode(self, values):
        """Encode values as an array of shape (n, n_columns) in [0, 1].

        Parameters
        ----------
        values : sequence of length n
            Values of this dimension.

        Returns
        -------
        encoded : ndarray of shape (n, n_columns)
            Encoded values in [0, 1]; for ``Real`` and ``Integer``, the single
            column is :meth:`to_unit`.
        """
        return self.to_unit(values).reshape(-1, 1)

    def decode(self, columns):
        """Decode an array of shape (n, n_columns) back into values.

        Parameters
        ----------
        columns : array-like of shape (n, n_columns)
            Encoded values; for ``Real`` and ``Integer`` the single column goes
            through :meth:`from_unit` (so entries outside [0, 1] are clipped).

        Returns
        -------
        values : list of length n
            Values of this dimension.
        """
        return self.from_unit(np.asarray(columns, dtype=float)[:, 0])

    def encode_unit(self, u):
        """Encode the values that ``from_unit`` maps ``u`` to.

        The same as ``encode(from_unit(u))``; a subclass may compute it without
        listing the values.

        Parameters
        ----------
        u : array-like of shape (n,)
            Unit draws in [0, 1].

        Returns
        -------
        encoded : ndarray of shape (n, n_columns)
            Encoded values in [0, 1].
        """
        return self.encode(self.from_unit(u))


class _Numeric(Dimension):
    _integral = False

    def __init__(self, low=None, high=None, prior="uniform"):
        kind = type(self).__name__
        _check_prior(prior, kind)
        if _is_frozen_distribution(prior):
            support_low, support_high = (float(b) for b in prior.support())
            low = support_low if low is None else low
            high = support_high if high is None else high
        else:
            _check_bound(low, "low", kind, self._integral)
            _check_bound(high, "high", kind, self._integral)
            if low >= high:
                raise ValueError(
                    f"{kind}: low must be smaller than high. Got low={low!r}, "
                    f"high={high!r}; for a fixed value use a list, e.g. [{low!r}]."
                )
            if prior == "log-uniform" and low <= 0:
                raise ValueError(
                    f"{kind}: a log-uniform prior needs low > 0. Got low={low!r}."
                )
        self.low = low
        self.high = high
        self.prior = prior

    def __repr__(self):
        prior = self.prior if isinstance(self.prior, str) else "scipy.stats"
        name = type(self).__name__
        return f"{name}(low={self.low!r}, high={self.high!r}, prior={prior!r})"

    def __eq__(self, other):
        return (
            type(self) is type(other)
            and self.low == other.low
            and self.high == other.high
            and (self.prior is other.prior or self.prior == other.prior)
        )

    __hash__ = None

    def contains(self, value):
        """Whether ``value`` lies in this dimension's range.

        Parameters
        ----------
        value : object
            Value to check.

        Returns
        -------
        contained : bool
            True for a real number (not a bool) with ``low <= value <= high``,
            also integral (``3.0`` counts) for an ``Integer``.
        """
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return False
        if self._integral and not float(value).is_integer():
            return False
        return bool(self.low <= value <= self.high)

    def contains_all(self, values):
        """Whether every one of ``values`` lies in the range (vectorised).

        Parameters
        ----------
        values : sequence
            Values to check.

        Returns
        -------
        contained : bool
            True if :meth:`contains` holds for each of them (or there are none).
        """
        # One isinstance check per distinct type: checking every value against
        # the numbers.Real ABC dominated the encoding of large candidate pools.
        if not all(
            issubclass(t, numbers.Real) and not issubclass(t, bool)
            for t in set(map(type, values))
        ):
            return False
        x = np.asarray(values, dtype=float)
        ok = (x >= self.low) & (x <= self.high)
        if self._integral:
            ok &= x == np.floor(x)
        return bool(ok.all())


class Real(_Numeric):
    """A continuous range of real values.

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``. With a scipy.stats ``prior`` they default to the
        distribution's support.
    prior : {"uniform", "log-uniform"} or frozen scipy.stats distribution, \
            default="uniform"
        How values are spread: evenly, evenly on a log scale (needs ``low > 0``),
        or as the given continuous distribution.

    Examples
    --------
    >>> from sktune.space import Real
    >>> Real(1e-4, 1e-1, prior="log-uniform")
    Real(low=0.0001, high=0.1, prior='log-uniform')
    """

    def from_unit(self, u):
        """Map values of [0, 1] onto the range, following the prior.

        Parameters
        ----------
        u : array-like of float
            Unit values; clipped into [0, 1].

        Returns
        -------
        values : list of float
            One value in [low, high] per entry of ``u`` (a float for a scalar
            ``u``).
        """
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.prior == "uniform":
            x = self.low + u * (self.high - self.low)
        elif self.prior == "log-uniform":
            x = np.exp(np.log(self.low) + u * np.log(self.high / self.low))
        else:
            x = self.prior.ppf(np.clip(u, 1e-12, 1 - 1e-12))
        return np.clip(x, self.low, self.high).tolist()

    def to_unit(self, values):
        """Map values of the range onto [0, 1], following the prior.

        The inverse of :meth:`from_unit`.

        Parameters
        ----------
        values : array-like of float
            Values of the range.

        Returns
        -------
        u : ndarray of float
            Unit values, the shape of ``values``, clipped into [0, 1].
        """
        x = np.asarray(values, dtype=float)
        if self.prior == "uniform":
            u = (x - self.low) / (self.high - self.low)
        elif self.prior == "log-uniform":
            u = np.log(x / self.low) / np.log(self.high / self.low)
        else:
            u = self.prior.cdf(x)
        return np.clip(u, 0.0, 1.0)


class Integer(_Numeric):
    """A range of integers, both bounds included.

    Parameters
    ----------
    low, high : int
        Bounds, ``low < high``, both included. With a scipy.stats ``prior`` they
        default to the distribution's support.
    prior : {"uniform", "log-uniform"} or frozen scipy.stats distribution, \
            default="uniform"
        How values are spread: every integer equally likely, evenly on a log scale
        (needs ``low > 0``), or as the given discrete distribution.

    Examples
    --------
    >>> from sktune.space import Integer
    >>> Integer(1, 10).from_unit([0.0, 0.5, 1.0])
    [1, 6, 10]
    """

    _integral = True

    def from_unit(self, u):
        """Map values of [0, 1] onto the integers of the range.

        Parameters
        ----------
        u : array-like of float
            Unit values; clipped into [0, 1].

        Returns
        -------
        values : list of int
            One integer in [low, high] per entry of ``u`` (an int for a scalar
            ``u``).
        """
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.prior == "uniform":
            # Equal-width bins, one per integer: every integer is equally likely.
            x = np.floor(self.low + u * (self.high - self.low + 1))
        elif self.prior == "log-uniform":
            lo, hi = np.log(self.low - 0.5 + 1e-9), np.log(self.high + 0.5)
            x = np.round(np.exp(lo + u * (hi - lo)))
        else:
            x = self.prior.ppf(np.clip(u, 1e-12, 1 - 1e-12))
        return np.clip(x, self.low, self.high).astype(np.int64).tolist()

    def to_unit(self, values):
        """Map integers onto the centre of their bin in [0, 1].

        Parameters
        ----------
        values : array-like of int
            Integers of the range.

        Returns
        -------
        u : ndarray of float
            Unit values, the shape of ``values``, in [0, 1]: the centre of each
            integer's bin.
        """
        x = np.asarray(values, dtype=float)
        if self.prior == "uniform":
            u = (x - self.low + 0.5) / (self.high - self.low + 1)
        elif self.prior == "log-uniform":
            lo, hi = np.log(self.low - 0.5 + 1e-9), np.log(self.high + 0.5)
            mid = (np.log(x - 0.5 + 1e-9) + np.log(x + 0.5)) / 2
            u = (mid - lo) / (hi - lo)
        else:
            u = (self.prior.cdf(x - 1) + self.prior.cdf(x)) / 2
        return np.clip(u, 0.0, 1.0)


def _same_value(a, b):
    """Equality that works for arrays, estimators and other odd objects."""
    if a is b:
        return True
    if type(a) is not type(b) and not (
        isinstance(a, numbers.Number) and isinstance(b, numbers.Number)
    ):
        return False
    try:
        equal = a == b
        return bool(equal) if isinstance(equal, (bool, np.bool_)) else False
    except Exception:  # objects whose __eq__ raises are only equal to themselves
        return False


class Categorical(Dimension):
    """A finite set of choices, encoded one-hot.

    Parameters
    ----------
    choices : sequence
        The values to choose from, in any type: strings, numbers, ``None``,
        tuples such as ``(16, 16)``, estimators.

    Examples
    --------
    >>> from sktune.space import Categorical
    >>> Categorical(["linear", "rbf", None]).choices
    ['linear', 'rbf', None]
    """

    def __init__(self, choices):
        if isinstance(choices, (str, bytes)) or not hasattr(choices, "__len__"):
            raise TypeError(
                "Categorical: choices must be a list of values, e.g. ['a', 'b']. "
                f"Got {choices!r} instead."
            )
        if len(choices) == 0:
            raise ValueError("Categorical: choices must not be empty.")
        self.choices = list(choices)

    def __repr__(self):
        return f"Categorical(choices={self.choices!r})"

    def __eq__(self, other):
        return (
            type(self) is type(other)
            and len(self.choices) == len(other.choices)
            and all(map(_same_value, self.choices, other.choices))
        )

    __hash__ = None

    @property
    def n_columns(self):
        """Width of the one-hot encoding (0 for a single fixed choice)."""
        return 0 if len(self.choices) == 1 else len(self.choices)

    def index(self, value):
        """Position of ``value`` among the choices (identity first, then equality).

        Parameters
        ----------
        value : object
            One of the choices.

        Returns
        -------
        index : int
            The first choice that is ``value``, else the first equal to it.

        Raises
        ------
        ValueError
            If ``value`` is not one of the choices.
        """
        for i, choice in enumerate(self.choices):
            if choice is value:
                return i
        for i, choice in enumerate(self.choices):
            if _same_value(choice, value):
                return i
        raise ValueError(f"{value!r} is not one of the choices {self.choices!r}.")

    def contains(self, value):
        """Whether ``value`` is one of the choices.

        Parameters
        ----------
        value : object
            Value to check.

        Returns
        -------
        contained : bool
            True if :meth:`index` finds it.
        """
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def from_unit(self, u):
        """Map values of [0, 1] onto choices, each with an equal share.

        Parameters
        ----------
        u : array-like of shape (n,)
            Unit values; choice ``i`` of ``k`` takes ``[i / k, (i + 1) / k)``, values
            below 0 the first choice and 1 and above the last.

        Returns
        -------
        values : list of length n
            The choices.
        """
        k = len(self.choices)
        idx = np.minimum((np.asarray(u, dtype=float) * k).astype(int), k - 1)
        return [self.choices[i] for i in np.clip(idx, 0, k - 1)]

    def to_unit(self, values):
        """Map choices onto the centre of their share of [0, 1].

        Parameters
        ----------
        values : sequence of length n
            Choices.

        Returns
        -------
        u : ndarray of shape (n,)
            ``(index + 0.5) / k`` for ``k`` choices.

        Raises
        ------
        ValueError
            If a value is not one of the choices.
        """
        k = len(self.choices)
        return np.array([(self.index(v) + 0.5) / k for v in values], dtype=float)

    def encode(self, values):
        """One-hot encode the choices.

        Parameters
        ----------
        values : sequence of length n
            Choices.

        Returns
        -------
        encoded : ndarray of shape (n, n_columns)
            A 1.0 in the column of each row's choice, 0.0 elsewhere (no columns
            for a single choice).

        Raises
        ------
        ValueError
            If a value is not one of the choices.
        """
        out = np.zeros((len(values), self.n_columns))
        if self.n_columns:
            out[np.arange(len(values)), [self.index(v) for v in values]] = 1.0
        return out

    def encode_unit(self, u):
        """One-hot encode the choices that ``from_unit`` maps ``u`` to.

        Parameters
        ----------
        u : array-like of shape (n,)
            Unit values, as for :meth:`from_unit`.

        Returns
        -------
        encoded : ndarray of shape (n, n_columns)
            As :meth:`encode` of those choices.
        """
        k = len(self.choices)
        idx = np.minimum((np.asarray(u, dtype=float) * k).astype(int), k - 1)
        out = np.zeros((len(idx), self.n_columns))
        if self.n_columns:
            out[np.arange(len(idx)), np.clip(idx, 0, k - 1)] = 1.0
        return out

    def decode(self, columns):
        """Choose the largest column of each row.

        Parameters
        ----------
        columns : array-like of shape (n, n_columns)
            Encoded rows, one-hot or scores per choice.

        Returns
        -------
        values : list of length n
            The choice of each row's largest column (the first on ties; the only
            choice where there are no columns).
        """
        columns = np.asarray(columns, dtype=float)
        if self.n_columns == 0:
            return [self.choices[0]] * len(columns)
        return [self.choices[i] for i in np.argmax(columns, axis=1)]
