"""
=========================================================
Neural architecture search on digits, as an sklearn model
=========================================================

:class:`sktune.nas.NASClassifier` searches small convolutional networks for the
8x8 digits images, trains each candidate through skorch, and is then used like
any scikit-learn classifier. The search keeps a Pareto front of accuracy against
parameter count, and the best network can be saved and rebuilt without sktune's
estimator.
"""

# %%
# Search
# ------
# ``input_shape=(8, 8)`` reads each flat row of 64 pixels as an image, so the
# search uses 2-D convolutions. The time budget is checked after every batch.
import tempfile

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sktune.nas import NASClassifier, load, save
from sktune.plot import ParetoFrontDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
clf = NASClassifier(
    input_shape=(8, 8),
    strategy="morphism",
    max_trials=12,
    max_epochs=10,
    time_budget=20,
    random_state=0,
)
clf.fit(X_train, y_train)
print(f"test accuracy {clf.score(X_test, y_test):.3f} after {clf.n_trials_} trials")
print(clf.best_architecture_["blocks"])

# %%
# Accuracy against size
# ---------------------
# Every trial, and the trials no other beats on both validation accuracy and
# parameter count, drawn by :class:`sktune.plot.ParetoFrontDisplay`.
ParetoFrontDisplay.from_estimator(clf)

# %%
# Export
# ------
# The architecture is a plain dict (JSON), the weights a state dict; together they
# rebuild the network, which includes its input standardization.
with tempfile.TemporaryDirectory() as directory:
    save(clf, directory)
    module = load(directory)
x = torch.as_tensor(X_test.reshape(-1, 1, 8, 8), dtype=torch.float32)
agree = (module(x).argmax(1).numpy() == clf.predict(X_test)).mean()
print(f"rebuilt network agrees with the estimator on {agree:.0%} of the test set")
