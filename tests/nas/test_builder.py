"""Architecture spaces, the module builder and export."""

import json
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sktune.nas import (  # noqa: E402
    build_module,
    config_to_architecture,
    count_params,
    default_space,
    load,
    save,
    to_torchscript,
)
from sktune.nas._spaces import resolve_space  # noqa: E402
from sktune.space import Integer  # noqa: E402

from ._archs import CNN, CONV1D, MLP  # noqa: E402


@pytest.mark.parametrize("arch", [MLP, CNN, CONV1D], ids=["mlp", "cnn", "conv1d"])
def test_build_forward_shapes_and_count(arch):
    module = build_module(arch).eval()
    out = module(torch.randn(3, *arch["input_shape"]))
    assert out.shape == (3, arch["n_outputs"])
    assert count_params(arch) == count_params(module)
    assert count_params(module) == sum(p.numel() for p in module.parameters())


def test_count_params_by_hand():
    # 5*8+8 (linear) + 2*8 (batch norm) + 8*8+8 (linear) + 8*3+3 (output)
    assert count_params(MLP) == 48 + 16 + 72 + 27


@pytest.mark.parametrize(
    "change, match",
    [
        ({"kind": "rnn"}, "'kind'/'ndim'"),
        ({"input_shape": [1, 8]}, "'input_shape' must have 3"),
        ({"blocks": [{**CNN["blocks"][0], "activation": "swish"}]}, "activation"),
        ({"blocks": [{**CNN["blocks"][0], "norm": "layer"}]}, "norm must be"),
        ({"blocks": [{**CNN["blocks"][0], "skip": "identity"}]}, "identity skip"),
    ],
)
def test_invalid_architectures(change, match):
    with pytest.raises(ValueError, match=match):
        build_module({**CNN, **change})


@pytest.mark.parametrize("arch", [MLP, CNN, CONV1D], ids=["mlp", "cnn", "conv1d"])
def test_save_load_and_torchscript_reproduce_outputs(arch, tmp_path):
    torch.manual_seed(0)
    module = build_module(arch).eval()
    with torch.no_grad():
        module.standardize.mean.fill_(0.5)  # buffers travel with the state dict
    x = torch.randn(4, *arch["input_shape"])
    save(module, tmp_path / "net")
    json.loads((tmp_path / "net" / "architecture.json").read_text())
    rebuilt = load(tmp_path / "net")
    torch.testing.assert_close(rebuilt(x), module(x))
    scripted = to_torchscript(module, tmp_path / "net.pt")
    torch.testing.assert_close(scripted(x), module(x))
    with warnings.catch_warnings():  # TorchScript is deprecated in recent torch
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        reloaded = torch.jit.load(tmp_path / "net.pt")
    torch.testing.assert_close(reloaded(x), module(x))


@pytest.mark.parametrize("kind", ["tabular", "image", "sequence"])
def test_default_spaces_give_buildable_architectures(kind):
    space, defaults = resolve_space(None, kind)
    shape = {"tabular": [7], "image": [3, 9, 9], "sequence": [2, 17]}[kind]
    for config in space.sample(10, np.random.default_rng(0)):
        arch = config_to_architecture(config, defaults, kind, shape, 3)
        json.dumps(arch)  # plain JSON
        assert set(arch["training"]) == {
            "lr",
            "weight_decay",
            "batch_size",
            "optimizer",
        }
        out = build_module(arch).eval()(torch.randn(2, *shape))
        assert out.shape == (2, 3)


def test_user_space_fixes_missing_values_to_defaults():
    space, defaults = resolve_space({"n_layers": Integer(1, 3)}, "tabular")
    assert space.names == ["n_layers"]
    arch = config_to_architecture({"n_layers": 3}, defaults, "tabular", [4], 2)
    assert [b["width"] for b in arch["blocks"]] == [defaults["width"]] * 3
    assert arch["training"]["lr"] == defaults["lr"]


def test_user_space_with_unknown_name_is_rejected():
    with pytest.raises(ValueError, match=r"Invalid parameter\(s\) \['filters'\]"):
        resolve_space({"filters": [8, 16]}, "tabular")


def test_default_space_rejects_unknown_kind():
    with pytest.raises(ValueError, match="input_kind must be one of"):
        default_space("graph")


def test_pooling_stops_at_one_pixel():
    _, defaults = resolve_space(None, "image")
    arch = config_to_architecture(
        {"n_stages": 3, "pool": "max"}, defaults, "image", [1, 3, 3], 2
    )
    assert [b["pool"] for b in arch["blocks"]] == ["max", "none", "none"]
    assert build_module(arch)(torch.randn(2, 1, 3, 3)).shape == (2, 2)
