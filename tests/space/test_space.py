import math

import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from sktune.space import (
    Categorical,
    Integer,
    Real,
    SearchSpace,
    as_dimension,
    as_search_space,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# -- dimensions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "dim",
    [
        Real(-3.0, 5.0),
        Real(1e-4, 1e2, prior="log-uniform"),
        Real(prior=stats.norm(2.0, 3.0)),
    ],
)
def test_real_encode_decode_round_trip(dim, rng):
    values = dim.sample(200, rng)
    assert all(dim.contains(v) for v in values)
    decoded = dim.decode(dim.encode(values))
    np.testing.assert_allclose(decoded, values, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "dim",
    [
        Integer(-2, 7),
        Integer(1, 1000, prior="log-uniform"),
        Integer(prior=stats.poisson(4.0)),
    ],
)
def test_integer_encode_decode_is_exact(dim, rng):
    values = dim.sample(300, rng)
    assert all(isinstance(v, int) for v in values)
    assert all(dim.contains(v) for v in values)
    assert dim.decode(dim.encode(values)) == values


def test_uniform_integer_gives_every_value_an_equal_share(rng):
    values = np.array(Integer(1, 4).sample(40_000, rng))
    counts = np.bincount(values)[1:]
    assert counts.size == 4
    np.testing.assert_allclose(counts / counts.sum(), 0.25, atol=0.01)


def test_log_uniform_real_is_uniform_in_log_space(rng):
    values = np.array(Real(1e-3, 1e3, prior="log-uniform").sample(20_000, rng))
    assert stats.kstest(np.log10(values), stats.uniform(-3, 6).cdf).pvalue > 1e-3


def test_scipy_prior_reproduces_the_distribution(rng):
    dist = stats.gamma(2.0, scale=1.5)
    values = Real(prior=dist).sample(5_000, rng)
    assert stats.kstest(values, dist.cdf).pvalue > 1e-3


def test_categorical_keeps_odd_choices():
    estimator = SVC()
    dim = Categorical([(16,), (16, 16), None, estimator, "rbf"])
    values = [(16, 16), None, estimator, "rbf", (16,)]
    decoded = dim.decode(dim.encode(values))
    assert decoded[0] == (16, 16)
    assert decoded[1] is None
    assert decoded[2] is estimator
    assert dim.encode([None]).tolist() == [[0, 0, 1, 0, 0]]


def test_categorical_with_one_choice_takes_no_columns():
    dim = Categorical(["only"])
    assert dim.n_columns == 0
    assert dim.decode(np.empty((3, 0))) == ["only"] * 3


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: Real(1.0, 1.0), ValueError, "low must be smaller than high"),
        (lambda: Real(2.0, 1.0), ValueError, "low must be smaller than high"),
        (lambda: Real(0.0, 1.0, prior="log-uniform"), ValueError, "low > 0"),
        (lambda: Real(0.0, np.inf), ValueError, "high must be finite"),
        (lambda: Real("a", 1.0), TypeError, "low must be a real number"),
        (lambda: Real(0.0, 1.0, prior="normal"), ValueError, "prior must be one of"),
        (lambda: Integer(1.5, 3), TypeError, "low must be an integer"),
        (lambda: Integer(0, 10, prior="log-uniform"), ValueError, "low > 0"),
        (lambda: Categorical([]), ValueError, "must not be empty"),
        (lambda: Categorical("abc"), TypeError, "list of values"),
    ],
)
def test_invalid_dimensions_fail_with_a_clear_message(make, error, match):
    with pytest.raises(error, match=match):
        make()


# -- conversion of user specs ---------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        (stats.uniform(2, 3), Real(2.0, 5.0)),
        (stats.loguniform(1e-3, 1e2), Real(1e-3, 1e2, prior="log-uniform")),
        (stats.randint(1, 10), Integer(1, 9)),
        ((1, 5), Integer(1, 5)),
        ((0.1, 5), Real(0.1, 5.0)),
        ((1e-3, 1.0, "log-uniform"), Real(1e-3, 1.0, prior="log-uniform")),
        ([1, 2, 3], Categorical([1, 2, 3])),
        (np.array([0.1, 0.2]), Categorical([0.1, 0.2])),
        (("a", "b", "c"), Categorical(["a", "b", "c"])),
    ],
)
def test_user_specs_convert(spec, expected):
    assert as_dimension(spec) == expected


def test_other_scipy_distributions_keep_their_shape():
    dim = as_dimension(stats.norm(0, 1))
    assert isinstance(dim, Real) and dim.low == -math.inf
    assert isinstance(as_dimension(stats.geom(0.3)), Integer)


