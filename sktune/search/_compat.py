"""Every private scikit-learn name sktune uses, in one place.

A scikit-learn release that moves one of them breaks this module only.
"""

import contextlib
import contextvars
import warnings

import sklearn
import sklearn.model_selection._search as _sklearn_search
from sklearn.base import is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import indexable
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_method_params as check_method_params

__all__ = [
    "BaseSearchCV",
    "FitFailures",
    "Interval",
    "StrOptions",
    "checked_cv",
    "non_finite_scores_warning",
    "set_up_fit",
    "tolerate_failed_batches",
]

# From scikit-learn 1.9 on, ``BaseSearchCV.fit`` checks the splitter into
# ``_checked_cv_orig``, hands the data to ``_check_input_parameters(X, y,
# split_params)`` and sets ``n_splits_``, all before ``_run_search``; 1.6 to 1.8
# keep the splitter in a local variable, call no such hook and set ``n_splits_``
# at the end.
_FIT_SETS_UP_SEARCH = "_check_input_parameters" in vars(BaseSearchCV)


def set_up_fit(search, X, y, params):
    """What ``BaseSearchCV.fit`` of scikit-learn >= 1.9 does before
    ``_run_search``, done by hand on older releases (nothing on 1.9 and later).

    The search's parameters are validated first, as ``fit`` does, so that bad
    input is reported in sklearn's words; the splitter and routed ``split``
    metadata are computed as ``fit`` computes them.
    """
    if _FIT_SETS_UP_SEARCH:
        return
    search._validate_params()
    X, y = indexable(X, y)
    params = check_method_params(X, params=params)
    split_params = search._get_routed_params_for_fit(params).splitter.split
    search._checked_cv_orig = check_cv(
        search.cv, y, classifier=is_classifier(search.estimator)
    )
    check_input = getattr(search, "_check_input_parameters", None)
    if check_input is not None:  # sktune's searches define it
        check_input(X=X, y=y, split_params=split_params)
    search.n_splits_ = search._checked_cv_orig.get_n_splits(X, y, **split_params)


# sklearn's ``evaluate_candidates`` raises "All the N fits failed" as soon as every
# fit of *one call* fails, whatever ``error_score`` says. A sequential search calls
# it once per batch, so a single bad candidate would end the whole search and lose
# what was evaluated. Inside ``tolerate_failed_batches()`` that case warns instead,
# and the failed candidates are kept in ``cv_results_`` with ``error_score``.
# Outside it (every other estimator), sklearn's own function runs unchanged.
_TOLERATE = contextvars.ContextVar("sktune_tolerate_failed_batches", default=False)
_sklearn_warn_or_raise = _sklearn_search._warn_or_raise_about_fit_failures


class FitFailures:
    """What sklearn's fit-failure check saw during one search.

    Inside ``tolerate_failed_batches(failures)`` every ``evaluate_candidates``
    call appends to ``flags`` one flag per fit (candidate-major, as sklearn orders
    them): whether that fit failed. The search can then tell its optimizer
    "failed" even when ``error_score`` is a number.

    It also keeps the scores of failed fits in the shape of the others. With a
    callable ``scoring`` that returns a dict, sklearn gives a failed fit the dict
    ``{name: error_score}`` only when a fit of the same call succeeded; a batch
    whose fits all failed keeps a bare ``error_score``, and sklearn's formatting of
    all the batches together then fails. Such failed results get the dict as soon
    as one success shows the metric names (results already recorded by sklearn
    are updated in place).
    """

    def __init__(self):
        self.flags = []
        self._names = None  # metric names of a callable scoring returning a dict
        self._unshaped = []  # failed results still holding a bare error_score

    def _record(self, results, error_score):
        self.flags.append([result["fit_error"] is not None for result in results])
        for result in results:
            scores = result.get("test_scores")
            if result["fit_error"] is not None and not isinstance(scores, dict):
                self._unshaped.append(result)
            elif self._names is None and isinstance(scores, dict):
                self._names = list(scores)
        if self._names is not None:
            for result in self._unshaped:
                for key in ("test_scores", "train_scores"):
                    if key in result:
                        result[key] = dict.fromkeys(self._names, error_score)
            self._unshaped = []


_FAILURES = contextvars.ContextVar("sktune_fit_failures", default=None)


def _warn_or_raise_about_fit_failures(results, error_score):
    failures = _FAILURES.get()
    if failures is not None:
        failures._record(results, error_score)
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
def tolerate_failed_batches(failures=None):
    """Within this context, a batch whose fits all fail warns instead of raising.

    Parameters
    ----------
    failures : FitFailures or None, default=None
        Where to record the failures; pass the same one for every batch of a
        search. A new one when None.

    Yields
    ------
    failures : FitFailures
    """
    failures = FitFailures() if failures is None else failures
    token = _TOLERATE.set(True)
    failures_token = _FAILURES.set(failures)
    try:
        yield failures
    finally:
        _FAILURES.reset(failures_token)
        _TOLERATE.reset(token)


