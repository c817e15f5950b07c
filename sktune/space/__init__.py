"""Search spaces: dimensions, conditional subspaces and conversion of user specs."""

from ._convert import as_dimension, as_search_space
from ._dimensions import Categorical, Dimension, Integer, Real
from ._space import SearchSpace

__all__ = [
    "Categorical",
    "Dimension",
    "Integer",
    "Real",
    "SearchSpace",
    "as_dimension",
    "as_search_space",
]
