"""Sphinx configuration of the boostobj documentation (``make docs``; warnings are errors).

Sphinx, because the docstrings are numpydoc with reStructuredText math (formulas and derivations
render as they are written), sphinx-gallery runs ``examples/`` and shows their output and figures,
and it is what the package's neighbours (NumPy, scikit-learn, XGBoost, LightGBM) use. The loss
catalogue is generated from the registry at build time (``_catalogue.py``), so a registered loss
gets its page and plot without editing the docs.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import boostobj  # noqa: E402
from _catalogue import write_catalogue  # noqa: E402

project = "boostobj"
author = "the boostobj developers"
copyright = "2026, the boostobj developers"
release = version = boostobj.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
                    "auto_examples/*.json", "auto_examples/*.md5"]
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
html_title = f"boostobj {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # the numpydoc Parameters sections say it, signatures stay readable
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
# README sections are included into guide pages: its in-page links point to headings of other pages
# The catalogue shows each loss's docstring next to its API page: its numpydoc citations appear twice.
suppress_warnings = ["myst.xref_missing", "myst.header", "ref.citation"]


sphinx_gallery_conf = {
    "examples_dirs": os.path.join("..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py",   # run every example, not only plot_*.py
    "reset_argv": "_examples.reset_argv",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "capture_repr": (),
    "matplotlib_animations": False,
}


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods on every estimator class; their docstrings link
    # into scikit-learn's own glossary, which this site does not have
    return True if name.startswith("set_") and name.endswith("_request") else skip


def setup(app):
    app.connect("builder-inited", lambda app: write_catalogue(os.path.join(HERE, "catalogue")))
    app.connect("autodoc-skip-member", _skip_member)
