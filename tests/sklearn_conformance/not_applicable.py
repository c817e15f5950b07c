"""scikit-learn search tests that cannot apply to a Bayesian search, with why.

Keys are test names, or test names with their parameter ids for a single case.
``ORDER_DEPENDENT`` tests read ``cv_results_[...][0]`` expecting the first entry
of a list of choices to be evaluated first. sklearn's ``ParameterSampler`` yields
a grid no larger than ``n_iter`` in grid order (an implementation detail of its
reservoir sampling); ``BayesianSearchCV`` evaluates its scrambled Sobol design,
whose order is random under ``random_state=None``. Those tests are therefore
expected to fail most runs but may pass by chance (non-strict xfail); every other
entry fails deterministically (strict xfail, so a change that makes it pass is
noticed).
"""

_ORDER = (
    "Reads cv_results_[...][0] as the first choice of the list; a Bayesian search "
    "evaluates its Sobol design in random order (random_state=None), not in grid "
    "order."
)

ORDER_DEPENDENT: dict[str, str] = {
    "test_search_default_iid": _ORDER + " Expects param_C[0] == 1.",
    "test_search_cv_results_rank_tie_breaking": _ORDER
    + " Expects the tied C=1 and C=1.001 at positions 0 and 1.",
    "test_search_cv_timing": _ORDER
    + " Expects the failing C=0 candidate at position 0 (score time 0).",
}

_CALLBACK_TREE = (
    "Counts sklearn callback hooks as root + search + refit + one per fit. "
    "BayesianSearchCV evaluates in sequential batches and opens one sub-task per "
    "batch (like the Halving searches' rounds, which the test counts for them), so "
    "there are n_batches more hooks; tests/search/test_sklearn_callbacks.py checks "
    "the count with the batches included."
)

NOT_APPLICABLE: dict[str, str] = {
    **ORDER_DEPENDENT,
    "test_random_search_cv_results": (
        "Asserts cv_results_ has exactly RandomizedSearchCV's keys; "
        "BayesianSearchCV adds surrogate_mean, surrogate_std, acquisition and batch "
        "by design (tests/search checks the keys are sklearn's plus these four)."
    ),
    "test_search_with_2d_array": (
        "Asserts the exact sequence ParameterSampler draws with random_state=0 "
        "([(1, 2), (1, 2), (1, 1)], with a repeat); a Bayesian search draws other "
        "points and never repeats one. tests/search checks tuple values in "
        "cv_results_ instead."
    ),
    "test_search_callbacks_no_propagation": _CALLBACK_TREE,
    "test_search_callbacks_propagation": _CALLBACK_TREE,
}
