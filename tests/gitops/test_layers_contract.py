"""The import layers (issue 24 item 5): one import-linter contract in pyproject.toml names
every top-level package and module of mrpplan, with no exceptions. import-linter itself
(`make lint`) checks the imports; this test keeps the contract complete when a package is
added, which import-linter would not notice."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert config["root_package"] == "mrpplan"
    return list(config["contracts"])


def _top_level() -> set[str]:
    root = REPO / "mrpplan"
    packages = {p.parent.name for p in root.glob("*/__init__.py")}
    modules = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    return packages | modules


def test_one_layers_contract_names_every_top_level_package_without_exceptions() -> None:
    [contract] = _contracts()
    assert contract["type"] == "layers"
    assert "ignore_imports" not in contract
    layers = contract["layers"]
    assert isinstance(layers, list)
    named = [name.strip() for layer in layers for name in str(layer).split("|")]
    assert sorted(named) == sorted(_top_level())
    assert len(named) == len(set(named))


def test_every_python_folder_of_mrpplan_is_a_regular_package() -> None:
    """import-linter sees only regular packages: a folder without `__init__.py` would be
    left out of the contract silently."""
    folders = {p.parent for p in (REPO / "mrpplan").rglob("*.py")}
    assert sorted(str(f) for f in folders if not (f / "__init__.py").is_file()) == []
