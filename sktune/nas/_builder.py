"""Architecture dict -> ``torch.nn.Module``, parameter counts and export.

An *architecture* is a plain, JSON-serializable dict::

    {
        "kind": "mlp" | "cnn",
        "ndim": 0 (mlp) | 1 (1-D convolutions) | 2 (2-D convolutions),
        "input_shape": [d] | [C, L] | [C, H, W],   # one sample
        "n_outputs": int,
        "blocks": [block, ...],
        "head": {"pool": "avg" | "flatten", "dropout": float},   # cnn only
        "training": {...},   # optional; ignored by the builder
    }

An MLP block is ``{"width", "activation", "norm", "dropout", "skip"}``; a
convolutional block is ``{"filters", "kernel_size", "activation", "norm", "pool",
"skip"}``. ``norm`` is ``"none"`` or ``"batch"``; ``skip`` is ``"none"``,
``"identity"`` (needs equal input and output width) or ``"projection"`` (a linear
map, a 1x1 convolution for convolutional blocks). A block computes
``pool(g * dropout(act(norm(layer(x)))) + skip(x))`` where ``g`` is 1, or a learnable
scalar starting at 0 when the block has ``"gate": true`` (blocks inserted by
``deepen`` morphisms).

Every network starts with a fixed standardization of its input and ends with a fixed
affine map of its output (identity for classifiers; the targets' mean and scale for
regressors); their statistics are buffers of the state dict, so a saved network is
self-contained.
"""

import copy
import json
import math
import os
import warnings

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "silu": nn.SiLU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}
_CONV = {1: nn.Conv1d, 2: nn.Conv2d}
_NORM = {0: nn.BatchNorm1d, 1: nn.BatchNorm1d, 2: nn.BatchNorm2d}
_POOL = {
    (1, "max"): nn.MaxPool1d,
    (1, "avg"): nn.AvgPool1d,
    (2, "max"): nn.MaxPool2d,
    (2, "avg"): nn.AvgPool2d,
}


class Standardize(nn.Module):
    """Subtract a fixed mean and divide by a fixed scale, both buffers."""

    def __init__(self, shape):
        super().__init__()
        self.register_buffer("mean", torch.zeros(shape))
        self.register_buffer("scale", torch.ones(shape))

    def forward(self, x):
        return (x - self.mean) / self.scale


