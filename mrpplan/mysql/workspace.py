"""The desired schema, canonicalized by the server itself (DESIGN §4.1).

The statements run in a scratch database `_mrpplan_ws_<random>` in the workspace
(`workspace_place`: the sandbox or a workspace account, never the apply account) and are
read back with SHOW CREATE, so both sides of a diff are the server's own text. The
scratch database is always dropped (error, Ctrl-C). The result is cached as canonical
texts by (digest of the statements, flavor, server version, default charset).

What the statements did outside the scratch database is measured (`server_effects`)
after each file: an account, database or global variable changed refuses the plan naming
the file, as does a statement the workspace account has no privilege for.

Incremental: when the result of a leading part of the statements is cached (the usual case
after adding a migration), only the remaining statements run, on top of that result. The
scratch database then holds just the cached tables they involve (those they change or
reference, plus the tables those reference or are referenced by), and only those are read
back. This is exact only when the involved tables are certain, so any statement whose
targets `ddl_targets` cannot name, a table with rows, a view or trigger that names a
changed table, or a constraint name used elsewhere, means a full rebuild instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pymysql

from mrpplan import __version__
from mrpplan.errors import Refused, SqlError
from mrpplan.local_cache import read_json, write_json
from mrpplan.model.schema import Schema
from mrpplan.mysql.connection import Session, server_version, session
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.inspect import inspect_objects, inspect_schema
from mrpplan.mysql.privileges import PrivilegeDenied
from mrpplan.mysql.quote import ident, literal
from mrpplan.mysql.server_effects import (
    ServerState,
    effects,
    may_have_effects,
    read_counters,
    read_server_state,
)
from mrpplan.mysql.workspace_place import Workspace, record_session
from mrpplan.sqlfiles.ddl_targets import ddl_targets
from mrpplan.sqlfiles.split import SqlStatement
from mrpplan.sqlfiles.statement_kinds import judge

CACHE_FORMAT = 5  # 5: tables' canonical texts too; 4: replays keep the verbatim key order
_SWITCHES_DATABASE = re.compile(r"^\s*(USE\s|(CREATE|DROP)\s+(DATABASE|SCHEMA)\b)", re.I)
_UNCHANGED = "Nothing was changed: the statements ran in a scratch database, now dropped."


def desired_schema(
    workspace: Workspace,
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
) -> Schema:
    """The schema the statements create, as this server would store it."""
    return desired_schemas(workspace, statements, (), cache_dir)[0]


def desired_schemas(
    workspace: Workspace,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
) -> list[Schema]:
    """[schema after prefix, after statements[0], ..., after statements[-1]]."""
    schemas = desired_chain(workspace, prefix, statements, cache_dir).schemas
    return [schema for schema in schemas if schema is not None]


@dataclass(frozen=True)
class Chain:
    """The schemas after the prefix and after each further statement, and the cache key of
    the last one (it covers every statement, the server's version and default charset)."""

    schemas: list[Schema | None]  # None: cached but not asked for (not loaded)
    key: str


def desired_chain(
    workspace: Workspace,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
    wanted: Collection[int] | None = None,
) -> Chain:
    """[schema after prefix, after statements[0], ..., after statements[-1]].

    Tracing a migration statement by statement (mrpplan.migrate.trace) needs the schema
    after every statement: the prefix runs once in ONE scratch database, then each further
    statement is followed by a cheap inspect. Every result is cached under its own key.
    `wanted`: when everything is cached, load only these positions (a traced chain that
    is cached itself needs its ends only).
    """
    every = [*prefix, *statements]
    with session(workspace.settings, database=None) as conn:
        version = server_version(conn)
        charset, collation = workspace.charset, workspace.collation
        parts = (Flavor.parse(version).label, version, charset, collation)
        chain = _chain_keys(every, parts)
        keys = chain[len(prefix) :]
        if _all_cached(cache_dir, keys):
            loaded = [
                _load(cache_dir, key) if wanted is None or n in wanted else None
                for n, key in enumerate(keys)
            ]
            if all(e is not None for n, e in enumerate(loaded) if wanted is None or n in wanted):
                return Chain([e.schema if e else None for e in loaded], keys[-1])
        with _BUILDING:  # a fleet's planning threads: the first builds, the others load it
            cached = [_load(cache_dir, key) for key in keys]
            if all(entry is not None for entry in cached):
                return Chain([e.schema if e else None for e in cached], keys[-1])
            base = _incremental_base(cache_dir, every, len(prefix), chain)
            built = _build(conn, workspace, every, len(prefix), base)
            BUILDS.append(keys[-1])
            for key, entry in zip(keys, built, strict=True):
                _store(cache_dir, key, entry)
    return Chain([entry.schema for entry in built], keys[-1])


def _all_cached(cache_dir: Path | None, keys: Sequence[str]) -> bool:
    if cache_dir is None:
        return False
    return all((cache_dir, k) in _MEMORY or _cache_file(cache_dir, k).is_file() for k in keys)


@dataclass(frozen=True)
class _Entry:
    """A cached result: the schema, and the tables holding rows (None: not known)."""

    schema: Schema
    filled: frozenset[str] | None


@dataclass(frozen=True)
class _Base:
    """Where an incremental build starts: the cached result after `start` statements, and
    the cached tables to load into the scratch database."""

    start: int
    entry: _Entry
    load: frozenset[str]


def statements_digest(statements: Sequence[SqlStatement]) -> str:
    digest = hashlib.sha256()
    for statement in statements:
        digest.update(statement.text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _cache_key(statements: Sequence[SqlStatement], *parts: str) -> str:
    return _key(statements_digest(statements), parts)


def _key(digest: str, parts: Sequence[str]) -> str:
    # The mrpplan version is part of the key: canonicalisation may change between releases.
    text = "\0".join([f"v{CACHE_FORMAT}", __version__, digest, *parts])
    return hashlib.sha256(text.encode()).hexdigest()


def _chain_keys(statements: Sequence[SqlStatement], parts: Sequence[str]) -> list[str]:
    """The cache key after 0, 1, ..., len(statements) statements (one running digest)."""
    digest = hashlib.sha256()
    keys = [_key(digest.hexdigest(), parts)]
    for statement in statements:
        digest.update(statement.text.encode("utf-8") + b"\0")
        keys.append(_key(digest.hexdigest(), parts))
    return keys


def _incremental_base(
    cache_dir: Path | None, every: Sequence[SqlStatement], first_wanted: int, keys: list[str]
) -> _Base | None:
    """The longest cached leading part the rest can be replayed on exactly, or None."""
    if cache_dir is None:
        return None
    for start in range(min(first_wanted, len(every) - 1), 0, -1):
        if not _cache_file(cache_dir, keys[start]).is_file():
            continue
        entry = _load(cache_dir, keys[start])
        if entry is None or entry.filled is None:
            return None
        load = _tables_to_load(entry, every[start:])
        return None if load is None else _Base(start, entry, load)
    return None


def _tables_to_load(entry: _Entry, rest: Sequence[SqlStatement]) -> frozenset[str] | None:
    """The cached tables the statements involve, or None when that is not certain."""
    schema = entry.schema
    changed: set[str] = set()
    involved: set[str] = set()
    for statement in rest:
        targets = ddl_targets(statement.text)
        if targets is None:
            return None
        changed |= targets.changed
        involved |= targets.changed | targets.referenced
    if changed & (set(schema.views) | set(schema.routines) | set(schema.events)):
        return None
    others = [v.canonical for v in schema.views.values()]
    others += [t.canonical for t in schema.triggers.values()]
    if any(f"`{name}`" in text for name in changed for text in others):
        return None  # a view or trigger would see the change: not replayed exactly
    load = set(involved)
    for name, table in schema.tables.items():
        parents = _references(table.canonical)
        if name in involved:
            load |= parents
        elif parents & involved:
            load.add(name)
    load &= set(schema.tables)
    if load & (entry.filled or set()):
        return None  # rows can make a statement fail: only a full build knows
    if _constraint_names(rest) & _constraint_names_outside(schema, load):
        return None  # InnoDB foreign key names are unique per database
    return frozenset(load)


_REFERENCES = re.compile(r"REFERENCES `((?:[^`]|``)+)` \(")
_CONSTRAINT = re.compile(r"CONSTRAINT\s+`?((?:[^`\s]|``)+)`?", re.I)


def _references(canonical: str) -> set[str]:
    return {m.replace("``", "`") for m in _REFERENCES.findall(canonical)}


def _constraint_names(statements: Sequence[SqlStatement]) -> set[str]:
    return {m.lower() for s in statements for m in _CONSTRAINT.findall(s.text)}


def _constraint_names_outside(schema: Schema, load: set[str]) -> set[str]:
    return {
        m.lower()
        for name, table in schema.tables.items()
        if name not in load
        for m in _CONSTRAINT.findall(table.canonical)
    }


def _build(
    conn: Session,
    workspace: Workspace,
    every: Sequence[SqlStatement],
    first_wanted: int,
    base: _Base | None,
) -> list[_Entry]:
    """Run the statements in a scratch database; read it back after statement
    `first_wanted` - 1 and after each one that follows (only what that one changed)."""
    scratch = f"_mrpplan_ws_{secrets.token_hex(6)}"
    created = False
    start = base.start if base else 0
    try:
        with conn.cursor() as cur, _Watch(conn, workspace, scratch) as watch:
            _create_scratch(cur, scratch, workspace)
            created = True
            record_session(conn, workspace)
            conn.select_db(scratch)
            if base is not None:
                _load_tables(cur, base.entry.schema, base.load)
            watch.start()
            for n, statement in enumerate(every[start:first_wanted], start):
                _run(cur, statement, workspace)
                watch.after(statement, every[n + 1] if n + 1 < len(every) else None)
            entries = [_read(conn, scratch, base)]
            for n, statement in enumerate(every[first_wanted:], first_wanted):
                _run(cur, statement, workspace)
                watch.after(statement, every[n + 1] if n + 1 < len(every) else None)
                entries.append(_advance(conn, scratch, base, entries[-1], statement))
        return entries
    finally:
        if created:
            _drop(conn, workspace, scratch)


class _Watch:
    """The server's accounts, databases and globals before the first statement and after
    each file's last: a difference refuses the plan naming the file (module doc)."""

    def __init__(self, conn: Session, workspace: Workspace, scratch: str):
        self.conn = conn
        self.workspace = workspace
        self.scratch = scratch
        self.observer: Session | None = None
        self.before: ServerState | None = None
        self._closing = contextlib.ExitStack()

    def __enter__(self) -> _Watch:
        self.observer = self._closing.enter_context(session(self.workspace.observer, database=None))
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closing.close()

    def _read(self) -> ServerState:
        assert self.observer is not None
        return read_server_state(self.observer, session=self.conn)

    def start(self) -> None:
        self.before = self._read()

    def after(self, statement: SqlStatement, following: SqlStatement | None) -> None:
        if following is not None and following.file == statement.file:
            return
        assert self.before is not None and self.observer is not None
        if not may_have_effects(self.before, read_counters(self.conn)):
            return  # nothing this file ran can have changed the server
        now = self._read()
        found = effects(self.before, now, ignore={self.scratch})
        self.before = now
        if not found:
            return
        undone = "nothing could be undone"
        with contextlib.suppress(Exception), self.observer.cursor() as cur:
            for sql in found.undo:
                cur.execute(sql)
            undone = "undone: " + "; ".join(found.undo) if found.undo else undone
        raise Refused(
            f"{statement.file}: running it in the workspace changed the server outside its"
            f" scratch database: {'; '.join(found.lines)} ({undone}). The plan is refused:"
            " a migration may change only its own database.",
            unchanged="Nothing was planned; the target database was not touched.",
            hint="remove the statement that reaches accounts, databases or global variables",
        )


def _load_tables(cur: pymysql.cursors.Cursor, schema: Schema, names: frozenset[str]) -> None:
    """Create the cached tables in the scratch database (foreign keys unchecked meanwhile:
    their parents may be absent or created later)."""
    cur.execute("SET @mrpplan_fkc = @@foreign_key_checks, foreign_key_checks = 0")
    for name in sorted(names):
        cur.execute(schema.tables[name].text)  # verbatim: the author's key order
    cur.execute("SET foreign_key_checks = @mrpplan_fkc")


def _read(conn: Session, scratch: str, base: _Base | None) -> _Entry:
    """The scratch database as a result; on an incremental build, merged into the base."""
    found = inspect_schema(conn, scratch)
    if base is None:
        return _Entry(found, _filled_tables(conn, scratch, found.tables))
    prior = base.entry.schema
    tables = {n: t for n, t in prior.tables.items() if n not in base.load}
    tables.update(found.tables)
    return _Entry(replace(prior, tables=dict(sorted(tables.items()))), base.entry.filled)


def _advance(
    conn: Session, scratch: str, base: _Base | None, prior: _Entry, statement: SqlStatement
) -> _Entry:
    """The result after one more statement: when its targets are known, only they (and the
    tables referencing them, and their triggers) are read again."""
    targets = ddl_targets(statement.text)
    if targets is None:
        return _read(conn, scratch, base)
    found = inspect_objects(conn, scratch, targets.changed)
    stale = set(targets.changed) | set(found.tables)
    schema = prior.schema
    tables = {n: t for n, t in schema.tables.items() if n not in stale}
    tables.update(found.tables)
    triggers = {n: t for n, t in schema.triggers.items() if t.table not in stale}
    triggers.update(found.triggers)
    filled = None
    if prior.filled is not None:  # DDL moves rows with a renamed table, never adds any
        moved = _filled_tables(conn, scratch, [n for n in targets.changed if n in found.tables])
        filled = (prior.filled - targets.changed) | moved
    return _Entry(
        replace(
            schema,
            tables=dict(sorted(tables.items())),
            triggers=dict(sorted(triggers.items())),
        ),
        filled,
    )


def _filled_tables(conn: Session, scratch: str, names: Collection[str]) -> frozenset[str]:
    """Which of these scratch tables hold rows (migrations may insert reference data)."""
    ordered = sorted(names)
    filled: set[str] = set()
    with conn.cursor() as cur:
        for i in range(0, len(ordered), 200):
            chunk = ordered[i : i + 200]
            cur.execute(
                " UNION ALL ".join(
                    f"SELECT {literal(n)} FROM DUAL WHERE EXISTS"
                    f" (SELECT 1 FROM {ident(scratch)}.{ident(n)})"
                    for n in chunk
                )
            )
            filled.update(str(row[0]) for row in cur.fetchall())
    return frozenset(filled)


def _create_scratch(cur: pymysql.cursors.Cursor, scratch: str, workspace: Workspace) -> None:
    charset, collation = workspace.charset, workspace.collation
    try:
        cur.execute(f"CREATE DATABASE {ident(scratch)} CHARACTER SET {charset} COLLATE {collation}")
    except pymysql.MySQLError as exc:
        message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        raise SqlError(
            f"cannot create the scratch database {scratch} on {workspace.describe()}: {message}",
            errno=exc.args[0] if exc.args and isinstance(exc.args[0], int) else None,
            unchanged="Nothing was changed.",
            hint="the desired schema is built in a scratch database: the workspace account"
            " needs ALL PRIVILEGES on `\\_mrpplan\\_ws\\_%`.* (README: Where plan runs your SQL)",
        ) from None


def _run(cur: pymysql.cursors.Cursor, statement: SqlStatement, workspace: Workspace) -> None:
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
    verdict = judge(statement)  # every executable comment read as running: the strictest
    if verdict.problem:
        raise SqlError(
            f"{statement.file}:{verdict.line}: mrpplan does not run this statement"
            f" ({verdict.problem})",
            statement=statement.text,
            source=f"{statement.file}:{verdict.line}",
            unchanged=_UNCHANGED,
            hint="schema, migration and seed files change only the environment's own database",
        )
    try:
        cur.execute(statement.text)
        if cur.description is not None:
            cur.fetchall()
    except PrivilegeDenied as exc:
        raise Refused(
            f"{where}: this statement reaches beyond the workspace: it needs the"
            f" {exc.privilege} privilege, which the workspace account does not have"
            f" ({exc.args[1]}). The plan is refused: a migration may change only its own"
            " database.",
            unchanged=f"Nothing was changed: it ran on {workspace.describe()}, in a scratch"
            " database now dropped; the target was not touched.",
            hint="remove the statement that reaches accounts, other databases or the server",
        ) from None
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


def _drop(conn: Session, workspace: Workspace, scratch: str) -> None:
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
    with (
        contextlib.suppress(Exception),
        session(workspace.settings, database=None) as fresh,
        fresh.cursor() as cur,
    ):
        if old_thread:
            with contextlib.suppress(pymysql.MySQLError):
                cur.execute(f"KILL CONNECTION {int(old_thread)}")
        cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch)}")


