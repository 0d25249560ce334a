"""Helpers for the plan/apply tests: what a user would compare before and after."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from dbtools import wait_for  # noqa: F401  (the tests import it from here)

_AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+")


def user_tables(db: Any) -> list[str]:
    rows = db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [str(r[0]) for r in rows if not str(r[0]).startswith(("mrpplan_", "_mrpplan"))]


def schema_texts(db: Any) -> dict[str, str]:
    """SHOW CREATE TABLE of every user table (AUTO_INCREMENT counters left out)."""
    texts = {}
    for table in user_tables(db):
        text = str(db.query(f"SHOW CREATE TABLE `{table}`")[0][1])
        texts[table] = _AUTO_INCREMENT.sub("", text)
    return texts


def checksums(db: Any) -> dict[str, object]:
    tables = user_tables(db)
    if not tables:
        return {}
    rows = db.query("CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables))
    return {str(name).split(".", 1)[1]: value for name, value in rows}


def snapshot(db: Any) -> tuple[dict[str, str], dict[str, object], list[tuple[object, ...]]]:
    """Schema, data checksums and schema history: everything a rollback must restore."""
    history: list[tuple[object, ...]] = []
    if db.query("SHOW TABLES LIKE 'mrpplan_schema_history'"):
        history = db.query("SELECT version, checksum FROM mrpplan_schema_history ORDER BY 1")
    return schema_texts(db), checksums(db), history


def journal_status(db: Any, step_id: str) -> str | None:
    """Status of a step of the apply that is running now (its header still 'started')."""
    if not db.query("SHOW TABLES LIKE 'mrpplan_apply_journal'"):
        return None
    rows = db.query(
        "SELECT s.status FROM mrpplan_apply_journal h JOIN mrpplan_apply_journal s "
        "ON s.apply_id = h.apply_id AND s.step_id = %s "
        "WHERE h.step_id = 'plan' AND h.status = 'started' ORDER BY s.id DESC LIMIT 1",
        (step_id,),
    )
    return str(rows[0][0]) if rows else None


def saved_plan_path(output: str) -> str:
    found = re.search(r"mrpplan apply (\S+\.json)", output)
    assert found, output
    return found.group(1)


def edit_base_schema(root: Path, old: str, new: str) -> None:
    """Change the declared schema of the project copy (a developer's edit)."""
    path = root / "database" / "schema" / "01_base_schema.sql"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def append_base_schema(root: Path, sql: str) -> None:
    path = root / "database" / "schema" / "01_base_schema.sql"
    path.write_text(path.read_text() + "\n" + sql + "\n")


def without_sync(root: Path, env: str) -> None:
    """Take the `sync:` section out of an environment file (these tests are about schema)."""
    import yaml

    path = root / "environments" / f"{env}.yaml"
    document = yaml.safe_load(path.read_text())
    document.pop("sync", None)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def run_on_terminal(*args: str, answer: str, cwd: Path, timeout: float = 300) -> tuple[int, str]:
    """Run mrpplan with a terminal on stdin (so it asks), typing `answer` when asked."""
    import os
    import pty

    primary, secondary = pty.openpty()
    merged = dict(os.environ)
    merged.update({"NO_COLOR": "1", "COLUMNS": "200"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "mrpplan", *args],
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=merged,
        cwd=cwd,
    )
    os.close(secondary)
    os.write(primary, (answer + "\n").encode())
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        os.close(primary)
    return proc.returncode, out
