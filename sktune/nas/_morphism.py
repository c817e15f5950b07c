"""Function-preserving network morphisms: widen, deepen, add a skip connection.

Each operation takes a trained :class:`NASNetwork` and returns a *child* network
that computes the same function (in evaluation mode) but has more capacity, so
training the child starts where its parent stopped.

* ``widen`` replicates units (channels) of one block and divides the outgoing
  weights of every copy by the number of copies (Net2WiderNet, Chen et al. 2016).
* ``deepen`` inserts a block with an identity skip whose main path is scaled by a
  learnable gate starting at zero (as ReZero, Bachlechner et al. 2020), so it passes
  its input through unchanged whatever its activation and normalization, while its
  freshly initialized weights still receive gradients.
* ``add_skip`` gives a block a projection skip initialized to zero.

References
----------
Chen, Goodfellow and Shlens, "Net2Net: Accelerating Learning via Knowledge
Transfer", ICLR 2016. Wei et al., "Network Morphism", ICML 2016. Jin, Song and Hu,
"Auto-Keras: An Efficient Neural Architecture Search System", KDD 2019.
"""

import copy

import torch

from ._builder import NASNetwork

OPERATIONS = ("widen", "deepen", "add_skip")


def _width_key(arch):
    return "width" if arch["ndim"] == 0 else "filters"


def _copy_state(child, parent, skip=()):
    """Copy every parent tensor whose name and shape the child shares."""
    child_state = child.state_dict()
    for name, value in parent.state_dict().items():
        if name in skip or name not in child_state:
            continue
        if child_state[name].shape == value.shape:
            child_state[name].copy_(value)
    return child


def widen(parent, block, new_width, random_state):
    """Widen block ``block`` to ``new_width`` units without changing the function.

    Parameters
    ----------
    parent : NASNetwork
        Trained network; left untouched.
    block : int
        Index of the block to widen.
    new_width : int
        New number of units (channels); must exceed the current one.
    random_state : numpy.random.Generator
        Chooses which units are replicated.

    Returns
    -------
    child : NASNetwork
    """
    arch = copy.deepcopy(parent.architecture)
    key = _width_key(arch)
    old = arch["blocks"][block][key]
    if new_width <= old:
        raise ValueError(
            f"new_width must exceed the current width {old}; got {new_width}."
        )
    # Unit j of the child copies unit src[j] of the parent.
    src = torch.as_tensor(
        list(range(old)) + random_state.integers(0, old, new_width - old).tolist()
    )
    counts = torch.bincount(src, minlength=old).to(torch.float32)[src]
    arch["blocks"][block][key] = new_width
    if arch["blocks"][block]["skip"] == "identity":
        arch["blocks"][block]["skip"] = "projection"
    nxt = block + 1
    if nxt < len(arch["blocks"]) and arch["blocks"][nxt]["skip"] == "identity":
        arch["blocks"][nxt]["skip"] = "projection"
    child = NASNetwork(arch)
    prefix = f"blocks.{block}."
    _copy_state(
        child, parent, skip={n for n in parent.state_dict() if n.startswith(prefix)}
    )
    p_blk, c_blk = parent.blocks[block], child.blocks[block]
    with torch.no_grad():
        # Rows (output units) of the widened block are copies.
        c_blk.layer.weight.copy_(p_blk.layer.weight[src])
        c_blk.layer.bias.copy_(p_blk.layer.bias[src])
        if isinstance(p_blk.norm, torch.nn.modules.batchnorm._BatchNorm):
            for name in ("weight", "bias", "running_mean", "running_var"):
                getattr(c_blk.norm, name).copy_(getattr(p_blk.norm, name)[src])
            c_blk.norm.num_batches_tracked.copy_(p_blk.norm.num_batches_tracked)
        c_blk.gate.copy_(p_blk.gate)
        if p_blk.has_skip:
            c_blk.skip.weight.copy_(_skip_matrix(p_blk, arch["ndim"])[src])
        # Columns (inputs) of whatever reads the block are split between copies.
        if nxt < len(arch["blocks"]):
            p_next, c_next = parent.blocks[nxt], child.blocks[nxt]
            c_next.layer.weight.copy_(_split_inputs(p_next.layer.weight, src, counts))
            if p_next.has_skip:
                w = _skip_matrix(p_next, arch["ndim"])
                c_next.skip.weight.copy_(_split_inputs(w, src, counts))
        else:
            w = parent.output.weight
            if parent.flatten and arch["ndim"] > 0:
                per_channel = w.shape[1] // old
                w3 = w.reshape(w.shape[0], old, per_channel)
                w3 = _split_inputs(w3, src, counts)
                child.output.weight.copy_(w3.reshape(w.shape[0], -1))
            else:
                child.output.weight.copy_(_split_inputs(w, src, counts))
    return child


