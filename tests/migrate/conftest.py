"""Migration tests share one workspace cache: every test's project copy starts from the same
files, so the canonical schemas it traces are the same (keys include the server version)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_workspace_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace-cache")


@pytest.fixture(autouse=True)
def _share_cache(request: pytest.FixtureRequest, shared_workspace_cache: Path) -> Iterator[None]:
    if "project" in request.fixturenames:
        root = Path(request.getfixturevalue("project").root)
        (root / ".mrpplan").mkdir(exist_ok=True)
        (root / ".mrpplan" / "cache").symlink_to(shared_workspace_cache, target_is_directory=True)
    yield
