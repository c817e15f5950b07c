"""Every private scikit-learn name sktune uses, in one place.

A scikit-learn release that moves one of them breaks this module only.
"""

import contextlib
import contextvars
import warnings

import sklearn.model_selection._search as _sklearn_search
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = [
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "non_finite_scores_warning",
    "tolerate_failed_batches",
]

# sklearn's ``evaluate_candidates`` raises "All the N fits failed" as soon as every
# fit of *one call* fails, whatever ``error_score`` says. A sequential search calls
# it once per batch, so a single bad candidate would end the whole search and lose
# what was evaluated. Inside ``tolerate_failed_batches()`` that case warns instead,
# and the failed candidates are kept in ``cv_results_`` with ``error_score``.
# Outside it (every other estimator), sklearn's own function runs unchanged.
_TOLERATE = contextvars.ContextVar("sktune_tolerate_failed_batches", default=False)
_sklearn_warn_or_raise = _sklearn_search._warn_or_raise_about_fit_failures


# Inside ``tolerate_failed_batches()``, which fits failed is recorded too, so the
# search can tell its optimizer "failed" even when ``error_score`` is a number.
_FAILED_FITS = contextvars.ContextVar("sktune_failed_fits", default=None)


def _warn_or_raise_about_fit_failures(results, error_score):
    record = _FAILED_FITS.get()
    if record is not None:
        record.append([result["fit_error"] is not None for result in results])
    failed = sum(result["fit_error"] is not None for result in results)
    if _TOLERATE.get() and results and failed == len(results):
        warnings.warn(
            f"All the {failed} fits of this batch failed; their score is set to "
            f"{error_score} and the search goes on. The first error:\n"
            f"{next(r['fit_error'] for r in results)}",
            FitFailedWarning,
            stacklevel=2,
        )
        return
    _sklearn_warn_or_raise(results, error_score)


if getattr(_sklearn_warn_or_raise, "__module__", "") != __name__:
    _sklearn_search._warn_or_raise_about_fit_failures = (
        _warn_or_raise_about_fit_failures
    )


@contextlib.contextmanager
def tolerate_failed_batches():
    """Within this context, a batch whose fits all fail warns instead of raising.

    Yields a list that receives, for every ``evaluate_candidates`` call made in the
    context, one flag per fit (candidate-major, as sklearn orders them): whether
    that fit failed.
    """
    token = _TOLERATE.set(True)
    record = []
    record_token = _FAILED_FITS.set(record)
    try:
        yield record
    finally:
        _FAILED_FITS.reset(record_token)
        _TOLERATE.reset(token)


def non_finite_scores_warning(message):
    """The part of sklearn's "scores are non-finite" warning that names the set.

    ``evaluate_candidates`` warns "One or more of the test scores are non-finite:
    [all means so far]" on every call once one score is NaN; a search calling it
    once per batch would repeat it every batch. Returns e.g. "One or more of the
    test scores are non-finite" for that warning, None for any other.
    """
    text = str(message)
    if text.startswith("One or more of the ") and "scores are non-finite" in text:
        return text.split(":", 1)[0]
    return None


# --- HyperbandSearchCV: subsampled folds (the ``n_samples`` resource, done as
# sklearn's successive halving does it) and the pieces of ``_fit_and_score`` that
# its incremental executor needs to produce records in sklearn's own format.
from sklearn.model_selection._search_successive_halving import (  # noqa: E402
    _SubsampleMetaSplitter as SubsampleMetaSplitter,
)
from sklearn.model_selection._validation import _score as score  # noqa: E402
from sklearn.utils.metaestimators import _safe_split as safe_split  # noqa: E402
from sklearn.utils.validation import (  # noqa: E402
    _check_method_params as check_method_params,
)
from sklearn.utils.validation import _num_samples as num_samples  # noqa: E402

warn_or_raise_about_fit_failures = _warn_or_raise_about_fit_failures
__all__ += [
    "SubsampleMetaSplitter",
    "check_method_params",
    "num_samples",
    "safe_split",
    "score",
    "warn_or_raise_about_fit_failures",
]


def replace_results(results, merged):
    """Make ``results`` hold ``merged``, in place.

    sklearn's ``BaseSearchCV.fit`` keeps using the dict that ``evaluate_candidates``
    returned last (to pick ``best_index_`` and as ``cv_results_``); filling that same
    object is how resumed candidates reach ``cv_results_`` without being refit.
    ``tests/search/test_checkpoint.py`` fails if a sklearn release changes this.
    """
    results.clear()
    results.update(merged)


__all__ += ["replace_results"]
