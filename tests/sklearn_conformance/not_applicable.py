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

import sklearn
from sklearn.utils.fixes import parse_version

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
if parse_version(sklearn.__version__) < parse_version("1.8"):
    # From 1.8 the test searches three values of C, all in the initial design,
    # and passes.
    NOT_APPLICABLE["test_random_search_cv_results_multimetric"] = (
        "Compares a multimetric search's cv_results_ key by key with a "
        "single-metric 'accuracy' search's and a 'recall' search's, so it assumes "
        "that a search proposes the same candidates whatever metric it follows. "
        "Before scikit-learn 1.8 it searches 9 SVC configurations: the 'recall' "
        "search's model proposes them in another order than the accuracy "
        "search's, with other surrogate_mean. "
        "tests/search/test_scoring_and_data.py checks that a multimetric search "
        "equals the single-metric search of its refit metric."
    )

# -- test_successive_halving.py against HyperbandSearchCV ----------------------
# Keys as above. Every entry is a strict xfail. A reason starting with "bug:"
# is a defect of HyperbandSearchCV that the sklearn test shows (to be fixed, not
# a difference by design); the others cannot apply to Hyperband, and name where
# the part of the test that does apply is checked instead.

_ADAPTERS = ("HyperbandHalvingGridSearchCV", "HyperbandHalvingRandomSearchCV")

_SINGLE_BRACKET = (
    "Asserts the schedule of sklearn's single successive-halving bracket "
    "({what}). HyperbandSearchCV runs several brackets whose sizes and resources "
    "follow from min_resource, max_resource and eta alone (Li et al. 2018: rungs "
    "at max_resource * eta**(i - s), every bracket ending at max_resource), has "
    "no n_iterations_ / n_required_iterations_ / n_possible_iterations_ / "
    "n_remaining_candidates_, and keeps n_candidates_ and n_resources_ per "
    "bracket (lists of lists). tests/hyperband/test_schedule.py checks the "
    "schedule against the paper's algorithm."
)

_WORDING = (
    "Same input, same ValueError before any fit, other wording: the test matches "
    "sklearn's message {theirs!r}; HyperbandSearchCV says {ours!r} "
    "(tests/hyperband/test_search.py::test_bad_input_fails_before_any_fit checks "
    "its message)."
)

_INCONSISTENT_FOLDS = (
    "Expects a ValueError ('must yield consistent folds') for a cv that reshuffles "
    "at every split() call (KFold(shuffle=True) or ShuffleSplit() without "
    "random_state). HyperbandSearchCV instead splits once per fit and scores "
    "every rung and bracket on those folds (search/_rungs.py since 85322e2; "
    "tests/hyperband/test_search.py::test_every_rung_uses_the_same_folds), so "
    "such a cv is accepted by design. (Before 85322e2 it was accepted and "
    "re-split at every rung: 18 distinct test folds for 6 rungs of "
    "KFold(3, shuffle=True); this test found it.)"
)

_input_errors = {
    "params0-Cannot use resource=not_a_parameter which is not supported": (
        _WORDING.format(
            theirs="Cannot use resource=not_a_parameter which is not supported",
            ours="resource='not_a_parameter' is not a parameter of FastClassifier. "
            "Use 'n_samples' or one of its integer parameters: [].",
        )
    ),
    "params1-Cannot use parameter a as the resource since it is part of": (
        _WORDING.format(
            theirs="Cannot use parameter a as the resource since it is part of",
            ours="resource='a' is also in param_distributions; the resource is set "
            "by the schedule and must not be searched.",
        )
    ),
    "params2-resource can only be 'n_samples' when max_resources='auto'": (
        "sklearn requires an int max_resources whenever the resource is a "
        "parameter; HyperbandSearchCV infers max_resource='auto' from the "
        "estimator's value of that parameter (documented) and raises only when it "
        "is not a positive int. FastClassifier.get_params reports b='whatever', so "
        "the same input gives a ValueError before any fit, by another rule and "
        "wording: \"max_resource='auto' cannot be inferred: FastClassifier's b is "
        "'whatever', not a positive int. Set max_resource to an int.\""
    ),
    "params3-min_resources_=15 is greater than max_resources_=14": (
        _WORDING.format(
            theirs="min_resources_=15 is greater than max_resources_=14",
            ours="min_resource must be <= max_resource. Got min_resource=15 and "
            "max_resource=14 (resource='n_samples').",
        )
    ),
    "params4-must yield consistent folds": _INCONSISTENT_FOLDS,
    "params5-must yield consistent folds": _INCONSISTENT_FOLDS,
}

