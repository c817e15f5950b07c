"""The small searches that the cluster-backend tests (Dask, Ray) run."""

from sklearn.linear_model import LogisticRegression, SGDClassifier

from sktune import BayesianSearchCV, HyperbandSearchCV
from sktune.space import Real


def bayesian_search(**options):
    """A 6-candidate BayesianSearchCV over LogisticRegression's C, two workers."""
    return BayesianSearchCV(
        LogisticRegression(),
        {"C": Real(1e-3, 1e2, "log-uniform")},
        n_iter=6,
        n_initial_points=3,
        cv=2,
        n_jobs=2,
        random_state=0,
        **options,
    )


def hyperband_search(**options):
    """A three-bracket HyperbandSearchCV of SGDClassifier over max_iter <= 9,
    two workers (its promoted fold models continue: warm start)."""
    return HyperbandSearchCV(
        SGDClassifier(max_iter=9, tol=None, random_state=0),
        {"alpha": Real(1e-5, 1e-1, "log-uniform")},
        resource="max_iter",
        min_resource=1,
        eta=3,
        cv=2,
        n_jobs=2,
        random_state=0,
        **options,
    )
