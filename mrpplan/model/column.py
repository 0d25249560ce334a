"""A table column as the server states it, with the facts the differ and safety need."""

from __future__ import annotations

from dataclasses import dataclass, field

STRING_TYPES = frozenset(
    {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}
)
INTEGER_TYPES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "bigint": 8}
TEXT_BYTES = {"tinytext": 255, "text": 65535, "mediumtext": 16777215, "longtext": 4294967295}
BLOB_BYTES = {"tinyblob": 255, "blob": 65535, "mediumblob": 16777215, "longblob": 4294967295}


@dataclass(frozen=True)
class Column:
    """One column. `definition` is the server's own text after the name (exact DDL);
    `ddl` is the same with the effective CHARACTER SET/COLLATE spelled out, so it means
    the same thing whatever the table's default charset is when it runs."""

    name: str
    definition: str
    ddl: str
    type: str  # "int(10) unsigned", "varchar(100)", "enum('a','b')"
    base_type: str  # "int", "varchar", "enum"
    length: int | None = None  # varchar/char/binary length, integer display width
    scale: int | None = None  # decimal scale, fractional seconds
    unsigned: bool = False
    values: tuple[str, ...] = ()  # enum/set members, SQL-quoted
    charset: str | None = None  # effective, for string types
    collation: str | None = None
    nullable: bool = True
    default: str | None = None  # SQL text as the server prints it ("NULL", "'a'", "0")
    on_update: str | None = None
    auto_increment: bool = False
    generated: str | None = None  # "VIRTUAL" | "STORED"
    comment: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)  # INVISIBLE, column CHECK, ...

    @property
    def is_string(self) -> bool:
        return self.base_type in STRING_TYPES

    def same_definition(self, other: Column) -> bool:
        return self.ddl == other.ddl
