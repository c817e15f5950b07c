"""Small architectures and a small search space shared by the NAS tests."""

from sktune.space import Integer

# Tiny fully connected networks with a fixed learning rate and batch size: enough
# to search over, fast enough to train many times.
SMALL_SPACE = {
    "n_layers": Integer(1, 2),
    "width": Integer(8, 32),
    "lr": [2e-2],
    "batch_size": [16],
}

MLP = {
    "kind": "mlp",
    "ndim": 0,
    "input_shape": [5],
    "n_outputs": 3,
    "blocks": [
        {
            "width": 8,
            "activation": "relu",
            "norm": "batch",
            "dropout": 0.1,
            "skip": "none",
        },
        {
            "width": 8,
            "activation": "tanh",
            "norm": "none",
            "dropout": 0.0,
            "skip": "identity",
        },
    ],
}
CNN = {
    "kind": "cnn",
    "ndim": 2,
    "input_shape": [1, 8, 8],
    "n_outputs": 4,
    "blocks": [
        {
            "filters": 6,
            "kernel_size": 3,
            "activation": "relu",
            "norm": "batch",
            "pool": "max",
            "skip": "projection",
        },
        {
            "filters": 6,
            "kernel_size": 5,
            "activation": "gelu",
            "norm": "none",
            "pool": "avg",
            "skip": "identity",
        },
    ],
    "head": {"pool": "flatten", "dropout": 0.2},
}
CONV1D = {
    "kind": "cnn",
    "ndim": 1,
    "input_shape": [2, 20],
    "n_outputs": 2,
    "blocks": [
        {
            "filters": 4,
            "kernel_size": 7,
            "activation": "silu",
            "norm": "batch",
            "pool": "max",
            "skip": "none",
        },
    ],
    "head": {"pool": "avg", "dropout": 0.0},
}
