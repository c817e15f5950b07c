"""Run scikit-learn's search tests against sktune (see ``test_sklearn_search.py``
and ``test_sklearn_halving.py``).

Collection keeps, of each parametrized ``test_search.py`` test, only the cases
that run the adapter (cases parametrized with ``GridSearchCV`` or a Halving
search test scikit-learn, not sktune), and marks the tests in
``NOT_APPLICABLE``. In ``test_successive_halving.py`` every halving search is
an adapter; its tests in ``HALVING_NOT_APPLICABLE`` are marked (strict xfail).
"""

import inspect

import pytest
from sklearn.model_selection._search import BaseSearchCV

MODULE = "test_sklearn_search.py"
HALVING_MODULE = "test_sklearn_halving.py"


def pytest_configure(config):
    # A marker of scikit-learn's own conftest, used by its search tests.
    config.addinivalue_line(
        "markers", "thread_unsafe: scikit-learn test that must not run in threads"
    )


def _is_other_search(value):
    from ._adapter import BayesianRandomizedSearchCV

    if inspect.isclass(value):
        return issubclass(value, BaseSearchCV) and not issubclass(
            value, BayesianRandomizedSearchCV
        )
    return isinstance(value, BaseSearchCV) and not isinstance(
        value, BayesianRandomizedSearchCV
    )


def pytest_collection_modifyitems(config, items):
    from .not_applicable import HALVING_NOT_APPLICABLE, NOT_APPLICABLE, ORDER_DEPENDENT

    kept, deselected = [], []
    for item in items:
        if (
            item.path.name == HALVING_MODULE
            and item.path.parent.name == "sklearn_conformance"
        ):
            reason = HALVING_NOT_APPLICABLE.get(
                item.name, HALVING_NOT_APPLICABLE.get(item.originalname)
            )
            if reason is not None:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
            kept.append(item)
            continue
        if item.path.name != MODULE or item.path.parent.name != "sklearn_conformance":
            kept.append(item)
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and any(
            _is_other_search(v) for v in callspec.params.values()
        ):
            deselected.append(item)
            continue
        reason = NOT_APPLICABLE.get(item.name, NOT_APPLICABLE.get(item.originalname))
        if reason is not None:
            strict = item.originalname not in ORDER_DEPENDENT
            item.add_marker(pytest.mark.xfail(reason=reason, strict=strict))
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
