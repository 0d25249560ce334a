"""Lint a project: its desired schema, each migration's change, and (with an environment)
the live database. Findings are placed at the statement that made them (file:line), take
the environment's level (`policy.lint`), and a migration's `-- mrpplan:allow <rule>
<reason>` drops that rule's findings placed in it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrpplan.config import Environment, Project
from mrpplan.lint import ahead
from mrpplan.lint.rules import OFF, RULES, Finding
from mrpplan.local_cache import read_json, write_json
from mrpplan.model.schema import Schema
from mrpplan.mysql.workspace_place import Workspace, workspace_for
from mrpplan.sqlfiles.split import SqlStatement

if TYPE_CHECKING:
    from mrpplan.desired.workspace import Chain
    from mrpplan.mysql.connection import Session

_ALLOW = re.compile(r"--\s*mrpplan:allow\s+(?P<rule>[a-z0-9-]+)\s+(?P<reason>\S.*)$", re.M)


def lint_project(
    project: Project,
    workspace: Workspace,
    env: Environment | None = None,
    *,
    levels: Mapping[str, str] | None = None,
    live_is_desired: bool = False,
) -> list[Finding]:
    """Every finding, at its level (rules set to off and allowed ones left out).

    With `env` (one database): its levels, its live database, and only the migrations not
    yet applied there; `levels` alone (a fleet): the project's findings at those levels.
    `live_is_desired`: a plan found the live schema to be the desired one (same
    fingerprint), so the change between them has no findings: no need to read it again."""
    from mrpplan.desired.directory import base_schema_statements, load_migrations
    from mrpplan.desired.workspace import desired_chain

    migrations = load_migrations(project.migrations_dir)
    base = base_schema_statements(project.schema_dir)
    ends = [0]
    for migration in migrations:
        ends.append(ends[-1] + len(migration.up))
    flat = [s for m in migrations for s in m.up]
    applied, live = _live_facts(env) if env is not None else (set(), [])
    pending = [n for n, m in enumerate(migrations) if m.version not in applied]
    target = _target_index(env, migrations) if env is not None else None
    # an environment whose target's migrations have all run is linted as a declarative plan
    declarative = target is not None and all(m.version in applied for m in migrations[:target])
    # only the schemas a rule reads are loaded (each cached one is a file to parse)
    wanted = {ends[n] for n in pending} | {ends[n + 1] for n in pending}
    wanted |= {ends[target]} if declarative and target is not None else set()
    chain = desired_chain(workspace, base, flat, project.cache_dir, wanted=wanted)
    if any(chain.schemas[e] is None for e in wanted):
        chain = desired_chain(workspace, base, flat, project.cache_dir, keep=ends)
    everything = [*base, *flat]
    by_file = {m.path: m.version for m in migrations}
    found = _placed_schema_findings(project, workspace, base, flat, chain, by_file)
    if pending:  # the diff and its rules are imported by a lint with migrations to run
        from mrpplan.desired.statements import column_renames, merge_renames
        from mrpplan.diff import diff_schemas
        from mrpplan.lint.change_rules import change_findings
    for n in pending:
        migration = migrations[n]
        renames = merge_renames(column_renames(s.text) for s in migration.up)
        before, after = _loaded(chain, ends[n]), _loaded(chain, ends[n + 1])
        changes = diff_schemas(before, after, renames=renames or None)
        for rule, table, message in change_findings(changes, after):
            statement = _last_touching(migration.up, table) or migration.up[0]
            found.append(_at(rule, message, statement, by_file))
    if env is not None:
        if declarative and target is not None and not live_is_desired:  # else linted above
            shaping = everything[: len(base) + ends[target]]
            found += _declarative(env, _loaded(chain, ends[target]), shaping)
        found += live
    chosen = dict(env.policy.lint) if env is not None else dict(levels or {})
    unique = list({(f.rule, f.message): f for f in reversed(found)}.values())[::-1]
    texts: dict[Path, str] = {}  # each migration's file read once, however many findings
    kept = [f for f in _leveled(unique, chosen) if not _allowed(f, migrations, texts)]
    ahead.discard()  # a plan's child whose findings a cache made unneeded
    shown = {f.file: Path(relative(project, f.file) or "") for f in kept if f.file}  # once a file
    return [replace(f, file=shown[f.file]) if f.file else f for f in kept]


_PLACED_FORMAT = 1  # the placed findings cached (bump when placing changes)


def _placed_schema_findings(
    project: Project,
    workspace: Workspace,
    base: Sequence[SqlStatement],
    flat: Sequence[SqlStatement],
    chain: Chain,
    by_file: Mapping[Path, str],
) -> list[Finding]:
    """The schema rules' findings, each at the last statement that touched its table.

    Cached by the schema's key (every statement's text) and the statements' places (file,
    line, migration): a pure function of both. Placing scans every statement for each
    finding, a tenth of a no-change plan on an ERP schema; a plan with no changes reads it."""
    everything = [*base, *flat]
    places = "\n".join(f"{s.file}\0{s.line}" for s in everything)
    places += "".join(f"\n{path}\0{version}" for path, version in sorted(by_file.items()))
    layout = hashlib.sha256(places.encode()).hexdigest()[:32]
    cache = project.cache_dir / "lint" / f"{chain.key}-placed-{layout}.json"
    data = read_json(cache)
    formats = [_PLACED_FORMAT, _FINDINGS_FORMAT]  # a changed rule changes what is placed
    if isinstance(data, dict) and data.get("format") == formats:
        return [
            Finding(str(rule), str(message), Path(file) if file else None, int(line), **kw)
            for rule, message, file, line, kw in data["placed"]
        ]
    found = []
    for rule, table, message in _schema_findings(project, workspace, base, flat, chain):
        statement = _last_touching(everything, table)
        found.append(_at(rule, message, statement, by_file))
    placed = [
        [f.rule, f.message, str(f.file) if f.file else None, f.line, {"migration": f.migration}]
        for f in found
    ]
    write_json(cache, {"format": formats, "placed": placed})
    return found


def _loaded(chain: Chain, position: int) -> Schema:
    return chain.schemas[position] or Schema()


_FINDINGS_FORMAT = 1  # the schema rules' findings cached (bump when a rule changes)
TABLES_CACHE = Path("lint", "tables.json")  # each table's findings, by its text


def _schema_findings(
    project: Project,
    workspace: Workspace,
    base: Sequence[SqlStatement],
    flat: Sequence[SqlStatement],
    chain: Chain,
) -> list[tuple[str, str, str]]:
    """The schema rules' (rule, table, message) on the desired schema after every
    statement, cached by that schema's key (a plan with no changes parses no table), and
    table by table by its text (a new migration parses only the tables it changes)."""
    from mrpplan.desired.workspace import desired_chain

    cache = project.cache_dir / "lint" / f"{chain.key}.json"
    data = read_json(cache)
    if isinstance(data, dict) and data.get("format") == _FINDINGS_FORMAT:
        return [(str(a), str(b), str(c)) for a, b, c in data["findings"]]
    last = chain.schemas[-1]
    if last is None:
        chain = desired_chain(workspace, base, flat, project.cache_dir, wanted={len(flat)})
        last = chain.schemas[-1]
    found = _findings_by_table(project.cache_dir / TABLES_CACHE, last or Schema())
    write_json(cache, {"format": _FINDINGS_FORMAT, "findings": found})
    return found


def _findings_by_table(path: Path, schema: Schema) -> list[tuple[str, str, str]]:
    """Each table's findings, remembered by a digest of its name and verbatim text (the
    file keeps this schema's tables only); a plan's child may have found them for the
    live tables during the build (lint/ahead.py)."""
    data = read_json(path)
    known = data.get("tables", {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict) or data.get("format") != _FINDINGS_FORMAT:
        known = {}
    found_ahead = ahead.take()
    kept: dict[str, list[list[str]]] = {}
    found: list[tuple[str, str, str]] = []
    for name, table in sorted(schema.tables.items()):
        key = ahead.table_key(name, table.text)
        rows = known.get(key, found_ahead.get(key))
        if not isinstance(rows, list):
            rows = ahead.table_rows(name, table)
        kept[key] = rows
        found += [(str(a), str(b), str(c)) for a, b, c in rows]
    if kept != known:
        write_json(path, {"format": _FINDINGS_FORMAT, "tables": kept})
    return found


def _target_index(env: Environment, migrations: Sequence[Any]) -> int:
    """How many migrations ENV's target version includes."""
    from mrpplan.desired.directory import resolve_version

    number = resolve_version(migrations, env.schema.version)
    return sum(1 for m in migrations if m.number <= number)


