"""Network morphisms compute their parent's function before training."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sktune.nas import add_skip, build_module, count_params, deepen, widen  # noqa: E402
from sktune.nas._morphism import applicable_operations, morph  # noqa: E402

from ._archs import CNN, CONV1D, MLP  # noqa: E402


def _trained_like(arch):
    """A network with non-trivial weights and batch-norm statistics."""
    torch.manual_seed(0)
    module = build_module(arch)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 2.0)
                m.bias.uniform_(-1, 1)
    return module.eval()


ARCHS = {"mlp": MLP, "cnn": CNN, "conv1d": CONV1D}
CASES = [
    (name, op, block)
    for name, arch in ARCHS.items()
    for op, block in applicable_operations(arch, max_width=64)
]


@pytest.mark.parametrize("name, operation, block", CASES)
def test_morphism_preserves_function(name, operation, block):
    parent = _trained_like(ARCHS[name])
    before = copy.deepcopy(parent.state_dict())
    x = torch.randn(16, *ARCHS[name]["input_shape"])
    child = morph(parent, operation, block, np.random.default_rng(0), 64).eval()
    assert count_params(child) > count_params(parent)
    torch.testing.assert_close(child(x), parent(x), rtol=1e-5, atol=1e-5)
    # The parent is left untouched.
    for key, value in parent.state_dict().items():
        torch.testing.assert_close(value, before[key])


def test_widen_changes_width_and_identity_skips():
    parent = _trained_like(MLP)
    child = widen(parent, 0, 13, np.random.default_rng(1))
    blocks = child.architecture["blocks"]
    assert blocks[0]["width"] == 13
    assert blocks[1]["skip"] == "projection"  # its input is now wider
    with pytest.raises(ValueError, match="must exceed"):
        widen(parent, 0, 8, np.random.default_rng(1))


def test_deepen_inserts_gated_block_that_learns():
    parent = _trained_like(MLP)
    child = deepen(parent, 0)
    assert len(child.architecture["blocks"]) == 3
    assert child.architecture["blocks"][1]["gate"] is True
    child.train()
    loss = child(torch.randn(8, 5)).pow(2).sum()
    loss.backward()
    inserted = child.blocks[1]
    assert inserted.gate.grad.abs().sum() > 0  # not a dead block


def test_add_skip_rejects_block_with_skip():
    parent = _trained_like(MLP)
    with pytest.raises(ValueError, match="already has a skip"):
        add_skip(parent, 1)


def test_deepen_keeps_trained_weights_of_later_blocks():
    parent = _trained_like(CNN)
    child = deepen(parent, -1)
    torch.testing.assert_close(
        child.blocks[2].layer.weight, parent.blocks[1].layer.weight
    )
    torch.testing.assert_close(child.output.weight, parent.output.weight)


def test_chained_morphisms_preserve_function_and_export(tmp_path):
    from sktune.nas import load, save, to_torchscript

    parent = _trained_like(CONV1D)
    rng = np.random.default_rng(0)
    child = add_skip(widen(deepen(parent, 0), 0, 9, rng), 0).eval()
    assert [b["skip"] for b in child.architecture["blocks"]] == ["projection"] * 2
    x = torch.randn(5, *CONV1D["input_shape"])
    torch.testing.assert_close(child(x), parent(x), rtol=1e-5, atol=1e-5)
    save(child, tmp_path)
    torch.testing.assert_close(load(tmp_path)(x), child(x))
    torch.testing.assert_close(to_torchscript(child)(x), child(x))
