"""What changed in one column: computed once, read by the differ, the algorithm
prediction and the safety wording (so the three never disagree about a change)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.column import Column


@dataclass(frozen=True)
class ColumnDelta:
    old: Column
    new: Column

    @property
    def renamed(self) -> bool:
        return self.old.name != self.new.name

    @property
    def same_definition(self) -> bool:
        return self.old.ddl == self.new.ddl

    @property
    def type_changed(self) -> bool:
        return self.old.type != self.new.type

    @property
    def charset_changed(self) -> bool:
        return (self.old.charset, self.old.collation) != (self.new.charset, self.new.collation)

    @property
    def storage_changed(self) -> bool:
        """Type, length or collation: what a foreign key on the column forbids (1832/1833)."""
        return self.type_changed or self.charset_changed

    @property
    def becomes_not_null(self) -> bool:
        return self.old.nullable and not self.new.nullable

    @property
    def becomes_nullable(self) -> bool:
        return not self.old.nullable and self.new.nullable

    @property
    def generated_changed(self) -> bool:
        return self.old.generated != self.new.generated or (
            self.old.generated is not None and self.old.expression != self.new.expression
        )

    @property
    def becomes_generated(self) -> bool:
        return self.old.generated is None and self.new.generated is not None

    @property
    def virtual_toggled(self) -> bool:
        """Into or out of a VIRTUAL column: MODIFY cannot do it (server error 1907)."""
        return self.old.generated != self.new.generated and "VIRTUAL" in (
            self.old.generated,
            self.new.generated,
        )

    @property
    def auto_increment_changed(self) -> bool:
        return self.old.auto_increment != self.new.auto_increment

    @property
    def compressed_changed(self) -> bool:
        return self.old.compressed != self.new.compressed

    def algorithm(self) -> str:
        """The fastest ALGORITHM for MODIFY/CHANGE of this column (measured on 10.11)."""
        old, new = self.old, self.new
        if new.check:
            return "copy"  # MODIFY/CHANGE re-adds its CHECK (a JSON column's json_valid),
            # even for a pure move: measured
        if self.same_definition:
            return "instant"  # a pure move or rename
        if old.generated == new.generated == "VIRTUAL" and old.type == new.type:
            return "instant"  # only the expression: nothing stored changes (measured)
        if old.generated or new.generated:
            return "copy"
        if self.auto_increment_changed or self.compressed_changed or self.charset_changed:
            return "copy"
        algo = _type_widening(old, new) if self.type_changed else "instant"
        if (self.becomes_not_null or self.becomes_nullable) and algo == "instant":
            algo = "inplace"  # measured: both ways rebuild in place
        return algo


_MAXLEN = {"latin1": 1, "ascii": 1, "binary": 1, "utf8mb3": 3, "utf8": 3, "utf8mb4": 4, "ucs2": 2}
_INTEGERS = ("tinyint", "smallint", "mediumint", "int", "bigint")


def _type_widening(old: Column, new: Column) -> str:
    if old.base_type == new.base_type == "varchar" and old.length and new.length:
        if new.length < old.length:
            return "copy"
        width = _MAXLEN.get(old.charset or "utf8mb4", 4)
        old_bytes, new_bytes = old.length * width, new.length * width
        # InnoDB stores lengths under 128 bytes in one byte either way; above that the
        # length-byte count must stay the same (1 byte up to 255, then 2).
        same_class = old_bytes < 128 or (old_bytes > 255) == (new_bytes > 255)
        return "instant" if same_class else "copy"
    if old.base_type == new.base_type and old.base_type in ("enum", "set"):
        if new.values[: len(old.values)] == old.values and len(new.values) >= len(old.values):
            return "instant"
        return "copy"
    if old.base_type == new.base_type in _INTEGERS and old.unsigned == new.unsigned:
        return "instant"  # only the display width differs
    return "copy"