def checked_cv(search):
    """The splitter ``BaseSearchCV.fit`` checked, which ``evaluate_candidates``
    uses when given no ``cv`` (sklearn's private ``_checked_cv_orig``)."""
    return search._checked_cv_orig


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
from sklearn.model_selection._validation import (  # noqa: E402
    _insert_error_scores,
)
from sklearn.model_selection._validation import _score as score  # noqa: E402
from sklearn.utils.metaestimators import _safe_split as safe_split  # noqa: E402
from sklearn.utils.validation import _num_samples as num_samples  # noqa: E402

__all__ += [
    "SubsampleMetaSplitter",
    "check_method_params",
    "evaluation_recorder",
    "num_samples",
    "safe_split",
    "score",
    "sklearn_parallel",
]

# The variables of ``BaseSearchCV.fit`` that its ``evaluate_candidates`` closure
# extends after each batch, and that ``fit`` reads once ``_run_search`` returns.
_EVALUATION_CELLS = ("all_candidate_params", "all_out", "all_more_results", "results")


def _closure_cells(evaluate_candidates, wanted):
    """The cells of ``evaluate_candidates``'s closure, by variable name.

    Raises
    ------
    RuntimeError
        When a ``wanted`` variable is not among them (a scikit-learn release
        renamed it).
    """
    code = getattr(evaluate_candidates, "__code__", None)
    names = code.co_freevars if code is not None else ()
    cells = dict(zip(names, evaluate_candidates.__closure__ or (), strict=True))
    missing = [name for name in wanted if name not in cells]
    if missing:
        raise RuntimeError(
            "Cannot record fits outside scikit-learn's evaluate_candidates: with "
            f"scikit-learn {sklearn.__version__} it does not hold {missing} "
            f"(it holds {sorted(names)}). sktune/search/_compat.py needs an "
            "update for this release; incremental=False avoids it meanwhile."
        )
    return cells


def sklearn_parallel(evaluate_candidates):
    """The ``joblib.Parallel`` that ``evaluate_candidates`` runs its fits on.

    ``BaseSearchCV.fit`` enters it (``with parallel:``) around the whole
    search, so calling it again for other fits reuses its workers; a second
    ``Parallel`` on the same backend instance would end that pool with its
    own call where the backend is shared (Ray's joblib backend).

    Raises
    ------
    RuntimeError
        When the closure holds no ``parallel`` (a scikit-learn release renamed
        it); raised before any fit.
    """
    return _closure_cells(evaluate_candidates, ("parallel",))["parallel"].cell_contents


def evaluation_recorder(evaluate_candidates, search):
    """A function that records fits run outside ``evaluate_candidates``.

    ``BaseSearchCV.fit`` keeps what its ``evaluate_candidates`` closure evaluated
    in local variables (candidates, ``_fit_and_score`` records, extra columns,
    the formatted results) and reads them after ``_run_search``. The recorder
    adds a batch fitted elsewhere (Hyperband's incremental executor) to those
    same variables, exactly as the closure does after its own ``_fit_and_score``
    loop, so that ``cv_results_``, ``best_index_`` and ``multimetric_`` see it.

    Parameters
    ----------
    evaluate_candidates : callable
        The closure sklearn handed to ``_run_search``.
    search : BaseSearchCV
        The search being fitted.

    Returns
    -------
    record : callable
        ``record(candidate_params, out, more_results=None) -> results``, with
        ``out`` one ``_fit_and_score`` record per (candidate, split),
        candidate-major; returns the results dict, as ``evaluate_candidates``
        does.

    Raises
    ------
    RuntimeError
        When the closure does not hold those variables (a scikit-learn release
        renamed them); raised before any fit.
    """
    cells = _closure_cells(evaluate_candidates, _EVALUATION_CELLS)

    def record(candidate_params, out, more_results=None):
        # As the closure does after its _fit_and_score loop (BaseSearchCV.fit).
        _warn_or_raise_about_fit_failures(out, search.error_score)
        if callable(search.scoring):
            _insert_error_scores(out, search.error_score)
        all_params = cells["all_candidate_params"].cell_contents
        all_out = cells["all_out"].cell_contents
        all_more = cells["all_more_results"].cell_contents
        all_params.extend(candidate_params)
        all_out.extend(out)
        for key, value in (more_results or {}).items():
            all_more[key].extend(value)
        results = search._format_results(
            all_params, search.n_splits_, all_out, all_more
        )
        cells["results"].cell_contents = results
        return results

    return record


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