def _cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "desired" / f"{key}.json"


# Loaded results, in memory: a fleet plan asks for the same desired schema once per
# database, and parsing the cached texts each time would make it O(databases x tables).
_MEMORY: dict[tuple[Path, str], _Entry] = {}
_MEMORY_LIMIT = 256
_MEMORY_LOCK = threading.Lock()
_BUILDING = threading.Lock()
BUILDS: list[str] = []  # the keys built in this process (benchmarks and tests read it)


def _load(cache_dir: Path | None, key: str) -> _Entry | None:
    if cache_dir is None:
        return None
    remembered = _MEMORY.get((cache_dir, key))
    if remembered is not None:
        return remembered
    entry = _load_file(cache_dir, key)
    if entry is not None:
        _remember(cache_dir, key, entry)
    return entry


def _remember(cache_dir: Path, key: str, entry: _Entry) -> None:
    with _MEMORY_LOCK:
        if len(_MEMORY) >= _MEMORY_LIMIT:
            _MEMORY.pop(next(iter(_MEMORY)), None)
        _MEMORY[(cache_dir, key)] = entry


def _load_file(cache_dir: Path, key: str) -> _Entry | None:
    data = read_json(_cache_file(cache_dir, key))
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    filled = data.get("filled")
    return _Entry(Schema.from_texts(data["schema"]), None if filled is None else frozenset(filled))


def _store(cache_dir: Path | None, key: str, entry: _Entry) -> None:
    if cache_dir is None:
        return
    _remember(cache_dir, key, entry)
    filled = None if entry.filled is None else sorted(entry.filled)
    write_json(
        _cache_file(cache_dir, key),
        {"format": CACHE_FORMAT, "schema": entry.schema.to_texts(), "filled": filled},
    )


@contextlib.contextmanager
def scratch_database(workspace: Workspace, statements: Sequence[SqlStatement]) -> Iterator[Session]:
    """A scratch `_mrpplan_ws_<random>` database holding what `statements` build, for work
    that must not touch a real database (seed idempotency checks); always dropped."""
    with session(workspace.settings, database=None) as conn:
        scratch = f"_mrpplan_ws_{secrets.token_hex(6)}"
        with conn.cursor() as cur:
            _create_scratch(cur, scratch, workspace)
        record_session(conn, workspace)
        try:
            conn.select_db(scratch)
            with conn.cursor() as cur:
                for statement in statements:
                    _run(cur, statement, workspace)
            yield conn
        finally:
            _drop(conn, workspace, scratch)
