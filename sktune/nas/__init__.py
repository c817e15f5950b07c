"""Neural architecture search as scikit-learn estimators (needs ``sktune[nas]``).

``NASClassifier`` and ``NASRegressor`` search PyTorch network architectures,
train each candidate through skorch and behave as plain scikit-learn estimators.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without torch installed
    raise ImportError(
        f"sktune.nas needs PyTorch and skorch, which are not installed ({exc}). "
        'Install them with: pip install "sktune[nas]"'
    ) from exc

from ._builder import NASNetwork, build_module, count_params, load, save, to_torchscript
from ._estimators import NASClassifier, NASRegressor
from ._morphism import add_skip, deepen, widen
from ._spaces import config_to_architecture, default_space

__all__ = [
    "NASClassifier",
    "NASNetwork",
    "NASRegressor",
    "add_skip",
    "build_module",
    "config_to_architecture",
    "count_params",
    "deepen",
    "default_space",
    "load",
    "save",
    "to_torchscript",
    "widen",
]
