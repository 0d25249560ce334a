"""Cache files that only this user on this machine can have written.

The cache lives in the project folder (`.mrpplan/cache`), which a pull request can fill:
`git add -f .mrpplan/cache/...` would ship a forged desired schema or trace that `plan`
shows and `apply`'s re-derivation then agrees with. So every cache file carries an
HMAC-SHA256 keyed by a secret kept outside any project (`$XDG_CACHE_HOME/mrpplan/cache.key`,
0600 in a 0700 folder, made on first use), and a file whose tag does not match is
ignored as if it were missing: a cache can cost time, never change a result.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Any

_KEY: bytes | None = None
_KEY_LOCK = threading.Lock()


def key_file() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no home directory known
            return None
    return Path(base) / "mrpplan" / "cache.key"


def _key() -> bytes:
    """This user's cache key; a key for this process alone when none can be kept."""
    global _KEY
    with _KEY_LOCK:
        if _KEY is None:
            path = key_file()
            _KEY = (_read_or_make(path) if path else None) or secrets.token_bytes(32)
        return _KEY


def _read_or_make(path: Path) -> bytes | None:
    """The key at `path`, made if missing: written whole to a private file, then linked
    into place, so a process racing this one reads a whole key or makes its own link."""
    with contextlib.suppress(OSError):
        data = path.read_bytes()
        if len(data) == 32:
            return data
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        made = secrets.token_bytes(32)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(made)
        try:
            os.link(tmp, path)
        except FileExistsError:
            made = path.read_bytes()
        finally:
            tmp.unlink()
    except OSError:
        return None
    return made if len(made) == 32 else None


def _tag(name: str, body: bytes) -> str:
    return hmac.new(_key(), name.encode() + b"\0" + body, hashlib.sha256).hexdigest()


def read_json(path: Path) -> Any | None:
    """The document stored at `path` by `write_json`, or None (missing, torn or forged)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    tag, _, body = raw.partition(b"\n")
    if not hmac.compare_digest(tag.decode("ascii", "replace"), _tag(path.name, body)):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def write_json(path: Path, document: Any) -> None:
    """Write atomically with its tag; a cache that cannot be written only costs time."""
    body = json.dumps(document, separators=(",", ":")).encode()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_tag(path.name, body).encode() + b"\n" + body)
        os.replace(tmp, path)
