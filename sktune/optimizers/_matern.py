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
from scipy.linalg import cho_solve, cholesky
from scipy.linalg.blas import dtrmm
from scipy.linalg.lapack import dpotri, dtrtri
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


def _matern52(scaled, decay, K):
    """Fill ``decay`` with ``exp(-s)`` and ``K`` with the unit-variance Matern 5/2
    kernel ``(1 + s + s^2 / 3) exp(-s)`` of the scaled distances ``s = scaled``,
    in place (no temporary arrays: these run on every likelihood and pool call)."""
    np.negative(scaled, out=decay)
    np.exp(decay, out=decay)
    np.multiply(scaled, scaled, out=K)
    K /= 3.0
    K += scaled
    K += 1.0
    K *= decay


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
        # Work arrays for every call of one estimation: fresh n x n temporaries
        # are returned to the system and faulted in again at each call, which
        # cost more than the arithmetic (about 3 ms a call at n = 200).
        self._work = np.empty((4, n, n))
        self._K = np.empty((n, n))

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
        r, decay, K_matern, inner = self._work
        np.matmul(self._squared, inv_scale2, out=r.reshape(n * n))
        r *= 5.0
        np.sqrt(r, out=r)
        _matern52(r, decay, K_matern)
        np.multiply(K_matern, signal, out=self._K)
        self._K.flat[:: n + 1] += noise + self._jitter
        try:
            # K is symmetric: its transpose is the Fortran-ordered array LAPACK
            # factorises in place.
            L = cholesky(self._K.T, lower=True, overwrite_a=True, check_finite=False)
        except np.linalg.LinAlgError:
            return -np.inf, np.zeros_like(theta)
        alpha = cho_solve((L, True), self._y, check_finite=False)
        value = -0.5 * self._y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * _LOG_2PI
        # One triangle T of K^-1 (the other is 0), in place of L.
        K_inv, _ = dpotri(L, lower=1, overwrite_c=1)
        T = K_inv.T
        # 0.5 * trace((alpha alpha^T - K^-1) dK / dtheta), eq. 5.9. Every dK is
        # symmetric, so sum(K^-1 * dK) = 2 sum(T * dK) - sum(diag(T) * diag(dK)):
        # with inner = alpha alpha^T - 2 T, the sums below take the diagonal
        # once too many times, and the terms in diag(T) put it back.
        np.multiply(alpha[:, None], alpha[None, :], out=inner)
        inner -= T
        inner -= T
        diag_T = np.diagonal(T)
        grad = np.empty(len(theta))
        grad[0] = (
            0.5 * signal * (np.vdot(inner, K_matern) + diag_T @ np.diagonal(K_matern))
        )
        # dK / dlog l_k = c (5 / 3) (1 + r) exp(-r) (x_ik - x_jk)^2 / l_k^2, whose
        # diagonal is 0.
        weights = r
        weights += 1.0
        weights *= decay
        weights *= inner
        weights *= signal * 5.0 / 3.0
        by_column = 0.5 * inv_scale2 * (weights.reshape(n * n) @ self._squared)
        grad[1:-1] = by_column if len(theta) - 2 == d else by_column.sum()
        grad[-1] = 0.5 * noise * (alpha @ alpha - diag_T.sum())
        return value, grad


