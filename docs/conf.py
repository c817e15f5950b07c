"""Sphinx configuration for the sktune documentation.

Build (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

or ``docs/build.sh``. Add ``-D plot_gallery=0`` to skip running the examples.
The build needs no network: there is no intersphinx, and every page is local.
"""

import ast
import importlib.util
import inspect
import os
import re
import sys
from pathlib import Path

from sphinx.util import logging

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document (and run the examples against) this checkout, whatever is installed.
sys.path.insert(0, str(ROOT))

# sphinx-gallery resolves every name an example uses, run or not, to link it;
# scikit-learn's experimental searches resolve only once enabled (as in
# scikit-learn's own doc/conf.py). hyperband_boosting.py uses
# HalvingRandomSearchCV without being run.
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401

import sktune  # noqa: E402

# -- Project ------------------------------------------------------------------
project = "sktune"
author = "The sktune developers"
copyright = "the sktune developers"
release = sktune.__version__
version = release

# -- General ------------------------------------------------------------------
extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# -- Markdown pages (MyST) --------------------------------------------------
# The user guides are plain Markdown with tables, HTML comments and links to
# each other's sections (``page.md#heading``), hence the heading anchors.
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist", "fieldlist"]
myst_heading_anchors = 3

# -- API reference: autodoc + autosummary + numpydoc -------------------------
autosummary_generate = True
# Members inherited from scikit-learn (fit, predict, score, ...) are part of
# the estimators' API and are listed; those of torch.nn.Module (NASNetwork's
# base: dozens of methods, docstrings not in numpydoc form) are not.
autodoc_default_options = {"members": True, "inherited-members": "Module, object"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
# The class template (``_templates/autosummary/class.rst``) lets autodoc list
# the members; numpydoc's own member tables would list them a second time.
numpydoc_show_class_members = False
# Properties listed under Attributes link to their own entry on the class page.
numpydoc_class_members_toctree = False

# ``sktune.nas`` needs torch and skorch (the ``nas`` extra). Without them its API
# pages are still built, from mocked modules, and its example is shown without
# being run. With them the pages are built from the real modules and the
# example runs.
HAS_TORCH = all(importlib.util.find_spec(m) is not None for m in ("torch", "skorch"))
autodoc_mock_imports = [] if HAS_TORCH else ["torch", "skorch"]

# -- Example gallery (sphinx-gallery) ----------------------------------------
# Only ``examples/plot_*.py`` run; the other examples (quickstart.py,
# hyperband_boosting.py) are shown with their code, not run, to keep the build
# short. Examples that need torch (``plot_nas_*``) run only where torch imports,
# so a missing optional dependency never shows up as a failing example.
_run = r"plot_" if HAS_TORCH else r"plot_(?!nas_)"
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": re.escape(os.sep) + _run,
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sktune",),
    "download_all_examples": False,
    "image_scrapers": ("matplotlib",),
    # A cell ending in ``Display.from_search(...)`` or a matplotlib call would
    # print an object's default repr (with its address): the figure says it all.
    "ignore_repr_types": r"matplotlib\.|sktune\.plot\.",
    "matplotlib_animations": False,
}

# Methods inherited from scikit-learn (fit, score, set_*_request, ...) keep
# scikit-learn's docstrings, whose :term: and :ref: roles point into
# scikit-learn's own glossary and user guide. With no intersphinx (the build is
# offline) those targets do not exist here: render them as plain emphasised
# text, in scikit-learn's docstrings only, so that a broken reference in
# sktune's own docstrings still fails the build.
_SKLEARN_ROLE = re.compile(r":(?:term|ref):`([^`<]*?)\s*(?:<([^`>]*)>)?`")


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    target = obj.fget if isinstance(obj, property) else obj
    module = getattr(inspect.unwrap(target), "__module__", None) or ""
    if module.split(".")[0] != "sklearn":
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_ROLE.sub(lambda m: f"*{m[1] or m[2]}*", line)


# Every name in a public module's ``__all__`` must be in api.rst: a new public
# name left out of the reference fails the build. ``__all__`` is read from the
# source, so sktune.nas is checked without torch.
_API_MODULES = (
    "sktune",
    "sktune.space",
    "sktune.optimizers",
    "sktune.callbacks",
    "sktune.plot",
    "sktune.nas",
)


def _public_names(module):
    path = ROOT.joinpath(*module.split("."))
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "__all__" for target in node.targets
        ):
            return [n for n in ast.literal_eval(node.value) if not n.startswith("__")]
    return []


def _documented_names():
    documented, module, in_autosummary = set(), None, False
    for line in (DOCS / "api.rst").read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match[1]
        in_autosummary = line.startswith(".. autosummary::") or (
            in_autosummary and (not line.strip() or line.startswith(" "))
        )
        entry = line.strip()
        if in_autosummary and entry and not entry.startswith((":", "..")):
            documented.add(f"{module}.{entry}")
    return documented


def _check_api_reference(app):
    documented = _documented_names()
    anywhere = {name.rsplit(".", 1)[1] for name in documented}
    for module in _API_MODULES:
        for name in _public_names(module):
            # sktune re-exports NASClassifier/NASRegressor, documented in sktune.nas.
            if f"{module}.{name}" in documented or (
                module == "sktune" and name in anywhere
            ):
                continue
            logging.getLogger(__name__).warning(
                "%s.%s is public (in __all__) but not in docs/api.rst; add it to "
                "an autosummary there",
                module,
                name,
            )


# numpydoc validates every docstring it renders, and these checks fail the build
# (-W): PR01/PR02 every parameter documented and none that does not exist, RT01 a
# Returns section where something is returned, GL07 sections in numpydoc's order,
# GL08 no undocumented public member, SS03 a summary ending with a period.
numpydoc_validation_checks = {"PR01", "PR02", "RT01", "GL07", "GL08", "SS03"}


def _foreign_members():
    """Patterns of the documented members defined outside sktune.

    They are the members the API pages list from scikit-learn (``score``,
    ``get_params``, ...) and skorch: their docstrings are not ours to fix. Found
    from where each member is defined, so a member sktune overrides is checked.
    """
    patterns = []
    for name in sorted(_documented_names()):
        module, attr = name.rsplit(".", 1)
        if module == "sktune.nas" and not HAS_TORCH:
            continue  # mocked: there is nothing to inherit from
        obj = getattr(importlib.import_module(module), attr)
        if not inspect.isclass(obj):
            continue
        foreign = []
        for member in dir(obj):
            owner = next((k for k in obj.__mro__ if member in vars(k)), None)
            if member.startswith("_") or owner is None:
                continue
            if owner.__module__.split(".")[0] != "sktune":
                foreign.append(re.escape(member))
        if foreign:
            patterns.append(rf"^{re.escape(name)}\.({'|'.join(foreign)})$")
    return patterns


numpydoc_validation_exclude = set(_foreign_members())


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_roles)
    app.connect("builder-inited", _check_api_reference)


# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sktune {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
}
html_static_path = []
