"""Table options (ENGINE, DEFAULT CHARSET, COLLATE, ROW_FORMAT, COMMENT, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field

SYSTEM_VERSIONING = "WITH SYSTEM VERSIONING"


class _Option:
    """The value of one option by its name in SHOW CREATE TABLE (None: not set)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, options: TableOptions, owner: type) -> str | None:
        return options.get(self.key)


@dataclass(frozen=True)
class TableOptions:
    """Options in the order the server prints them; values are SQL text ("'a comment'")."""

    items: tuple[tuple[str, str], ...]
    # the table has a SPATIAL index (not an option: set where clauses are made, because
    # MariaDB then refuses LOCK=NONE for any in-place rebuild, measured)
    spatial_index: bool = field(default=False, compare=False, repr=False)
    # the table is partitioned (likewise: DROP SYSTEM VERSIONING then copies, measured)
    partitioned: bool = field(default=False, compare=False, repr=False)
    # the table's columns in order, its VIRTUAL ones, whether one of those is indexed and
    # its STORED generated columns, its long-unique (`USING HASH`) and FULLTEXT keys:
    # each changes which ALTERs the server does in place (tests/schema/
    # test_algorithm_property.py measures them)
    columns: tuple[str, ...] = field(default=(), compare=False, repr=False)
    virtual_columns: tuple[str, ...] = field(default=(), compare=False, repr=False)
    indexed_virtual: tuple[str, ...] = field(default=(), compare=False, repr=False)
    virtual_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)
    stored_generated: tuple[str, ...] = field(default=(), compare=False, repr=False)
    long_unique: tuple[str, ...] = field(default=(), compare=False, repr=False)
    fulltext: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def get(self, key: str) -> str | None:
        for name, value in self.items:
            if name == key:
                return value
        return None

    def as_dict(self) -> dict[str, str]:
        return dict(self.items)

    def render(self) -> str:
        """The options line of SHOW CREATE TABLE (after the closing parenthesis)."""
        return " ".join(f"{k}={v}" if v else k for k, v in self.items)

    @property
    def versioned(self) -> bool:
        """WITH SYSTEM VERSIONING."""
        return self.get(SYSTEM_VERSIONING) is not None

    def without(self, *keys: str) -> TableOptions:
        return TableOptions(tuple((k, v) for k, v in self.items if k not in keys))

    engine = _Option("ENGINE")
    charset = _Option("DEFAULT CHARSET")
    collation = _Option("COLLATE")
    row_format = _Option("ROW_FORMAT")
