"""Checks of a project: environment files, SQL files and the migrations folder.

The checks are offline (YAML, sqlglot) except one: the base schema and every migration
are loaded into a scratch database on a server when one is reachable (the server of
`--env`, else a running sandbox), because only the server knows everything it rejects
(sqlglot accepts `CREATE TABLE t (id int,, );`). The scratch build is cached by the
digest of the files, so a second run costs one connection. When no server is reachable
the report says the SQL was only checked offline. Every problem names file:line.
Whether applied migrations were edited afterwards needs the live history table:
`mrpplan migrate status ENV` does that check.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrpplan.config.expand import DotenvError
from mrpplan.config.loader import Problem, check_environment_file
from mrpplan.config.project import Project
from mrpplan.config.settings import ConnectionSettings
from mrpplan.config.yaml_lines import Path_, line_of, load_with_lines
from mrpplan.errors import ConfigError
from mrpplan.migrate.directory import (
    Migration,
    base_schema_statements,
    empty_migrations,
    number_gaps,
    resolve_version,
    scan_migrations,
)
from mrpplan.seed.sets import SEED_SETS
from mrpplan.sqlfiles.declared import Declared, declared_tables
from mrpplan.sqlfiles.parse_gaps import is_stored_program, tolerated_variants
from mrpplan.sqlfiles.split import SqlStatement, read_statements
from mrpplan.sync.mask import parse_rules

Reporter = Callable[[Path_, str], None]  # adds a problem at a YAML path of the current file


@dataclass
class Report:
    """What `validate` found, and how much it looked at."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # worth a look, not an error
    online: list[str] = field(default_factory=list)  # found on a server (`--env`)
    environments: int = 0
    sql_files: int = 0
    migrations: int = 0
    server_note: str = ""  # how the SQL was checked: on which server, or offline only

    @property
    def ok(self) -> bool:
        return not self.problems and not self.online

    def files_with_problems(self) -> int:
        return len({str(p.file) for p in self.problems}) + len(self.online)

    def summary(self) -> str:
        note = f" ({self.server_note})" if self.server_note else ""
        if self.ok:
            return (
                f"OK: {_count(self.environments, 'environment')}, "
                f"{_count(self.sql_files, 'SQL file')}, {_count(self.migrations, 'migration')}"
                + note
            )
        files = _count(self.files_with_problems(), "file")
        return f"{_count(len(self.problems) + len(self.online), 'problem')} in {files}{note}"


def validate_project(project: Project, server: ConnectionSettings | None = None) -> Report:
    """Run every check; problems come back sorted by file and line. The SQL is loaded on
    `server` (else on a running sandbox) when it is reachable."""
    report = Report()
    try:
        project.variables()
    except DotenvError as exc:  # every environment expands from .env: report it once
        report.problems.append(Problem(exc.path, exc.line, exc.problem))
        report.problems = [_relative(project, p) for p in report.problems]
        return report
    migrations, migration_problems = scan_migrations(project.migrations_dir)
    report.migrations = len(migrations)
    report.problems.extend(migration_problems)
    report.problems.extend(_relative(project, p) for p in empty_migrations(migrations))
    report.warnings.extend(_relative(project, p) for p in number_gaps(migrations))
    _check_environments(project, migrations, not migration_problems, report)
    _check_sql(project, migrations, report)
    _check_on_server(project, server, report)
    report.problems = sorted(
        (_relative(project, p) for p in report.problems),
        key=lambda p: (str(p.file), p.line or 0, p.message),
    )
    return report