class Block(nn.Module):
    """One MLP or convolutional block; see the module docstring."""

    def __init__(self, ndim, in_width, spec):
        super().__init__()
        out_width = spec["width"] if ndim == 0 else spec["filters"]
        if ndim == 0:
            self.layer = nn.Linear(in_width, out_width)
        else:
            k = spec["kernel_size"]
            self.layer = _CONV[ndim](in_width, out_width, k, padding=k // 2)
        self.norm = _NORM[ndim](out_width) if spec["norm"] == "batch" else nn.Identity()
        self.act = ACTIVATIONS[spec["activation"]]()
        self.dropout = nn.Dropout(spec.get("dropout", 0.0))
        skip = spec["skip"]
        self.has_skip = skip != "none"
        if skip == "projection":
            self.skip = (
                nn.Linear(in_width, out_width, bias=False)
                if ndim == 0
                else _CONV[ndim](in_width, out_width, 1, bias=False)
            )
        else:
            self.skip = nn.Identity()
        pool = spec.get("pool", "none")
        self.pool = _POOL[(ndim, pool)](2) if pool != "none" else nn.Identity()
        if spec.get("gate", False):
            # A learnable scale of the main path, zero at first (ReZero): the block
            # starts as its skip connection.
            self.gate = nn.Parameter(torch.zeros(1))
        else:
            self.register_buffer("gate", torch.ones(1), persistent=False)

    def forward(self, x):
        out = self.gate * self.dropout(self.act(self.norm(self.layer(x))))
        if self.has_skip:
            out = out + self.skip(x)
        return self.pool(out)


class NASNetwork(nn.Module):
    """The network described by an architecture dict.

    Parameters
    ----------
    architecture : dict
        See :func:`build_module`.

    Attributes
    ----------
    architecture : dict
        A deep copy of the architecture it was built from.
    """

    __jit_ignored_attributes__ = ["architecture"]

    def __init__(self, architecture):
        super().__init__()
        arch = check_architecture(architecture)
        self.architecture = arch
        ndim, shape = arch["ndim"], arch["input_shape"]
        stat_shape = [shape[0]] + [1] * ndim
        self.standardize = Standardize(stat_shape)
        width, spatial = shape[0], list(shape[1:])
        blocks = []
        for spec in arch["blocks"]:
            blocks.append(Block(ndim, width, spec))
            width = spec["width"] if ndim == 0 else spec["filters"]
            if spec.get("pool", "none") != "none":
                spatial = [s // 2 for s in spatial]
        self.blocks = nn.ModuleList(blocks)
        head = arch.get("head", {})
        self.flatten = head.get("pool", "avg") == "flatten" or ndim == 0
        self.head_dropout = nn.Dropout(head.get("dropout", 0.0))
        n_in = width * math.prod(spatial) if self.flatten else width
        self.output = nn.Linear(n_in, arch["n_outputs"])
        # Regression targets are learnt standardized; these buffers undo it.
        self.register_buffer("output_mean", torch.zeros(arch["n_outputs"]))
        self.register_buffer("output_scale", torch.ones(arch["n_outputs"]))

    def forward(self, x):
        """Compute the network's outputs for a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, d), (batch, C, L) or (batch, C, H, W)
            Inputs of the architecture's ``input_shape``, on their original scale
            (the network standardizes them).

        Returns
        -------
        out : torch.Tensor of shape (batch, n_outputs)
            Class logits for a classifier; predictions on the targets' scale for
            a regressor.
        """
        x = self.standardize(x)
        for block in self.blocks:
            x = block(x)
        if self.flatten:
            x = torch.flatten(x, 1)
        else:
            x = torch.flatten(torch.mean(x, dim=list(range(2, x.dim()))), 1)
        return self.output(self.head_dropout(x)) * self.output_scale + self.output_mean


def check_architecture(architecture):
    """Validate an architecture dict and return a deep copy of it.

    Raises
    ------
    ValueError
        Naming the first invalid entry.
    """
    arch = copy.deepcopy(dict(architecture))
    kind, ndim = arch.get("kind"), arch.get("ndim")
    if (kind, ndim) not in (("mlp", 0), ("cnn", 1), ("cnn", 2)):
        raise ValueError(
            "architecture: 'kind'/'ndim' must be ('mlp', 0), ('cnn', 1) or ('cnn', 2). "
            f"Got ({kind!r}, {ndim!r}) instead."
        )
    shape = list(arch.get("input_shape", []))
    if len(shape) != max(ndim + 1, 1) or any(int(s) < 1 for s in shape):
        raise ValueError(
            f"architecture: 'input_shape' must have {ndim + 1} positive entries for "
            f"kind={kind!r}, ndim={ndim}. Got {shape!r} instead."
        )
    width = shape[0]
    for i, spec in enumerate(arch.get("blocks", [])):
        key = "width" if ndim == 0 else "filters"
        if spec.get("activation") not in ACTIVATIONS:
            raise ValueError(
                f"architecture: block {i} activation must be one of "
                f"{sorted(ACTIVATIONS)}. Got {spec.get('activation')!r} instead."
            )
        if spec.get("norm") not in ("none", "batch"):
            raise ValueError(
                f"architecture: block {i} norm must be 'none' or 'batch'. "
                f"Got {spec.get('norm')!r} instead."
            )
        if spec.get("skip") not in ("none", "identity", "projection"):
            raise ValueError(
                f"architecture: block {i} skip must be 'none', 'identity' or "
                f"'projection'. Got {spec.get('skip')!r} instead."
            )
        if spec["skip"] == "identity" and spec[key] != width:
            raise ValueError(
                f"architecture: block {i} has an identity skip but changes the width "
                f"from {width} to {spec[key]}; use skip='projection'."
            )
        width = spec[key]
    return arch


def build_module(architecture):
    """Build the ``torch.nn.Module`` an architecture dict describes.

    Parameters
    ----------
    architecture : dict
        A JSON-serializable architecture (see ``sktune.nas._builder``), e.g. the
        ``best_architecture_`` of a fitted NAS estimator.

    Returns
    -------
    module : NASNetwork
        A freshly initialized network.

    Examples
    --------
    >>> from sktune.nas import build_module, count_params
    >>> arch = {"kind": "mlp", "ndim": 0, "input_shape": [4], "n_outputs": 3,
    ...         "blocks": [{"width": 8, "activation": "relu", "norm": "none",
    ...                     "dropout": 0.0, "skip": "none"}]}
    >>> count_params(build_module(arch))
    67
    """
    return NASNetwork(architecture)


def count_params(module_or_architecture):
    """Number of trainable parameters of a module or of an architecture dict.

    An architecture is built on PyTorch's ``meta`` device, so counting costs no
    memory and no initialization, whatever the size of the network.

    Parameters
    ----------
    module_or_architecture : torch.nn.Module or dict
        A network, or an architecture dict (see :func:`build_module`).

    Returns
    -------
    n_params : int
        Number of elements of the parameters that require gradients.
    """
    if isinstance(module_or_architecture, nn.Module):
        module = module_or_architecture
    else:
        with torch.device("meta"):
            module = NASNetwork(module_or_architecture)
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def save(module, directory):
    """Write ``architecture.json`` and ``state_dict.pt`` into ``directory``.

    Parameters
    ----------
    module : NASNetwork or fitted NAS estimator
        What to save; an estimator saves its ``best_module_``.
    directory : str or path-like
        Created if missing.

    See Also
    --------
    load : Rebuild the saved network.
    """
    module = getattr(module, "best_module_", module)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "architecture.json"), "w") as f:
        json.dump(module.architecture, f, indent=2)
    state = {k: v.detach().cpu() for k, v in module.state_dict().items()}
    torch.save(state, os.path.join(directory, "state_dict.pt"))


