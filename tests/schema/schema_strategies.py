"""Hypothesis strategies: realistic MariaDB tables and edits of them.

A schema is a parent table `p0` and children with foreign keys to it. The second schema
of a pair is the first one edited the way ERP migrations edit tables: columns added,
dropped, retyped, reordered, made NOT NULL, re-defaulted, re-collated; keys, foreign
keys, checks and table options added, dropped or changed. Row values fit every type a
column can be changed to, so every change can run with the rows in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

FAMILIES: dict[str, list[str]] = {
    "int": ["tinyint", "smallint", "int", "bigint", "int unsigned", "bigint unsigned"],
    "dec": ["decimal(8,2)", "decimal(10,2)", "decimal(12,4)"],
    "str": ["varchar(10)", "varchar(20)", "varchar(64)", "varchar(300)", "char(10)", "char(20)"],
    "text": ["text", "mediumtext", "tinytext"],
    "time": ["date", "datetime", "datetime(3)", "timestamp"],
    "enum": ["enum('a','b','c')", "enum('a','b','c','d')", "enum('a','b')"],
    "float": ["double", "float"],
}
COLLATIONS = [None, "utf8mb4_bin", "utf8mb4_unicode_ci", "latin1_swedish_ci"]
INDEXABLE = ("int", "dec", "str", "time", "enum")


@dataclass(frozen=True)
class Col:
    name: str
    family: str
    type: str
    nullable: bool = True
    default: str | None = None
    comment: str = ""
    collation: str | None = None
    generated: str | None = None  # "VIRTUAL" | "STORED", expression on `n0`
    expression: str = "`n0` * 2"
    protected: bool = False  # id / foreign key / generated base: never edited

    def ddl(self) -> str:
        parts = [f"`{self.name}`", self.type]
        if self.collation and self.family in ("str", "text", "enum"):
            charset = self.collation.split("_")[0]
            parts.append(f"CHARACTER SET {charset} COLLATE {self.collation}")
        if self.generated:
            parts.append(f"AS ({self.expression}) {self.generated}")
        else:
            parts.append("NULL" if self.nullable else "NOT NULL")
            if self.default is not None:
                parts.append(f"DEFAULT {self.default}")
        if self.comment:
            parts.append(f"COMMENT '{self.comment}'")
        return " ".join(parts)

    def value(self, i: int) -> str | None:
        """A row value that fits every type of the column's family."""
        if self.generated:
            return None
        return {
            "int": str(i),
            "dec": f"{i}.5",
            "str": f"'v{i}'",
            "text": f"'text {i}'",
            "time": f"'2024-01-0{i} 00:00:00'",
            "enum": "'a'",
            "float": f"{i}.5",
        }[self.family]


@dataclass(frozen=True)
class Key:
    name: str
    columns: tuple[str, ...]
    unique: bool = False
    prefix: int | None = None  # on the first column (strings)
    descending: bool = False  # the last part DESC

    def ddl(self) -> str:
        cols = [f"`{c}`" for c in self.columns]
        if self.prefix:
            cols[0] += f"({self.prefix})"
        if self.descending:
            cols[-1] += " DESC"
        return f"{'UNIQUE ' if self.unique else ''}KEY `{self.name}` ({', '.join(cols)})"


@dataclass(frozen=True)
class Fk:
    name: str
    column: str
    parent: str
    on_delete: str = "RESTRICT"
    on_update: str = "RESTRICT"

    def ddl(self) -> str:
        return (
            f"CONSTRAINT `{self.name}` FOREIGN KEY (`{self.column}`) REFERENCES `{self.parent}`"
            f" (`id`) ON DELETE {self.on_delete} ON UPDATE {self.on_update}"
        )


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Col, ...]
    keys: tuple[Key, ...] = ()
    fks: tuple[Fk, ...] = ()
    checks: tuple[tuple[str, str], ...] = ()  # (name, column) -> CHECK (`col` >= 0)
    comment: str = ""
    charset: str = "utf8mb4"
    row_format: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    renamed: tuple[tuple[str, str], ...] = ()  # declared column renames (old, new)

    def ddl(self) -> str:
        lines = ["`id` int NOT NULL AUTO_INCREMENT"] + [c.ddl() for c in self.columns]
        lines.append("PRIMARY KEY (`id`)")
        lines += [k.ddl() for k in self.keys]
        lines += [f.ddl() for f in self.fks]
        lines += [f"CONSTRAINT `{n}` CHECK (`{c}` >= 0)" for n, c in self.checks]
        options = f"ENGINE=InnoDB DEFAULT CHARSET={self.charset}"
        if self.row_format:
            options += f" ROW_FORMAT={self.row_format}"
        if self.comment:
            options += f" COMMENT='{self.comment}'"
        return f"CREATE TABLE `{self.name}` (\n  " + ",\n  ".join(lines) + f"\n) {options}"

    def inserts(self, rows: int) -> list[str]:
        cols = [c for c in self.columns if not c.generated]
        out = []
        for i in range(1, rows + 1):
            names = ["`id`"] + [f"`{c.name}`" for c in cols]
            values = [str(i)] + [str(c.value(i)) for c in cols]
            out.append(
                f"INSERT INTO `{self.name}` ({', '.join(names)}) VALUES ({', '.join(values)})"
            )
        return out


