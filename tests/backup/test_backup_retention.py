"""Retention deletes old backups but never the last good one of each kind per environment."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from backup_support import backups_in, environment, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mrpplan.backup.dump import create_backup
from mrpplan.backup.manifest import backup_name, manifest_path, utc_now
from mrpplan.backup.retention import cleanup_backups


def _age(path: Path, days: float) -> Path:
    """Make a backup look `days` old (its name and manifest), as if taken back then."""
    moment = utc_now() - timedelta(days=days)
    kind = "rollback" if path.name.startswith("rollback") else path.name.split("_")[2]
    new = path.with_name(backup_name(kind, path.name.split("_")[-2], moment, ".gz"))
    data = json.loads(manifest_path(path).read_text())
    data.update(created_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"), file=new.name)
    manifest_path(path).unlink()
    path.rename(new)
    manifest_path(new).write_text(json.dumps(data))
    return new


def _make(env: Any, kind: str, days: float) -> Path:
    return _age(create_backup(env, kind).path, days)


def test_keeps_the_newest_good_backup_of_each_kind(fresh_db: Any, tmp_path: Path) -> None:
    seed(fresh_db)
    env = environment(fresh_db, tmp_path)
    old, older, newest = (_make(env, "full", d) for d in (20, 40, 10))
    lonely_schema = _make(env, "schema", 30)
    folder = env.backup.dir

    preview = cleanup_backups([folder], retention_days=7, dry_run=True)
    assert sorted(e.path.name for e in preview.deleted) == sorted([old.name, older.name])
    assert len(backups_in(folder)) == 4  # dry run deletes nothing

    cleanup_backups([folder], retention_days=7)
    left = {p.name for p in backups_in(folder)}
    assert left == {newest.name, lonely_schema.name}
    assert not manifest_path(old).exists()

    recent = create_backup(env, "full").path  # now the newest good full backup is a fresh one
    cleanup_backups([folder], retention_days=7)
    assert {p.name for p in backups_in(folder)} == {recent.name, lonely_schema.name}


def test_a_corrupt_newest_backup_does_not_count_as_good(fresh_db: Any, tmp_path: Path) -> None:
    seed(fresh_db)
    env = environment(fresh_db, tmp_path)
    good = _make(env, "full", 20)
    bad = _make(env, "full", 10)
    bad.write_bytes(bad.read_bytes()[:-40])
    result = cleanup_backups([env.backup.dir], retention_days=7)
    assert [e.path.name for e in result.kept_last_good] == [good.name]
    assert good.exists() and not bad.exists()
    assert result.failed_verify and str(bad) in result.failed_verify[0][1]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ages=st.lists(st.integers(0, 60), min_size=1, max_size=5, unique=True), days=st.integers(0, 40)
)
def test_never_leaves_a_kind_without_its_last_good_backup(
    fresh_db: Any, tmp_path_factory: Any, ages: list[int], days: int
) -> None:
    folder = tmp_path_factory.mktemp("retention")
    env = environment(fresh_db, folder)
    if not fresh_db.query("SHOW TABLES"):
        seed(fresh_db)
    made = [_make(env, "schema", age + 0.5) for age in ages]
    cleanup_backups([env.backup.dir], retention_days=days)
    left = backups_in(env.backup.dir)
    newest = min(zip(ages, made, strict=True))[1]
    assert newest in left
    for age, path in zip(ages, made, strict=True):
        assert (path in left) == (age + 0.5 < days or path == newest)


def test_cleanup_cli_purges_old_trash_tables(project: Any, cli: Any) -> None:
    """The purge is a plan: shown first, destructive (needs --force without a terminal)."""
    db = project.databases["local"]
    seed(db)
    recent = utc_now().strftime("%Y%m%d%H%M%S")
    db.execute(
        "CREATE TABLE _mrpplan_trash_20200101000000_items (id INT PRIMARY KEY)",
        f"CREATE TABLE _mrpplan_trash_{recent}_stock (id INT PRIMARY KEY)",
    )
    trash = "SHOW TABLES LIKE '\\_mrpplan\\_trash%'"
    done = cli("backup", "--cleanup", "local", "--dry-run")
    assert done.code == 0, done.output
    assert "_mrpplan_trash_20200101000000_items" in done.stdout
    assert "1 to destroy" in done.stdout
    assert f"_mrpplan_trash_{recent}_stock" not in done.stdout
    assert "Dry run: nothing was changed." in done.stdout
    assert len(db.query(trash)) == 2

    refused = cli("backup", "--cleanup", "local")  # no terminal, destructive, no --force
    assert refused.code == 3, refused.output
    assert "Nothing was changed" in refused.stderr
    assert len(db.query(trash)) == 2

    saved = cli("backup", "--cleanup", "local", "--out", "plans/purge.json")
    assert saved.code == 0, saved.output
    assert len(db.query(trash)) == 2
    done = cli("apply", "plans/purge.json", "--auto-approve")
    assert done.code == 0, done.output
    assert [r[0] for r in db.query(trash)] == [f"_mrpplan_trash_{recent}_stock"]
    again = cli("backup", "--cleanup", "local", "--force")
    assert again.code == 0, again.output
    assert "No trash tables of local older than 7 days." in again.stdout


def test_a_second_backup_within_the_same_second_lists_as_the_newer(tmp_path: Path) -> None:
    """`..._<ts>Z-1.sql.gz` was written after `..._<ts>Z.sql.gz` (same second)."""
    from mrpplan.backup.catalog import list_backups

    for name in (
        "mrp_erp_full_dev_20300101T000000Z.sql.gz",
        "mrp_erp_full_dev_20300101T000000Z-1.sql.gz",
    ):
        (tmp_path / name).write_bytes(b"")
    newest = list_backups([tmp_path])[0]
    assert newest.path.name == "mrp_erp_full_dev_20300101T000000Z-1.sql.gz"
