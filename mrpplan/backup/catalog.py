"""The backups in a folder: what `backup --list`, retention and interactive restore see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mrpplan.backup.manifest import (
    MANIFEST_SUFFIX,
    Manifest,
    manifest_path,
    parse_backup_name,
    read_manifest,
)
from mrpplan.errors import BackupError


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    kind: str
    env: str
    created: datetime
    size: int
    manifest: Manifest | None

    @property
    def verified(self) -> str:
        """deep | quick | no | no manifest (as last recorded; verify again to be sure)."""
        if self.manifest is None:
            return "no manifest"
        if self.manifest.verified:
            return self.manifest.verified.get("level", "quick")
        return "no"

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "kind": self.kind,
            "env": self.env,
            "created_at": self.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "size": self.size,
            "verified": self.verified,
            "database": self.manifest.database if self.manifest else None,
            "tables": len(self.manifest.tables) if self.manifest else None,
            "label": self.manifest.label if self.manifest else "",
        }


_SEQUENCE = re.compile(r"Z-(\d+)\.")


def list_backups(directories: Iterable[Path], env: str | None = None) -> list[BackupEntry]:
    """Backups in the folders (newest first), optionally of one environment."""
    entries: dict[Path, BackupEntry] = {}
    for folder in directories:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.endswith(MANIFEST_SUFFIX) or path.name.startswith("."):
                continue
            parsed = parse_backup_name(path.name)
            if parsed is None or not path.is_file():
                continue
            kind, env_name, created = parsed
            if env is not None and env_name != env:
                continue
            manifest = None
            if manifest_path(path).exists():
                try:
                    manifest = read_manifest(path)
                except BackupError:
                    manifest = None
            if manifest is not None:
                created = manifest.created
            entries[path.resolve()] = BackupEntry(
                path, kind, env_name, created, path.stat().st_size, manifest
            )
    return sorted(entries.values(), key=lambda e: (e.created, _sequence(e.path.name)), reverse=True)


def _sequence(name: str) -> int:
    """`..._<ts>Z-2.sql.gz` is the third backup of that second (`..._<ts>Z.sql.gz` the
    first): by name alone it would sort before the first."""
    found = _SEQUENCE.search(name)
    return int(found.group(1)) if found else 0
