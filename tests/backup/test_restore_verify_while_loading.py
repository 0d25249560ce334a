"""`restore` reads the file once before the load (verify and the backup's schema in one
pass) and hashes it again while it loads: a file that changes after its check is refused
before the swap, and a restore killed during the load leaves the database as it was."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, seed
from dbtools import start_cli, wait_for


def _backup(project: Any, cli: Any) -> Path:
    assert cli("backup", "local").code == 0
    return next((project.root / "database" / "backups").glob("mrp_erp_full_local_*.sql.gz"))


def _scratch(db: Any) -> list[str]:
    pattern = f"\\_mrpplan\\_load\\_%{db.name}"
    return [str(r[0]) for r in db.query("SHOW DATABASES LIKE %s", (pattern,))]


def _change(path: Path, how: str) -> None:
    """The same rows written again (only the sha256 tells), or one byte damaged."""
    data = path.read_bytes()
    if how == "recompressed":
        path.write_bytes(gzip.compress(gzip.decompress(data), compresslevel=9))
    else:
        damaged = bytearray(data)
        damaged[len(damaged) // 2] ^= 0x10
        path.write_bytes(bytes(damaged))


@pytest.mark.parametrize("how", ["recompressed", "damaged"])
def test_a_file_changed_after_its_check_is_refused_before_the_swap(
    project: Any, cli: Any, tmp_path: Path, how: str
) -> None:
    db = project.databases["local"]
    seed(db)
    path = _backup(project, cli)
    db.execute("UPDATE items SET price = 77")
    before = checksums(db)
    resume = tmp_path / "resume"
    # paused after the scratch database is made: the file was verified, the load not begun
    proc = start_cli(
        "restore",
        "local",
        str(path),
        "--force",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "1", "MRPPLAN_TEST_RESUME_FILE": str(resume)},
        cwd=project.root,
    )
    try:
        wait_for(lambda: bool(_scratch(db)) or proc.poll() is not None, "the scratch database")
        assert proc.poll() is None, proc.communicate()
        _change(path, how)
        resume.touch()
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    if how == "recompressed":  # whole rows, a whole stream: only the hash tells
        assert "failed verification while it was loaded" in err and "sha256" in err, err
    assert "shadow_load" in err and "back where it was" in err, err
    assert "Restored" not in out
    assert checksums(db) == before
    assert not _scratch(db)


def test_killed_during_the_load_leaves_the_prior_state_and_recover_says_so(
    project: Any, cli: Any
) -> None:
    db = project.databases["local"]
    seed(db)
    # enough rows that the load is still running when it is killed
    db.execute(
        "INSERT INTO stock_audit (item_id, note) SELECT seq, REPEAT('x', 60) FROM seq_1_to_300000"
    )
    path = _backup(project, cli)
    db.execute("UPDATE items SET price = 77")
    before = checksums(db)
    proc = start_cli("restore", "local", str(path), "--force", env={}, cwd=project.root)
    try:

        def loading() -> bool:
            names = _scratch(db)
            if not names:
                return proc.poll() is not None
            found = db.query(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s",
                (names[0],),
            )
            return bool(found[0][0]) or proc.poll() is not None

        wait_for(loading, "the load into the scratch database")
        assert proc.poll() is None, proc.communicate()
    finally:
        proc.kill()  # SIGKILL: no cleanup code runs
        proc.wait()
    assert checksums(db) == before  # nothing was swapped in
    refused = cli("plan", "local")
    assert refused.code == 3 and "recover" in refused.stderr, refused.output
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert "Rolled back the interrupted apply" in recovered.stdout, recovered.output
    assert "back where it was before the apply" in recovered.stdout
    assert checksums(db) == before
    assert not _scratch(db)
