"""Damaged backup files: verify fails (exit 1) naming the file and the check; restore refuses
them and never touches the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, environment, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mrpplan.backup.dump import create_backup
from mrpplan.backup.verify import verify_backup
from mrpplan.errors import BackupError


@pytest.fixture
def good_backup(fresh_db: Any, tmp_path: Path) -> Path:
    seed(fresh_db)
    return create_backup(environment(fresh_db, tmp_path), "full").path


def _damage(path: Path, how: str, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        del data[int(len(data) * at) :]
    else:
        data[int((len(data) - 1) * at)] ^= 0x10
    path.write_bytes(bytes(data))


def test_good_backup_verifies_quick_and_deep(good_backup: Path, server: Any) -> None:
    report = verify_backup(good_backup, deep=True, scratch=server.settings())
    assert report.level == "deep" and "sha256" in report.checks


@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_damaged_file_fails_verify_and_restore_leaves_db_alone(
    how: str, good_backup: Path, fresh_db: Any, project: Any, cli: Any
) -> None:
    _damage(good_backup, how)
    done = cli("backup", "--verify", str(good_backup))
    assert done.code == 1
    assert str(good_backup) in done.stderr and "failed verification" in done.stderr
    assert ("size" in done.stderr) if how == "truncate" else ("sha256" in done.stderr)

    target = project.databases["local"]
    seed(target)
    target.execute("UPDATE items SET price = 42")
    before = checksums(target)
    done = cli("restore", "local", str(good_backup), "--force")
    assert done.code == 1 and "failed verification" in done.stderr
    assert checksums(target) == before


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(how=st.sampled_from(["truncate", "flip"]), at=st.floats(0.0, 0.999))
def test_any_damage_is_caught(good_backup: Path, tmp_path: Path, how: str, at: float) -> None:
    copy = tmp_path / "copy" / good_backup.name
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes(good_backup.read_bytes())
    manifest = good_backup.with_name(good_backup.name + ".manifest.json")
    copy.with_name(copy.name + ".manifest.json").write_text(manifest.read_text())
    _damage(copy, how, at)
    with pytest.raises(BackupError) as caught:
        verify_backup(copy, record=False)
    assert str(copy) in caught.value.message


def test_dump_cut_short_is_caught_even_with_a_matching_manifest(good_backup: Path) -> None:
    """A whole gzip stream whose SQL lacks the trailer (dump killed) still fails."""
    import gzip
    import hashlib
    import json

    text = gzip.decompress(good_backup.read_bytes())
    cut = text[: text.rindex(b"-- Dump completed")]
    good_backup.write_bytes(gzip.compress(cut))
    manifest_file = good_backup.with_name(good_backup.name + ".manifest.json")
    data = json.loads(manifest_file.read_text())
    data.update(
        sha256=hashlib.sha256(good_backup.read_bytes()).hexdigest(),
        compressed_bytes=good_backup.stat().st_size,
        sql_bytes=len(cut),
    )
    manifest_file.write_text(json.dumps(data))
    with pytest.raises(BackupError, match="trailer"):
        verify_backup(good_backup)


def test_missing_manifest_is_named(good_backup: Path) -> None:
    good_backup.with_name(good_backup.name + ".manifest.json").unlink()
    with pytest.raises(BackupError, match="manifest"):
        verify_backup(good_backup)