def test_unfrozen_scipy_distributions_are_frozen_with_their_defaults(rng):
    # RandomizedSearchCV samples {"a": scipy.stats.norm}; so must we.
    dim = as_dimension(stats.norm, "a")
    assert isinstance(dim, Real) and dim.low == -math.inf
    values = np.array(SearchSpace([{"a": dim}]).sample(2000, rng), dtype=object)
    values = np.array([v["a"] for v in values], dtype=float)
    assert abs(values.mean()) < 0.1 and abs(values.std() - 1) < 0.1
    assert isinstance(as_dimension(stats.expon), Real)


@pytest.mark.parametrize("family, shapes", [(stats.gamma, "a"), (stats.randint, "low")])
def test_unfrozen_scipy_distribution_with_shapes_is_refused(family, shapes):
    with pytest.raises(TypeError, match=rf"'lr'.*needs its shape parameters.*{shapes}"):
        as_dimension(family, "lr")


def test_skopt_dimensions_convert():
    skopt_space = pytest.importorskip("skopt.space")
    assert as_dimension(skopt_space.Real(1e-3, 1.0, prior="log-uniform")) == Real(
        1e-3, 1.0, prior="log-uniform"
    )
    assert as_dimension(skopt_space.Integer(1, 9)) == Integer(1, 9)
    assert as_dimension(skopt_space.Categorical(["a", "b"])) == Categorical(["a", "b"])


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ({"C": object()}, TypeError, "parameter 'C'.*Accepted"),
        ({"layers": (16, 16)}, ValueError, r"parameter 'layers'.*use a list"),
        ({"C": (1.0, 0.0)}, ValueError, "parameter 'C'.*low must be smaller"),
        ({"C": (0.0, 1.0, "log-uniform")}, ValueError, "parameter 'C'.*low > 0"),
        ({"C": []}, ValueError, "parameter 'C'.*must not be empty"),
        ({}, ValueError, "must not be empty"),
        ([], ValueError, "must not be an empty list"),
        ("C", TypeError, "dict of parameter ranges"),
        ([{"C": [1]}, 3], TypeError, r"search_spaces\[1\] must be a dict"),
    ],
)
def test_invalid_spaces_name_the_entry(spec, error, match):
    with pytest.raises(error, match=match):
        as_search_space(spec)


def test_check_names_lists_the_valid_ones():
    space = as_search_space({"C": [1.0], "gama": [0.1]})
    with pytest.raises(ValueError, match=r"\['gama'\] for SVC.*did you mean 'gamma'"):
        space.check_names(SVC().get_params(), owner="SVC")
    with pytest.raises(ValueError, match=r"Valid parameters are: \['C', 'break_ties'"):
        space.check_names(SVC().get_params(), owner="SVC")
    as_search_space({"C": [1.0], "gamma": [0.1]}).check_names(SVC().get_params())


# -- SearchSpace -----------------------------------------------------------------


@pytest.fixture
def conditional_space():
    return as_search_space(
        [
            {"kernel": ["linear"], "C": Real(1e-3, 1e3, prior="log-uniform")},
            {
                "kernel": ["rbf"],
                "C": Real(1e-3, 1e3, prior="log-uniform"),
                "gamma": Real(1e-4, 1.0, prior="log-uniform"),
                "degree": Integer(1, 4),
                "shape": [(8,), (8, 8)],
            },
        ]
    )


def test_subspaces_share_columns_of_equal_parameters(conditional_space):
    # 2 subspace flags + C (shared) + gamma + degree + 2 one-hot columns for shape.
    assert conditional_space.n_columns == 2 + 1 + 1 + 1 + 2
    assert conditional_space.names == ["kernel", "C", "gamma", "degree", "shape"]


def test_conditional_sampling_and_round_trip(conditional_space, rng):
    configs = conditional_space.sample(100, rng)
    kinds = {c["kernel"] for c in configs}
    assert kinds == {"linear", "rbf"}
    for config in configs:
        expected = (
            {"kernel", "C"}
            if config["kernel"] == "linear"
            else set(conditional_space.subspaces[1])
        )
        assert set(config) == expected
    decoded = conditional_space.decode(conditional_space.encode(configs))
    for a, b in zip(configs, decoded, strict=True):
        assert a.keys() == b.keys()
        assert a["C"] == pytest.approx(b["C"], rel=1e-9)
        assert a.get("shape") == b.get("shape")
        assert a.get("degree") == b.get("degree")


