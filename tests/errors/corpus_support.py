"""Helpers for the bad-input corpus: what a database holds, and what a user must never see."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql

NEVER_SHOWN = ("internal error", "Traceback")


def database_state(db: Any) -> dict[str, tuple[str, object]] | None:
    """SHOW CREATE and CHECKSUM TABLE of every table and view (mrpplan's own too).

    None when the database does not exist. Equal before and after = nothing was changed:
    no DDL (the texts, AUTO_INCREMENT included) and no row written (the checksums).
    """
    try:
        rows = db.query("SHOW FULL TABLES")
    except pymysql.err.OperationalError:
        return None
    state: dict[str, tuple[str, object]] = {}
    for name, kind in rows:
        if kind == "VIEW":
            state[name] = (str(db.query(f"SHOW CREATE VIEW `{name}`")[0][1]), None)
        else:
            create = str(db.query(f"SHOW CREATE TABLE `{name}`")[0][1])
            state[name] = (create, db.query(f"CHECKSUM TABLE `{name}`")[0][1])
    return state


def assert_readable(result: Any, code: int, *expected: str) -> None:
    """The documented exit code, the expected words, and nothing only a developer should see."""
    for word in NEVER_SHOWN:
        assert word not in result.output, result.output
    assert result.code == code, result.output
    for text in expected:
        assert text in result.output, result.output


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[Path]:
    """A folder nobody can write into, root included (root ignores mode bits: use +i)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o500)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


def killed_after_step(step: str, *args: str, cwd: Path, done: Any) -> None:
    """Run `mrpplan ARGS`, let it finish `step`, then SIGKILL it (as a crash would)."""
    env = dict(os.environ, MRPPLAN_TEST_PAUSE_AFTER_STEP=step, MRPPLAN_TEST_PAUSE_SECONDS="600")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mrpplan", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )
    try:
        wait_until(done, proc)
    finally:
        proc.kill()
        proc.wait()


def wait_until(done: Any, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait (synchronisation, not a timing assertion) until `done()`; fail if `proc` ends."""
    import time

    for _ in range(6000):
        if done():
            return
        assert proc is None or proc.poll() is None, "the apply ended before it could be killed"
        time.sleep(0.05)
    raise AssertionError("waited 5 minutes in vain")
