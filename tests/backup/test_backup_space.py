"""A backup into a disk that is too small: refused up front, or failing within seconds when
the disk fills half-way; never a hang, never a partial file left behind.

The backup folder is a real 2 MB tmpfs (the tests run as root, as CI does)."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mrpplan.backup.partial import writing

SMALL = "2m"


@pytest.fixture
def small_backup_dir(project: Any) -> Iterator[Path]:
    """The project's backup folder on a 2 MB tmpfs."""
    folder = project.root / "database" / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SMALL},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _everything_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _assert_no_space_message(result: Any, folder: Path, how: str) -> None:
    assert result.code == 1, result.output
    assert re.search(
        rf"no space left on {re.escape(str(folder))} \(needed {how} ", result.stderr
    ), result.output
    assert ", free " in result.stderr
    assert "No backup was written; the database was only read, nothing was changed." in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_refused_before_the_dump_when_the_estimate_does_not_fit(
    project: Any, cli: Any, small_backup_dir: Path
) -> None:
    local = project.databases["local"]
    local.execute(  # about 12 MB on disk: estimated well above 2 MB compressed
        "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(600))",
        "INSERT INTO notes SELECT seq, REPEAT(CONCAT('note ', seq, ' '), 40) FROM seq_1_to_20000",
        "ANALYZE TABLE notes",
    )
    result = cli("backup", "local", timeout=120)
    _assert_no_space_message(result, small_backup_dir, "about")
    assert _everything_in(small_backup_dir) == []


def test_disk_filling_half_way_fails_fast_and_leaves_nothing(
    project: Any, cli: Any, small_backup_dir: Path
) -> None:
    local = project.databases["local"]
    local.execute(  # random bytes do not compress: ~3.5 MB of gzip, estimated at ~1 MB
        "CREATE TABLE scans (id INT PRIMARY KEY, image VARBINARY(1024))",
        "INSERT INTO scans SELECT seq, RANDOM_BYTES(1024) FROM seq_1_to_3000",
        "ANALYZE TABLE scans",
    )
    result = cli("backup", "local", timeout=120)  # a hang fails the test here
    _assert_no_space_message(result, small_backup_dir, "(about|more than)")
    assert _everything_in(small_backup_dir) == []
    # the disk is usable again: a small backup of another kind fits
    done = cli("backup", "local", "--schema-only", timeout=120)
    assert done.code == 0, done.output


def test_cleanup_removes_partials_only_when_their_writer_is_gone(project: Any, cli: Any) -> None:
    folder = project.root / "database" / "backups"
    folder.mkdir(parents=True)
    stale = folder / ".mrp_erp_full_local_20260101T000000Z.sql.gz.partial"
    stale.write_bytes(b"\x1f\x8b half a dump")  # what a killed backup leaves
    with writing(folder / ".mrp_erp_full_local_20260102T000000Z.sql.gz.partial") as live:
        result = cli("backup", "--cleanup", "local")
        assert result.code == 0, result.output
        assert not stale.exists()
        assert f"deleted: database/backups/{stale.name}" in result.stdout
        assert live.exists(), "a backup still being written must be left alone"
    with contextlib.suppress(FileNotFoundError):
        live.unlink()
