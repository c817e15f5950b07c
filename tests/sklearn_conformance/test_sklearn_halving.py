"""scikit-learn's own successive-halving tests, run against ``HyperbandSearchCV``.

The copy of ``sklearn/model_selection/tests/test_successive_halving.py``
installed with scikit-learn is loaded here under a private module name while
``sklearn.model_selection.HalvingRandomSearchCV`` and ``HalvingGridSearchCV``
are temporarily replaced by :class:`HyperbandHalvingRandomSearchCV` and
:class:`HyperbandHalvingGridSearchCV`, so every halving search it builds (in
test bodies and in its parametrizations) is a Hyperband search. Its tests that
build one are re-exported for collection (the others test sklearn's private
helpers ``_SubsampleMetaSplitter`` and ``_top_k``, not sktune); ``conftest.py``
marks those that cannot apply to Hyperband or that show a bug
(:data:`not_applicable.HALVING_NOT_APPLICABLE`).
"""

import inspect

import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401

from ._halving_adapter import (
    HyperbandHalvingGridSearchCV,
    HyperbandHalvingRandomSearchCV,
)
from ._loader import load_sklearn_tests

MODULE_NAME = "sktune_tests_sklearn_test_successive_halving"
ADAPTERS = {
    "HalvingRandomSearchCV": HyperbandHalvingRandomSearchCV,
    "HalvingGridSearchCV": HyperbandHalvingGridSearchCV,
}


_module = load_sklearn_tests(
    "sklearn.model_selection.tests.test_successive_halving", MODULE_NAME, ADAPTERS
)
if _module is None:  # pragma: no cover - sklearn installed without its tests
    pytest.skip("scikit-learn was installed without its tests", allow_module_level=True)


def _uses_adapter(func):
    """Whether ``func`` builds a halving search or is parametrized with one."""
    source = inspect.getsource(func)
    return any(name in source for name in ADAPTERS)


#: Tests of the sklearn module that build a halving search; the others only
#: exercise sklearn's private helpers (_SubsampleMetaSplitter, _top_k).
ADAPTER_TESTS = sorted(
    name
    for name, obj in vars(_module).items()
    if name.startswith("test_") and inspect.isfunction(obj) and _uses_adapter(obj)
)

globals().update({name: getattr(_module, name) for name in ADAPTER_TESTS})
