"""The desired schema after a prefix and after each further statement, in ONE scratch database.

Tracing a migration statement by statement (mrpplan.migrate.trace) needs the canonical
schema after every statement. Building each prefix in its own workspace re-creates the
whole base schema every time (about 1 s each here); running the prefix once and then
inspecting after each statement costs one build plus a cheap SHOW CREATE per statement.
Results share the workspace cache (same keys as `desired_schema`).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from pathlib import Path

from mrpplan.config.settings import ConnectionSettings
from mrpplan.model.schema import Schema
from mrpplan.mysql.connection import connect, server_version
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.inspect import inspect_schema
from mrpplan.mysql.workspace import (
    _cache_key,
    _create_scratch,
    _default_charset,
    _drop,
    _load,
    _run,
    _store,
)
from mrpplan.sqlfiles.split import SqlStatement


def desired_schemas(
    settings: ConnectionSettings,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
) -> list[Schema]:
    """[schema after prefix, after statements[0], ..., after statements[-1]]."""
    conn = connect(settings, database=None)
    try:
        version = server_version(conn)
        charset, collation = _default_charset(conn, settings.database)
        parts = (Flavor.parse(version).label, version, charset, collation)
        keys = [_cache_key([*prefix, *statements[:k]], *parts) for k in range(len(statements) + 1)]
        cached = [_load(cache_dir, key) for key in keys]
        if all(schema is not None for schema in cached):
            return [schema for schema in cached if schema is not None]
        scratch = f"_mrpplan_ws_{secrets.token_hex(6)}"
        created = False
        schemas: list[Schema] = []
        try:
            with conn.cursor() as cur:
                _create_scratch(cur, scratch, charset, collation, settings)
                created = True
                conn.select_db(scratch)
                for statement in prefix:
                    _run(cur, statement)
                schemas.append(inspect_schema(conn, scratch))
                for statement in statements:
                    _run(cur, statement)
                    schemas.append(inspect_schema(conn, scratch))
        finally:
            if created:
                _drop(conn, settings, scratch)
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    for key, schema in zip(keys, schemas, strict=True):
        _store(cache_dir, key, schema)
    return schemas
