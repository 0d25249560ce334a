"""Bad input a new user makes, each as the user meets it: run `mrpplan` as a user would, and
check one readable message (file:line or object, what was left unchanged, what to do next),
the documented exit code (1 error, 3 refused, 64 usage), the database untouched (every table's
SHOW CREATE and CHECKSUM), and never "internal error" or a traceback. One test per case of
issue 18."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from corpus_support import (
    assert_readable,
    database_state,
    killed_after_step,
    replace_in,
    unwritable,
    wait_until,
)

LOTS = "-- mrpplan:up\nCREATE TABLE lots (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
BINS = "-- mrpplan:up\nCREATE TABLE bins (id INT PRIMARY KEY) ENGINE=InnoDB;\n"


def _option_file(project: Any, tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    """A copy of the sandbox's option file (0600), optionally with one line changed."""
    text = Path(project.env["DEV_DB_OPTION_FILE"]).read_text()
    if edit:
        lines = [edit[1] if line.startswith(edit[0]) else line for line in text.splitlines()]
        text = "\n".join(lines) + "\n"
    path = tmp_path / "client.cnf"
    path.write_text(text)
    path.chmod(0o600)
    return path


def _line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line == start)


# -- files that are not UTF-8 ------------------------------------------------------------


def test_non_utf8_byte_in_environment_yaml(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    path = built.root / "environments" / "dev.yaml"
    path.write_bytes(path.read_bytes().replace(b"Shared development", b"Shared d\xe9velopment"))
    planned = cli("plan", "dev")
    assert_readable(
        planned,
        1,
        "environments/dev.yaml:2: not UTF-8 text: byte 0xe9 at column 22",
        "Nothing was changed.",
        "save the file as UTF-8",
    )
    checked = cli("validate")  # names the file; the other environments are still checked
    assert_readable(checked, 1, "environments/dev.yaml:2: not UTF-8", "1 problem in 1 file")
    assert database_state(db) == before


def test_non_utf8_byte_in_dotenv(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    (built.root / ".env").write_bytes(b"# team settings\nDEV_DB_HOST_NOTE=caf\xe9\n")
    planned = cli("plan", "dev")
    assert_readable(
        planned, 1, ".env:2: not UTF-8 text: byte 0xe9 at column 21", "Nothing was changed."
    )
    checked = cli("validate")
    assert_readable(checked, 1, ".env:2: not UTF-8 text")
    assert database_state(db) == before


# -- option files ------------------------------------------------------------------------


def test_port_that_is_not_a_number_in_option_file(built: Any, cli: Any, tmp_path: Path) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    option_file = _option_file(built, tmp_path, ("port=", "port=abc"))
    done = cli("plan", "dev", env={"DEV_DB_OPTION_FILE": str(option_file)})
    line = _line_of(option_file, "port=abc")
    assert_readable(
        done,
        1,
        f"option file {option_file}:{line}: port 'abc' is not a TCP port (a number from 1 to "
        "65535)",
        "Nothing was changed.",
        "Hint: fix that line",
    )
    assert database_state(db) == before


def test_port_out_of_range_in_option_file(built: Any, cli: Any, tmp_path: Path) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    option_file = _option_file(built, tmp_path, ("port=", "port=99999"))
    done = cli("apply", "dev", "--auto-approve", env={"DEV_DB_OPTION_FILE": str(option_file)})
    assert_readable(done, 1, f"{option_file}:", "port '99999' is not a TCP port")
    assert database_state(db) == before


def test_world_writable_option_file_is_refused(built: Any, cli: Any, tmp_path: Path) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    option_file = _option_file(built, tmp_path)
    option_file.chmod(0o666)
    done = cli("apply", "dev", "--auto-approve", env={"DEV_DB_OPTION_FILE": str(option_file)})
    assert_readable(
        done,
        3,
        f"option file {option_file} is world-writable (mode 0666)",
        "the mariadb client ignores such a file too",
        "Nothing was changed.",
        f"Hint: chmod 600 {option_file}",
    )
    assert database_state(db) == before


# -- backup folder -----------------------------------------------------------------------


def test_unwritable_backup_folder(built: Any, cli: Any, tmp_path: Path) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    folder = tmp_path / "locked" / "backups"
    replace_in(built.root / "environments" / "dev.yaml", "dir: database/backups", f"dir: {folder}")
    with unwritable(folder.parent):
        done = cli("backup", "dev", "--auto")
    assert_readable(done, 1, f"backup folder {folder} cannot be used:", "Nothing was changed.")
    assert "Hint: make it a folder this user can write" in done.stderr
    assert not folder.exists()
    assert database_state(db) == before


def test_backup_folder_that_is_a_file(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    (built.root / "backups.txt").write_text("not a folder\n")
    dev = built.root / "environments" / "dev.yaml"
    replace_in(dev, "dir: database/backups", "dir: backups.txt")
    done = cli("backup", "dev", "--auto")
    assert_readable(
        done,
        1,
        f"backup folder {built.root / 'backups.txt'} cannot be used: it exists but is not a "
        "folder. Nothing was changed.",
    )
    assert database_state(db) == before


def test_checkpoint_into_unwritable_backup_folder_rolls_back(
    built: Any, cli: Any, tmp_path: Path
) -> None:
    db = built.databases["dev"]
    made = cli("plan", "dev", "--target-version", "002", "--out", "plans/down.json")
    assert made.code == 0, made.output
    before = database_state(db)
    folder = tmp_path / "locked"
    replace_in(built.root / "environments" / "dev.yaml", "dir: database/backups", f"dir: {folder}")
    with unwritable(folder):
        done = cli("apply", "plans/down.json", "--auto-approve")
    assert_readable(done, 1, f"backup folder {folder} cannot be used", "back where it was")
    after = database_state(db)
    assert after is not None and before is not None
    # the journal keeps its record of the failed attempt; everything else is as it was
    assert after.pop("mrpplan_apply_journal") != before.pop("mrpplan_apply_journal")
    assert after == before


# -- privileges --------------------------------------------------------------------------


def test_apply_as_a_user_with_only_select(built: Any, cli: Any, server: Any) -> None:
    db = built.databases["dev"]
    made = cli("plan", "dev", "--target-version", "002", "--out", "plans/down.json")
    assert made.code == 0, made.output
    before = database_state(db)
    user, password = f"ro_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    db.execute(
        f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT SELECT, SHOW VIEW ON `{db.name}`.* TO '{user}'@'%'",
    )
    try:
        done = cli(
            "apply",
            "plans/down.json",
            "--auto-approve",
            env={
                "DEV_DB_USER": user,
                "DEV_DB_PASSWORD": password,
                "DEV_DB_HOST": "127.0.0.1",
                "DEV_DB_PORT": str(server.port),
            },
        )
    finally:
        db.execute(f"DROP USER '{user}'@'%'")
    assert_readable(
        done,
        1,
        f"permission denied: '{user}'@'%' lacks the CREATE privilege on table "
        f"`{db.name}`.`mrpplan_apply_journal`, which this statement needs:\n"
        "  CREATE TABLE IF NOT EXISTS `mrpplan_apply_journal`",
        "Nothing was changed: the apply stopped before any step.",
        f"Hint: an administrator can grant it: GRANT CREATE ON `{db.name}`.* TO '{user}'@'%'",
    )
    assert password not in done.output
    assert database_state(db) == before


# -- migrations --------------------------------------------------------------------------


def test_gap_in_migration_numbers_is_a_warning(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    (built.root / "database" / "migrations" / "005_lots.sql").write_text(LOTS)
    checked = cli("validate")
    assert_readable(
        checked,
        0,
        "warning: database/migrations/005_lots.sql: migration numbers jump from 003 to 005 "
        "(no 004)",
        "OK: 4 environments",
    )
    before = database_state(db)
    planned = cli("plan", "dev")
    assert_readable(planned, 0, "Warning: migration numbers jump from 003 to 005 (no 004)")
    assert database_state(db) == before


def test_migration_numbered_below_an_applied_one_is_refused(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    migrations = built.root / "database" / "migrations"
    (migrations / "005_lots.sql").write_text(LOTS)
    assert cli("apply", "dev", "--auto-approve").code == 0
    (migrations / "004_bins.sql").write_text(BINS)  # merged from a branch after 005 ran
    before = database_state(db)
    for args in (("plan", "dev"), ("migrate", "up", "dev", "--auto-approve")):
        done = cli(*args)
        assert_readable(
            done,
            3,
            "migration database/migrations/004_bins.sql is numbered below 005_lots, which is "
            "already applied to environment 'dev'",
            "Nothing was planned.",
            "git mv database/migrations/004_bins.sql database/migrations/006_bins.sql",
            "mrpplan migrate down dev",
        )
        assert "drift" not in done.output
    assert database_state(db) == before


def test_deleted_applied_migration_with_version_latest(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    migration = built.root / "database" / "migrations" / "005_lots.sql"
    migration.write_text(LOTS)
    assert cli("apply", "dev", "--auto-approve").code == 0
    migration.unlink()
    before = database_state(db)
    done = cli("plan", "dev")
    assert_readable(
        done,
        1,
        "environment 'dev' has migration(s) 005_lots.sql applied, but the file(s) are no longer "
        "in the migrations folder",
        "Nothing was planned.",
        "restore the file from git",
    )
    assert "no such migration" not in done.output
    assert database_state(db) == before


def test_target_version_that_is_not_a_version_is_a_usage_error(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    done = cli("plan", "dev", "--target-version", "abc")
    assert_readable(
        done,
        64,
        "Invalid value for '--target-version': 'abc' is not 'latest', 'base' or a migration number",
    )
    unknown = cli("plan", "dev", "--target-version", "009")
    assert_readable(unknown, 64, "'009': no such migration (known: base, 001, 002, 003)")
    assert database_state(db) == before


# -- an apply that was killed ------------------------------------------------------------


def test_plan_after_an_interrupted_apply_points_to_recover(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    made = cli("plan", "dev", "--target-version", "001", "--out", "plans/down.json")
    assert made.code == 0, made.output

    def first_step_done() -> bool:  # in the apply that is running now (header 'started')
        return bool(
            db.query(
                "SELECT 1 FROM mrpplan_apply_journal h JOIN mrpplan_apply_journal s USING "
                "(apply_id) WHERE h.step_id = 'plan' AND h.status = 'started' "
                "AND s.step_id = '1' AND s.status = 'done'"
            )
        )

    killed_after_step(
        "1", "apply", "plans/down.json", "--auto-approve", cwd=built.root, done=first_step_done
    )
    lock = f"SELECT IS_USED_LOCK('mrpplan:{db.name}')"
    wait_until(lambda: db.query(lock)[0][0] is None)  # the server has seen the client die
    before = database_state(db)
    done = cli("plan", "dev")
    assert_readable(
        done,
        3,
        f"an apply on {db.name} was interrupted and not recovered",
        "Nothing was planned.",
        "run `mrpplan recover dev`",
    )
    assert "drift" not in done.output
    assert database_state(db) == before
    assert cli("recover", "dev").code == 0
    assert cli("plan", "dev").code == 0


# -- commands that said the wrong thing --------------------------------------------------


def test_validate_env_never_prints_ok_before_an_error(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    done = cli("validate", "--env", "dev", env={"DEV_DB_HOST": "127.0.0.1", "DEV_DB_PORT": "1"})
    assert_readable(done, 1, "cannot reach the server at 127.0.0.1:1")
    assert "OK" not in done.output
    edited = built.root / "database" / "migrations" / "002_planning_tables.sql"
    edited.write_text(edited.read_text() + "\n-- a late edit\n")
    found = cli("validate", "--env", "dev")
    assert_readable(found, 1, "error: migration", "was edited after it was applied", "1 problem")
    assert "OK" not in found.output
    assert database_state(db) == before


def test_list_envs_fails_on_a_malformed_environment_file(built: Any, cli: Any) -> None:
    db = built.databases["dev"]
    before = database_state(db)
    path = built.root / "environments" / "staging.yaml"
    path.write_text(path.read_text().replace("protected: false", "protected: [false"))
    for args in (("sync", "list-envs"), ("sync", "list-envs", "--json")):
        done = cli(*args)
        assert_readable(done, 1, "environments/staging.yaml:", "malformed YAML")
        assert "dev" in done.stdout  # the healthy environments are still listed
    assert database_state(db) == before


def test_database_state_sees_a_changed_row(built: Any) -> None:
    """The corpus's 'unchanged' check would notice one changed value."""
    db = built.databases["dev"]
    before = database_state(db)
    db.execute("UPDATE items SET description = CONCAT(description, '.') LIMIT 1")
    assert database_state(db) != before
    assert database_state(type(db)("no_such_db", db.settings, db.server)) is None
