"""Shared fixtures: one real sandbox server per run, a fresh database per test."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest

from mrpplan import sandbox
from mrpplan.config.settings import ConnectionSettings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def server() -> sandbox.SandboxInfo:
    """The sandbox server (started once, reused across runs)."""
    return sandbox.up(sandbox.default_dir(REPO))


@dataclass
class Database:
    """A fresh, empty database on the sandbox, dropped after the test."""

    name: str
    settings: ConnectionSettings
    server: sandbox.SandboxInfo

    def connect(self, **kwargs: object) -> pymysql.connections.Connection:
        return pymysql.connect(
            host="127.0.0.1",
            port=self.server.port,
            user="root",
            password=self.server.password,
            database=self.name,
            autocommit=True,
            charset="utf8mb4",
            **kwargs,  # type: ignore[arg-type]
        )

    def query(self, sql: str, args: object = None) -> list[tuple[object, ...]]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                return list(cur.fetchall())
        finally:
            conn.close()

    def execute(self, *statements: str) -> None:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
        finally:
            conn.close()


def _admin(server: sandbox.SandboxInfo) -> pymysql.connections.Connection:
    return pymysql.connect(
        host="127.0.0.1", port=server.port, user="root", password=server.password, autocommit=True
    )


def make_database(server: sandbox.SandboxInfo, prefix: str = "t") -> Database:
    name = f"{prefix}_{secrets.token_hex(5)}"
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
            )
    finally:
        conn.close()
    return Database(name, server.settings(name), server)


def drop_database(server: sandbox.SandboxInfo, name: str) -> None:
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


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


@pytest.fixture
def project(
    tmp_path: Path, server: sandbox.SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ProjectCopy]:
    root = tmp_path / "project"
    root.mkdir()
    for part in ("environments", "database"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("backups"))
    (root / "plans").mkdir()
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
    monkeypatch.chdir(root)
    try:
        yield ProjectCopy(root, databases, env)
    finally:
        for db in databases.values():
            drop_database(server, db.name)


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> CliResult:
    """Run `mrpplan ARGS` in a subprocess, exactly as a user would (no terminal on stdin)."""
    import subprocess
    import sys

    merged = dict(os.environ)
    merged["NO_COLOR"] = "1"
    merged["COLUMNS"] = "200"
    if env:
        merged.update(env)
    done = subprocess.run(
        [sys.executable, "-m", "mrpplan", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=merged,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli() -> object:
    """`cli("plan", "prod")` -> CliResult with code, stdout, stderr."""
    return run_cli
