"""A restore is whole, counted and follows the policy (issues 23 and 30): backups holding
mrpplan's own, trash or scratch tables restore; a full restore brings back the backup's
complete state (objects it lacks go to the trash) and counts what it removes; the journal
is never replaced; another environment's backup is masked."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path
from typing import Any

from dbtools import Database, start_cli, wait_for

JOURNAL = "mrpplan_apply_journal"


def _objects(db: Database) -> set[str]:
    """Every table, view, routine, trigger and event a user sees (not mrpplan's temporaries,
    not the journal)."""
    rows = db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        " UNION ALL SELECT routine_name FROM information_schema.routines"
        " WHERE routine_schema = DATABASE()"
        " UNION ALL SELECT trigger_name FROM information_schema.triggers"
        " WHERE trigger_schema = DATABASE()"
        " UNION ALL SELECT event_name FROM information_schema.events"
        " WHERE event_schema = DATABASE()"
    )
    return {str(r[0]) for r in rows if not str(r[0]).startswith("_mrpplan") and r[0] != JOURNAL}


def _state(db: Database) -> dict[str, Any]:
    """What a user would compare: objects, their definitions and rows (journal aside)."""
    tables = [t for t in _tables(db, " AND table_type = 'BASE TABLE'") if t != JOURNAL]
    return {
        "objects": _objects(db),
        "checksums": {t: db.query(f"CHECKSUM TABLE `{t}`")[0][1] for t in sorted(tables)},
        "create": {t: db.query(f"SHOW CREATE TABLE `{t}`")[0][1] for t in sorted(tables)},
    }


def _old_script_backup(db: Database, folder: Path, name: str) -> Path:
    """What the old backup.sh made: `mariadb-dump ... | gzip`, no manifest."""
    dump = subprocess.run(
        [
            "mariadb-dump",
            f"--defaults-file={db.server.option_file}",
            "--single-transaction",
            "--routines",
            "--triggers",
            db.name,
        ],
        capture_output=True,
        check=True,
    ).stdout
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(gzip.compress(dump))
    return path


def test_old_script_backup_holding_trash_tables_restores(project: Any, cli: Any) -> None:
    dev = project.databases["dev"]
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    down = cli("migrate", "down", "dev", "--to", "001", "--auto-approve")
    assert down.code == 0, down.output
    trash = [t for t in _tables(dev) if t.startswith("_mrpplan_trash_")]
    assert any(t.endswith("_demand_forecasts") for t in trash), trash
    dev.execute("INSERT INTO units_of_measure (uom_code, name) VALUES ('ZZ', 'backup row')")
    folder = project.root / "database" / "backups"
    path = _old_script_backup(dev, folder, "mrp_erp_full_20250820_020000.sql.gz")
    expected = _state(dev)
    dev.execute("DELETE FROM units_of_measure WHERE uom_code = 'ZZ'")

    dry = cli("restore", "dev", str(path), "--dry-run")
    assert dry.code == 0, dry.output
    for table in trash:  # the plan says what happens to them
        assert table in dry.stdout
    assert "skipped" in dry.stdout

    done = cli("restore", "dev", str(path), "--force")
    assert done.code == 0, done.output
    assert _state(dev) == expected
    # the live trash tables are still there, untouched
    assert [t for t in _tables(dev) if t.startswith("_mrpplan_trash_")] == trash


def _tables(db: Database, where: str = "") -> list[str]:
    return sorted(
        str(r[0])
        for r in db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            + where
        )
    )


def _journal(db: Database) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.query(f"SELECT id, apply_id, step_id, status FROM {JOURNAL}")]


def test_full_restore_of_an_older_backup_on_protected_prod(project: Any, cli: Any) -> None:
    prod = project.databases["prod"]
    made = cli("plan", "prod", "--target-version", "001", "--out", "plans/001.json")
    assert made.code == 0, made.output
    assert cli("apply", "plans/001.json", "--auto-approve").code == 0
    assert cli("backup", "prod").code == 0
    [path] = (project.root / "database" / "backups").glob("mrp_erp_full_prod_*.sql.gz")
    at_001 = _state(prod)
    assert cli("plan", "prod", "--out", "plans/003.json").code == 0
    applied = cli("apply", "plans/003.json", "--auto-approve")
    assert applied.code == 0, applied.output
    extra = _objects(prod) - at_001["objects"]
    assert "demand_forecasts" in extra

    # the dry run counts what the restore removes, readably (no raw SQL without --verbose)
    dry = cli("restore", "prod", str(path), "--dry-run")
    assert dry.code == 0, dry.output
    summary = next(line for line in dry.stdout.splitlines() if line.startswith("Plan:"))
    destroyed = int(summary.split(" to destroy")[0].rsplit(" ", 1)[1])
    assert destroyed >= len(extra), summary
    assert "demand_forecasts" in dry.stdout and "lot_sizing_rule" in dry.stdout
    assert "--allow-destructive" in dry.output  # the dry run says apply would refuse
    assert "foreign_key_checks" not in dry.stdout
    verbose = cli("--verbose", "restore", "prod", str(path), "--dry-run")
    assert "foreign_key_checks" in verbose.stdout

    # saved and applied with the key but without explicit approval: refused, nothing changed
    journal = _journal(prod)
    at_003 = _state(prod)
    saved = cli("restore", "prod", str(path), "--out", "plans/r.json")
    assert saved.code == 0, saved.output
    refused = cli("apply", "plans/r.json", "--auto-approve")
    assert refused.code == 3, refused.output
    assert "allow-destructive" in refused.stderr
    assert _state(prod) == at_003
    assert _journal(prod)[: len(journal)] == journal

    # approved explicitly: the backup's whole state, history 001, the journal kept
    approved = cli("restore", "prod", str(path), "--allow-destructive", "--out", "plans/r2.json")
    assert approved.code == 0, approved.output
    done = cli("apply", "plans/r2.json", "--auto-approve")
    assert done.code == 0, done.output
    after = _state(prod)
    assert after["objects"] == at_001["objects"]
    assert after["create"] == at_001["create"]
    versions = prod.query("SELECT MAX(version) FROM mrpplan_schema_history")
    assert versions == [("001",)]
    assert cli("drift", "prod").code == 0
    clean = cli("plan", "prod", "--target-version", "001")
    assert clean.code == 0, clean.output
    assert "No changes" in clean.stdout
    rows = _journal(prod)
    assert rows[: len(journal)] == journal  # nothing of the audit trail was lost
    [restored] = prod.query(f"SELECT artifact, detail FROM {JOURNAL} WHERE step_id = 'restored'")
    assert path.name in restored[0] and "sha256" in restored[1]
    # what the restore removed is in the trash database, not dropped
    [(trash,)] = prod.query("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_trash\\_%{prod.name}",))
    assert prod.query(f"SELECT COUNT(*) FROM `{trash}`.demand_forecasts")[0][0] >= 0


def test_restoring_another_environments_backup_masks_it(project: Any, cli: Any) -> None:
    dev, local = project.databases["dev"], project.databases["local"]
    for env in ("dev", "local"):
        assert cli("migrate", "up", env, "--auto-approve").code == 0
        assert cli("seed", "reference", env).code == 0
    dev.execute(
        "INSERT INTO customers (customer_code, name, email, phone, contact_name)"
        " VALUES ('C-9', 'Acme', 'jane.doe@acme.example', '+49 30 1234567', 'Jane Doe')"
    )
    assert cli("backup", "dev").code == 0
    [path] = (project.root / "database" / "backups").glob("mrp_erp_full_dev_*.sql.gz")
    dry = cli("restore", "local", str(path), "--dry-run")
    assert dry.code == 0, dry.output
    assert "mask" in dry.stdout and "customers.email" in dry.stdout
    done = cli("restore", "local", str(path), "--force")
    assert done.code == 0, done.output
    [(email, phone, contact)] = local.query(
        "SELECT email, phone, contact_name FROM customers WHERE customer_code = 'C-9'"
    )
    assert "jane" not in email.lower() and "1234567" not in phone and "Jane" not in contact
    assert local.query("SELECT name FROM customers WHERE customer_code = 'C-9'") == [("Acme",)]

    # rules that cannot mask the backup refuse the restore before anything changes
    env_file = project.root / "environments" / "local.yaml"
    env_file.write_text(env_file.read_text().replace("mask: {", "mask: {customers.fax: email, "))
    before = _state(local)
    refused = cli("restore", "local", str(path), "--force")
    assert refused.code == 1, refused.output
    assert "customers.fax" in refused.stderr and "Nothing was changed" in refused.stderr
    assert "Traceback" not in refused.output
    assert _state(local) == before


def _done_since(db: Database, last_id: int, step: str) -> bool:
    return bool(
        db.query(
            f"SELECT 1 FROM {JOURNAL} WHERE id > %s AND step_id = %s AND status = 'done'",
            (last_id, step),
        )
    )


def test_killed_during_a_whole_restore_then_recover_gives_the_prior_state(
    project: Any, cli: Any
) -> None:
    dev = project.databases["dev"]
    assert cli("migrate", "up", "dev", "--steps", "1", "--auto-approve").code == 0
    assert cli("seed", "reference", "dev").code == 0
    assert cli("backup", "dev").code == 0
    [path] = (project.root / "database" / "backups").glob("mrp_erp_full_dev_*.sql.gz")
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    dev.execute("UPDATE currencies SET name = CONCAT(name, ' (now)')")
    before = _state(dev)
    history = dev.query("SELECT version, checksum FROM mrpplan_schema_history ORDER BY version")
    # after the swap (3) and in the middle of the tables moved to the trash (6)
    for step in ("3", "6"):
        journal = _journal(dev)
        last_id = max(r[0] for r in journal)
        proc = start_cli(
            "restore",
            "dev",
            str(path),
            "--force",
            env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": step, "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
            cwd=project.root,
        )
        try:
            wait_for(
                lambda p=proc, n=last_id, s=step: _done_since(dev, n, s) or p.poll() is not None,
                f"step {step} of the restore",
            )
            assert proc.poll() is None, proc.communicate()
        finally:
            proc.kill()  # SIGKILL: no cleanup code runs
            proc.wait()
        assert _state(dev) != before  # half-way: the swap took effect
        refused = cli("plan", "dev")
        assert refused.code == 3 and "recover" in refused.stderr, refused.output
        recovered = cli("recover", "dev")
        assert recovered.code == 0, recovered.output
        assert _state(dev) == before
        assert (
            dev.query("SELECT version, checksum FROM mrpplan_schema_history ORDER BY version")
            == history
        )
        assert _journal(dev)[: len(journal)] == journal
    done = cli("restore", "dev", str(path), "--force")
    assert done.code == 0, done.output
    assert dev.query("SELECT MAX(version) FROM mrpplan_schema_history") == [("001",)]
