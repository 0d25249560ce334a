"""The desired schema, canonicalized by the server itself (DESIGN §4.1), and its cache.

The statements are built on the server by `mrpplan.mysql.workspace` (a scratch database
in the workspace, read back with SHOW CREATE). The result is cached as canonical texts by
(digest of the statements, flavor, server version, default charset).

Incremental: when the result of a leading part of the statements is cached (the usual case
after adding a migration), only the remaining statements run, on top of that result. The
scratch database then holds just the cached tables they involve (those they change or
reference, plus the tables those reference or are referenced by), and only those are read
back. This is exact only when the involved tables are certain, so any statement whose
targets `ddl_targets` cannot name, a table with rows, a view or trigger that names a
changed table, or a constraint name used elsewhere, means a full rebuild instead.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from mrpplan import __version__
from mrpplan.config.settings import ConnectionSettings
from mrpplan.local_cache import read_json, write_json
from mrpplan.model.built import BuildBase, Built
from mrpplan.model.canonical import is_mrpplan_object
from mrpplan.model.schema import Schema, referenced_tables
from mrpplan.mysql.connection import server_version, session
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.workspace_place import Workspace
from mrpplan.sqlfiles.split import SqlStatement

CACHE_FORMAT = 5  # 5: tables' canonical texts too; 4: replays keep the verbatim key order


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
    """The schemas after the prefix and after each further statement, and their cache keys
    (each covers the statements up to it, the server's version and default charset)."""

    schemas: list[Schema | None]  # None: cached but not asked for (not loaded)
    keys: list[str]

    @property
    def key(self) -> str:
        """The last schema's key: it covers every statement."""
        return self.keys[-1]


def desired_chain(
    workspace: Workspace,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
    wanted: Collection[int] | None = None,
    keep: Collection[int] | None = None,
) -> Chain:
    """[schema after prefix, after statements[0], ..., after statements[-1]].

    Tracing a migration statement by statement (mrpplan.desired.trace) needs the schema
    after every statement: the prefix runs once in ONE scratch database, then each further
    statement is followed by a cheap inspect. Each result has its own cache key.
    `wanted`: when these positions are cached, load only them (a traced chain that is
    cached itself needs its ends only; lint, the schemas at a few migrations' ends); the
    others are None then.
    A build writes to the cache the schemas at `keep` (default: `wanted`; neither given:
    every position): the ones a later plan asks for. A schema after every statement of
    an ERP project's 60 migrations was 900 files of 0.5 MB each, written by every cold
    plan of a database that is behind, and read by none (the traces are cached whole).
    """
    every = [*prefix, *statements]
    chain = _chain_keys(every, _server_parts(workspace))
    keys = chain[len(prefix) :]
    asked = keys if wanted is None else [keys[n] for n in sorted(wanted)]
    if _all_cached(cache_dir, asked):
        loaded = [
            _load(cache_dir, key) if wanted is None or n in wanted else None
            for n, key in enumerate(keys)
        ]
        if all(e is not None for n, e in enumerate(loaded) if wanted is None or n in wanted):
            return Chain([e.schema if e else None for e in loaded], keys)
    from mrpplan.mysql.workspace import build  # a plan that runs statements

    # a fleet's planning threads: the first builds, the others load what it built
    with session(workspace.settings, database=None) as conn, _BUILDING:
        cached = [_load(cache_dir, key) for key in keys]
        if all(entry is not None for entry in cached):
            return Chain([e.schema if e else None for e in cached], keys)
        base = _incremental_base(cache_dir, every, len(prefix), chain)
        built = build(conn, workspace, every, len(prefix), base)
        BUILDS.append(keys[-1])
        stored = keep if keep is not None else wanted  # None: every position
        for n, (key, entry) in enumerate(zip(keys, built, strict=True)):
            if stored is None or n in stored:
                _store(cache_dir, key, entry)
    return Chain([entry.schema for entry in built], keys)


def _server_parts(workspace: Workspace) -> tuple[str, ...]:
    """What a cache key holds besides the statements: the workspace server's flavor and
    version, and the default charset; the version read once per workspace in a process
    (a plan and its lint ask for several chains)."""
    with _MEMORY_LOCK:
        version = _VERSIONS.get(workspace.settings)
    if version is None:
        with session(workspace.settings, database=None) as conn:
            version = server_version(conn)
        with _MEMORY_LOCK:
            _VERSIONS[workspace.settings] = version
    label = Flavor.parse(version).label
    return (label, version, workspace.charset, workspace.collation)


def workspace_version(workspace: Workspace) -> str:
    """The workspace server's VERSION(), which every cache key holds."""
    return _server_parts(workspace)[1]


def _all_cached(cache_dir: Path | None, keys: Sequence[str]) -> bool:
    if cache_dir is None:
        return False
    return all((cache_dir, k) in _MEMORY or _cache_file(cache_dir, k).is_file() for k in keys)


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
    """The cache key after 0, 1, ..., len(statements) statements (one running digest).

    Remembered for the process by the digest of all the statements: a plan and its lint
    ask for the same chain three times, and a key per statement is the cost (ms each)."""
    texts = [statement.text.encode("utf-8") + b"\0" for statement in statements]
    whole = hashlib.sha256(b"".join(texts)).hexdigest()
    remembered = (tuple(parts), len(texts), whole)
    with _MEMORY_LOCK:
        known = _KEYS.get(remembered)
    if known is not None:
        return list(known)
    digest = hashlib.sha256()
    keys = [_key(digest.hexdigest(), parts)]
    for text in texts:
        digest.update(text)
        keys.append(_key(digest.hexdigest(), parts))
    with _MEMORY_LOCK:
        if len(_KEYS) >= _MEMORY_LIMIT:
            _KEYS.clear()
        _KEYS[remembered] = keys
    return list(keys)


def _incremental_base(
    cache_dir: Path | None, every: Sequence[SqlStatement], first_wanted: int, keys: list[str]
) -> BuildBase | None:
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
        return None if load is None else BuildBase(start, entry, load)
    return None


def _tables_to_load(entry: Built, rest: Sequence[SqlStatement]) -> frozenset[str] | None:
    """The cached tables the statements involve, or None when that is not certain."""
    from mrpplan.sqlfiles.ddl_targets import ddl_targets

    schema = entry.schema
    changed: set[str] = set()
    involved: set[str] = set()
    for statement in rest:
        targets = ddl_targets(statement.text)
        if targets is None:
            return None
        changed |= targets.changed
        involved |= targets.changed | targets.referenced
    if any(is_mrpplan_object(name) for name in involved):
        return None  # mrpplan's own tables (a trash table a down renames back) are in no schema
    if changed & (set(schema.views) | set(schema.routines) | set(schema.events)):
        return None
    others = [v.canonical for v in schema.views.values()]
    others += [t.canonical for t in schema.triggers.values()]
    if any(f"`{name}`" in text for name in changed for text in others):
        return None  # a view or trigger would see the change: not replayed exactly
    load = set(involved)
    for name, table in schema.tables.items():
        parents = referenced_tables(table.canonical)
        if name in involved:
            load |= parents
        elif parents & involved:
            load.add(name)
    load &= set(schema.tables)
    if any(trigger.table in load for trigger in schema.triggers.values()):
        return None  # a loaded table comes without its triggers: only a full build has them
    if load & (entry.filled or set()):
        return None  # rows can make a statement fail: only a full build knows
    if _constraint_names(rest) & _constraint_names_outside(schema, load):
        return None  # InnoDB foreign key names are unique per database
    return frozenset(load)


_CONSTRAINT = re.compile(r"CONSTRAINT\s+`?((?:[^`\s]|``)+)`?", re.I)


def _constraint_names(statements: Sequence[SqlStatement]) -> set[str]:
    return {m.lower() for s in statements for m in _CONSTRAINT.findall(s.text)}


def _constraint_names_outside(schema: Schema, load: set[str]) -> set[str]:
    return {
        m.lower()
        for name, table in schema.tables.items()
        if name not in load
        for m in _CONSTRAINT.findall(table.canonical)
    }


def _cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "desired" / f"{key}.json"


# Loaded results, in memory: a fleet plan asks for the same desired schema once per
# database, and parsing the cached texts each time would make it O(databases x tables).
_MEMORY: dict[tuple[Path, str], Built] = {}
_MEMORY_LIMIT = 256
_MEMORY_LOCK = threading.Lock()
_BUILDING = threading.Lock()
_VERSIONS: dict[ConnectionSettings, str] = {}
_KEYS: dict[tuple[tuple[str, ...], int, str], list[str]] = {}  # _chain_keys, remembered
BUILDS: list[str] = []  # the keys built in this process (benchmarks and tests read it)


def _load(cache_dir: Path | None, key: str) -> Built | None:
    if cache_dir is None:
        return None
    remembered = _MEMORY.get((cache_dir, key))
    if remembered is not None:
        return remembered
    entry = _load_file(cache_dir, key)
    if entry is not None:
        _remember(cache_dir, key, entry)
    return entry


def _remember(cache_dir: Path, key: str, entry: Built) -> None:
    with _MEMORY_LOCK:
        if len(_MEMORY) >= _MEMORY_LIMIT:
            _MEMORY.pop(next(iter(_MEMORY)), None)
        _MEMORY[(cache_dir, key)] = entry


def _load_file(cache_dir: Path, key: str) -> Built | None:
    data = read_json(_cache_file(cache_dir, key))
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    filled = data.get("filled")
    return Built(Schema.from_texts(data["schema"]), None if filled is None else frozenset(filled))


def _store(cache_dir: Path | None, key: str, entry: Built) -> None:
    if cache_dir is None:
        return
    _remember(cache_dir, key, entry)
    filled = None if entry.filled is None else sorted(entry.filled)
    write_json(
        _cache_file(cache_dir, key),
        {"format": CACHE_FORMAT, "schema": entry.schema.to_texts(), "filled": filled},
    )
