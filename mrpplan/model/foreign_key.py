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

    def render(self) -> str:
        """The constraint line from the fields, in the server's form."""

        def names(cols: tuple[str, ...]) -> str:
            return ", ".join(_q(c) for c in cols)  # the server prints ", " here (not in keys)

        parent = _q(self.ref_table)
        if self.ref_schema is not None:
            parent = f"{_q(self.ref_schema)}.{parent}"
        text = (
            f"CONSTRAINT {_q(self.name)} FOREIGN KEY ({names(self.columns)})"
            f" REFERENCES {parent} ({names(self.ref_columns)})"
        )
        if self.on_delete != "RESTRICT":
            text += f" ON DELETE {self.on_delete}"
        if self.on_update != "RESTRICT":
            text += f" ON UPDATE {self.on_update}"
        return text


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"
