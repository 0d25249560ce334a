"""The corpus builds the example schema many times: one workspace cache for all its projects
(the files are the same in every copy, and the cache key covers files and server)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def corpus_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus-cache")


@pytest.fixture
def built(project, corpus_cache: Path, cli):  # type: ignore[no-untyped-def]
    """The project with dev applied (schema 003 and its seeds), as a team's dev would be."""
    state = project.root / ".mrpplan"
    state.mkdir(exist_ok=True)
    (state / "cache").symlink_to(corpus_cache, target_is_directory=True)
    done = cli("apply", "dev", "--auto-approve")
    assert done.code == 0, done.output
    return project
