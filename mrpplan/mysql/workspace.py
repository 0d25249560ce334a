"""The desired schema, canonicalized by the server itself (DESIGN §4.1).

The statements run in a scratch database `_mrpplan_ws_<random>` on the given server and
are read back with SHOW CREATE, so both sides of a diff are the server's own text. The
scratch database is always dropped (error, Ctrl-C). The result is cached as canonical
texts by (digest of the statements, flavor, server version, default charset).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pymysql

from mrpplan import __version__
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import SqlError
from mrpplan.model.schema import Schema
from mrpplan.mysql.connection import Connection, connect, server_version
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.inspect import inspect_schema
from mrpplan.mysql.quote import ident, literal
from mrpplan.sqlfiles.split import SqlStatement

CACHE_FORMAT = 1
_SWITCHES_DATABASE = re.compile(r"^\s*(USE\s|(CREATE|DROP)\s+(DATABASE|SCHEMA)\b)", re.I)
_UNCHANGED = "Nothing was changed: the statements ran in a scratch database, now dropped."


def desired_schema(
    settings: ConnectionSettings,
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
) -> Schema:
    """The schema the statements create, as this server would store it."""
    return desired_schemas(settings, statements, (), cache_dir)[0]


def desired_schemas(
    settings: ConnectionSettings,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
) -> list[Schema]:
    """[schema after prefix, after statements[0], ..., after statements[-1]].

    Tracing a migration statement by statement (mrpplan.migrate.trace) needs the schema
    after every statement: the prefix runs once in ONE scratch database, then each further
    statement is followed by a cheap inspect. Every result is cached under its own key.
    """
    conn = connect(settings, database=None)
    try:
        version = server_version(conn)
        charset, collation = _default_charset(conn, settings.database)
        parts = (Flavor.parse(version).label, version, charset, collation)
        keys = [_cache_key([*prefix, *statements[:k]], *parts) for k in range(len(statements) + 1)]
        cached = [_load(cache_dir, key) for key in keys]
        if all(schema is not None for schema in cached):
            return [schema for schema in cached if schema is not None]
        schemas = _build(conn, settings, prefix, statements, charset, collation)
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    for key, schema in zip(keys, schemas, strict=True):
        _store(cache_dir, key, schema)
    return schemas


def statements_digest(statements: Sequence[SqlStatement]) -> str:
    digest = hashlib.sha256()
    for statement in statements:
        digest.update(statement.text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _cache_key(statements: Sequence[SqlStatement], *parts: str) -> str:
    # The mrpplan version is part of the key: canonicalisation may change between releases.
    text = "\0".join([f"v{CACHE_FORMAT}", __version__, statements_digest(statements), *parts])
    return hashlib.sha256(text.encode()).hexdigest()


def _default_charset(conn: Connection, database: str) -> tuple[str, str]:
    """The target database's default charset/collation (tables inherit it)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM"
            f" information_schema.SCHEMATA WHERE SCHEMA_NAME = {literal(database)}"
        )
        row = cur.fetchone()
        if not row:
            cur.execute("SELECT @@character_set_server, @@collation_server")
            row = cur.fetchone()
    return (str(row[0]), str(row[1])) if row else ("utf8mb4", "utf8mb4_general_ci")


def _build(
    conn: Connection,
    settings: ConnectionSettings,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    charset: str,
    collation: str,
) -> list[Schema]:
    with _scratch(conn, settings, prefix, charset, collation) as scratch, conn.cursor() as cur:
        schemas = [inspect_schema(conn, scratch)]
        for statement in statements:
            _run(cur, statement)
            schemas.append(inspect_schema(conn, scratch))
    return schemas


