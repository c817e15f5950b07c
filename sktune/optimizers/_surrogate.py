"""Gaussian-process surrogate on scikit-learn's ``GaussianProcessRegressor``.

Cross-validation scores are awkward targets for a GP: they tie, they have heavy
tails (a few diverged models score far below the rest) and failed fits have no
score at all. The surrogate therefore

* imputes failed trials (NaN or infinite scores) with the worst finite score, so
  that the model learns to avoid them instead of forgetting them;
* standardises the scores and applies a Yeo-Johnson power transform (as HEBO does,
  Cowen-Rivers et al. 2022), which pulls in heavy tails;
* models the result with a Matern 5/2 ARD kernel plus a white-noise term, whose
  hyperparameters are re-estimated from the previous estimate at each fit.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.preprocessing import PowerTransformer

_ALWAYS_ESTIMATE = 40
_GROWTH_TO_ESTIMATE = 1.1


def default_kernel(n_columns):
    """Matern 5/2 kernel with one length scale per column, scaled, plus noise."""
    return ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=np.full(max(n_columns, 1), 0.5),
        length_scale_bounds=(1e-2, 1e2),
        nu=2.5,
    ) + WhiteKernel(1e-2, (1e-6, 1e0))


def impute_failures(y):
    """Replace NaN and infinite scores by the worst finite score (0 if none)."""
    y = np.asarray(y, dtype=float)
    finite = np.isfinite(y)
    worst = y[finite].min() if finite.any() else 0.0
    return np.where(finite, y, worst)


class _OutputTransform:
    """Standardise then Yeo-Johnson transform; degenerate targets are only centred."""

    def fit(self, y):
        y = y.reshape(-1, 1)
        self._power = None
        self._center = float(y.mean())
        if np.ptp(y) > 1e-12 and len(y) >= 3:
            self._power = PowerTransformer(method="yeo-johnson", standardize=True)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self._power.fit(y)
        return self

    def transform(self, y):
        y = np.asarray(y, dtype=float).reshape(-1, 1)
        if self._power is None:
            return (y - self._center).ravel()
        return self._power.transform(y).ravel()

    def inverse(self, z):
        z = np.asarray(z, dtype=float).reshape(-1, 1)
        if self._power is None:
            return (z + self._center).ravel()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            # Far outside the data, the Yeo-Johnson inverse may be undefined (NaN).
            warnings.simplefilter("ignore", UserWarning)
            return self._power.inverse_transform(z).ravel()


class GPSurrogate:
    """Gaussian-process model of scores on the encoded unit cube.

    Parameters
    ----------
    kernel : sklearn kernel or None, default=None
        Starting kernel; ``None`` uses :func:`default_kernel`.
    n_restarts : int, default=2
        Extra random starts of the hyperparameter search while few points are known.
    random_state : int, default=0
        Seeds the restarts.

    Attributes
    ----------
    gp_ : GaussianProcessRegressor
        The fitted model, on transformed scores.
    y_ : ndarray
        Transformed training scores (the scale on which ``predict`` answers).
    n_estimated_ : int
        Number of points when the kernel hyperparameters were last estimated.
    """

    def __init__(self, kernel=None, n_restarts=2, random_state=0):
        self.kernel = kernel
        self.n_restarts = n_restarts
        self.random_state = random_state

    def fit(self, X, y):
        """Fit on encoded points ``X`` and raw scores ``y`` (NaN for failures).

        Kernel hyperparameters start from the previous fit's estimate. Up to
        ``_ALWAYS_ESTIMATE`` points they are re-estimated at every fit; beyond, only
        once the data has grown by ``_GROWTH_TO_ESTIMATE`` since the last estimate
        (in between, the model is conditioned on the new data with the kept
        hyperparameters, which costs one Cholesky factorisation).
        """
        X = np.asarray(X, dtype=float)
        self.transform_ = _OutputTransform().fit(impute_failures(y))
        self.y_ = self.transform_.transform(impute_failures(y))
        previous = getattr(self, "gp_", None)
        if previous is not None and previous.X_train_.shape[1] == X.shape[1]:
            kernel, restarts = previous.kernel_, 0
            estimate = (
                len(X) <= _ALWAYS_ESTIMATE
                or len(X) >= _GROWTH_TO_ESTIMATE * self.n_estimated_
            )
        else:
            kernel = (
                self.kernel if self.kernel is not None else default_kernel(X.shape[1])
            )
            restarts, estimate = self.n_restarts, True
        self.gp_ = GaussianProcessRegressor(
            kernel=kernel,
            optimizer="fmin_l_bfgs_b" if estimate else None,
            normalize_y=False,
            n_restarts_optimizer=restarts,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.gp_.fit(X, self.y_)
        if estimate:
            self.n_estimated_ = len(X)
        return self

    def condition_on(self, X_new, y_new):
        """A copy that also believes ``y_new`` (transformed scale) at ``X_new``.

        Hyperparameters stay fixed: this is the cheap update used to fantasise
        pending points of a batch (kriging believer).
        """
        other = GPSurrogate(self.kernel, self.n_restarts, self.random_state)
        other.transform_ = self.transform_
        other.y_ = np.concatenate([self.y_, np.ravel(y_new)])
        other.gp_ = GaussianProcessRegressor(
            kernel=self.gp_.kernel_, optimizer=None, normalize_y=False
        )
        X = np.vstack([self.gp_.X_train_, np.atleast_2d(X_new)])
        other.gp_.fit(X, other.y_)
        return other

    def predict(self, X):
        """Posterior mean and standard deviation, on the transformed scale."""
        mean, std = self.gp_.predict(np.asarray(X, dtype=float), return_std=True)
        return mean, std

    def to_scores(self, mean, std):
        """Mean and (approximate) standard deviation back on the scores' scale.

        Values are clipped to a band around the observed scores first, where the
        inverse output transform is well defined.
        """
        low, high = self.y_.min() - 3.0, self.y_.max() + 3.0
        inverse = self.transform_.inverse
        center = inverse(np.clip(mean, low, high))
        spread = inverse(np.clip(mean + std, low, high)) - inverse(
            np.clip(mean - std, low, high)
        )
        return center, np.abs(spread) / 2