def test_sobol_design_is_repeatable_and_spread(rng):
    space = as_search_space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)})
    first = space.sobol(16, np.random.default_rng(3))
    again = space.sobol(16, np.random.default_rng(3))
    assert first == again
    points = np.array([[c["a"], c["b"]] for c in first])
    # A scrambled Sobol set of 16 points puts one point in each 4 x 4 cell.
    cells = {(int(x * 4), int(y * 4)) for x, y in points}
    assert len(cells) == 16
    assert len(space.sobol(7, rng)) == 7


def test_size_counts_discrete_configurations(conditional_space):
    assert conditional_space.size == math.inf
    space = as_search_space([{"a": [1, 2, 3], "b": Integer(1, 4)}, {"a": ["x"]}])
    assert space.size == 3 * 4 + 1


def test_neighbours_move_one_discrete_value():
    space = as_search_space({"k": Integer(1, 5), "c": ["a", "b", "c"], "x": (0.0, 1.0)})
    config = {"k": 1, "c": "b", "x": 0.5}
    neighbours = space.neighbours(config)
    assert {"k": 2, "c": "b", "x": 0.5} in neighbours
    assert {"k": 1, "c": "a", "x": 0.5} in neighbours
    assert {"k": 1, "c": "c", "x": 0.5} in neighbours
    assert len(neighbours) == 3


@pytest.fixture
def mixed_space():
    return as_search_space(
        [
            {"a": Real(-5.0, 10.0), "k": Integer(1, 4), "c": ["x", "y", "z"]},
            {
                "a": Real(-5.0, 10.0),
                "s": Real(prior=stats.norm(2.0, 3.0)),
                "n": Integer(1, 100, prior="log-uniform"),
                "fixed": ["only"],
            },
        ]
    )


@pytest.mark.parametrize("n", [0, 1, 200])
def test_sample_encoded_is_the_encoding_of_sample(mixed_space, conditional_space, n):
    for space in (mixed_space, conditional_space):
        expected = space.encode(space.sample(n, np.random.default_rng(5)))
        X = space.sample_encoded(n, np.random.default_rng(5))
        np.testing.assert_array_equal(X, expected)


def test_encoded_neighbours_are_the_encoded_neighbours(mixed_space, rng):
    configs = mixed_space.sample(60, rng)
    configs += [{"a": 0.0, "k": 1, "c": "z"}, {"a": 0.0, "k": 4, "c": "x"}]
    X = mixed_space.encode(configs)
    neighbours, owner = mixed_space.encoded_neighbours(X)
    assert np.all(np.diff(owner) >= 0)
    for i, config in enumerate(configs):
        expected = mixed_space.neighbours(config)
        got = neighbours[owner == i]
        if expected:
            np.testing.assert_array_equal(got, mixed_space.encode(expected))
        else:
            assert len(got) == 0
    continuous = as_search_space({"x": Real(0.0, 1.0)})
    neighbours, owner = continuous.encoded_neighbours(continuous.encode(configs[:0]))
    assert neighbours.shape == (0, 1) and owner.shape == (0,)


def test_configuration_outside_the_space_is_rejected():
    space = SearchSpace([{"C": Real(0.0, 1.0)}])
    with pytest.raises(ValueError, match="lies in no subspace"):
        space.encode([{"C": 2.0}])
    with pytest.raises(ValueError, match="lies in no subspace"):
        space.encode([{"C": 0.5, "extra": 1}])


def test_estimators_as_choices_survive_encoding():
    estimators = [LogisticRegression(), SVC()]
    space = as_search_space({"clf": estimators})
    configs = space.sample(10, np.random.default_rng(0))
    assert all(any(c["clf"] is e for e in estimators) for c in configs)
    assert space.decode(space.encode(configs)) == configs


def _skopt_like(kind, **attributes):
    """A stand-in with the module and attributes of a ``skopt.space`` dimension."""
    cls = type(kind, (), {"__module__": "skopt.space.space"})
    obj = cls()
    obj.__dict__.update(attributes)
    return obj


def test_skopt_like_objects_convert_without_skopt():
    real = _skopt_like("Real", low=1e-3, high=1.0, prior="log-uniform")
    assert as_dimension(real) == Real(1e-3, 1.0, prior="log-uniform")
    assert as_dimension(_skopt_like("Integer", low=2, high=9, prior="uniform")) == (
        Integer(2, 9)
    )
    assert as_dimension(_skopt_like("Categorical", categories=("a", "b"))) == (
        Categorical(["a", "b"])
    )
