"""Load a test module installed with scikit-learn with some of its classes swapped."""

import importlib.util
import sys
from unittest import mock

import pytest
import sklearn.model_selection


def load_sklearn_tests(test_module, module_name, adapters):
    """Execute sklearn's ``test_module`` while ``adapters`` replace its classes.

    The module runs under the private name ``module_name`` with
    ``sklearn.model_selection.<name>`` patched to each adapter, so every search
    it builds (in test bodies and in parametrizations) is the adapter.

    Parameters
    ----------
    test_module : str
        Dotted name, e.g. ``"sklearn.model_selection.tests.test_search"``.
    module_name : str
        Name to register the loaded copy under in ``sys.modules``.
    adapters : dict of str to type
        ``sklearn.model_selection`` names and the classes that replace them.

    Returns
    -------
    module : module or None
        None when scikit-learn was installed without its tests; skips the calling
        test module when the file needs helpers that are not installed.
    """
    spec = importlib.util.find_spec(test_module)
    if spec is None or spec.origin is None:
        return None
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, spec.origin)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.multiple(sklearn.model_selection, **adapters):
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except ImportError as exc:  # e.g. helpers of a newer or older sklearn
            del sys.modules[module_name]
            pytest.skip(
                f"scikit-learn {sklearn.__version__}'s {test_module} needs what is "
                f"not installed: {exc}",
                allow_module_level=True,
            )
    for name, adapter in adapters.items():
        if getattr(module, name) is not adapter:  # pragma: no cover
            raise RuntimeError(f"{name} was not replaced by the adapter")
    return module
