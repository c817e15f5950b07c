"""torch and skorch stay optional: loud error in sktune.nas, absent elsewhere."""

import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")


def _run(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )


def test_missing_torch_names_the_extra():
    code = (
        "import sys, sktune.space, scipy.stats, sklearn.utils\n"
        "sys.modules['torch'] = None  # as if torch were not installed\n"
        "try:\n"
        "    import sktune.nas\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = _run(code)
    assert 'pip install "sktune[nas]"' in out.stdout, out.stderr


def test_rest_of_sktune_does_not_import_torch():
    # Every module of sktune outside sktune.nas, found without importing any.
    code = (
        "import sys, importlib, pathlib, sktune\n"
        "root = pathlib.Path(sktune.__file__).parent\n"
        "for f in sorted(root.rglob('*.py')):\n"
        "    parts = f.relative_to(root.parent).with_suffix('').parts\n"
        "    parts = [p for p in parts if p != '__init__']\n"
        "    if 'nas' not in parts:\n"
        "        importlib.import_module('.'.join(parts))\n"
        "print(sorted(k for k in ('torch', 'skorch') if k in sys.modules))\n"
    )
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