@contextlib.contextmanager
def _scratch(
    conn: Connection,
    settings: ConnectionSettings,
    statements: Sequence[SqlStatement],
    charset: str,
    collation: str,
) -> Iterator[str]:
    """A new scratch database (selected on `conn`) holding what `statements` build; its name.
    Dropped on the way out, whatever happens."""
    scratch = f"_mrpplan_ws_{secrets.token_hex(6)}"
    created = False
    try:
        with conn.cursor() as cur:
            _create_scratch(cur, scratch, charset, collation, settings)
            created = True
            conn.select_db(scratch)
            for statement in statements:
                _run(cur, statement)
        yield scratch
    finally:
        if created:
            _drop(conn, settings, scratch)


def _create_scratch(
    cur: pymysql.cursors.Cursor,
    scratch: str,
    charset: str,
    collation: str,
    settings: ConnectionSettings,
) -> None:
    try:
        cur.execute(f"CREATE DATABASE {ident(scratch)} CHARACTER SET {charset} COLLATE {collation}")
    except pymysql.MySQLError as exc:
        message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        raise SqlError(
            f"cannot create the scratch database {scratch} on {settings.endpoint()}: {message}",
            errno=exc.args[0] if exc.args and isinstance(exc.args[0], int) else None,
            unchanged="Nothing was changed.",
            hint="the desired schema is built in a scratch database: the user needs CREATE and"
            " DROP on `_mrpplan_ws_%` databases",
        ) from None


def _run(cur: pymysql.cursors.Cursor, statement: SqlStatement) -> None:
    where = f"{statement.file}:{statement.line}"
    if _SWITCHES_DATABASE.match(statement.text):
        raise SqlError(
            f"{where}: schema files must not switch or create databases"
            f" ({statement.text.split(None, 2)[0].upper()} ...)",
            statement=statement.text,
            source=where,
            unchanged=_UNCHANGED,
            hint="remove USE/CREATE DATABASE: the environment file names the database",
        )
    try:
        cur.execute(statement.text)
        if cur.description is not None:
            cur.fetchall()
    except pymysql.MySQLError as exc:
        errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        raise SqlError(
            f"{where}: the server rejected the statement: {message}",
            statement=statement.text,
            errno=errno,
            source=where,
            unchanged=_UNCHANGED,
        ) from None


def _drop(conn: Connection, settings: ConnectionSettings, scratch: str) -> None:
    """Drop the scratch database. After Ctrl-C this connection may be mid-statement: then
    a new connection kills it (so it releases its locks) and drops the database."""
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch)}")
        return
    except BaseException:  # fall through to the fresh connection
        pass
    old_thread = None
    with contextlib.suppress(Exception):
        old_thread = conn.thread_id()
    with contextlib.suppress(Exception):
        fresh = connect(settings, database=None)
        try:
            with fresh.cursor() as cur:
                if old_thread:
                    with contextlib.suppress(pymysql.MySQLError):
                        cur.execute(f"KILL CONNECTION {int(old_thread)}")
                cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch)}")
        finally:
            fresh.close()


def _cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "desired" / f"{key}.json"


def _load(cache_dir: Path | None, key: str) -> Schema | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_file(cache_dir, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    return Schema.from_texts(data["schema"])


def _store(cache_dir: Path | None, key: str, schema: Schema) -> None:
    """Write atomically; a cache that cannot be written only costs time."""
    if cache_dir is None:
        return
    path = _cache_file(cache_dir, key)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"format": CACHE_FORMAT, "schema": schema.to_texts()}, handle)
        os.replace(tmp, path)


@contextlib.contextmanager
def scratch_database(
    settings: ConnectionSettings, statements: Sequence[SqlStatement]
) -> Iterator[Connection]:
    """A scratch `_mrpplan_ws_<random>` database holding what `statements` build, for work
    that must not touch a real database (seed idempotency checks); always dropped."""
    conn = connect(settings, database=None)
    try:
        charset, collation = _default_charset(conn, settings.database)
        with _scratch(conn, settings, statements, charset, collation):
            yield conn
    finally:
        with contextlib.suppress(Exception):
            conn.close()
