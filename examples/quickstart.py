"""
Quickstart: BayesianSearchCV next to RandomizedSearchCV
=======================================================

Tune a PCA + RBF support vector machine pipeline on scikit-learn's handwritten
digits (three hyperparameters: the number of components, C and gamma) with the same
budget of 30 candidates, once with ``RandomizedSearchCV`` and once with
``sktune.BayesianSearchCV`` (the only change is the import and the class name),
then compare the best cross-validated accuracy and the held-out accuracy.
"""

# %%
import time

from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sktune import BayesianSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
model = make_pipeline(StandardScaler(), PCA(random_state=0), SVC())
space = {
    "pca__n_components": randint(2, 64),
    "svc__C": loguniform(1e-3, 1e6),
    "svc__gamma": loguniform(1e-8, 1e2),
}
common = dict(n_iter=30, cv=3, n_jobs=2, random_state=0)

# %%
# Both searches take the same arguments; sktune's shows a progress bar.
rows = []
for name, search in [
    ("RandomizedSearchCV", RandomizedSearchCV(model, space, **common)),
    ("BayesianSearchCV", BayesianSearchCV(model, space, progress_bar=True, **common)),
]:
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    scores = search.cv_results_["mean_test_score"]  # in evaluation order
    best_after = [max(scores[:n]) for n in (5, 10, 20)]
    rows.append(
        (name, *best_after, search.best_score_, search.score(X_test, y_test), seconds)
    )
    print(f"{name}: best {search.best_params_}")

# %%
print()
print("Best cross-validated accuracy after n trials, held-out accuracy, wall time:")
header = ["search", "n=5", "n=10", "n=20", "n=30", "test acc", "time"]
print(f"{header[0]:<20}" + "".join(f"{h:>9}" for h in header[1:]))
for name, *numbers, seconds in rows:
    print(f"{name:<20}" + "".join(f"{v:>9.4f}" for v in numbers) + f"{seconds:>8.1f}s")
