"""Every example line of the old scripts' README (shared/ORIGINAL-SCRIPTS.md), run through its
wrapper against the real sandbox, as its users typed it.

Each row: the line as the README writes it, its native `mrpplan` equivalent, what the user
should notice, the state the environments start in, and what is typed on a terminal (None:
no terminal, as from cron). Placeholders the README leaves open (N, TIMESTAMP) are filled
with a real value; `backup_file.sql.gz` is a plain `mariadb-dump | gzip` file, as the old
backup.sh wrote it. A second test checks each line maps onto its native equivalent.

Environment selection: lines run on `local` unless the row sets MRPPLAN_ENV (the workflows
for staging and production: `export MRPPLAN_ENV=prod`, then the lines as written).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dbtools import CliResult, make_database
from scene import Scene, copy_project, make_state

from mrpplan import sandbox

Check = Callable[[Scene, CliResult, dict[str, Any]], None]
Prepare = Callable[[Scene], dict[str, Any]]


@dataclass(frozen=True)
class Example:
    line: str  # as the README writes it; {placeholders} are filled by `prepare`
    native: str  # the mrpplan command it runs (before placeholders are filled)
    effect: str  # what the user notices
    check: Check
    start: dict[str, str] = field(default_factory=lambda: {"local": "v003"})
    prepare: Prepare | None = None
    answers: str | None = None  # typed on a terminal; None = no terminal
    env: dict[str, str] = field(default_factory=dict)
    code: int = 0
    xfail: str = ""

    @property
    def id(self) -> str:
        where = self.env.get("MRPPLAN_ENV", "")
        tty = "" if self.answers is None else " [terminal]"
        return f"{self.line}{' @' + where if where else ''}{tty}"


# ---- checks: what a user would notice ---------------------------------------------------


def says(*words: str) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        for word in words:
            assert word.format(**ctx) in result.output, (word, result.output)

    return check


def all_of(*checks: Check) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        for one in checks:
            one(scene, result, ctx)

    return check


def at_version(env: str, version: str | None) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        assert scene.version(env) == version, result.output

    return check


def new_backup(prefix: str) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        made = [n for n in scene.backup_files(prefix) if n not in ctx.get("before", [])]
        assert made, (prefix, scene.backup_files(), result.output)
        assert (scene.backups / (made[0] + ".manifest.json")).is_file()

    return check


def no_new_backup(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
    assert scene.backup_files() == ctx.get("before", []), result.output


def rows(env: str, table: str, expected: int | str) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        want = ctx[expected] if isinstance(expected, str) else expected
        assert scene.count(env, table) == want, result.output

    return check


def has_table(env: str, table: str, present: bool = True) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        assert (table in scene.tables(env)) is present, (table, result.output)

    return check


def file_exists(relative: str) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        assert (scene.root / relative).is_file(), result.output

    return check


def seed_ran(env: str, seed: str, times: int = 1) -> Check:
    def check(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
        runs = [s for s, _ in scene.seed_runs(env)]
        assert runs.count(seed) == times + ctx.get(f"runs:{seed}", 0), (runs, result.output)

    return check


# ---- preparations -----------------------------------------------------------------------


def remember_backups(scene: Scene) -> dict[str, Any]:
    return {"before": scene.backup_files()}


def legacy_file_then_damage(scene: Scene) -> dict[str, Any]:
    """backup_file.sql.gz from the old backup.sh; then rows are lost (what restore brings back)."""
    scene.legacy_backup("local")
    items = scene.count("local", "items")
    scene.db("local").execute("SET FOREIGN_KEY_CHECKS=0", "DELETE FROM items")
    return {"items": items, "before": scene.backup_files()}


def mrpplan_backup(kind: str) -> Prepare:
    """A backup mrpplan made of local (named by TIMESTAMP in the README), then rows lost."""

    def prepare(scene: Scene) -> dict[str, Any]:
        from mrpplan.backup.dump import create_backup
        from mrpplan.config import Project, load_environment

        env = load_environment(Project(scene.root), "local")
        made = create_backup(env, kind).path
        items = scene.count("local", "items")
        scene.db("local").execute("SET FOREIGN_KEY_CHECKS=0", "DELETE FROM items")
        return {"file": made.name, "items": items, "before": scene.backup_files()}

    return prepare


def old_and_new_backups(scene: Scene) -> dict[str, Any]:
    """Two full backups of local: one 60 days old (past its 7 days), one of today."""
    from mrpplan.backup.dump import create_backup
    from mrpplan.backup.manifest import backup_name, iso, read_manifest, utc_now, write_manifest
    from mrpplan.config import Project, load_environment

    env = load_environment(Project(scene.root), "local")
    fresh = create_backup(env, "full").path
    when = utc_now() - timedelta(days=60)
    old = fresh.with_name(backup_name("full", "local", when, ".gz"))
    old.write_bytes(fresh.read_bytes())
    manifest = read_manifest(fresh)
    manifest.created_at, manifest.file = iso(when), old.name
    write_manifest(old, manifest)
    return {"old": old.name, "fresh": fresh.name}


def cleaned(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
    names = scene.backup_files()
    assert ctx["old"] not in names and ctx["fresh"] in names, (names, result.output)


def runs_before(*seeds: str) -> Prepare:
    def prepare(scene: Scene) -> dict[str, Any]:
        runs = [s for s, _ in scene.seed_runs("local")]
        return {f"runs:{s}": runs.count(s) for s in seeds}

    return prepare


def stray_table(scene: Scene) -> dict[str, Any]:
    scene.db("local").execute("CREATE TABLE scratch_notes (id INT PRIMARY KEY)")
    return remember_backups(scene)


def lose_seeded_rows(scene: Scene) -> dict[str, Any]:
    scene.db("local").execute("UPDATE currencies SET name = 'garbled'")
    return {}


def seeded_rows_back(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
    names = scene.db("local").query("SELECT COUNT(*) FROM currencies WHERE name = 'garbled'")
    assert names[0][0] == 0, result.output


def some_items(scene: Scene, result: CliResult, ctx: dict[str, Any]) -> None:
    assert scene.count("local", "items") > 0, result.output


def nothing_changed(env: str, version: str) -> Check:
    return all_of(at_version(env, version), no_new_backup)


# ---- the table ---------------------------------------------------------------------------

PROD = {"MRPPLAN_ENV": "prod"}
STAGING = {"MRPPLAN_ENV": "staging"}
BUILT = {"local": "v003", "dev": "v003", "staging": "v003", "prod": "v003"}

EXAMPLES: list[Example] = [
    # 1. backup.sh
    Example(
        "./scripts/backup.sh",
        "mrpplan backup local --full",
        "a full backup of local with its manifest",
        new_backup("mrp_erp_full_local_"),
        prepare=remember_backups,
        answers="",
    ),
    Example(
        "./scripts/backup.sh --auto",
        "mrpplan backup local --full --auto",
        "one summary line, a full backup, no questions (cron)",
        all_of(says("backup ok: env=local kind=full"), new_backup("mrp_erp_full_local_")),
        prepare=remember_backups,
    ),
    Example(
        "./scripts/backup.sh --schema-only",
        "mrpplan backup local --schema-only",
        "a schema-only backup of local",
        new_backup("mrp_erp_schema_local_"),
        prepare=remember_backups,
        answers="",
    ),
    Example(
        "./scripts/backup.sh --list",
        "mrpplan backup --list",
        "the backups, newest first",
        says("{file}", "verified"),
        prepare=mrpplan_backup("full"),
    ),
    Example(
        "./scripts/backup.sh --verify backup_file.sql.gz",
        "mrpplan backup --verify backup_file.sql.gz",
        "the old script's file is found in database/backups and checked by content,"
        " with a warning that no checksum existed",
        says("OK:", "gzip stream", "trailer", "no checksum existed"),
        prepare=legacy_file_then_damage,
    ),
    Example(
        "./scripts/backup.sh --cleanup",
        "mrpplan backup --cleanup",
        "backups past retention deleted, the newest kept",
        cleaned,
        prepare=old_and_new_backups,
    ),
    Example(
        "cd {database} && ./scripts/backup.sh --auto",  # the crontab line, from cron's cwd
        "mrpplan backup local --full --auto",
        "from cron (no terminal): a backup and exit 0",
        new_backup("mrp_erp_full_local_"),
        prepare=remember_backups,
    ),
    # 2. restore.sh
    Example(
        "./scripts/restore.sh",
        "mrpplan restore local",
        "a numbered list of backups to choose from; the chosen one is restored",
        all_of(says("Restore which backup"), rows("local", "items", "items")),
        prepare=mrpplan_backup("full"),
        answers="1\ny\n",
    ),
    Example(
        "./scripts/restore.sh --backup-first backup_file.sql.gz",
        "mrpplan restore local backup_file.sql.gz --backup-first",
        "the old file is imported (manifest written), a rollback point is taken, rows are back",
        all_of(
            rows("local", "items", "items"),
            new_backup("rollback_local_"),
            new_backup("mrp_erp_full_local_"),
            says("no checksum existed"),
        ),
        prepare=legacy_file_then_damage,
        answers="y\n",
    ),
    Example(
        "./scripts/restore.sh --dry-run backup_file.sql.gz",
        "mrpplan restore local backup_file.sql.gz --dry-run",
        "what the restore would change; the database is not touched",
        all_of(says("Dry run: nothing was changed."), rows("local", "items", 0)),
        prepare=legacy_file_then_damage,
    ),
    Example(
        "./scripts/restore.sh --verify backup_file.sql.gz",
        "mrpplan restore local backup_file.sql.gz --verify",
        "the file is test-loaded in the sandbox first, then restored after the question",
        rows("local", "items", "items"),
        prepare=legacy_file_then_damage,
        answers="y\n",
    ),
    Example(
        "./scripts/restore.sh --force --backup-first backup_file.sql.gz",
        "mrpplan restore local backup_file.sql.gz --force --backup-first",
        "no questions (automation): rollback point, then the restore",
        all_of(rows("local", "items", "items"), new_backup("rollback_local_")),
        prepare=legacy_file_then_damage,
    ),
    # 3. migrate.sh
    Example(
        "./scripts/migrate.sh status",
        "mrpplan migrate status local",
        "each migration applied or pending",
        says("001", "applied", "002", "pending"),
        start={"local": "v001"},
    ),
    Example(
        "./scripts/migrate.sh up --dry-run",
        "mrpplan migrate up local --dry-run",
        "the plan; nothing applied",
        all_of(says("002_planning_tables"), at_version("local", "001")),
        start={"local": "v001"},
    ),
    Example(
        "./scripts/migrate.sh up",
        "mrpplan migrate up local",
        "pending migrations applied",
        at_version("local", "003"),
        start={"local": "v001"},
        answers="y\n",
    ),
    Example(
        "./scripts/migrate.sh up --steps=3",
        "mrpplan migrate up local --steps 3",
        "at most three migrations applied (two were pending)",
        at_version("local", "003"),
        start={"local": "v001"},
        answers="y\n",
    ),
    Example(
        "./scripts/migrate.sh up --steps=1",
        "mrpplan migrate up local --steps 1",
        "exactly one migration applied",
        at_version("local", "002"),
        start={"local": "v001"},
        answers="y\n",
    ),
    Example(
        "./scripts/migrate.sh down",
        "mrpplan migrate down local",
        "the newest migration rolled back",
        at_version("local", "002"),
        answers="y\n",
    ),
    Example(
        "./scripts/migrate.sh down --steps=2",
        "mrpplan migrate down local --steps 2",
        "two migrations rolled back",
        at_version("local", "001"),
        answers="y\n",
    ),
    Example(
        "./scripts/migrate.sh down --steps=2 --auto-approve",
        "mrpplan migrate down local --steps 2 --auto-approve",
        "the same without a terminal (unprotected local)",
        at_version("local", "001"),
    ),
    Example(
        "./scripts/migrate.sh down --steps=2 --force",
        "mrpplan migrate down local --steps 2 --force",
        "the same without a terminal, with the classic --force",
        at_version("local", "001"),
    ),
    Example(
        "./scripts/migrate.sh down --to=001",
        "mrpplan migrate down local --to 001",
        "rolled back to version 001",
        at_version("local", "001"),
        answers="y\n",
    ),
    Example(
        "$MRPPLAN migrate down local --to",
        "mrpplan migrate down local --to",
        "Interactive rollback to specific versions: the applied ones listed, line 2 chosen",
        all_of(says("stay at", "rolling back undoes"), at_version("local", "001")),
        answers="2\ny\n",
    ),
    Example(
        "./scripts/migrate.sh create add_user_permissions",
        "mrpplan migrate create add_user_permissions",
        "a new numbered migration file",
        file_exists("database/migrations/004_add_user_permissions.sql"),
        start={},
    ),
    Example(
        "./scripts/migrate.sh fresh --force",
        "mrpplan migrate fresh local --force",
        "everything dropped and rebuilt at the latest version (after a backup)",
        all_of(
            at_version("local", "003"),
            has_table("local", "scratch_notes", False),
            new_backup("mrp_erp_full_local_"),
        ),
        prepare=stray_table,
    ),
    # 4. sync.sh
    Example(
        "./scripts/sync.sh list-envs",
        "mrpplan sync list-envs",
        "the four environments",
        says("local", "dev", "staging", "prod"),
        start=BUILT,
    ),
    Example(
        "./scripts/sync.sh status prod",
        "mrpplan sync status prod",
        "prod's server, size, version, drift, last backup",
        says("prod (protected)", "schema version:", "003"),
        start=BUILT,
    ),
    Example(
        "./scripts/sync.sh pull prod --backup --schema-only",
        "mrpplan sync pull prod --backup --schema-only",
        "local gets prod's structure, no rows",
        all_of(has_table("local", "sales_orders"), rows("local", "items", 0)),
        start={"local": "empty", "prod": "v003"},
        answers="y\n",
    ),
    Example(
        "./scripts/sync.sh clone dev staging --backup",
        "mrpplan sync clone dev staging --backup",
        "staging gets dev's database (masked as staging.yaml says)",
        all_of(at_version("staging", "003"), has_table("staging", "sales_orders")),
        start={"dev": "v003", "staging": "v001"},
        answers="y\n",
    ),
    Example(
        "./scripts/sync.sh compare dev staging",
        "mrpplan sync compare dev staging",
        "the schema differences; exit 2 because they differ",
        says("would make staging like dev"),
        start={"dev": "v003", "staging": "v001"},
        code=2,
    ),
    Example(
        "./scripts/sync.sh pull prod --dry-run",
        "mrpplan sync pull prod --dry-run",
        "what would be copied; nothing changes",
        all_of(says("Dry run: nothing was changed."), has_table("local", "items", False)),
        start={"local": "empty", "prod": "v003"},
    ),
    # 5. seed.sh
    Example(
        "./scripts/seed.sh list",
        "mrpplan seed list",
        "the seed files and their sets",
        says("00_reference_data", "01_test_data", "reference", "test"),
        start={},
    ),
    Example(
        "./scripts/seed.sh run",
        "mrpplan seed run local",
        "every seed local lists is run",
        seed_ran("local", "03_sample_orders"),
        start={"local": "ref"},
        prepare=runs_before("03_sample_orders"),
    ),
    Example(
        "./scripts/seed.sh run 01_test_data",
        "mrpplan seed run local 01_test_data",
        "that seed only (its name, not an environment)",
        all_of(says("01_test_data: applied"), seed_ran("local", "01_test_data"), some_items),
        start={"local": "ref"},
    ),
    Example(
        "./scripts/seed.sh reference",
        "mrpplan seed reference local",
        "the reference data",
        seed_ran("local", "00_reference_data"),
        start={"local": "schema"},
    ),
    Example(
        "./scripts/seed.sh refresh",
        "mrpplan seed refresh local",
        "seeded tables emptied and re-seeded after the question (checkpoint first)",
        seeded_rows_back,
        prepare=lose_seeded_rows,
        answers="y\n",
    ),
    Example(
        "./scripts/seed.sh refresh --force",
        "mrpplan seed refresh local --force",
        "the same without a terminal",
        seeded_rows_back,
        prepare=lose_seeded_rows,
    ),
    Example(
        "./scripts/seed.sh create customer_data",
        "mrpplan seed create customer_data",
        "a new seed file",
        says("Created database/seeds/"),
        start={},
    ),
    Example(
        "./scripts/seed.sh status --track",
        "mrpplan seed status local --track",
        "every run: who, when, checksum, rows, duration",
        says("Seed runs in local", "00_reference_data", "applied_by"),
    ),
    # Common workflows (lines not already above)
    Example(
        "./scripts/migrate.sh fresh",
        "mrpplan migrate fresh local",
        "on a terminal: asks, then drops and rebuilds",
        at_version("local", "003"),
        answers="y\n",
        prepare=stray_table,
    ),
    Example(
        "./scripts/seed.sh test",
        "mrpplan seed test local",
        "the test data",
        seed_ran("local", "01_test_data"),
        start={"local": "ref"},
    ),
    Example(
        "./scripts/seed.sh status",
        "mrpplan seed status local",
        "each seed's state",
        says("00_reference_data", "applied", "pending"),
        start={"local": "v001"},
    ),
    Example(
        "./scripts/migrate.sh up --backup",
        "mrpplan migrate up local --backup",
        "a full backup, then the pending migrations",
        all_of(at_version("local", "003"), new_backup("mrp_erp_full_local_")),
        start={"local": "v001"},
        prepare=remember_backups,
        answers="y\n",
    ),
    Example(
        "./scripts/backup.sh --full",
        "mrpplan backup local --full",
        "a full backup of local",
        new_backup("mrp_erp_full_local_"),
        prepare=remember_backups,
    ),
    Example(
        "./scripts/sync.sh pull staging --dry-run",
        "mrpplan sync pull staging --dry-run",
        "what pulling staging would copy; nothing changes",
        says("Dry run: nothing was changed."),
        start={"local": "empty", "staging": "v003"},
    ),
    Example(
        "./scripts/backup.sh --auto",
        "mrpplan backup staging --full --auto",
        "with MRPPLAN_ENV=staging: staging is backed up",
        new_backup("mrp_erp_full_staging_"),
        start={"staging": "v003"},
        env=STAGING,
        prepare=remember_backups,
    ),
    Example(
        "./scripts/migrate.sh up --backup",
        "mrpplan migrate up staging --backup",
        "with MRPPLAN_ENV=staging: staging backed up and migrated",
        all_of(at_version("staging", "003"), new_backup("mrp_erp_full_staging_")),
        start={"staging": "v001"},
        env=STAGING,
        prepare=remember_backups,
        answers="y\n",
    ),
    Example(
        "./scripts/sync.sh status staging",
        "mrpplan sync status staging",
        "staging's status",
        says("staging", "schema version:"),
        start={"staging": "v003"},
    ),
    Example(
        "./scripts/migrate.sh status",
        "mrpplan migrate status staging",
        "with MRPPLAN_ENV=staging: staging's migrations",
        says("Migrations of staging"),
        start={"staging": "v003"},
        env=STAGING,
    ),
    Example(
        "./scripts/backup.sh --full",
        "mrpplan backup prod --full",
        "with MRPPLAN_ENV=prod (Workflow 4): prod is backed up, not local",
        new_backup("mrp_erp_full_prod_"),
        start={"prod": "v003"},
        env=PROD,
        prepare=remember_backups,
    ),
    Example(
        "./scripts/migrate.sh up --dry-run",
        "mrpplan migrate up prod --dry-run",
        "prod's plan; nothing applied",
        all_of(says("002_planning_tables"), at_version("prod", "001")),
        start={"prod": "v001"},
        env=PROD,
    ),
    Example(
        "./scripts/migrate.sh up --backup",
        "mrpplan migrate up prod --backup",
        "prod is protected: its name is typed, then backup and migrations",
        all_of(at_version("prod", "003"), new_backup("mrp_erp_full_prod_")),
        start={"prod": "v001"},
        env=PROD,
        prepare=remember_backups,
        answers="prod\n",
    ),
    Example(
        "./scripts/migrate.sh up --backup",
        "mrpplan migrate up prod --backup",
        "without a terminal prod is refused (exit 3) and nothing changes",
        nothing_changed("prod", "001"),
        start={"prod": "v001"},
        env=PROD,
        prepare=remember_backups,
        code=3,
    ),
    Example(
        "./scripts/migrate.sh status",
        "mrpplan migrate status prod",
        "with MRPPLAN_ENV=prod: prod's migrations",
        says("Migrations of prod"),
        start={"prod": "v003"},
        env=PROD,
    ),
    Example(
        "./scripts/migrate.sh down --steps=N",
        "mrpplan migrate down local --steps 1",
        "N (here 1) migrations rolled back",
        at_version("local", "002"),
        answers="y\n",
    ),
    Example(
        "./scripts/restore.sh --list",
        "mrpplan backup --list",
        "the backups to choose from",
        says("{file}"),
        prepare=mrpplan_backup("rollback"),
    ),
    Example(
        "./scripts/restore.sh rollback_TIMESTAMP.sql.gz",
        "mrpplan restore local {file}",
        "a rollback point, by its bare name, restored after the question",
        rows("local", "items", "items"),
        prepare=mrpplan_backup("rollback"),
        answers="y\n",
    ),
    Example(
        "./scripts/restore.sh --backup-first mrp_erp_full_TIMESTAMP.sql.gz",
        "mrpplan restore local {file} --backup-first",
        "a full backup restored, with a rollback point first",
        all_of(rows("local", "items", "items"), new_backup("rollback_local_")),
        prepare=mrpplan_backup("full"),
        answers="y\n",
    ),
    # Troubleshooting / getting help
    Example(
        "./scripts/migrate.sh up --verbose",
        "mrpplan --verbose migrate up local",
        "--verbose after the command: every statement shown",
        at_version("local", "003"),
        start={"local": "v001"},
        answers="y\n",
    ),
    Example(
        "./scripts/backup.sh --full --schema-only",
        "mrpplan backup local --full --schema-only",
        "conflicting kinds: a usage error, no backup",
        all_of(says("cannot be combined"), no_new_backup),
        prepare=remember_backups,
        code=64,
    ),
]
EXAMPLES += [
    Example(
        f"./scripts/{script}.sh --help",
        "(usage text)",
        "real usage, not the source header",
        says("Usage:", *words),
        start={},
    )
    for script, words in {
        "backup": ("--schema-only", "--verify FILE", "--cleanup", "--env"),
        "restore": ("--backup-first", "--dry-run", "--list", "--env"),
        "migrate": ("--steps=N", "fresh", "create NAME", "--env"),
        "sync": ("list-envs", "pull ENV", "clone SRC DST", "compare A B"),
        "seed": ("run [SEED...]", "refresh", "status [--track]", "--env"),
    }.items()
]


# ---- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def states(
    server: sandbox.SandboxInfo, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Dumps of the starting states: schema only (003), 001 + reference data, 003 + reference
    data, 003 + all seeds."""
    folder = tmp_path_factory.mktemp("states")
    plans = {
        "schema": [["migrate", "up", "local", "--auto-approve"]],
        "v001": [
            ["migrate", "up", "local", "--steps", "1", "--auto-approve"],
            ["seed", "reference", "local"],
        ],
        "ref": [["migrate", "up", "local", "--auto-approve"], ["seed", "reference", "local"]],
        "v003": [["migrate", "up", "local", "--auto-approve"], ["seed", "run", "local"]],
    }
    made: dict[str, Path] = {}
    for name, steps in plans.items():
        db = make_database(server, f"state_{name}")
        try:
            make_state(server, folder / f"{name}.sql", db.name, steps)
        finally:
            from dbtools import drop_database

            drop_database(server, db.name)
        made[name] = folder / f"{name}.sql"
    return made


