"""Doctests of ``sktune.nas`` need its optional dependencies (``sktune[nas]``)."""

import importlib.util

collect_ignore = (
    []
    if importlib.util.find_spec("torch") and importlib.util.find_spec("skorch")
    else ["sktune/nas"]
)
