"""The documentation: it builds with warnings as errors and no broken
reference, it covers every public name, and every estimator's docstring
has an Examples section (run as a doctest by ``--doctest-modules``)."""

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator

import skmem
import skmem.datasets
import skmem.plotting
import skmem.preprocessing

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PUBLIC_MODULES = [skmem, skmem.datasets, skmem.preprocessing, skmem.plotting]


def _public(module):
    return [(module, name, getattr(module, name)) for name in module.__all__]


ESTIMATORS = [
    (f"{module.__name__}.{name}", obj)
    for module in PUBLIC_MODULES
    for _, name, obj in _public(module)
    if inspect.isclass(obj) and issubclass(obj, BaseEstimator)
]


def test_docs_build_without_warnings(tmp_path):
    """Sphinx builds the HTML docs with -W -n (nitpicky): no warning, no
    broken cross-reference. The sources are copied so that autosummary's
    generated pages land in tmp_path, not in the checkout."""
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    src = tmp_path / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("_build", "generated"))
    shutil.copytree(ROOT / "examples", tmp_path / "examples")  # for literalinclude
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-j", "1",
         "-b", "html", str(src), str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-20000:]
    assert (out / "index.html").is_file()
    for name, _ in ESTIMATORS:
        assert (out / "generated" / f"{name}.html").is_file(), name


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_api_reference_lists_every_public_name(module):
    """A name added to a module's ``__all__`` must be added to docs/api.rst."""
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    section = text.split(f".. currentmodule:: {module.__name__}\n", 1)
    assert len(section) == 2, f"docs/api.rst has no section for {module.__name__}"
    body = section[1].split(".. currentmodule::", 1)[0]
    listed = set(re.findall(r"^   (\w+)$", body, flags=re.M))
    listed |= set(re.findall(r"^\.\. data:: (\w+)$", body, flags=re.M))
    missing = sorted(set(module.__all__) - listed)
    assert not missing, f"add {missing} to the {module.__name__} section of docs/api.rst"


def test_modules_reference_covers_every_architecture():
    text = (DOCS / "api_modules.rst").read_text(encoding="utf-8")
    files = sorted(p.stem for p in (ROOT / "skmem" / "modules").glob("[!_]*.py"))
    missing = [f for f in files if f".. automodule:: skmem.modules.{f}\n" not in text]
    assert not missing, f"add skmem.modules.{missing} to docs/api_modules.rst"


def test_examples_page_includes_every_example():
    text = (DOCS / "examples.rst").read_text(encoding="utf-8")
    scripts = sorted(p.name for p in (ROOT / "examples").glob("*.py"))
    assert scripts
    missing = [s for s in scripts if f".. literalinclude:: ../examples/{s}\n" not in text]
    assert not missing, f"add {missing} to docs/examples.rst"


@pytest.mark.parametrize("name, estimator", ESTIMATORS, ids=[name for name, _ in ESTIMATORS])
def test_estimator_docstring_has_runnable_examples(name, estimator):
    """Every public estimator shows an Examples section with doctest lines,
    which pytest's --doctest-modules runs from the defining module."""
    doc = estimator.__doc__ or ""
    match = re.search(r"^ *Examples\n *-{8}\n(.*)", doc, flags=re.M | re.S)
    assert match, f"{name}'s docstring has no Examples section"
    assert ">>> " in match.group(1), f"{name}'s Examples section has no doctest"
    assert estimator.__module__.startswith("skmem."), estimator.__module__
