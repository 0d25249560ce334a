"""Lint a project: its desired schema, each migration's change, and (with an environment)
the live database. Findings are placed at the statement that made them (file:line), take
the environment's level (`policy.lint`), and a migration's `-- mrpplan:allow <rule>
<reason>` drops that rule's findings placed in it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mrpplan.config import Environment, Project
from mrpplan.lint.rules import OFF, RULES, Finding
from mrpplan.model.schema import Schema
from mrpplan.mysql.workspace_place import Workspace, workspace_for
from mrpplan.sqlfiles.split import SqlStatement

_ALLOW = re.compile(r"--\s*mrpplan:allow\s+(?P<rule>[a-z0-9-]+)\s+(?P<reason>\S.*)$", re.M)


def lint_project(
    project: Project,
    workspace: Workspace,
    env: Environment | None = None,
    *,
    levels: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding, at its level (rules set to off and allowed ones left out).

    With `env` (one database): its levels, its live database, and only the migrations not
    yet applied there; `levels` alone (a fleet): the project's findings at those levels."""
    from mrpplan.desired.directory import base_schema_statements, load_migrations
    from mrpplan.desired.statements import column_renames, merge_renames
    from mrpplan.desired.workspace import desired_chain
    from mrpplan.diff import diff_schemas
    from mrpplan.lint.change_rules import change_findings
    from mrpplan.lint.schema_rules import schema_findings

    migrations = load_migrations(project.migrations_dir)
    base = base_schema_statements(project.schema_dir)
    ends = [0]
    for migration in migrations:
        ends.append(ends[-1] + len(migration.up))
    flat = [s for m in migrations for s in m.up]
    loaded = desired_chain(workspace, base, flat, project.cache_dir, wanted=ends).schemas
    if any(loaded[e] is None for e in ends):
        loaded = desired_chain(workspace, base, flat, project.cache_dir).schemas
    schemas = [s if s is not None else Schema() for s in loaded]
    everything = [*base, *flat]
    by_file = {m.path: m.version for m in migrations}
    found: list[Finding] = []
    for rule, table, message in schema_findings(schemas[ends[-1]]):
        statement = _last_touching(everything, table)
        found.append(_at(rule, message, statement, by_file))
    applied = _applied_versions(env) if env is not None else set()
    for n, migration in enumerate(migrations):
        if migration.version in applied:
            continue  # already run there: nothing to decide about any more
        renames = merge_renames(column_renames(s.text) for s in migration.up)
        before, after = schemas[ends[n]], schemas[ends[n + 1]]
        changes = diff_schemas(before, after, renames=renames or None)
        for rule, table, message in change_findings(changes, after):
            statement = _last_touching(migration.up, table) or migration.up[0]
            found.append(_at(rule, message, statement, by_file))
    if env is not None:
        target = _target_index(env, migrations)
        if all(m.version in applied for m in migrations[:target]):  # else linted above
            shaping = everything[: len(base) + ends[target]]
            found += _declarative(env, schemas[ends[target]], shaping)
        found += live_findings(env)
    chosen = dict(env.policy.lint) if env is not None else dict(levels or {})
    unique = list({(f.rule, f.message): f for f in reversed(found)}.values())[::-1]
    kept = [f for f in _leveled(unique, chosen) if not _allowed(f, migrations)]
    return [replace(f, file=Path(relative(project, f.file) or "")) if f.file else f for f in kept]


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


def live_findings(env: Environment) -> list[Finding]:
    """auto-increment-capacity: columns whose next value has used more than 80% of the type."""
    from mrpplan.mysql.auto_increment import auto_increment_usage
    from mrpplan.mysql.connection import session

    # a new environment has no database yet
    with session(env.connection, database=None, read_only=True) as conn:
        usage = auto_increment_usage(conn, env.connection.database)
    return [
        Finding(
            "auto-increment-capacity",
            f"`{u.table}`.`{u.column}` ({u.type}) has used {u.used:,} of {u.maximum:,} "
            f"values ({u.used / u.maximum:.0%}): widen it before it runs out",
        )
        for u in usage
        if u.maximum and u.used / u.maximum > 0.8
    ]


def _applied_versions(env: Environment) -> set[str]:
    from mrpplan.mysql import schema_history as history
    from mrpplan.mysql.catalog import database_exists
    from mrpplan.mysql.connection import session

    with session(env.connection, database=None, read_only=True) as conn:
        if not database_exists(conn, env.connection.database):
            return set()
        conn.select_db(env.connection.database)
        return {r.version for r in history.read(conn) if r.success}


_CREATES = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?", re.I
)


def _last_touching(statements: Sequence[SqlStatement], table: str) -> SqlStatement | None:
    """The last statement that creates or alters `table` (where a reviewer looks)."""
    from mrpplan.sqlfiles.ddl_targets import ddl_targets

    last = None
    for statement in statements:
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


def _allowed(finding: Finding, migrations: Sequence[Any]) -> bool:
    """A `-- mrpplan:allow <rule> <reason>` in the migration the finding is placed in."""
    if finding.migration is None or finding.file is None:
        return False
    migration = next((m for m in migrations if m.version == finding.migration), None)
    if migration is None:
        return False
    text = migration.path.read_text(encoding="utf-8")
    return any(m.group("rule") == finding.rule for m in _ALLOW.finditer(text))


def show_findings(project: Project, env: Environment, say: Any) -> None:
    """`plan` and `validate --env`: the lint findings for ENV, one line each (a fleet: the
    project's findings at its levels, without the live rule)."""
    workspace = workspace_for(project, env)
    if env.is_fleet:
        findings = lint_project(project, workspace, levels=env.policy.lint)
    else:
        findings = lint_project(project, workspace, env)
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