def _declarative(
    env: Environment, desired: Schema, statements: Sequence[SqlStatement]
) -> list[Finding]:
    """The change from ENV's live schema to its target (what a declarative plan does: a
    column renamed in a schema file is a drop and an add there), placed at the statement
    that last shaped the table."""
    from mrpplan.diff import diff_schemas
    from mrpplan.lint.change_rules import change_findings
    from mrpplan.mysql.catalog import database_exists
    from mrpplan.mysql.connection import session
    from mrpplan.plan.live import read_state

    with session(env.connection, database=None, read_only=True) as conn:
        if not database_exists(conn, env.connection.database):
            return []
        conn.select_db(env.connection.database)
        live = read_state(conn, env.connection.database).schema
    if not live.tables:
        return []
    return [
        _at(rule, message, _last_touching(statements, table), {})
        for rule, table, message in change_findings(diff_schemas(live, desired), desired)
    ]


def live_findings(conn: Session, database: str) -> list[Finding]:
    """auto-increment-capacity: columns whose next value has used more than 80% of the type
    (a new environment has no database yet: none)."""
    from mrpplan.mysql.auto_increment import auto_increment_usage

    usage = auto_increment_usage(conn, database, _CAPACITY)
    return [
        Finding(
            "auto-increment-capacity",
            f"`{u.table}`.`{u.column}` ({u.type}) has used {u.used:,} of {u.maximum:,} "
            f"values ({u.used / u.maximum:.0%}): widen it before it runs out",
        )
        for u in usage
        if u.maximum and u.used / u.maximum > _CAPACITY
    ]


