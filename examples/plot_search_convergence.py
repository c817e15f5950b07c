"""
=====================================================
Plotting searches: convergence, evaluations, brackets
=====================================================

:mod:`sktune.plot` draws fitted searches from their ``cv_results_``. Here an SVC
on scikit-learn's handwritten digits is tuned by :class:`sktune.BayesianSearchCV`
and by scikit-learn's ``RandomizedSearchCV`` with the same budget, then by
:class:`sktune.HyperbandSearchCV` on growing training subsets. The displays
compare how fast the two searches found good candidates, where along each
parameter the good scores lie, and how Hyperband's brackets promoted
configurations.
"""

# %%
# Two searches, one budget
# ------------------------
# The same space, the same folds and 20 candidates each. ``C`` and ``gamma``
# span several decades: both are searched on a log scale.
import time

import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.svm import SVC

from sktune import BayesianSearchCV, HyperbandSearchCV
from sktune.plot import (
    BracketsDisplay,
    ConvergenceDisplay,
    EvaluationsDisplay,
    ObjectiveDisplay,
)

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]
space = {
    "C": loguniform(1e-2, 1e3),
    "gamma": loguniform(1e-4, 1e1),
    "kernel": ["rbf", "sigmoid"],
}
cv = StratifiedKFold(3, shuffle=True, random_state=0)
start = time.perf_counter()
bayes = BayesianSearchCV(SVC(), space, n_iter=20, cv=cv, random_state=0)
randomized = RandomizedSearchCV(SVC(), space, n_iter=20, cv=cv, random_state=0)
for name, search in [("Bayesian", bayes), ("random", randomized)]:
    search.fit(X, y)
    print(f"{name}: best accuracy {search.best_score_:.4f}")

# %%
# Convergence
# -----------
# The best cross-validated accuracy found so far, after each evaluation, with
# every candidate's own score as a point. Any fitted scikit-learn search can be
# drawn, alone or beside others.
ConvergenceDisplay.from_search([bayes, randomized], labels=["Bayesian", "random"])

# %%
# Evaluations
# -----------
# One panel per parameter: every candidate of the Bayesian search, coloured by
# when it ran. The log axes come from the space's log-uniform priors; the kernel
# is categorical, drawn at integer positions.
EvaluationsDisplay.from_search(bayes)

# %%
# Objective: partial dependence
# -----------------------------
# A Gaussian process fitted to the Bayesian search's scores (the display's own
# model, not the search's), averaged over random configurations with one
# parameter fixed (diagonal) or two (below it). The rug and the dots are the
# evaluated candidates, the dashed line and the star the best one: where they
# are sparse, the surface is the model's guess.
ObjectiveDisplay.from_search(bayes, random_state=0)

# %%
# Hyperband brackets
# ------------------
# Hyperband cross-validates many configurations on small training subsets and
# the best third of each rung on three times more data. Each line follows one
# configuration through the rungs it reached, coloured by bracket.
hyperband = HyperbandSearchCV(SVC(), space, cv=cv, random_state=0).fit(X, y)
BracketsDisplay.from_search(hyperband)

# %%
# Only the rows at the full resource compare with each other, so the
# convergence of a Hyperband search counts those alone. Against the seconds
# spent fitting and scoring (summed over folds), searches of every kind share
# one x axis: Hyperband's cheap rungs come before its first full-resource row.
ConvergenceDisplay.from_search(
    [hyperband, randomized], labels=["Hyperband", "random"], x="fit_time"
)
print(f"all searches took {time.perf_counter() - start:.1f} s")
plt.show()