def load(directory, map_location="cpu"):
    """Rebuild a network written by :func:`save`, in evaluation mode.

    Parameters
    ----------
    directory : str or path-like
        Folder holding ``architecture.json`` and ``state_dict.pt``.
    map_location : str or torch.device, default="cpu"
        Where to load the tensors, as for ``torch.load``.

    Returns
    -------
    module : NASNetwork
        The saved network, with its weights, in evaluation mode.
    """
    with open(os.path.join(directory, "architecture.json")) as f:
        architecture = json.load(f)
    module = NASNetwork(architecture)
    state = torch.load(
        os.path.join(directory, "state_dict.pt"),
        map_location=map_location,
        weights_only=True,
    )
    module.load_state_dict(state)
    return module.eval()


def to_torchscript(module, path=None):
    """Compile a network to TorchScript with ``torch.jit.script``.

    PyTorch deprecates TorchScript in favour of ``torch.export``; the deprecation
    warning of this one call is silenced. Prefer ``torch.export.export`` for new
    deployments.

    Parameters
    ----------
    module : NASNetwork or fitted NAS estimator
        What to compile; an estimator compiles its ``best_module_``.
    path : str or path-like, default=None
        Where to write the compiled module, if given.

    Returns
    -------
    scripted : torch.jit.ScriptModule
    """
    module = getattr(module, "best_module_", module)
    module = copy.deepcopy(module).cpu().eval()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        scripted = torch.jit.script(module)
        if path is not None:
            torch.jit.save(scripted, path)
    return scripted
