"""One real three-node Galera cluster per test session (started once, reused across runs
like the single sandbox), and a tiny project on it per test."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbtools import REPO, drop_database, make_database
from galera_support import SCHEMA, GaleraProject

from mrpplan import sandbox, sandbox_galera


@pytest.fixture(scope="session")
def galera() -> list[sandbox.SandboxInfo]:
    if sandbox_galera.provider() is None:
        pytest.skip("galera-4 is not installed (sudo apt-get install galera-4 rsync)")
    return sandbox_galera.up(sandbox_galera.default_dir(REPO), 3)


@pytest.fixture
def gproject(
    tmp_path: Path, galera: list[sandbox.SandboxInfo], server: sandbox.SandboxInfo
) -> Iterator[GaleraProject]:
    """The tests take turns on the one cluster (across xdist workers): they stop, kill
    and desync its nodes."""
    turn = open(sandbox_galera.default_dir(REPO).parent / ".galera-tests.lock", "a")  # noqa: SIM115
    fcntl.flock(turn, fcntl.LOCK_EX)
    try:
        yield from _project(tmp_path, galera, server)
    finally:
        turn.close()


def _project(
    tmp_path: Path, galera: list[sandbox.SandboxInfo], server: sandbox.SandboxInfo
) -> Iterator[GaleraProject]:
    sandbox_galera.up(sandbox_galera.default_dir(REPO), 3)  # a test may have stopped a node
    root = tmp_path / "project"
    for folder in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / folder).mkdir(parents=True)
    (root / "plans").mkdir()
    db = make_database(galera[0], "gal")
    project = GaleraProject(root, db, galera, server)
    project.schema(SCHEMA)
    project.write_envs()
    try:
        yield project
    finally:
        sandbox_galera.up(sandbox_galera.default_dir(REPO), 3)
        drop_database(galera[0], db.name)