def ddl_of(tables: tuple[TableSpec, ...]) -> list[str]:
    return [t.ddl() for t in tables]


def rows_of(tables: tuple[TableSpec, ...], rows: int = 3) -> list[str]:
    return [sql for t in tables for sql in t.inserts(rows)]


_names = st.sampled_from(["qty", "code", "note", "price", "due", "status", "ratio", "label"])


@st.composite
def columns(draw: st.DrawFn, prefix: str) -> Col:
    family = draw(st.sampled_from(sorted(FAMILIES)))
    type_ = draw(st.sampled_from(FAMILIES[family]))
    nullable = draw(st.booleans())
    default = None
    if family == "int" and draw(st.booleans()):
        default = "0"
    elif family == "str" and draw(st.booleans()):
        default = "'x'"
    elif family == "time" and type_ == "timestamp" and not nullable:
        default = draw(
            st.sampled_from(["CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"])
        )
    elif family == "time" and type_ == "datetime(3)" and draw(st.booleans()):
        default = "CURRENT_TIMESTAMP(3)"
    collation = draw(st.sampled_from(COLLATIONS)) if family in ("str", "text", "enum") else None
    comment = draw(st.sampled_from(["", "", "what it is", "it''s quoted"]))
    name = f"{prefix}{draw(_names)}"
    return Col(name, family, type_, nullable, default, comment, collation)


@st.composite
def table_specs(draw: st.DrawFn, name: str, parent: str | None) -> TableSpec:
    cols: list[Col] = [Col("n0", "int", "int", nullable=False, default="0", protected=True)]
    for i in range(draw(st.integers(1, 5))):
        col = draw(columns(f"c{i}_"))
        cols.append(col)
    if draw(st.booleans()):
        cols.append(
            Col(
                "g",
                "int",
                "bigint",
                generated=draw(st.sampled_from(["VIRTUAL", "STORED"])),
                protected=True,
            )
        )
    fks: list[Fk] = []
    if parent:
        cols.insert(1, Col("parent_id", "int", "int", protected=True))
        fks.append(Fk(f"fk_{name}_parent", "parent_id", parent, *draw(_actions)))
    keys = draw(st.lists(_keys(cols), max_size=2, unique_by=lambda k: k.name))
    checks = (("chk_n0", "n0"),) if draw(st.booleans()) else ()
    return TableSpec(
        name,
        tuple(cols),
        tuple(keys),
        tuple(fks),
        checks,
        comment=draw(st.sampled_from(["", "a table"])),
        charset=draw(st.sampled_from(["utf8mb4", "utf8mb4", "latin1"])),
        row_format=draw(st.sampled_from([None, None, "DYNAMIC", "COMPACT"])),
    )


_actions = st.tuples(
    st.sampled_from(["RESTRICT", "CASCADE", "SET NULL", "NO ACTION"]),
    st.sampled_from(["RESTRICT", "CASCADE"]),
)


@st.composite
def _keys(draw: st.DrawFn, cols: list[Col]) -> Key:
    usable = [c for c in cols if c.family in INDEXABLE]
    chosen = draw(
        st.lists(st.sampled_from(usable), min_size=1, max_size=2, unique_by=lambda c: c.name)
    )
    names = tuple(c.name for c in chosen)
    prefix = None
    if chosen[0].family == "str" and draw(st.booleans()):
        prefix = 5
    unique = draw(st.booleans()) and any(c.family != "enum" for c in chosen)
    return Key(f"k_{'_'.join(names)}", names, unique, prefix, draw(st.booleans()))


@st.composite
def schemas(draw: st.DrawFn) -> tuple[TableSpec, ...]:
    parent = draw(table_specs("p0", None))
    children = [draw(table_specs(f"t{i}", "p0")) for i in range(draw(st.integers(0, 2)))]
    return (parent, *children)


# ---- edits ----------------------------------------------------------------------------


@st.composite
def edited(draw: st.DrawFn, tables: tuple[TableSpec, ...]) -> tuple[TableSpec, ...]:
    """The schema after 1-4 realistic edits."""
    out = list(tables)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(out) - 1))
        out[i] = draw(_edit_table(out[i], [t.name for t in out]))
    if draw(st.integers(0, 9)) == 0 and len(out) > 1:  # drop a child table
        out.pop()
    if draw(st.integers(0, 9)) == 0:  # a new table
        out.append(draw(table_specs("t_new", "p0")))
    return tuple(out)