def _parse_problem(text: str) -> tuple[int, str] | None:
    """(line within the statement, 0-based; message) of sqlglot's objection, or None.

    Statements sqlglot does not model (triggers, events, GRANT ...) come back as a
    generic Command and are fine; stored programs are left to the server; a statement
    that fails only on MariaDB syntax the parser lacks (INET6, spatial types,
    partition ENGINE=, ...) is tolerated too.
    """
    import sqlglot  # only for statements not checked before (see _ParseChecks)
    from sqlglot.errors import ParseError, SqlglotError

    with _quiet_sqlglot():
        try:
            sqlglot.parse(text, read="mysql")
            return None
        except ParseError as exc:
            first = exc.errors[0] if exc.errors else {}
            error: SqlglotError = exc
        except SqlglotError as exc:
            first, error = {}, exc
        if is_stored_program(text):
            return None
        for variant in tolerated_variants(text):
            try:
                sqlglot.parse(variant, read="mysql")
                return None
            except SqlglotError:
                continue
    offset = max(int(first.get("line") or 1), 1) - 1
    description = first.get("description") or str(error).splitlines()[0]
    near = (first.get("highlight") or "").strip()
    where = f" near {near!r}" if near else ""
    return offset, f"SQL does not parse: {description}{where}"


class _ParseChecks:
    """sqlglot's verdict on each statement text, remembered in the cache: a second
    `validate` of the same files neither imports nor runs the parser."""

    def __init__(self, cache_dir: Path):
        from importlib.metadata import version

        from mrpplan.local_cache import read_json

        self.path = cache_dir / "sql-checks.json"
        self.parser = version("sqlglot")
        stored = read_json(self.path)
        self.known: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self.changed = False

    def problems(self, statement: SqlStatement) -> list[Problem]:
        key = hashlib.sha256(f"{self.parser}\0{statement.text}".encode()).hexdigest()
        if key not in self.known:
            self.known[key] = _parse_problem(statement.text)
            self.changed = True
        found = self.known[key]
        if not found:
            return []
        return [Problem(statement.file, statement.line + int(found[0]), str(found[1]))]

    def save(self) -> None:
        from mrpplan.local_cache import write_json

        if self.changed:
            write_json(self.path, self.known)


def _check_environments(
    project: Project, migrations: list[Migration], migrations_ok: bool, report: Report
) -> None:
    names = project.environment_names()
    report.environments = len(names)
    if project.environments_dir.is_dir():
        for stray in sorted(project.environments_dir.glob("*.yml")):
            report.problems.append(
                Problem(stray, None, "environment files end in .yaml: this one is ignored")
            )
    declared: Declared | None = None  # parsed once, only if some environment syncs
    seed_names = (
        {p.stem for p in project.seeds_dir.glob("*.sql")} if project.seeds_dir.is_dir() else set()
    )
    for name in names:
        path = project.environment_file(name)
        doc, problems = check_environment_file(project, path)
        report.problems.extend(problems)
        if problems or not doc:
            continue
        _, lines = load_with_lines(path)

        def at(
            where: Path_, message: str, path: Path = path, lines: dict[Path_, int] = lines
        ) -> None:
            report.problems.append(Problem(path, line_of(lines, where), message))

        _check_cross_references(doc, name, names, seed_names, migrations, migrations_ok, at)
        if doc.get("sync") and migrations_ok:
            declared = declared or _declared_schema(project, migrations)
            _check_sync_tables(doc["sync"], declared, at)


def _check_cross_references(
    doc: dict[str, Any],
    name: str,
    names: list[str],
    seed_names: set[str],
    migrations: list[Migration],
    migrations_ok: bool,
    at: Reporter,
) -> None:
    """What one environment names elsewhere: its sync source, seeds and schema version."""
    sync = doc.get("sync") or {}
    source = sync.get("source")
    if source is not None and source not in names:
        at(
            ("sync", "source"),
            f"sync.source {source!r} is not an environment (known: {', '.join(names)})",
        )
    elif source == name:
        at(("sync", "source"), f"sync.source {source!r} is this environment itself")
    for index, seed in enumerate(doc.get("seeds") or ()):
        if seed not in SEED_SETS and str(seed).removesuffix(".sql") not in seed_names:
            known = ", ".join([*SEED_SETS, *sorted(seed_names)])
            at(
                ("seeds", index),
                f"seeds: {seed!r} is neither a seed set nor a seed file (known: {known})",
            )
    version = (doc.get("schema") or {}).get("version")
    if version is not None and migrations_ok:
        try:
            resolve_version(migrations, str(version))
        except ConfigError as exc:
            at(("schema", "version"), exc.message)


