"""``parametrize_with_checks`` options across the supported scikit-learn releases."""

import inspect

from sklearn.utils.estimator_checks import parametrize_with_checks

# An expected failure that passes fails the test (scikit-learn >= 1.7 only: 1.6
# has no xfail_strict, and there an unexpected pass is reported, not failed).
STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)
