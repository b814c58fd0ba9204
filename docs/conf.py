"""Sphinx configuration of the skmem documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html``. Nothing is
executed during the build: the API pages come from the docstrings and the
examples are shown as source.
"""

import skmem

project = "skmem"
author = "the skmem developers"
copyright = "the skmem developers"
version = release = skmem.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# Every reference must resolve (the build runs with -n -W).
nitpicky = True
default_role = "literal"

# ---------------------------------------------------------------- API pages
autosummary_generate = True
autodoc_typehints = "none"
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Members inherited from other libraries are documented there: scikit-learn's
# get_params, set_params, score, set_output and metadata routing; skorch's;
# torch.nn.Module's train, eval, to, ... on the modules' pages.
_SKLEARN_INHERITED = ("sklearn.", "skorch.", "torch.")


def _skip_foreign_members(app, what, name, obj, skip, options):
    if what != "class":
        return None
    module = getattr(obj, "__module__", None) or ""
    if module.startswith(_SKLEARN_INHERITED):
        return True
    if name == "forward" and not getattr(obj, "__doc__", None):
        return True  # the class docstring describes the module's forward pass
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)


# References to other projects' objects are not resolved: the build runs
# offline (no intersphinx inventories).
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|pandas|pd|sklearn|skorch|torch|matplotlib|scipy|joblib)(\..*)?"),
]

# ---------------------------------------------------------------- Markdown
myst_heading_anchors = 3

# ---------------------------------------------------------------- HTML
html_theme = "alabaster"
html_title = f"skmem {release}"
html_static_path = []
html_theme_options = {
    "description": "Neural working-memory models as scikit-learn estimators",
    "fixed_sidebar": True,
}
