"""Checkpoints: keep what a search has evaluated on disk, and resume from it.

After every batch a search writes its results so far to the checkpoint file
(atomically: a temporary file, then a rename), so a search whose process dies
loses at most the batch that was running. Fitting the same search again with the
same ``checkpoint`` path resumes: the optimizer is told every stored result, only
the remaining budget is spent, and the stored candidates are merged back into
``cv_results_`` without being fitted again. The searches store their
``cv_results_``; :mod:`sktune.nas` stores its trial records.
"""

import os
import tempfile

import joblib
import numpy as np
from scipy.stats import rankdata

_FORMAT = 2


def search_signature(search, space, data):
    """What must not change between a checkpointed search and its resumption:
    the search, its estimator, space, scoring and CV, and the ``data`` it is fit
    on (``(X, y, split_params)``, by its ``joblib.hash``)."""
    return {
        "search": type(search).__name__,
        "estimator": repr(search.estimator),
        "space": repr(space),
        "scoring": repr(search.scoring),
        "n_splits": search.n_splits_,
        "return_train_score": search.return_train_score,
        "data": joblib.hash(data),
    }


def load_checkpoint(path, signature):
    """The results stored at ``path``, or None when there is no file.

    Raises
    ------
    ValueError
        When the file was written by a different search (another estimator,
        space, scoring or CV), which would mix incomparable scores.
    """
    if path is None or not os.path.exists(path):
        return None
    state = joblib.load(path)
    if state.get("format") != _FORMAT or state.get("signature") != signature:
        changed = sorted(
            key
            for key in signature
            if state.get("signature", {}).get(key) != signature[key]
        )
        raise ValueError(
            f"checkpoint {str(path)!r} was written by a different search (it differs "
            f"in {changed or 'its format'}). Delete the file or pass another "
            "checkpoint path to start afresh."
        )
    return state["results"]


def save_checkpoint(path, signature, results):
    """Write ``results`` (any picklable object) to ``path`` atomically."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".sktune-checkpoint-")
    os.close(handle)
    try:
        joblib.dump(
            {"format": _FORMAT, "signature": signature, "results": results}, tmp
        )
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _take(value, rows):
    if isinstance(value, list):
        return [value[i] for i in rows]
    return value[rows]


def _concat(old, new):
    if isinstance(old, list) or isinstance(new, list):
        return list(old) + list(new)
    if isinstance(old, np.ma.MaskedArray) or isinstance(new, np.ma.MaskedArray):
        joined = np.ma.concatenate([old, new])
        if old.dtype == object or new.dtype == object:
            joined = joined.astype(object)
        return joined
    return np.concatenate([old, new])


def _row_keys(results, key_columns):
    columns = [results["params"]]
    columns += [np.asarray(results[c]).tolist() for c in key_columns]
    return [repr(row) for row in zip(*columns, strict=True)]


def merge_cv_results(stored, new, key_columns=()):
    """``stored`` rows that ``new`` does not evaluate again, then ``new``, ranked.

    A row is identified by its ``params`` and its values in ``key_columns``
    (``("bracket", "rung")`` where a configuration is evaluated at several
    rungs). Ranks follow sklearn's rule: failed candidates (NaN means) tie for
    last.
    """
    redone = set(_row_keys(new, key_columns))
    keep = [
        i for i, key in enumerate(_row_keys(stored, key_columns)) if key not in redone
    ]
    merged = {}
    for key in new:
        if key.startswith("rank_"):
            continue
        if key in stored:
            merged[key] = _concat(_take(stored[key], keep), new[key])
        elif key.startswith("param_"):
            filler = np.ma.masked_all(len(keep), dtype=object)
            merged[key] = _concat(filler, new[key])
        else:
            merged[key] = _concat(np.full(len(keep), np.nan), np.asarray(new[key]))
    n_new = len(new["params"])
    for key in stored:
        if key.startswith("param_") and key not in new:
            filler = np.ma.masked_all(n_new, dtype=object)
            merged[key] = _concat(_take(stored[key], keep), filler)
    for key in new:
        if key.startswith("rank_"):
            means = np.asarray(merged["mean_" + key[len("rank_") :]], dtype=float)
            if np.isnan(means).all():
                merged[key] = np.ones(len(means), dtype=np.int32)
            else:
                filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
                merged[key] = rankdata(-filled, method="min").astype(np.int32)
    return merged
