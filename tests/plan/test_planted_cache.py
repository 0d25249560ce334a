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
