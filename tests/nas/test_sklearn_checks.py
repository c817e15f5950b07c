"""scikit-learn's estimator checks on tiny NAS instances.

No check is expected to fail: string labels, float32/float64 input, NaN
rejection, ``n_features_in_``, pickling and idempotent fits all pass.
"""

import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from sktune.nas import NASClassifier, NASRegressor  # noqa: E402

TINY = dict(
    max_trials=2,
    max_epochs=10,
    space={"n_layers": [1], "width": [16], "lr": [1e-2]},
    random_state=0,
)
# Two configurations for 5 epochs, the better one promoted to 10.
TINY_HYPERBAND = dict(
    TINY,
    max_trials=3,
    strategy="random",
    multi_fidelity="hyperband",
    min_epochs=5,
    eta=2,
)


@parametrize_with_checks(
    [
        NASClassifier(**TINY),
        NASRegressor(**TINY),
        NASClassifier(**TINY_HYPERBAND),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
