"""The migrations folder and seed sets as the other commands see them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mrpplan.config.project import Project
from mrpplan.desired.directory import (
    base_schema_statements,
    desired_statements,
    load_migrations,
    resolve_version,
    source_digest,
)
from mrpplan.errors import ConfigError
from mrpplan.seed.sets import list_seeds, select_seeds

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_sections_keep_file_lines_and_checksums(tmp_path: Path) -> None:
    path = write(
        tmp_path / "007_add_lots.sql",
        "-- why\n-- mrpplan:up\nCREATE TABLE a (id INT);\n\n-- mrpplan:down\nDROP TABLE a;\n",
    )
    [migration] = load_migrations(tmp_path)
    assert (migration.version, migration.number, migration.name) == ("007", 7, "add_lots")
    assert [(s.text, s.line) for s in migration.up] == [("CREATE TABLE a (id INT)", 3)]
    assert migration.down is not None
    assert [(s.text, s.line) for s in migration.down] == [("DROP TABLE a", 6)]
    assert migration.checksum == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_migration_without_down_section_is_irreversible(tmp_path: Path) -> None:
    write(tmp_path / "001_x.sql", "-- mrpplan:up\nSELECT 1;\n")
    write(tmp_path / "002_y.sql", "-- mrpplan:up\nSELECT 2;\n-- mrpplan:down\n")
    first, second = load_migrations(tmp_path)
    assert first.down is None and not first.reversible
    assert second.down == () and second.reversible


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"01_short.sql": "-- mrpplan:up\n"}, "is not NNN_name.sql"),
        (
            {"001_a.sql": "-- mrpplan:up\n", "001_b.sql": "-- mrpplan:up\n"},
            "also used by 001_a.sql",
        ),
        ({"001_a.sql": "SELECT 1;\n"}, "missing '-- mrpplan:up' marker"),
        ({"001_a.sql": "-- mrpplan:down\n-- mrpplan:up\n"}, "comes before"),
        (
            {"001_a.sql": "SELECT 0;\n-- mrpplan:up\nSELECT 1;\n"},
            "before the '-- mrpplan:up' marker",
        ),
    ],
)
def test_malformed_folders_are_refused_with_the_file_named(
    tmp_path: Path, files: dict[str, str], says: str
) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        load_migrations(tmp_path)
    assert says in caught.value.message
    assert str(tmp_path) in caught.value.message


def test_versions_resolve_by_name_or_number() -> None:
    migrations = load_migrations(REPO / "database" / "migrations")
    assert resolve_version(migrations, "latest") == migrations[-1].number
    assert resolve_version(migrations, "base") == 0
    assert resolve_version(migrations, "002") == resolve_version(migrations, "2") == 2
    with pytest.raises(ConfigError, match="no such migration"):
        resolve_version(migrations, "999")
    with pytest.raises(ConfigError, match="not 'latest', 'base'"):
        resolve_version(migrations, "newest")


def test_desired_statements_grow_with_the_version_and_change_the_digest() -> None:
    project = Project(REPO)
    base = desired_statements(project, "base")
    assert base == base_schema_statements(project.schema_dir)
    v1 = desired_statements(project, "001")
    latest = desired_statements(project, "latest")
    assert len(base) < len(v1) < len(latest)
    assert latest[: len(v1)] == v1
    assert len({source_digest(base), source_digest(v1), source_digest(latest)}) == 3
    assert source_digest(desired_statements(project, "latest")) == source_digest(latest)


def test_seed_sets_select_files_in_run_order() -> None:
    seeds_dir = REPO / "database" / "seeds"
    assert [s.name for s in list_seeds(seeds_dir)][:4] == [
        "00_reference_data",
        "01_test_data",
        "02_production_data",
        "03_sample_orders",
    ]
    chosen = select_seeds(seeds_dir, ["sample", "reference", "00_reference_data.sql"])
    assert [(s.name, s.set) for s in chosen] == [
        ("00_reference_data", "reference"),
        ("03_sample_orders", "sample"),
    ]
    assert all(s.statements and len(s.checksum) == 64 for s in chosen)
    assert select_seeds(seeds_dir, ["cleanup"]) == []  # a known set with no files yet
    with pytest.raises(ConfigError, match="unknown seed 'tset'"):
        select_seeds(seeds_dir, ["tset"])
