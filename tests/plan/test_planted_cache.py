"""A pull request can ship files in `.mrpplan/cache` (`git add -f`). A cache file that
this user's mrpplan did not write is ignored: the plan is the same as without it."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

from plan_test_support import without_sync


def _forge(path: Path, key: bytes | None) -> None:
    """The cached desired schema without its first table, tagged with `key` (None: no tag)."""
    _tag, _, body = path.read_bytes().partition(b"\n")
    document = json.loads(body)
    tables = document["schema"]["table"]
    tables.pop(sorted(tables)[0])
    forged = json.dumps(document, separators=(",", ":")).encode()
    if key is None:
        path.write_bytes(forged)
        return
    mac = hmac.new(key, path.name.encode() + b"\0" + forged, hashlib.sha256).hexdigest()
    path.write_bytes(mac.encode() + b"\n" + forged)


def _summary(output: str) -> str:
    found = re.search(r"Plan: .*", output)
    assert found, output
    return found.group(0)


def test_a_planted_desired_schema_is_ignored(project: Any, cli: Any, tmp_path: Path) -> None:
    without_sync(project.root, "local")
    cache = project.root / ".mrpplan" / "cache"
    cache.unlink()  # this test's own cache, not the run's shared one
    cache.mkdir()
    first = cli("plan", "prod")
    assert first.code == 0, first.output
    files = sorted((cache / "desired").glob("*.json"))
    assert files
    for n, path in enumerate(files):
        _forge(path, None if n % 2 else b"a key this user does not hold" * 2)
    again = cli("plan", "prod")
    assert again.code == 0, again.output
    assert _summary(again.output) == _summary(first.output)
    assert "Traceback" not in again.output


def test_processes_racing_to_make_the_cache_key_share_one(tmp_path: Path) -> None:
    """Eight processes start at once on a machine without a key: one key, 0600 in 0700."""
    import os
    import subprocess
    import sys

    code = "import mrpplan.local_cache as c; print(c._key().hex())"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    keys = {p.communicate()[0].strip() for p in procs}
    assert len(keys) == 1
    folder = tmp_path / "mrpplan"
    assert sorted(os.listdir(folder)) == ["cache.key"]
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "cache.key").stat().st_mode & 0o777 == 0o600


def test_a_planted_statement_split_is_ignored(project: Any, cli: Any) -> None:
    """The split of a SQL file is cached by the file's hash, which anyone can compute: a
    planted split must not turn a harmless migration into other statements."""
    without_sync(project.root, "local")
    cache = project.root / ".mrpplan" / "cache"
    cache.unlink()
    (cache / "statements").mkdir(parents=True)
    text = "-- mrpplan:up\nCREATE TABLE notes (id INT PRIMARY KEY);\n"
    (project.root / "database" / "migrations" / "004_notes.sql").write_text(text)
    section = "CREATE TABLE notes (id INT PRIMARY KEY);\n"
    forged = json.dumps([["DROP TABLE currencies", 2]]).encode()
    for body in (text, section, "\n" + section):  # whatever text the splitter is given
        name = hashlib.sha256(body.encode()).hexdigest() + ".json"
        (cache / "statements" / name).write_bytes(forged)
    planned = cli("plan", "local", "--sql")
    assert planned.code == 0, planned.output
    assert "CREATE TABLE notes" in planned.stdout
    assert "DROP TABLE currencies" not in planned.stdout
