"""Seed files and the named sets they belong to (by file-name prefix)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mrpplan.config.text_file import decode, read_bytes
from mrpplan.errors import ConfigError
from mrpplan.sqlfiles.split import SqlStatement, split_sql

SEED_SETS = {
    "reference": "00_reference_",
    "test": "01_test_",
    "production": "02_production_",
    "sample": "03_sample_",
    "cleanup": "99_cleanup_",
}
OTHER_SET = "other"


@dataclass(frozen=True)
class SeedFile:
    """One seed file: its stem is its name in seed history."""

    name: str
    set: str
    path: Path
    checksum: str
    statements: tuple[SqlStatement, ...]


def seed_set_of(stem: str) -> str:
    """The set a file stem belongs to, or "other"."""
    for set_name, prefix in SEED_SETS.items():
        if stem.startswith(prefix):
            return set_name
    return OTHER_SET


def read_seed(path: Path) -> SeedFile:
    data = read_bytes(path)
    text = decode(data, path)
    return SeedFile(
        name=path.stem,
        set=seed_set_of(path.stem),
        path=path,
        checksum=hashlib.sha256(data).hexdigest(),
        statements=tuple(split_sql(text, path)),
    )


def list_seeds(seeds_dir: Path) -> list[SeedFile]:
    """Every seeds/*.sql file in name order (the order they run in)."""
    if not seeds_dir.is_dir():
        return []
    return [read_seed(path) for path in sorted(seeds_dir.glob("*.sql"))]


def select_seeds(seeds_dir: Path, names_or_sets: Sequence[str]) -> list[SeedFile]:
    """The files named by set names and/or file stems, once each, in run (name) order."""
    seeds = list_seeds(seeds_dir)
    chosen: dict[str, SeedFile] = {}
    for wanted in names_or_sets:
        key = wanted.strip().removesuffix(".sql")
        if key in SEED_SETS:
            matched = [s for s in seeds if s.set == key]
        else:
            matched = [s for s in seeds if s.name == key]
        if not matched and key not in SEED_SETS:
            sets = ", ".join(SEED_SETS)
            files = ", ".join(s.name for s in seeds) or "none"
            raise ConfigError(
                f"unknown seed {wanted!r}: not a seed set ({sets}) "
                f"nor a file in {seeds_dir} ({files})"
            )
        for seed in matched:
            chosen[seed.name] = seed
    return sorted(chosen.values(), key=lambda s: s.path.name)
