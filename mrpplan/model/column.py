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
    generated: str | None = None  # "VIRTUAL" | "STORED" | "ROW START" | "ROW END"
    comment: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)  # INVISIBLE, column CHECK, ...
    # As printed (for the round trip): explicit CHARACTER SET / COLLATE, the generated
    # expression, /*M!100301 COMPRESSED*/, the bare NULL of a nullable TIMESTAMP, the
    # COMMENT literal, WITHOUT SYSTEM VERSIONING.
    declared_charset: str | None = None
    declared_collation: str | None = None
    expression: str | None = None
    compressed: bool = False
    null_printed: bool = False
    comment_sql: str | None = None
    without_versioning: bool = False

    @property
    def row_period(self) -> bool:
        """The ROW START / ROW END column of an explicit PERIOD FOR SYSTEM_TIME."""
        return self.generated in ("ROW START", "ROW END")

    @property
    def is_string(self) -> bool:
        return self.base_type in STRING_TYPES

    def same_definition(self, other: Column) -> bool:
        return self.ddl == other.ddl

    @property
    def invisible(self) -> bool:
        return "INVISIBLE" in self.extra

    @property
    def check(self) -> str | None:
        return next((e for e in self.extra if e.startswith("CHECK ")), None)

    def render(self) -> str:
        """The definition from the fields, in the order the server prints them."""
        words = [self.type]
        if self.compressed:
            words.append("/*M!100301 COMPRESSED*/")
        if self.declared_charset:
            words.append(f"CHARACTER SET {self.declared_charset}")
        if self.declared_collation:
            words.append(f"COLLATE {self.declared_collation}")
        if self.row_period:
            words.append(f"GENERATED ALWAYS AS {self.generated}")
        elif self.generated:
            words.append(f"GENERATED ALWAYS AS {self.expression} {self.generated}")
        elif not self.nullable:
            words.append("NOT NULL")
        elif self.null_printed:
            words.append("NULL")
        after: tuple[tuple[object, str | None], ...] = (
            (self.invisible, "INVISIBLE"),
            (self.default is not None, f"DEFAULT {self.default}"),
            (self.on_update is not None, f"ON UPDATE {self.on_update}"),
            (self.auto_increment, "AUTO_INCREMENT"),
            (self.without_versioning, "WITHOUT SYSTEM VERSIONING"),
            (self.comment_sql is not None, f"COMMENT {self.comment_sql}"),
            (self.check, self.check),
        )
        words += [str(text) for holds, text in after if holds]
        return " ".join(words)
