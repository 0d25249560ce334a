"""Checks of a project: environment files, SQL files and the migrations folder.

The checks are offline (YAML, a strict sqlglot check: `sqlfiles/syntax_check.py`) except
one: the base schema and every migration are loaded into a scratch database on a server
when one is reachable (the server of `--env`, else a running sandbox), because only the
server knows everything it rejects. The offline check is strict on its own (the PR job
may have no server): a statement sqlglot cannot read to its end, and that is no known
MariaDB form, is a problem unless a server loaded it. The scratch build is cached by the
digest of the files, so a second run costs one connection. When no server is reachable
the report says the SQL was only checked offline. Every problem names file:line.
Whether applied migrations were edited afterwards needs the live history table:
`mrpplan migrate status ENV` does that check."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrpplan.config.expand import DotenvError
from mrpplan.config.loader import Problem, check_environment_file
from mrpplan.config.project import Project
from mrpplan.config.settings import Environment
from mrpplan.config.yaml_lines import Path_, line_of, load_with_lines
from mrpplan.desired.directory import (
    Migration,
    base_schema_statements,
    empty_migrations,
    number_gaps,
    resolve_version,
    scan_migrations,
)
from mrpplan.errors import ConfigError
from mrpplan.plan.screen import Screen
from mrpplan.seed.sets import SEED_SETS
from mrpplan.sqlfiles.declared import Declared, declared_tables
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


def validate_project(project: Project, env: Environment | None = None) -> Report:
    """Run every check; problems come back sorted by file and line. The SQL is loaded in
    `env`'s workspace (else on a running sandbox) when it is reachable."""
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
    undecided = _check_sql(project, migrations, report)
    loaded = _check_on_server(project, env, report)
    # what sqlglot cannot read stands as a problem unless a server loaded it (or already
    # said what is wrong with it)
    decided = loaded | {(p.file.resolve(), p.line) for p in report.problems}
    report.problems.extend(p for s, p in undecided if (s.file.resolve(), s.line) not in decided)
    report.problems = sorted(
        (_relative(project, p) for p in report.problems),
        key=lambda p: (str(p.file), p.line or 0, p.message),
    )
    return report


class _ParseChecks:
    """The offline syntax check's verdict on each statement text, remembered in the
    cache: a second `validate` of the same files neither imports nor runs the parser."""

    def __init__(self, cache_dir: Path):
        from mrpplan.local_cache import read_json
        from mrpplan.model import parse_gaps
        from mrpplan.sqlfiles import syntax_check
        from mrpplan.sqlfiles.parser_version import parser_version

        self.path = cache_dir / "sql-checks.json"
        rules = hashlib.sha256()  # a verdict holds until sqlglot or mrpplan's rules change
        for module in (syntax_check, parse_gaps):
            rules.update(Path(str(module.__file__)).read_bytes())
        self.parser = f"{parser_version()} {rules.hexdigest()}"
        stored = read_json(self.path)
        self.known: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self.changed = False

    def problem(self, statement: SqlStatement) -> tuple[Problem, bool] | None:
        """(problem, definite) or None; not definite: only a server can tell."""
        key = hashlib.sha256(f"{self.parser}\0{statement.text}".encode()).hexdigest()
        if key not in self.known:
            from mrpplan.sqlfiles.syntax_check import syntax_problem

            found = syntax_problem(statement.text)  # imports sqlglot
            self.known[key] = found and [found.offset, found.message, found.definite]
            self.changed = True
        verdict = self.known[key]
        if not verdict:
            return None
        offset, message, definite = verdict
        return Problem(statement.file, statement.line + int(offset), str(message)), bool(definite)

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


def _check_sql(
    project: Project, migrations: list[Migration], report: Report
) -> list[tuple[SqlStatement, Problem]]:
    """Problems go into the report; statements sqlglot cannot read (and no known MariaDB
    form matches) come back, for a server to decide."""
    checks = _ParseChecks(project.cache_dir)
    undecided: list[tuple[SqlStatement, Problem]] = []

    def check(statement: SqlStatement) -> None:
        found = checks.problem(statement)
        if found is None:
            return
        problem, definite = found
        if definite:
            report.problems.append(problem)
        else:
            undecided.append((statement, problem))

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
            check(statement)
            report.problems.extend(_allowlist_problems(statement))
    for migration in migrations:
        for statement in (*migration.up, *(migration.down or ())):
            check(statement)
            report.problems.extend(_allowlist_problems(statement))
    checks.save()
    migration_files = (
        list(project.migrations_dir.glob("*.sql")) if project.migrations_dir.is_dir() else []
    )
    report.sql_files = len(files) + len(migration_files)
    return undecided


