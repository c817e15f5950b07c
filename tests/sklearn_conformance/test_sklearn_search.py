"""scikit-learn's own search tests, run against ``BayesianSearchCV``.

The copy of ``sklearn/model_selection/tests/test_search.py`` installed with
scikit-learn is loaded here under a private module name while
``sklearn.model_selection.RandomizedSearchCV`` is temporarily replaced by
:class:`BayesianRandomizedSearchCV`, so every ``RandomizedSearchCV`` it builds
(in test bodies and in its parametrizations) is a Bayesian search. Its tests are
re-exported for collection; ``conftest.py`` keeps those that exercise the
adapter and marks the ones that cannot apply to a Bayesian search
(:data:`NOT_APPLICABLE`).
"""

import inspect

import pytest

from ._adapter import BayesianRandomizedSearchCV
from ._loader import load_sklearn_tests

MODULE_NAME = "sktune_tests_sklearn_test_search"


_module = load_sklearn_tests(
    "sklearn.model_selection.tests.test_search",
    MODULE_NAME,
    {"RandomizedSearchCV": BayesianRandomizedSearchCV},
)
if _module is None:  # pragma: no cover - sklearn installed without its tests
    pytest.skip("scikit-learn was installed without its tests", allow_module_level=True)


def _uses_adapter(func):
    """Whether ``func`` builds a RandomizedSearchCV or is parametrized with one."""
    if "RandomizedSearchCV" in inspect.getsource(func):
        return True
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "parametrize":
            for values in mark.args[1]:
                values = values if isinstance(values, (tuple, list)) else [values]
                if any(is_adapter(value) for value in values):
                    return True
    return False


def is_adapter(value):
    """Whether a parameter value is the adapter class or one of its instances."""
    return value is BayesianRandomizedSearchCV or isinstance(
        value, BayesianRandomizedSearchCV
    )


#: Tests of the sklearn module that involve RandomizedSearchCV; the others only
#: exercise GridSearchCV, the Halving searches or helpers, not sktune.
ADAPTER_TESTS = sorted(
    name
    for name, obj in vars(_module).items()
    if name.startswith("test_") and inspect.isfunction(obj) and _uses_adapter(obj)
)

globals().update({name: getattr(_module, name) for name in ADAPTER_TESTS})
