"""Fixtures of the online schema change tests (helpers live in online_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbtools import drop_database, make_database
from online_support import BASE, TinyProject
from replication import Pair, start_pair, stop_pair

from mrpplan import sandbox


@pytest.fixture
def tiny(tmp_path: Path, server: sandbox.SandboxInfo) -> Iterator[TinyProject]:
    root = tmp_path / "project"
    for folder in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / folder).mkdir(parents=True)
    (root / "plans").mkdir()
    db = make_database(server, "osc")
    project = TinyProject(root, db, server)
    project.schema(BASE)
    project.write_env()
    try:
        yield project
    finally:
        drop_database(server, db.name)


@pytest.fixture(scope="module")
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    """A primary and a replica for the module, in the module's own PAIR_DIR (a pair cannot
    be shared by two xdist workers)."""
    base: Path = request.module.PAIR_DIR
    started = start_pair(base)
    try:
        yield started
    finally:
        stop_pair(base)


@pytest.fixture
def on_primary(tmp_path: Path, pair: Pair) -> Iterator[TinyProject]:
    root = tmp_path / "project"
    for folder in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / folder).mkdir(parents=True)
    (root / "plans").mkdir()
    db = make_database(pair.primary, "rep")
    project = TinyProject(root, db, pair.primary)
    project.schema(BASE)
    project.write_env()
    try:
        yield project
    finally:
        drop_database(pair.primary, db.name)
