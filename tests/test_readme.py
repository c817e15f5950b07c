"""The README's two fresh-machine commands are the ones CI and users run."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    blocks = text.split("```bash\n")[1:]
    return [block.split("```")[0].strip() for block in blocks]


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    test_command = next(c for c in _readme_commands() if "pytest" in c)
    assert test_command in ci_lines


@pytest.mark.parametrize("path", ["examples/quickstart.py"])
def test_main_job_script_exists(path):
    main_command = next(c for c in _readme_commands() if "examples/" in c)
    assert path in main_command
    assert (ROOT / path).is_file()


def test_ci_tests_the_oldest_releases_pyproject_accepts():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = dict(
        re.fullmatch(r"([\w-]+)>=([\d.]+)", spec).groups()
        for spec in project["dependencies"]
    )
    lines = (ROOT / ".ci" / "oldest.txt").read_text().splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    assert pins == floors
    assert "pip install -r .ci/oldest.txt" in (ROOT / ".ci" / "run").read_text()