def _allowlist_problems(statement: SqlStatement) -> list[Problem]:
    """A statement kind files may not run (every executable comment read as running: the
    target's version is not known here)."""
    from mrpplan.sqlfiles.statement_kinds import judge

    verdict = judge(statement)
    return [Problem(statement.file, verdict.line, verdict.problem)] if verdict.problem else []


def _running(info: Any) -> Any:
    assert info is not None
    return info


def _check_on_server(
    project: Project, env: Environment | None, report: Report
) -> set[tuple[Path, int]]:
    """Load the base schema and every migration into a scratch database (dropped after);
    return where the statements the server accepted start (file, line)."""
    from mrpplan import sandbox
    from mrpplan.desired.directory import desired_statements
    from mrpplan.desired.workspace import desired_schema
    from mrpplan.errors import ConnectionFailed, SqlError
    from mrpplan.mysql.workspace_place import sandbox_workspace, workspace_for

    folders = {project.schema_dir.resolve(), project.migrations_dir.resolve()}
    if any(p.file.resolve().parent in folders for p in report.problems):
        report.server_note = "SQL not loaded on a server: fix the problems above first"
        return set()
    where = "the sandbox"
    info = sandbox.status(sandbox.default_dir(project.root)) if env is None else None
    if env is None and info is None:
        report.server_note = "SQL checked offline only: no server reachable"
        return set()
    try:
        workspace = workspace_for(project, env) if env else sandbox_workspace(_running(info))
        if env is not None:
            kind = "the sandbox" if workspace.kind == "sandbox" else "its workspace account"
            where = f"--env's workspace ({kind})"
        statements = desired_statements(project, "latest")
        desired_schema(workspace, statements, project.cache_dir)
    except ConnectionFailed as exc:
        report.server_note = f"SQL checked offline only: {exc.message}"
        return set()
    except ConfigError:
        return set()  # already reported by the offline checks
    except SqlError as exc:
        report.server_note = f"SQL loaded on {where}"
        if exc.source:
            file, _, line = exc.source.rpartition(":")
            message = exc.message.split(": ", 1)[-1]
            report.problems.append(Problem(Path(file), int(line), message))
            return set()
        report.problems.append(Problem(project.schema_dir, None, exc.message))
        return set()
    report.server_note = f"SQL loaded on {where}"
    return {(s.file.resolve(), s.line) for s in statements}


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


def report_validation(
    project: Project, screen: Screen, env: Environment | None, *, check_seeds: bool, as_json: bool
) -> bool:
    """`mrpplan validate`: print the problems (file:line: message) and the summary; whether
    everything is valid. With ENV (or `check_seeds`) it also uses a server: migrations
    edited after they were applied to ENV, seed idempotency, and lint on ENV."""
    report = validate_project(project, env)
    if env is not None:  # online: migrations edited after they were applied to ENV
        from mrpplan.desired.applied import edited_migrations

        report.online = edited_migrations(project, env)
    if as_json:
        data = [
            {"file": str(p.file), "line": p.line, "message": p.message} for p in report.problems
        ]
        screen.document(json.dumps(data, indent=2))
    else:
        for problem in report.problems:
            screen.document(str(problem))
    for warning in report.warnings:
        screen.document(f"warning: {warning}", err=as_json)
    for line in report.online:
        screen.document(f"error: {line}", err=as_json)
    seed_problems: list[str] = []
    if report.ok and (env is not None or check_seeds):
        seed_problems = _seed_problems(project, env)
        for line in seed_problems:
            screen.document(f"error: {line}", err=as_json)
    if report.ok and env is not None:  # lint (issue 25) needs a server: ENV's
        from mrpplan.lint.project import show_findings

        show_findings(project, env, lambda line: screen.document(line, err=as_json))
    screen.document(report.summary(), err=as_json)
    if report.ok and (env is not None or check_seeds) and not seed_problems:
        screen.document(
            "OK: every seed is idempotent (ran twice in a scratch database)", err=as_json
        )
    return report.ok and not seed_problems


def _seed_problems(project: Project, env: Environment | None) -> list[str]:
    from mrpplan import sandbox
    from mrpplan.mysql.workspace_place import sandbox_workspace, workspace_for
    from mrpplan.seed.idempotency import check_idempotent

    if env is not None:
        workspace = workspace_for(project, env)
    else:
        workspace = sandbox_workspace(sandbox.up(sandbox.default_dir(project.root)))
    return [c.message() for c in check_idempotent(project, workspace) if not c.idempotent]
