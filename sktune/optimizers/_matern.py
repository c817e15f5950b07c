"""The default kernel's Gaussian process, computed with numpy alone.

The surrogate's model is sklearn's ``GaussianProcessRegressor`` with the kernel
``ConstantKernel * Matern(nu=2.5, anisotropic) + WhiteKernel``. Two computations
run hundreds of times per proposal: the log marginal likelihood while the
hyperparameters are estimated, and the posterior while the acquisition is
maximised. sklearn spends most of their time walking the kernel tree and
validating input; the classes here give the same numbers (the tests compare
them) from plain arrays.
"""

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.spatial.distance import cdist
from sklearn.gaussian_process.kernels import (
    ConstantKernel,
    Matern,
    Product,
    Sum,
    WhiteKernel,
)

_LOG_2PI = np.log(2 * np.pi)


def is_default_shape(kernel):
    """Whether ``kernel`` is ``ConstantKernel * Matern(nu=2.5) + WhiteKernel``."""
    return (
        isinstance(kernel, Sum)
        and isinstance(kernel.k1, Product)
        and isinstance(kernel.k1.k1, ConstantKernel)
        and isinstance(kernel.k1.k2, Matern)
        and kernel.k1.k2.nu == 2.5
        and isinstance(kernel.k2, WhiteKernel)
    )


class MaternLikelihood:
    """Log marginal likelihood of the default kernel on fixed data, and its gradient.

    Equals ``GaussianProcessRegressor(kernel, alpha=jitter).log_marginal_likelihood
    (theta, eval_gradient=True)`` (Rasmussen and Williams 2006, eq. 5.8 and 5.9)
    for ``theta = [log c, log l_1 .. log l_k, log noise]``, with ``k`` either the
    number of columns or 1 (one shared length scale).

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Training points.
    y : ndarray of shape (n,)
        Training targets.
    jitter : float
        Value added to the kernel's diagonal (the regressor's ``alpha``).
    """

    def __init__(self, X, y, jitter):
        X = np.asarray(X, dtype=float)
        n, d = X.shape
        self._y = np.asarray(y, dtype=float)
        self._jitter = jitter
        # Squared differences per column, one row per pair of points: the length
        # scales enter by matrix-vector products with this.
        self._squared = ((X[:, None, :] - X[None, :, :]) ** 2).reshape(n * n, d)
        self._eye = np.eye(n)

    @staticmethod
    def applies(kernel):
        """Whether this class computes ``kernel``'s likelihood: the default shape
        with no fixed hyperparameter."""
        return is_default_shape(kernel) and not any(
            hp.fixed for hp in kernel.hyperparameters
        )

    def __call__(self, theta):
        """Log marginal likelihood at ``theta`` and its gradient in ``theta``;
        ``(-inf, 0)`` where the kernel matrix is not positive definite."""
        n, d = len(self._y), self._squared.shape[1]
        signal, noise = np.exp(theta[0]), np.exp(theta[-1])
        inv_scale2 = np.broadcast_to(np.exp(-2.0 * np.asarray(theta[1:-1])), (d,))
        r = np.sqrt(5.0 * (self._squared @ inv_scale2)).reshape(n, n)
        decay = np.exp(-r)
        K_matern = (1.0 + r + r**2 / 3.0) * decay
        K = signal * K_matern + (noise + self._jitter) * self._eye
        try:
            L = cholesky(K, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return -np.inf, np.zeros_like(theta)
        alpha = cho_solve((L, True), self._y, check_finite=False)
        value = -0.5 * self._y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * _LOG_2PI
        # 0.5 * trace((alpha alpha^T - K^-1) dK / dtheta), eq. 5.9.
        inner = np.outer(alpha, alpha) - cho_solve(
            (L, True), self._eye, check_finite=False
        )
        grad = np.empty(len(theta))
        grad[0] = 0.5 * signal * np.sum(inner * K_matern)
        # dK / dlog l_k = c (5 / 3) (1 + r) exp(-r) (x_ik - x_jk)^2 / l_k^2.
        weights = inner * (signal * 5.0 / 3.0 * (1.0 + r) * decay)
        by_column = 0.5 * inv_scale2 * (weights.ravel() @ self._squared)
        grad[1:-1] = by_column if len(theta) - 2 == d else by_column.sum()
        grad[-1] = 0.5 * noise * np.trace(inner)
        return value, grad


class MaternPosterior:
    """Posterior of a fitted ``GaussianProcessRegressor`` with the default kernel.

    The acquisition maximiser predicts at a few dozen points hundreds of times per
    proposal; this gives sklearn's ``predict`` numbers from the fitted model's
    Cholesky factor and weights.
    """

    def __init__(self, gp):
        kernel = gp.kernel_
        self._length_scale = np.asarray(kernel.k1.k2.length_scale, dtype=float)
        self._signal = float(kernel.k1.k1.constant_value)
        self._prior_var = self._signal + float(kernel.k2.noise_level)
        self._X = gp.X_train_ / self._length_scale
        self._alpha = gp.alpha_
        # The inverse factor turns the per-call triangular solves into matrix
        # products, several times faster on candidate pools.
        self._L_inv = solve_triangular(
            gp.L_, np.eye(len(gp.L_)), lower=True, check_finite=False
        )

    @staticmethod
    def applies(gp):
        """Whether ``gp``'s fitted kernel has the shape this class computes."""
        return is_default_shape(gp.kernel_) and not gp.normalize_y

    def predict(self, X):
        """Posterior mean and standard deviation at the rows of ``X``."""
        mean, std, _ = self._moments(X)
        return mean, std

    def predict_with_gradient(self, X):
        """Mean, standard deviation and their gradients with respect to ``X``.

        With ``a`` a scaled row, ``b_i`` a scaled training point and
        ``s_i = sqrt(5) * |a - b_i|``, the Matern 5/2 kernel's derivative is
        ``dk_i / dx_j = -(5 c / 3) (1 + s_i) exp(-s_i) (a_j - b_ij) / l_j``; the
        mean's gradient weighs it by ``alpha``, the variance's by ``-2 K^-1 k``.
        """
        X = np.asarray(X, dtype=float)
        mean, std, (scaled, decay, V) = self._moments(X)
        U = self._L_inv.T @ V
        slope = -(5.0 / 3.0) * self._signal * (1.0 + scaled) * decay
        a = X / self._length_scale

        def gradient(weights):
            W = slope * weights
            return (W.sum(axis=1)[:, None] * a - W @ self._X) / self._length_scale

        d_mean = gradient(self._alpha[None, :])
        d_var = -2.0 * gradient(U.T)
        safe = np.where(std > 1e-12, std, np.inf)
        return mean, std, d_mean, d_var / (2.0 * safe[:, None])

    def _moments(self, X):
        scaled = cdist(X / self._length_scale, self._X)
        scaled *= np.sqrt(5.0)
        decay = np.exp(-scaled)
        # K = c (1 + s + s^2 / 3) exp(-s), in place: pools are large.
        K = scaled * scaled
        K /= 3.0
        K += scaled
        K += 1.0
        K *= decay
        K *= self._signal
        mean = K @ self._alpha
        V = self._L_inv @ K.T
        var = self._prior_var - np.einsum("ij,ij->j", V, V)
        return mean, np.sqrt(np.maximum(var, 0.0)), (scaled, decay, V)