HALVING_NOT_APPLICABLE: dict[str, str] = {
    "test_aggressive_elimination": _SINGLE_BRACKET.format(
        what="n_iterations_, n_required_iterations_, n_possible_iterations_, "
        "n_remaining_candidates_ and flat n_candidates_ / n_resources_ such as "
        "[60, 20, 7, 3] at [20, 20, 60, 180] with aggressive_elimination=True"
    )
    + " aggressive_elimination has no Hyperband counterpart: the less aggressive "
    "brackets are Hyperband's answer to a short resource.",
    "test_min_max_resources": _SINGLE_BRACKET.format(
        what="iteration counts and flat n_resources_ such as [20, 60] or "
        "[333, 999] for min_resources 'smallest' / 'exhaust' / int"
    )
    + " 'exhaust' has no counterpart (the top rung is always max_resource). The "
    "resource range resolved with 'auto' (2 * n_splits * n_classes to n_samples) "
    "is checked in tests/hyperband/test_search.py::"
    "test_n_samples_auto_uses_the_data and test_halving_adapted.py::"
    "test_min_max_resources_range.",
    "test_n_iterations": _SINGLE_BRACKET.format(
        what="n_required_iterations_ == 5, n_iterations_ and "
        "n_possible_iterations_ for 20 candidates and factor=2"
    ),
    "test_random_search": (
        "Asserts n_candidates_[0] == n_candidates (the size of one bracket's "
        "first iteration), and n_candidates has no Hyperband counterpart. Its "
        "space, unfrozen scipy.stats.norm, is accepted (test_halving_adapted.py::"
        "test_unfrozen_scipy_distribution_is_accepted)."
    ),
    "test_random_search_discrete_distributions": (
        "Asserts n_candidates_[0] == 2 or 10, the first iteration of one bracket "
        "sized by n_candidates (capped by the size of an all-list space); "
        "n_candidates has no Hyperband counterpart and n_candidates_[0] is the "
        "list of the first bracket's rungs. The part that applies (never more "
        "distinct configurations than an all-list space holds) is checked in "
        "tests/hyperband/test_schedule.py::test_small_spaces_give_smaller_brackets "
        "and test_halving_adapted.py::test_all_list_space_is_not_oversampled."
    ),
    "test_resource_parameter": (
        "Asserts set(n_resources_) == {1, 3, 9}: one bracket at min_resources * "
        "factor**i that stops short of max_resources=10. Hyperband's rungs always "
        "end at max_resource ([1, 3, 10], [3, 10], [10] here) and n_resources_ "
        "is a list per bracket (unhashable); then it matches sklearn's error "
        "wording (see test_input_errors). The rest (every row's n_resources == "
        "params['c'] == param_c; a searched resource is rejected) runs in "
        "test_halving_adapted.py::test_resource_parameter_rows."
    ),
    "test_input_errors_randomized": (
        "Asserts that n_candidates='exhaust' with min_resources='exhaust' is "
        "rejected; neither has a Hyperband counterpart (the adapter ignores "
        "n_candidates and reads 'exhaust' as min_resource='auto'), so there is no "
        "conflict to reject."
    ),
    "test_min_resources_null": _WORDING.format(
        theirs="min_resources_=0: you might have passed an empty dataset X.",
        ours="resource='n_samples' needs samples, and X has 0: you might have "
        "passed an empty dataset X.",
    ).replace(
        "tests/hyperband/test_search.py::test_bad_input_fails_before_any_fit checks "
        "its message",
        "before a2fbf4f it said 'min_resource must be an int >= 1. Got 0 instead.'",
    ),
    "test_select_best_index": (
        "Calls _select_best_index(None, None, results) on a synthetic dict keyed "
        "by 'iter' and 'mean_test_score'; HyperbandSearchCV rows have no 'iter' "
        "(they carry bracket, rung, n_resources) and it takes the best "
        "rank_test_<metric> among the rows at the largest n_resources, across "
        "brackets. Checked in tests/hyperband/test_search.py::"
        "test_best_among_top_resource_even_when_a_lower_rung_scored_higher and "
        "test_halving_adapted.py::test_select_best_index_at_largest_resource."
    ),
    "test_halving_random_search_list_of_dicts": (
        "Computes sum(search.n_candidates_) (flat in sklearn, a list per bracket "
        "here: TypeError) and asserts cv_results_ has exactly sklearn's keys plus "
        "('n_resources', 'iter'); Hyperband rows have config_id, bracket, "
        "rung and n_resources instead of iter. The rest (param_* masks and dtypes "
        "for a list of dicts) runs in test_halving_adapted.py::test_list_of_dicts."
    ),
    "test_cv_results": _SINGLE_BRACKET.format(
        what="cv_results_['iter'], a pivot of rows by iter over n_iterations_ and "
        "n_candidates_[it + 1] survivors"
    )
    + " The promotion rule it checks (survivors of a rung outscore the "
    "discarded; best taken at the last rung) runs per bracket in "
    "test_halving_adapted.py::test_promotion_keeps_the_best_of_each_rung.",
    "test_base_estimator_inputs": (
        "Asserts (n_resources_ == np.unique(samples passed to fit)).all() and "
        "(n_candidates_ == counts).all(): flat single-bracket lists, where "
        "Hyperband's are per bracket and several brackets share a resource. The "
        "rest (rows in the order of set_params calls; n_resources equal to the "
        "samples passed to fit + predict) runs in test_halving_adapted.py::"
        "test_base_estimator_inputs_rows."
    ),
    **{
        f"test_input_errors[{case}-{adapter}]": reason
        for case, reason in _input_errors.items()
        for adapter in _ADAPTERS
    },
}