def _skip_matrix(blk, ndim):
    """The skip of a block as a weight tensor (identity skips made explicit)."""
    if isinstance(blk.skip, torch.nn.Identity):
        width = blk.layer.weight.shape[0]
        eye = torch.eye(width)
        return eye if ndim == 0 else eye.reshape(width, width, *([1] * ndim))
    return blk.skip.weight


def _split_inputs(weight, src, counts):
    """Input columns of a weight for replicated units, divided by their copies."""
    shape = [1] * weight.dim()
    shape[1] = -1
    return weight[:, src] / counts.reshape(shape)


def deepen(parent, after):
    """Insert an identity block after block ``after`` (-1: before the first).

    The new block keeps the width of its input and the activation and normalization
    of its neighbour, has no pooling, an identity skip and a zero gate, so it passes
    its input through unchanged.

    Parameters
    ----------
    parent : NASNetwork
        Trained network; left untouched.
    after : int
        Index of the block to insert after; -1 inserts before the first block.

    Returns
    -------
    child : NASNetwork
        A network with one more block and the parent's weights, computing the
        same function.
    """
    arch = copy.deepcopy(parent.architecture)
    key = _width_key(arch)
    blocks = arch["blocks"]
    width = blocks[after][key] if after >= 0 else arch["input_shape"][0]
    template = (
        blocks[max(after, 0)] if blocks else {"activation": "relu", "norm": "none"}
    )
    new = {
        key: width,
        "activation": template["activation"],
        "norm": template["norm"],
        "skip": "identity",
        "gate": True,
    }
    if arch["ndim"] == 0:
        new["dropout"] = 0.0
    else:
        new.update(kernel_size=3, pool="none")
    blocks.insert(after + 1, new)
    child = NASNetwork(arch)
    # Parameters of blocks after the insertion point move one index down.
    state = parent.state_dict()
    renamed = {}
    for name, value in state.items():
        if name.startswith("blocks."):
            i = int(name.split(".")[1])
            if i > after:
                name = f"blocks.{i + 1}." + name.split(".", 2)[2]
        renamed[name] = value
    child_state = child.state_dict()
    child_state.update(renamed)
    child.load_state_dict(child_state)
    with torch.no_grad():
        child.blocks[after + 1].gate.zero_()
    return child


def add_skip(parent, block):
    """Give block ``block`` a projection skip initialized to zero.

    Parameters
    ----------
    parent : NASNetwork
        Trained network; left untouched.
    block : int
        Index of the block, which must have no skip connection yet.

    Returns
    -------
    child : NASNetwork
        A network with the parent's weights and the new skip, computing the same
        function.

    Raises
    ------
    ValueError
        If the block already has a skip connection.
    """
    arch = copy.deepcopy(parent.architecture)
    if arch["blocks"][block]["skip"] != "none":
        raise ValueError(f"block {block} already has a skip connection.")
    arch["blocks"][block]["skip"] = "projection"
    child = _copy_state(NASNetwork(arch), parent)
    with torch.no_grad():
        child.blocks[block].skip.weight.zero_()
    return child


def applicable_operations(architecture, max_width):
    """The ``(operation, block)`` pairs that can be applied to an architecture."""
    key = _width_key(architecture)
    blocks = architecture["blocks"]
    ops = [("deepen", i) for i in range(-1, len(blocks))]
    ops += [("widen", i) for i, b in enumerate(blocks) if b[key] < max_width]
    ops += [("add_skip", i) for i, b in enumerate(blocks) if b["skip"] == "none"]
    return ops


def morph(parent, operation, block, random_state, max_width):
    """Apply one operation; widening doubles the width, capped at ``max_width``."""
    if operation == "widen":
        key = _width_key(parent.architecture)
        old = parent.architecture["blocks"][block][key]
        return widen(parent, block, min(2 * old, max_width), random_state)
    if operation == "deepen":
        return deepen(parent, block)
    if operation == "add_skip":
        return add_skip(parent, block)
    raise ValueError(f"operation must be one of {list(OPERATIONS)}. Got {operation!r}.")
