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

import importlib.util
import inspect
import sys
from unittest import mock

import pytest
import sklearn.model_selection
from sklearn.experimental import enable_halving_search_cv  # noqa: F401

from ._halving_adapter import (
    HyperbandHalvingGridSearchCV,
    HyperbandHalvingRandomSearchCV,
)

MODULE_NAME = "sktune_tests_sklearn_test_successive_halving"
ADAPTERS = {
    "HalvingRandomSearchCV": HyperbandHalvingRandomSearchCV,
    "HalvingGridSearchCV": HyperbandHalvingGridSearchCV,
}


def _load_sklearn_tests():
    spec = importlib.util.find_spec(
        "sklearn.model_selection.tests.test_successive_halving"
    )
    if spec is None or spec.origin is None:
        return None
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    spec = importlib.util.spec_from_file_location(MODULE_NAME, spec.origin)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.multiple(sklearn.model_selection, **ADAPTERS):
        sys.modules[MODULE_NAME] = module
        try:
            spec.loader.exec_module(module)
        except ImportError as exc:  # e.g. helpers of a newer or older sklearn
            del sys.modules[MODULE_NAME]
            pytest.skip(
                f"scikit-learn {sklearn.__version__}'s test_successive_halving.py "
                f"needs what is not installed: {exc}",
                allow_module_level=True,
            )
    for name, adapter in ADAPTERS.items():
        if getattr(module, name) is not adapter:  # pragma: no cover
            raise RuntimeError(f"{name} was not replaced by the adapter")
    return module


_module = _load_sklearn_tests()
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