def _declared_schema(project: Project, migrations: list[Migration]) -> Declared:
    """Tables and columns of the base schema plus every migration (an over-approximation)."""
    try:
        statements = base_schema_statements(project.schema_dir)
    except ConfigError:
        statements = []
    for migration in migrations:
        statements.extend(migration.up)
    with _quiet_sqlglot():
        return declared_tables(statements, project.cache_dir)


def _check_sync_tables(sync: dict[str, Any], declared: Declared, at: Reporter) -> None:
    """sync.include/exclude/mask must name tables (and columns) the SQL files declare."""
    for key in ("include", "exclude"):
        for index, table in enumerate(sync.get(key) or ()):
            if not any(ch in table for ch in "*?%") and not declared.has_table(table):
                at(
                    ("sync", key, index),
                    f"sync.{key}: no table {table!r} in the schema or migrations",
                )
    for target, rule in (sync.get("mask") or {}).items():
        table, _, column = str(target).partition(".")
        try:
            parse_rules({target: rule}, "sync.mask")
        except ConfigError as exc:
            at(("sync", "mask", target), exc.message.removeprefix("sync.mask: "))
            continue
        if not declared.has_table(table):
            at(("sync", "mask", target), f"sync.mask {target!r}: no table {table!r} in the schema")
        elif not declared.has_column(table, column):
            at(
                ("sync", "mask", target),
                f"sync.mask {target!r}: table {table} has no column {column!r}",
            )


def _check_sql(project: Project, migrations: list[Migration], report: Report) -> None:
    checks = _ParseChecks(project.cache_dir)
    files: list[Path] = []
    for folder in (project.schema_dir, project.seeds_dir):
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.sql")))
    for path in files:
        try:
            statements = read_statements(path)
        except ConfigError as exc:
            report.problems.append(Problem(path, None, exc.message.split(": ", 1)[-1]))
            continue
        for statement in statements:
            report.problems.extend(checks.problems(statement))
    for migration in migrations:
        for statement in (*migration.up, *(migration.down or ())):
            report.problems.extend(checks.problems(statement))
    checks.save()
    migration_files = (
        list(project.migrations_dir.glob("*.sql")) if project.migrations_dir.is_dir() else []
    )
    report.sql_files = len(files) + len(migration_files)


def _check_on_server(project: Project, server: ConnectionSettings | None, report: Report) -> None:
    """Load the base schema and every migration into a scratch database (dropped after)."""
    from mrpplan import sandbox
    from mrpplan.errors import ConnectionFailed, SqlError
    from mrpplan.migrate.directory import desired_statements
    from mrpplan.mysql.workspace import desired_schema

    folders = {project.schema_dir.resolve(), project.migrations_dir.resolve()}
    if any(p.file.resolve().parent in folders for p in report.problems):
        report.server_note = "SQL not loaded on a server: fix the problems above first"
        return
    where = "the server of --env"
    if server is None:
        info = sandbox.status(sandbox.default_dir(project.root))
        if info is None:
            report.server_note = "SQL checked offline only: no server reachable"
            return
        server, where = info.settings("_mrpplan_validate"), "the sandbox"
    try:
        statements = desired_statements(project, "latest")
        desired_schema(server, statements, project.cache_dir)
    except ConnectionFailed as exc:
        report.server_note = f"SQL checked offline only: {exc.message}"
        return
    except ConfigError:
        return  # already reported by the offline checks
    except SqlError as exc:
        report.server_note = f"SQL loaded on {where}"
        if exc.source:
            file, _, line = exc.source.rpartition(":")
            message = exc.message.split(": ", 1)[-1]
            report.problems.append(Problem(Path(file), int(line), message))
            return
        report.problems.append(Problem(project.schema_dir, None, exc.message))
        return
    report.server_note = f"SQL loaded on {where}"


def _relative(project: Project, problem: Problem) -> Problem:
    if not problem.file.is_absolute():
        return problem
    try:
        shown = problem.file.resolve().relative_to(project.root.resolve())
    except ValueError:
        return problem
    return Problem(shown, problem.line, problem.message)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot warns on every fallback to Command; validate decides what to report."""
    logger = logging.getLogger("sqlglot")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)
