"""The sidecar `<file>.manifest.json`: what a backup holds and how to check it (DESIGN §3.5).

It never holds credentials: only names, sizes, counts, checksums and versions.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mrpplan import __version__
from mrpplan.errors import BackupError

FORMAT_VERSION = 1
KINDS = ("full", "schema", "data", "rollback")
MANIFEST_SUFFIX = ".manifest.json"
_NAME = re.compile(
    r"^(?:mrp_erp_(?P<kind>full|schema|data)|(?P<rollback>rollback))_(?P<env>.+)_"
    r"(?P<ts>\d{8}T\d{6}Z(?:-\d+)?)\.sql\.(?:gz|zst)$"
)


@dataclass(frozen=True)
class TableStats:
    rows: int
    checksum: int | None


@dataclass
class Manifest:
    kind: str
    env: str
    database: str
    server_version: str
    created_at: str
    file: str
    compression: str
    sha256: str = ""
    compressed_bytes: int = 0
    sql_bytes: int = 0
    tables: dict[str, TableStats] = field(default_factory=dict)
    views: list[str] = field(default_factory=list)
    absent_tables: list[str] = field(default_factory=list)  # rollback points: not there yet
    label: str = ""
    tool: dict[str, str] = field(default_factory=dict)
    duration_seconds: float = 0.0
    verified: dict[str, str] | None = None  # {"at": ts, "level": "quick"|"deep"} after a verify
    # a Galera node's backup: the node, cluster_state_uuid and last_committed at the start
    cluster: dict[str, object] | None = None
    # full/data backups of a server with a binary log: where its snapshot is in the log,
    # {"file", "position", "gtid", "at": unix seconds of the snapshot} (DESIGN §3.13)
    binlog: dict[str, Any] | None = None
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tables"] = {name: asdict(stats) for name, stats in sorted(self.tables.items())}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        tables = {
            str(name): TableStats(
                int(v["rows"]), None if v.get("checksum") is None else int(v["checksum"])
            )
            for name, v in (data.get("tables") or {}).items()
        }
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "tables"}
        return cls(tables=tables, **known)

    @property
    def created(self) -> datetime:
        return parse_timestamp(self.created_at)


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def read_manifest(backup: Path) -> Manifest:
    path = manifest_path(backup)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{backup}: its manifest {path.name} is missing (check: manifest)"
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: unreadable manifest: {exc} (check: manifest)") from None
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{path}: malformed manifest: {exc} (check: manifest)") from None


def write_manifest(backup: Path, manifest: Manifest) -> Path:
    """Atomically (temp + rename), mode 0600."""
    path = manifest_path(backup)
    write_private(path, json.dumps(manifest.to_json(), indent=2, sort_keys=True) + "\n")
    return path


def write_private(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk must not leave a stub behind
        raise


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """File-name form: 20261124T021500Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y%m%dT%H%M%SZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise BackupError(f"unreadable timestamp {text!r}")


def backup_name(kind: str, env: str, moment: datetime, suffix: str) -> str:
    """mrp_erp_full_<env>_<ts>.sql.gz, ..._schema_..., ..._data_..., rollback_<env>_<ts>.sql.gz."""
    stem = "rollback" if kind == "rollback" else f"mrp_erp_{kind}"
    return f"{stem}_{env}_{timestamp(moment)}.sql{suffix}"


def parse_backup_name(name: str) -> tuple[str, str, datetime] | None:
    """(kind, env, created) from a backup file name, or None if it is not one of ours."""
    found = _NAME.match(name)
    if not found:
        return None
    kind = "rollback" if found.group("rollback") else found.group("kind")
    moment = datetime.strptime(found.group("ts")[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return kind, found.group("env"), moment


def tool_info(dump_version: str) -> dict[str, str]:
    return {"name": "mrpplan", "version": __version__, "dump": dump_version}
