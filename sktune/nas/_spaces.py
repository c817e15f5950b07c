"""Default architecture spaces and the mapping from a configuration to an architecture.

A *configuration* is a flat dict of searched values, one point of a
:class:`sktune.space.SearchSpace` (``{"n_layers": 2, "width": 64, "lr": 1e-3,
...}``). :func:`config_to_architecture` turns it into the structural architecture
dict the builder reads, with the training hyperparameters under ``"training"``.
"""

from sktune.space import Categorical, Integer, Real, as_search_space

INPUT_KINDS = ("auto", "tabular", "image", "sequence")

_TRAINING_DEFAULTS = {
    "lr": 1e-3,
    "weight_decay": 0.0,
    "batch_size": 64,
    "optimizer": "adam",
}
_DEFAULTS = {
    "tabular": {
        "n_layers": 2,
        "width": 64,
        "activation": "relu",
        "dropout": 0.0,
        "norm": "none",
        "residual": False,
        **_TRAINING_DEFAULTS,
    },
    "conv": {
        "n_stages": 2,
        "filters": 16,
        "growth": 2,
        "kernel_size": 3,
        "activation": "relu",
        "pool": "max",
        "norm": "batch",
        "residual": False,
        "head": "avg",
        "dropout": 0.0,
        **_TRAINING_DEFAULTS,
    },
}


def _training_space():
    return {
        "lr": Real(1e-4, 3e-2, prior="log-uniform"),
        "weight_decay": Real(1e-6, 1e-2, prior="log-uniform"),
        "batch_size": Categorical([32, 64, 128]),
        "optimizer": Categorical(["adam", "adamw", "sgd"]),
    }


def default_space(input_kind):
    """The default architecture space for an input kind.

    Parameters
    ----------
    input_kind : {"tabular", "image", "sequence"}
        Tabular data gets stacked fully connected blocks; images 2-D convolution
        stages; sequences 1-D convolution stages.

    Returns
    -------
    space : dict of str -> Dimension
        Architecture and training dimensions searched jointly.

    Examples
    --------
    >>> from sktune.nas import default_space
    >>> sorted(default_space("tabular"))[:4]
    ['activation', 'batch_size', 'dropout', 'lr']
    """
    if input_kind == "tabular":
        space = {
            "n_layers": Integer(1, 4),
            "width": Integer(16, 512, prior="log-uniform"),
            "activation": Categorical(["relu", "gelu", "tanh", "silu"]),
            "dropout": Real(0.0, 0.5),
            "norm": Categorical(["none", "batch"]),
            "residual": Categorical([False, True]),
        }
    elif input_kind in ("image", "sequence"):
        space = {
            "n_stages": Integer(1, 3),
            "filters": Integer(8, 64, prior="log-uniform"),
            "growth": Categorical([1, 2]),
            "kernel_size": Categorical([3, 5] if input_kind == "image" else [3, 5, 7]),
            "activation": Categorical(["relu", "gelu", "silu"]),
            "pool": Categorical(["max", "avg", "none"]),
            "norm": Categorical(["none", "batch"]),
            "residual": Categorical([False, True]),
            "head": Categorical(["avg", "flatten"]),
            "dropout": Real(0.0, 0.5),
        }
    else:
        raise ValueError(
            "input_kind must be one of ['tabular', 'image', 'sequence']. "
            f"Got {input_kind!r} instead."
        )
    space.update(_training_space())
    return space


def resolve_space(space, input_kind):
    """The ``SearchSpace`` to search, with every unnamed value fixed to its default.

    Parameters
    ----------
    space : dict, list of dict or None
        A user space (anything :func:`sktune.space.as_search_space` accepts) or
        None for :func:`default_space`.
    input_kind : {"tabular", "image", "sequence"}

    Returns
    -------
    search_space : SearchSpace
    defaults : dict
        Values used for parameters the space does not name.
    """
    defaults = dict(_DEFAULTS["tabular" if input_kind == "tabular" else "conv"])
    search_space = as_search_space(
        default_space(input_kind) if space is None else space
    )
    unknown = [name for name in search_space.names if name not in defaults]
    if unknown:
        other = "conv" if input_kind == "tabular" else "tabular"
        hint = ""
        if set(unknown) <= set(_DEFAULTS[other]):  # a space for the other family
            hint = (
                " These name a convolutional space: pass X of shape (n, H, W) or "
                "(n, C, H, W), input_shape=(H, W), or input_kind='sequence'."
                if other == "conv"
                else " These name a fully connected space: pass 2-D X with "
                "input_kind='tabular'."
            )
        raise ValueError(
            f"Invalid parameter(s) {unknown} in space for {input_kind} data. Valid "
            f"parameters are: {sorted(defaults)}.{hint}"
        )
    return search_space, defaults


def config_to_architecture(config, defaults, input_kind, input_shape, n_outputs):
    """The architecture dict of a configuration.

    Parameters
    ----------
    config : dict
        Searched values; missing ones are taken from ``defaults``.
    defaults : dict
        As returned by :func:`resolve_space`.
    input_kind : {"tabular", "image", "sequence"}
    input_shape : sequence of int
        Shape of one sample, channels first for images and sequences.
    n_outputs : int
        Number of classes, or of regression targets.

    Returns
    -------
    architecture : dict
        JSON-serializable; see :func:`sktune.nas.build_module`.
    """
    c = {**defaults, **config}
    training = {k: _plain(c[k]) for k in _TRAINING_DEFAULTS}
    if input_kind == "tabular":
        blocks, width = [], int(input_shape[0])
        for _ in range(int(c["n_layers"])):
            out = int(c["width"])
            blocks.append(
                {
                    "width": out,
                    "activation": c["activation"],
                    "norm": c["norm"],
                    "dropout": float(c["dropout"]),
                    "skip": _skip(c["residual"], width, out),
                }
            )
            width = out
        return {
            "kind": "mlp",
            "ndim": 0,
            "input_shape": [int(s) for s in input_shape],
            "n_outputs": int(n_outputs),
            "blocks": blocks,
            "training": training,
        }
    ndim = 2 if input_kind == "image" else 1
    blocks, width, spatial = [], int(input_shape[0]), min(input_shape[1:])
    for i in range(int(c["n_stages"])):
        out = int(c["filters"]) * int(c["growth"]) ** i
        pool = c["pool"] if spatial >= 2 else "none"
        spatial = spatial // 2 if pool != "none" else spatial
        blocks.append(
            {
                "filters": out,
                "kernel_size": int(c["kernel_size"]),
                "activation": c["activation"],
                "norm": c["norm"],
                "pool": pool,
                "skip": _skip(c["residual"], width, out),
            }
        )
        width = out
    return {
        "kind": "cnn",
        "ndim": ndim,
        "input_shape": [int(s) for s in input_shape],
        "n_outputs": int(n_outputs),
        "blocks": blocks,
        "head": {"pool": c["head"], "dropout": float(c["dropout"])},
        "training": training,
    }


def _skip(residual, in_width, out_width):
    if not residual:
        return "none"
    return "identity" if in_width == out_width else "projection"


def _plain(value):
    """Python scalars for JSON (numpy integers and floats become int / float)."""
    if hasattr(value, "item"):
        return value.item()
    return value