_CAPACITY = 0.8  # auto-increment-capacity: the share of the range that is too much


def _live_facts(env: Environment) -> tuple[set[str], list[Finding]]:
    """The migrations applied to ENV's database, and the live rule's findings: one session."""
    from mrpplan.mysql import schema_history as history
    from mrpplan.mysql.catalog import database_exists
    from mrpplan.mysql.connection import session

    database = env.connection.database
    with session(env.connection, database=None, read_only=True) as conn:
        found = live_findings(conn, database)
        if not database_exists(conn, database):
            return set(), found
        conn.select_db(database)
        return {r.version for r in history.read(conn) if r.success}, found


_CREATES = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?", re.I
)


def _last_touching(statements: Sequence[SqlStatement], table: str) -> SqlStatement | None:
    """The last statement that creates or alters `table` (where a reviewer looks)."""
    from mrpplan.sqlfiles.ddl_targets import ddl_targets

    named = table.replace("`", "``")  # as a quoted name is written
    last = None
    for statement in statements:
        if table not in statement.text and named not in statement.text:
            continue  # a statement names each table it changes: no need to tokenize it
        targets = ddl_targets(statement.text)
        created = _CREATES.match(statement.text)
        names = set(targets.changed) if targets is not None else set()
        names |= {created.group(1)} if created is not None else set()
        if table in names:
            last = statement
    return last


def _at(
    rule: str, message: str, statement: SqlStatement | None, migrations: Mapping[Path, str]
) -> Finding:
    if statement is None:
        return Finding(rule, message)
    return Finding(
        rule, message, statement.file, statement.line, migration=migrations.get(statement.file)
    )


def _leveled(found: list[Finding], levels: Mapping[str, str]) -> list[Finding]:
    out = []
    for finding in found:
        level = levels.get(finding.rule, RULES[finding.rule].level)
        if level != OFF:
            out.append(replace(finding, level=level))
    return out


def _allowed(finding: Finding, migrations: Sequence[Any], texts: dict[Path, str]) -> bool:
    """A `-- mrpplan:allow <rule> <reason>` in the migration the finding is placed in."""
    if finding.migration is None or finding.file is None:
        return False
    migration = next((m for m in migrations if m.version == finding.migration), None)
    if migration is None:
        return False
    if migration.path not in texts:
        texts[migration.path] = migration.path.read_text(encoding="utf-8")
    text = texts[migration.path]
    return any(m.group("rule") == finding.rule for m in _ALLOW.finditer(text))


def show_findings(
    project: Project, env: Environment, say: Any, *, live_is_desired: bool = False
) -> None:
    """`plan` and `validate --env`: the lint findings for ENV, one line each (a fleet: the
    project's findings at its levels, without the live rule). `live_is_desired`: a plan of
    ENV found its live schema to be the desired one."""
    workspace = workspace_for(project, env)
    if env.is_fleet:
        findings = lint_project(project, workspace, levels=env.policy.lint)
    else:
        findings = lint_project(project, workspace, env, live_is_desired=live_is_desired)
    for finding in findings:
        say(f"lint: {finding.text()}")


def relative(project: Project, path: Path | None) -> str | None:
    if path is None:
        return None
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.resolve().relative_to(project.root.resolve()))
    except ValueError:
        return str(path)