class MaternPosterior:
    """Posterior of a fitted ``GaussianProcessRegressor`` with the default kernel.

    The acquisition maximiser predicts at a pool of some 1500 points once and at a
    few points hundreds of times per proposal; this gives the ``predict`` numbers
    of ``GaussianProcessRegressor(kernel, alpha=jitter)`` fitted on ``(X, y)``.

    Parameters
    ----------
    kernel : sklearn kernel
        Of the default shape (:func:`is_default_shape`), hyperparameters set.
    X : ndarray of shape (n, d)
        Training points.
    y : ndarray of shape (n,)
        Training targets.
    jitter : float
        Value added to the kernel's diagonal (the regressor's ``alpha``).

    Raises
    ------
    numpy.linalg.LinAlgError
        If the kernel matrix is not positive definite.
    """

    # Rows of a pool predicted at once: each work array stays near 256 KiB, so
    # that it is reused from the heap and stays in cache (whole-pool arrays of
    # megabytes are faulted in afresh at every call).
    _CHUNK_BYTES = 1 << 18

    def __init__(self, kernel, X, y, jitter):
        self._length_scale = np.asarray(kernel.k1.k2.length_scale, dtype=float)
        self._signal = float(kernel.k1.k1.constant_value)
        noise = float(kernel.k2.noise_level)
        self._prior_var = self._signal + noise
        X = np.asarray(X, dtype=float)
        self._X = X / self._length_scale
        n = len(X)
        K = np.empty((n, n))
        for part, scaled, decay in self._chunks(n, 2):
            self._kernel(X[part], scaled, decay, K[part])
        K.flat[:: n + 1] += noise + jitter
        # K is symmetric: its transpose is the Fortran-ordered array LAPACK
        # factorises in place.
        L = cholesky(K.T, lower=True, overwrite_a=True, check_finite=False)
        self._alpha = cho_solve((L, True), y, check_finite=False)
        # The inverse factor turns the per-call triangular solves into matrix
        # products, several times faster on candidate pools.
        self._L_inv, _ = dtrtri(L, lower=1, overwrite_c=1)

    def _chunks(self, n_rows, n_work):
        """Slices of ``n_rows`` rows, each with ``n_work`` work arrays of one row
        per row of the slice and one column per training point (the same arrays
        for every slice)."""
        n = len(self._X)
        rows = max(1, self._CHUNK_BYTES // (8 * n))
        work = np.empty((n_work, min(rows, n_rows), n))
        for start in range(0, n_rows, rows):
            part = slice(start, min(start + rows, n_rows))
            yield part, *(w[: part.stop - start] for w in work)

    def predict(self, X):
        """Posterior mean and standard deviation at the rows of ``X``."""
        X = np.asarray(X, dtype=float)
        mean, var = np.empty(len(X)), np.empty(len(X))
        for part, scaled, decay, K in self._chunks(len(X), 3):
            self._kernel(X[part], scaled, decay, K)
            mean[part] = K @ self._alpha
            # V = K L^-T in place of K, as V^T = L^-1 K^T: a triangular product
            # (half the work of a general one) on the Fortran-ordered K^T.
            V = dtrmm(1.0, self._L_inv, K.T, lower=1, overwrite_b=1).T
            var[part] = np.einsum("ij,ij->i", V, V)
        return mean, self._std(var)

    def predict_with_gradient(self, X):
        """Mean, standard deviation and their gradients with respect to ``X``.

        With ``a`` a scaled row, ``b_i`` a scaled training point and
        ``s_i = sqrt(5) * |a - b_i|``, the Matern 5/2 kernel's derivative is
        ``dk_i / dx_j = -(5 c / 3) (1 + s_i) exp(-s_i) (a_j - b_ij) / l_j``; the
        mean's gradient weighs it by ``alpha``, the variance's by ``-2 K^-1 k``.
        """
        X = np.asarray(X, dtype=float)
        scaled, decay, K = np.empty((3, len(X), len(self._X)))
        self._kernel(X, scaled, decay, K)
        mean = K @ self._alpha
        V = K @ self._L_inv.T
        std = self._std(np.einsum("ij,ij->i", V, V))
        U = V @ self._L_inv
        slope = -(5.0 / 3.0) * self._signal * (1.0 + scaled) * decay
        a = X / self._length_scale

        def gradient(weights):
            W = slope * weights
            return (W.sum(axis=1)[:, None] * a - W @ self._X) / self._length_scale

        d_mean = gradient(self._alpha[None, :])
        d_var = -2.0 * gradient(U)
        safe = np.where(std > 1e-12, std, np.inf)
        return mean, std, d_mean, d_var / (2.0 * safe[:, None])

    def _kernel(self, X, scaled, decay, K):
        """Fill ``scaled`` with ``s = sqrt(5) * |x - b_i|`` (scaled distances to the
        training points), ``decay`` with ``exp(-s)`` and ``K`` with the kernel
        ``c (1 + s + s^2 / 3) exp(-s)``, in place."""
        cdist(X / self._length_scale, self._X, out=scaled)
        scaled *= np.sqrt(5.0)
        _matern52(scaled, decay, K)
        K *= self._signal

    def _std(self, explained):
        """Standard deviation from the variance the data explain, ``k^T K^-1 k``."""
        return np.sqrt(np.maximum(self._prior_var - explained, 0.0))
