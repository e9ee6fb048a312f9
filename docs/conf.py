"""Sphinx configuration of the sklearn-crnet documentation."""

import sklearn_crnet

project = "sklearn-crnet"
author = "sklearn-crnet developers"
copyright = "2026, sklearn-crnet developers"
release = sklearn_crnet.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"members": True, "inherited-members": False}
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = ["_static"]
nitpicky = False
