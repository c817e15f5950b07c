"""
Hyperband: tune gradient boosting by its number of iterations
=============================================================

Tune a ``HistGradientBoostingClassifier`` on scikit-learn's handwritten digits with
its number of boosting iterations (``max_iter``) as the resource: Hyperband gives
many configurations a few iterations and the most promising ones more, up to 27.
Promoted configurations continue their fold models (``warm_start``) instead of
starting again.

The same space goes to scikit-learn's ``HalvingRandomSearchCV`` (one bracket of
successive halving) for comparison. The table reports the best cross-validated
accuracy at full resource, the held-out accuracy of the refitted model, the
training compute (fit seconds summed over every fold fit) and the wall time.
"""

# %%
import time

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, train_test_split

from sktune import HyperbandSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
model = HistGradientBoostingClassifier(max_iter=27, early_stopping=False)
space = {
    "learning_rate": loguniform(1e-2, 1),
    "max_leaf_nodes": randint(4, 64),
    "min_samples_leaf": randint(2, 64),
}

# %%
# ``metadata`` shows the plan before anything is fitted: four brackets for
# max_iter from 1 to 27 with eta=3 (27, 12, 6 and 4 configurations).
hyperband = HyperbandSearchCV(
    model,
    space,
    resource="max_iter",
    min_resource=1,
    eta=3,
    cv=3,
    n_jobs=2,
    random_state=0,
    progress_bar=True,
)
for bracket in hyperband.metadata["brackets"]:
    print(bracket)

halving = HalvingRandomSearchCV(
    model,
    space,
    resource="max_iter",
    min_resources=1,
    max_resources=27,
    factor=3,
    cv=3,
    n_jobs=2,
    random_state=0,
)

# %%
rows = []
searches = [("HalvingRandomSearchCV", halving), ("HyperbandSearchCV", hyperband)]
for name, search in searches:
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    results = search.cv_results_
    resources = np.asarray(results["n_resources"])
    full = resources == resources.max()
    best_full = np.max(np.asarray(results["mean_test_score"])[full])
    compute = np.sum(np.asarray(results["mean_fit_time"]) * search.n_splits_)
    test = search.score(X_test, y_test)
    rows.append((name, best_full, test, compute, seconds))
    print(f"{name}: best {search.best_params_}")

# %%
print()
print("Best CV accuracy at max_iter=27, held-out accuracy, fit compute, wall time:")
print(f"{'search':<24}{'CV acc':>9}{'test acc':>10}{'compute':>10}{'wall':>8}")
for name, cv_acc, test, compute, seconds in rows:
    print(f"{name:<24}{cv_acc:>9.4f}{test:>10.4f}{compute:>9.1f}s{seconds:>7.1f}s")
