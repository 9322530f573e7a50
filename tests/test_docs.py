"""Documentation: every public object has a docstring (losses: with a formula), and the docs'
loss catalogue has an entry and a plot for every registered loss. The site itself: ``make docs``."""
import importlib
import inspect
import pathlib
import sys

import pytest

import boostobj as bo

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = ("xgboost", "lightgbm", "catboost", "dask", "metrics", "links", "domains", "testing", "plot", "gpu")


def _public_members(module):
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ == module.__name__:
            yield f"{module.__name__}.{name}", obj


def _summary(obj):
    doc = inspect.getdoc(obj) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def test_every_public_object_has_a_docstring_with_a_summary():
    missing = []
    for name in bo.__all__:
        obj = getattr(bo, name)
        if not _summary(obj):
            missing.append(f"boostobj.{name}")
    for module_name in MODULES:
        module = importlib.import_module(f"boostobj.{module_name}")
        if not _summary(module):
            missing.append(module.__name__)
        for qualified, obj in _public_members(module):
            if not _summary(obj):
                missing.append(qualified)
            if inspect.isclass(obj):
                missing += [f"{qualified}.{m}" for m, f in vars(obj).items()
                            if not m.startswith("_") and inspect.isfunction(f) and not _summary(f)]
    assert not missing, f"public objects without a docstring summary: {missing}"


def test_every_loss_documents_its_formula_and_the_loss_api_its_methods():
    without_formula = [name for name, cls in bo.available_losses().items()
                       if ":math:" not in (cls.__doc__ or "") and ".. math::" not in (cls.__doc__ or "")]
    assert not without_formula, f"losses whose docstring has no formula: {without_formula}"
    public = [m for m, f in vars(bo.losses.base.Loss).items()
              if not m.startswith("_") and (inspect.isfunction(f) or isinstance(f, property))]
    undocumented = [m for m in public if not _summary(getattr(bo.losses.base.Loss, m))]
    assert not undocumented, f"Loss methods without a docstring: {undocumented}"


def test_the_catalogue_has_an_entry_and_a_plot_for_every_registered_loss(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from _catalogue import write_catalogue
    finally:
        sys.path.remove(str(ROOT / "docs"))
    write_catalogue(str(tmp_path))
    index = (tmp_path / "index.rst").read_text()
    for name, cls in bo.available_losses().items():
        page = (tmp_path / f"{name}.rst").read_text()
        assert f"   {name}\n" in index and f".. autoclass:: boostobj.{cls.__name__}" in page
        assert (tmp_path / "plots" / f"{name}.png").stat().st_size > 1000
