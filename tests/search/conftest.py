import pytest

from ._doubles import ToyClassifier, ToyEstimator


@pytest.fixture(autouse=True)
def _fresh_fit_records(monkeypatch):
    """Every test starts with empty fit records on the doubles."""
    monkeypatch.setattr(ToyEstimator, "fits", [])
    monkeypatch.setattr(ToyClassifier, "fits", [])
