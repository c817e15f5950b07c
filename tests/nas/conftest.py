import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")


@pytest.fixture
def blobs():
    """A tiny, easy 3-class problem with string labels."""
    rng = np.random.default_rng(0)
    centers = np.array(
        [[0.0, 0.0, 0.0, 0.0], [4.0, 4.0, 0.0, 0.0], [0.0, 4.0, 4.0, 4.0]]
    )
    y = np.repeat([0, 1, 2], 30)
    X = centers[y] + rng.normal(size=(90, 4))
    return X, np.array(["ant", "bee", "cat"])[y]


@pytest.fixture
def images():
    """Tiny 6x6 images: the class is where a bright square sits."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    X = rng.normal(scale=0.3, size=(60, 6, 6))
    X[y == 0, :3, :3] += 2.0
    X[y == 1, 3:, 3:] += 2.0
    return X, y