@pytest.fixture
def scene(project: Any, server: sandbox.SandboxInfo, states: dict[str, Path]) -> Scene:
    return Scene(project.root, server, project.databases, states, dict(project.env))


# ---- the tests --------------------------------------------------------------------------


def _params() -> list[Any]:
    marks = []
    for example in EXAMPLES:
        extra = [pytest.mark.xfail(reason=example.xfail, strict=False)] if example.xfail else []
        marks.append(pytest.param(example, id=example.id, marks=extra))
    return marks


@pytest.mark.parametrize("example", _params())
def test_readme_line_does_what_it_says(scene: Scene, example: Example) -> None:
    for env_name, state in example.start.items():
        scene.load(env_name, state)
    ctx = example.prepare(scene) if example.prepare else {}
    line = fill(example.line, ctx.get("file", ""), scene.root)
    result = scene.run_line(line, answers=example.answers, extra_env=example.env)
    assert result.code == example.code, f"{example.effect}\n{result.output}"
    example.check(scene, result, ctx)
    assert "Traceback" not in result.output and "internal error" not in result.output


def fill(line: str, file: str, root: Path) -> str:
    """The README's placeholders: N -> 1, *_TIMESTAMP.sql.gz -> a real backup, the crontab's
    database folder -> this project's."""
    words = [file if "TIMESTAMP" in w else w for w in line.split(" ")]
    line = " ".join(words).replace("--steps=N", "--steps=1")
    return line.replace("{database}", shlex.quote(str(root / "database")))


RECORDER = "import json, sys\nprint(json.dumps(sys.argv[1:]))\n"


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if e.native.startswith("mrpplan") and e.line.startswith("./")],
    ids=lambda e: e.id,
)
def test_readme_line_runs_its_native_equivalent(tmp_path: Path, example: Example) -> None:
    """The wrapper calls exactly the native command the table names (no database needed)."""
    root = tmp_path / "project"
    copy_project(root)
    recorder = tmp_path / "record.py"
    recorder.write_text(RECORDER)
    name = "rollback_local_20260101T000000Z.sql.gz"
    line = fill(example.line, name, root)
    native = example.native.replace("{file}", name)
    env = {"MRPPLAN": f"{sys.executable} {recorder}", "PATH": "/usr/bin:/bin", **example.env}
    done = subprocess.run(
        ["bash", "-c", line],
        cwd=root / "database",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    argv = json.loads(done.stdout)
    assert argv[:2] == ["--project", str(root)]
    assert argv[2:] == shlex.split(native)[1:], example.effect
