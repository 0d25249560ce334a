"""CLI: backup ENV | --list | --verify FILE | --cleanup (DESIGN §3.1, §3.5)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import click
from rich.table import Table

from mrpplan import sandbox
from mrpplan.backup.catalog import BackupEntry, list_backups
from mrpplan.backup.dump import create_backup
from mrpplan.backup.legacy import (
    NO_CHECKSUMS,
    check_content,
    import_backup,
    is_legacy,
    kind_of,
)
from mrpplan.backup.locate import locate_backup
from mrpplan.backup.manifest import read_manifest, utc_now
from mrpplan.backup.retention import cleanup_backups
from mrpplan.backup.retention_binlogs import prune_archive
from mrpplan.backup.trial_load import trial_load
from mrpplan.backup.verify import verify_backup
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.formatting import human_size
from mrpplan.cli.progress_bar import progress_for
from mrpplan.config.settings import ConnectionSettings, Environment
from mrpplan.errors import ConfigError, UsageError


@click.command("backup")
@click.argument("words", nargs=-1, metavar="[ENV] | import FILE [ENV]")
@click.option("--full", "full", is_flag=True, help="Schema and data (the default).")
@click.option(
    "--schema-only", "schema_only", is_flag=True, help="Tables, views, routines; no rows."
)
@click.option("--data-only", "data_only", is_flag=True, help="Rows only (tables must exist).")
@click.option(
    "--tables", "tables", multiple=True, metavar="T", help="Only these tables (repeat or a,b)."
)
@click.option("--compress", type=click.Choice(["gzip", "zstd"]), default="gzip", show_default=True)
@click.option("--label", default="", help="A note stored in the manifest.")
@click.option("--auto", is_flag=True, help="For cron: no prompts, no bar, one summary line.")
@click.option("--list", "do_list", is_flag=True, help="List backups (of ENV, or of all).")
@click.option("--json", "as_json", is_flag=True, help="With --list: machine-readable output.")
@click.option(
    "--verify",
    "verify_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Check a backup file against its manifest.",
)
@click.option(
    "--deep",
    is_flag=True,
    help="With --verify: test-restore into the sandbox (import always does).",
)
@click.option(
    "--cleanup", is_flag=True, help="Delete backups past retention (keeps the last good)."
)
@click.option("--retention-days", type=click.IntRange(min=0), help="Override the env's retention.")
@click.option("--dry-run", is_flag=True, help="With --cleanup: only list what would go.")
@click.option(
    "--binlogs",
    is_flag=True,
    help="Archive ENV's binary logs (incremental; safe from cron) for point-in-time restore.",
)
@click.option("--follow", is_flag=True, help="With --binlogs: keep archiving until Ctrl-C.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --cleanup ENV: save the trash purge plan to FILE instead of running it.",
)
@click.option(
    "--force",
    "--auto-approve",
    "force",
    is_flag=True,
    help="With --cleanup ENV: purge trash tables without asking (unprotected environments).",
)
@pass_app
def backup_command(
    app: AppContext,
    words: tuple[str, ...],
    full: bool,
    schema_only: bool,
    data_only: bool,
    tables: tuple[str, ...],
    compress: str,
    label: str,
    auto: bool,
    do_list: bool,
    as_json: bool,
    verify_file: Path | None,
    deep: bool,
    cleanup: bool,
    retention_days: int | None,
    dry_run: bool,
    out: Path | None,
    force: bool,
    binlogs: bool,
    follow: bool,
) -> None:
    """Back up an environment's database, or list, verify and clean up backups.

    \b
    Examples:
      mrpplan backup prod                      full backup with a progress bar
      mrpplan backup prod --schema-only --auto from cron: one line, exit code
      mrpplan backup --list prod
      mrpplan backup --verify database/backups/mrp_erp_full_prod_20260101T000000Z.sql.gz --deep
      mrpplan backup --cleanup prod --retention-days 14 --dry-run
      mrpplan backup import old/mrp_erp_full_20250820_020000.sql.gz prod
      mrpplan backup prod --binlogs            archive binary logs (cron: every 5 min)

    FILE may be a bare name: it is looked up in the backup folders. `import` adopts a backup
    made by the old backup.sh (mariadb-dump | gzip, no manifest): it checks the stream and
    the dump trailer, test-loads it into the sandbox, and writes a manifest.
    """
    kinds = [
        f
        for f, on in (("--full", full), ("--schema-only", schema_only), ("--data-only", data_only))
        if on
    ]
    if len(kinds) > 1:
        raise UsageError(f"{' and '.join(kinds)} cannot be combined: choose one kind of backup")
    kind = {"--schema-only": "schema", "--data-only": "data"}.get(kinds[0] if kinds else "", "full")
    if words and words[0] == "import":
        if len(words) not in (2, 3):
            raise UsageError("usage: mrpplan backup import FILE [ENV]")
        _import(app, Path(words[1]), words[2] if len(words) == 3 else "local")
        return
    if len(words) > 1:
        raise UsageError(f"one environment at a time ({', '.join(words)} given)")
    env = words[0] if words else None
    modes = [
        m
        for m, on in (("--list", do_list), ("--verify", verify_file), ("--cleanup", cleanup))
        if on
    ]
    if len(modes) > 1:
        raise UsageError(f"choose one of {', '.join(modes)}")
    if binlogs or follow:
        from mrpplan.cli.binlogs import archive

        if not env:
            raise UsageError("which environment? usage: mrpplan backup ENV --binlogs [--follow]")
        archive(app, env, follow=follow, auto=auto)
    elif do_list:
        _list(app, env, as_json)
    elif verify_file is not None:
        _verify(app, verify_file, deep)
    elif cleanup:
        _cleanup(app, env, retention_days, dry_run)
        if env:
            _purge_trash(app, env, retention_days, dry_run=dry_run, out=out, force=force)
    else:
        if not env:
            raise UsageError(
                "which environment? usage: mrpplan backup ENV [--full|--schema-only|--data-only]"
            )
        _backup(app, env, kind, _split(tables), compress, label, auto)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.strip() for v in values for t in v.split(",") if t.strip())


def _backup(
    app: AppContext,
    name: str,
    kind: str,
    tables: tuple[str, ...],
    compress: str,
    label: str,
    auto: bool,
) -> None:
    env = app.environment(name, fleet=True)
    if env.is_fleet:
        from mrpplan.cli import fleet_reports

        fleet_reports.backup(
            app, env, kind=kind, tables=tables, compress=compress, label=label, auto=auto
        )
        return
    progress = progress_for(app.err_console, quiet=auto)
    result = create_backup(
        env, kind, tables=tables, compression=compress, label=label, progress=progress
    )
    m = result.manifest
    rate = m.sql_bytes / m.duration_seconds / 1e6 if m.duration_seconds else 0.0
    if auto:
        click.echo(
            f"backup ok: env={env.name} kind={kind} file={result.path} bytes={m.compressed_bytes} "
            f"sql_bytes={m.sql_bytes} tables={len(m.tables)} seconds={m.duration_seconds:.1f}"
        )
        return
    app.console.print(f"Backup of {env.name} ({m.database}, {kind}) written: {result.path}")
    for note in result.notes:
        app.console.print(f"  note: {note}")
    app.console.print(
        f"  {len(m.tables)} tables, {human_size(m.sql_bytes)} of SQL -> "
        f"{human_size(m.compressed_bytes)} "
        f"{m.compression}, {m.duration_seconds:.1f} s ({rate:.0f} MB/s); sha256 {m.sha256[:16]}…"
    )


def _directories(app: AppContext, env: str | None) -> list[Path]:
    names = [env] if env else app.project.environment_names()
    folders: list[Path] = []
    for name in names:
        try:
            found = app.environment(name, fleet=True)
        except ConfigError:
            if env:
                raise
            continue
        here = [found.backup.dir]
        if found.is_fleet and found.backup.dir.is_dir():  # one folder per database
            here += sorted(p for p in found.backup.dir.iterdir() if p.is_dir())
        folders.extend(f for f in here if f not in folders)
    if not folders:
        folders.append(app.project.database_dir / "backups")
    return folders


def _list(app: AppContext, env: str | None, as_json: bool) -> None:
    entries = list_backups(_directories(app, env), env)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], indent=2))
        return
    if not entries:
        app.console.print(f"No backups{' of ' + env if env else ''} yet.")
        return
    table = backups_table(entries, app.project.root)
    # piped (no terminal): as wide as the rows need, so two file names never look the same
    if not app.console.is_terminal:
        app.console.width = 10_000
    app.console.print(table)
    from mrpplan.cli.binlogs import print_windows

    print_windows(app, env)


def backups_table(entries: list[BackupEntry], root: Path, numbered: bool = False) -> Table:
    table = Table(box=None, header_style="bold")
    if numbered:
        table.add_column("#", justify="right")
    for column in ("file", "kind", "env", "size", "age", "verified"):
        table.add_column(
            column,
            justify="right" if column in ("size", "age") else "left",
            no_wrap=column == "file",
        )
    for i, e in enumerate(entries, 1):
        row = [
            relative(e.path, root),
            e.kind,
            e.env,
            human_size(e.size),
            _age(e.created),
            e.verified,
        ]
        table.add_row(*([str(i)] if numbered else []), *row)
    return table


def backup_folders(app: AppContext) -> list[Path]:
    return [*_directories(app, None), app.project.database_dir / "backups"]


def _import(app: AppContext, given: Path, env_name: str) -> None:
    env = app.environment(env_name)
    path = locate_backup(given, backup_folders(app))
    scratch = sandbox.up(sandbox.default_dir(app.project.root)).settings()
    target, manifest = import_backup(path, env, scratch, progress_for(app.err_console))
    rows = sum(t.rows for t in manifest.tables.values())
    app.console.print(
        f"Imported {path} as {relative(target, app.project.root)} ({manifest.kind} backup of"
        f" {env.name}, {len(manifest.tables)} tables, {rows:,} rows; manifest written)"
    )
    app.console.print("  checked: " + ", ".join(("gzip stream", "trailer", "test load")))
    app.err_console.print(f"[yellow]Warning:[/] {NO_CHECKSUMS}.")


def adopt_legacy(app: AppContext, env: Environment, path: Path) -> Path:
    """`path` itself, or for a file with no manifest (old backup.sh) its imported copy."""
    if not is_legacy(path):
        return path
    app.err_console.print(f"{path.name} has no manifest (made by the old backup.sh): importing it")
    scratch = sandbox.up(sandbox.default_dir(app.project.root)).settings()
    target, _ = import_backup(path, env, scratch, progress_for(app.err_console))
    app.err_console.print(f"[yellow]Warning:[/] {NO_CHECKSUMS}. Imported as {target.name}.")
    return target


def _verify_legacy(app: AppContext, path: Path, deep: bool) -> None:
    content = check_content(path, progress_for(app.err_console))
    checks = list(content.checks)
    if deep:
        scratch = sandbox.up(sandbox.default_dir(app.project.root)).settings()
        loaded = trial_load(
            path, scratch, kind=kind_of(path), progress=progress_for(app.err_console)
        )
        checks.append(f"test load ({len(loaded.tables)} tables)")
    app.console.print(f"OK: {path} (no manifest: checked by content)")
    app.console.print("  checked: " + ", ".join(checks))
    app.err_console.print(
        f"[yellow]Warning:[/] {NO_CHECKSUMS}. `mrpplan backup import {path.name} ENV` adopts it"
        " (writes a manifest)."
    )


def _verify(app: AppContext, given: Path, deep: bool) -> None:
    path = locate_backup(given, backup_folders(app))
    if is_legacy(path):
        _verify_legacy(app, path, deep)
        return
    scratch: ConnectionSettings | None = None
    source: ConnectionSettings | None = None
    if deep:
        scratch = sandbox.up(sandbox.default_dir(app.project.root)).settings()
        manifest = read_manifest(path)
        if manifest.kind == "data":
            source = _env_or_none(app, manifest.env)
    report = verify_backup(
        path,
        deep=deep,
        scratch=scratch,
        schema_source=source,
        progress=progress_for(app.err_console),
    )
    m = report.manifest
    app.console.print(f"OK: {path} ({m.kind} backup of {m.env}/{m.database}, {m.created_at})")
    app.console.print("  checked: " + ", ".join(report.checks))


def _env_or_none(app: AppContext, name: str) -> ConnectionSettings | None:
    try:
        env: Environment = app.environment(name)
    except ConfigError:
        return None
    return env.connection


def _cleanup(app: AppContext, env: str | None, days: int | None, dry_run: bool) -> None:
    names = [env] if env else app.project.environment_names()
    verb = "would delete" if dry_run else "deleted"
    total = 0
    for name in names:
        try:
            settings = app.environment(name)
        except ConfigError as exc:
            if env:
                raise
            app.err_console.print(f"warning: skipping {name}: {exc.message}")
            continue
        retention = settings.backup.retention_days if days is None else days
        result = cleanup_backups(
            [settings.backup.dir], retention_days=retention, env=name, dry_run=dry_run
        )
        for entry in result.deleted:
            total += 1
            app.console.print(
                f"{verb}: {relative(entry.path, app.project.root)} "
                f"({entry.kind}, {_age(entry.created)} old)"
            )
        for partial in result.partials:
            total += 1
            app.console.print(
                f"{verb}: {relative(partial, app.project.root)} "
                "(left by a backup that did not finish)"
            )
        gone = [e.path for e in result.deleted]
        for log in prune_archive(settings, dry_run=dry_run, deleted=gone):
            total += 1
            app.console.print(f"{verb}: binary log {log} (older than every kept full backup)")
        for _entry, why in result.failed_verify:
            app.err_console.print(f"warning: {why}")
        kept = [e for e in result.kept_last_good if e.created < _cutoff(retention)]
        for entry in kept:
            app.console.print(
                f"kept: {relative(entry.path, app.project.root)} (older than {retention} days, "
                f"but the newest good {entry.kind} backup of {name})"
            )
    if total == 0:
        app.console.print("Nothing to delete.")


def _purge_trash(
    app: AppContext, name: str, days: int | None, *, dry_run: bool, out: Path | None, force: bool
) -> None:
    """Trash tables past retention go through a plan: shown, approved, run by the executor."""
    from mrpplan.apply.approval import Request
    from mrpplan.cli.wiring import wiring
    from mrpplan.cli.writing import carry_out
    from mrpplan.restore.purge_plan import due_trash, purge_plan

    env = app.environment(name)
    retention = env.backup.retention_days if days is None else days
    if not due_trash(env, retention):
        app.console.print(f"No trash tables of {env.name} older than {retention} days.")
        return
    result = carry_out(
        app,
        env,
        lambda: purge_plan(app.project, env, retention, wiring=wiring()),
        Request("backup --cleanup", skip_questions=force),
        out=out,
        dry_run=dry_run,
    )
    if result is not None:
        app.console.print(f"Purged {len(result.steps_run)} trash table(s) of {env.name}.")


def _cutoff(days: int) -> datetime:
    return utc_now() - timedelta(days=days)


def relative(path: Path, root: Path) -> str:
    """`path` relative to the project when it is inside it (shorter to read)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _age(created: datetime) -> str:
    seconds = max(0, int((utc_now() - created).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


COMMANDS: list[click.Command] = [backup_command]
