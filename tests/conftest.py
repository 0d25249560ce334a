"""Shared fixtures: one real sandbox server per run, a fresh database per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbtools import REPO, CliResult, Database, drop_database, make_database, run_cli

from mrpplan import sandbox

__all__ = ["CliResult", "Database", "drop_database", "make_database", "run_cli"]


@pytest.fixture(scope="session")
def server() -> sandbox.SandboxInfo:
    """The sandbox server (started once, reused across runs)."""
    return sandbox.up(sandbox.default_dir(REPO))


@pytest.fixture
def fresh_db(server: sandbox.SandboxInfo) -> Iterator[Database]:
    db = make_database(server)
    try:
        yield db
    finally:
        drop_database(server, db.name)


@pytest.fixture
def database_factory(server: sandbox.SandboxInfo) -> Iterator[object]:
    """Call it to get more fresh databases in one test; all are dropped afterwards."""
    made: list[Database] = []

    def make(prefix: str = "t") -> Database:
        db = make_database(server, prefix)
        made.append(db)
        return db

    try:
        yield make
    finally:
        for db in made:
            drop_database(server, db.name)


@dataclass
class ProjectCopy:
    """A copy of the example project in a temp folder, its environments on fresh databases."""

    root: Path
    databases: dict[str, Database]
    env: dict[str, str]


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every project copy: each starts from the same files, so the desired
    schema is built once per run (cache keys cover the files and the server; a test that
    edits a file gets its own entries)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def project(
    tmp_path: Path,
    server: sandbox.SandboxInfo,
    monkeypatch: pytest.MonkeyPatch,
    shared_cache: Path,
) -> Iterator[ProjectCopy]:
    root = tmp_path / "project"
    root.mkdir()
    for part in ("environments", "database"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("backups"))
    (root / "plans").mkdir()
    (root / ".mrpplan").mkdir()
    (root / ".mrpplan" / "cache").symlink_to(shared_cache, target_is_directory=True)
    databases: dict[str, Database] = {}
    env: dict[str, str] = {}
    for name in ("local", "dev", "staging", "prod"):
        db = make_database(server, name)
        databases[name] = db
        upper = name.upper()
        env[f"{upper}_DB_NAME"] = db.name
        env[f"{upper}_DB_OPTION_FILE"] = str(server.option_file)
    for key in list(os.environ):
        if key.endswith(("_DB_HOST", "_DB_PORT", "_DB_USER", "_DB_PASSWORD", "_SCHEMA_VERSION")):
            monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MRPPLAN_SANDBOX_DIR", str(server.dir))
    # the team's plan key, as CI holds it; tests of unkeyed plans pass MRPPLAN_PLAN_KEY=""
    monkeypatch.setenv("MRPPLAN_PLAN_KEY", "test-suite-plan-key")
    monkeypatch.chdir(root)
    try:
        yield ProjectCopy(root, databases, env)
    finally:
        for db in databases.values():
            drop_database(server, db.name)


@pytest.fixture
def cli() -> object:
    """`cli("plan", "prod")` -> CliResult with code, stdout, stderr."""
    return run_cli
