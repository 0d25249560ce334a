"""A foreign key constraint."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ForeignKey:
    """`definition` is the server's line: "CONSTRAINT `fk` FOREIGN KEY (...) REFERENCES ..."."""

    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    definition: str
    ref_schema: str | None = None  # set when the parent lives in another database
    on_delete: str = "RESTRICT"
    on_update: str = "RESTRICT"
    # Keys of the table that can serve this FK (leading columns = its columns). Adding the
    # FK again must not let the server swap a key it once generated for one of its own.
    indexes: tuple[str, ...] = field(default=(), compare=False)