@st.composite
def _edit_table(draw: st.DrawFn, t: TableSpec, names: list[str]) -> TableSpec:
    editable = [c for c in t.columns if not c.protected]
    kind = draw(
        st.sampled_from(
            [
                "add",
                "drop",
                "retype",
                "null",
                "default",
                "collate",
                "move",
                "comment",
                "key",
                "unkey",
                "check",
                "fk",
                "options",
                "generated",
                "rename",
            ]
        )
    )
    cols = list(t.columns)
    used_in_keys = {c for k in t.keys for c in k.columns}
    if kind == "add":
        col = draw(columns("a_"))
        if col.name not in {c.name for c in cols}:
            cols.insert(draw(st.integers(0, len(cols))), col)
    elif kind == "drop" and editable:
        col = draw(st.sampled_from(editable))
        cols.remove(col)
        keys = tuple(k for k in t.keys if col.name not in k.columns)
        return replace(t, columns=tuple(cols), keys=keys)
    elif kind == "retype" and editable:
        col = draw(st.sampled_from(editable))
        options = FAMILIES[col.family]
        if col.name in used_in_keys:
            options = [o for o in options if "text" not in o]
        new_type = draw(st.sampled_from(options))
        default = col.default
        if col.family == "time" and new_type != col.type:
            default = None
        new = replace(col, type=new_type, default=default)
        if new.type == "timestamp" and new.default is None:
            new = replace(new, nullable=True)
        cols[cols.index(col)] = new
    elif kind == "null" and editable:
        col = draw(st.sampled_from(editable))
        if not (col.type == "timestamp" and col.default is None):
            cols[cols.index(col)] = replace(col, nullable=not col.nullable)
    elif kind == "default" and editable:
        col = draw(st.sampled_from(editable))
        new_default = {"int": "7", "str": "'y'", "dec": "1.25"}.get(col.family)
        if new_default and col.family != "text":
            cols[cols.index(col)] = replace(col, default=None if col.default else new_default)
    elif kind == "collate" and editable:
        col = draw(st.sampled_from(editable))
        if col.family in ("str", "text", "enum"):
            cols[cols.index(col)] = replace(col, collation=draw(st.sampled_from(COLLATIONS)))
    elif kind == "move" and len(cols) > 1:
        col = cols.pop(draw(st.integers(0, len(cols) - 1)))
        cols.insert(draw(st.integers(0, len(cols))), col)
    elif kind == "comment" and editable:
        col = draw(st.sampled_from(editable))
        cols[cols.index(col)] = replace(col, comment="" if col.comment else "changed")
    elif kind == "key":
        key = draw(_keys(cols))
        if key.name not in {k.name for k in t.keys}:
            return replace(t, columns=tuple(cols), keys=(*t.keys, key))
    elif kind == "unkey" and t.keys:
        key = draw(st.sampled_from(t.keys))
        if draw(st.booleans()):  # rename it
            renamed = replace(key, name=key.name + "_r")
            return replace(t, keys=tuple(renamed if k == key else k for k in t.keys))
        return replace(t, keys=tuple(k for k in t.keys if k != key))
    elif kind == "check":
        return replace(t, checks=() if t.checks else (("chk_n0", "n0"),))
    elif kind == "fk" and t.fks:
        fk = t.fks[0]
        changed = replace(fk, on_delete=draw(_actions)[0], on_update=draw(_actions)[1])
        return replace(t, fks=(changed,))
    elif kind == "generated" and any(c.name == "g" for c in cols):
        col = next(c for c in cols if c.name == "g")
        how = draw(st.sampled_from(["kind", "expression", "off", "on"]))
        if how == "kind" and col.generated:
            new = replace(col, generated="STORED" if col.generated == "VIRTUAL" else "VIRTUAL")
        elif how == "expression" and col.generated:
            new = replace(col, expression="`n0` * 3")
        elif how == "off":
            new = replace(col, generated=None)
        else:
            new = replace(col, generated=draw(st.sampled_from(["VIRTUAL", "STORED"])))
        cols[cols.index(col)] = new
    elif kind == "rename" and editable:
        col = draw(st.sampled_from(editable))
        new_name = "r_" + col.name
        if new_name not in {c.name for c in cols} and col.name not in dict(t.renamed).values():
            cols[cols.index(col)] = replace(col, name=new_name)
            keys = tuple(
                replace(k, columns=tuple(new_name if c == col.name else c for c in k.columns))
                for k in t.keys
            )
            renamed = (*t.renamed, (col.name, new_name))
            return replace(t, columns=tuple(cols), keys=keys, renamed=renamed)
    elif kind == "options":
        which = draw(st.sampled_from(["comment", "charset", "row_format"]))
        if which == "comment":
            return replace(t, comment="" if t.comment else "now commented")
        if which == "charset":
            return replace(t, charset="latin1" if t.charset == "utf8mb4" else "utf8mb4")
        return replace(t, row_format=draw(st.sampled_from([None, "DYNAMIC", "COMPACT"])))
    return replace(t, columns=tuple(cols))
