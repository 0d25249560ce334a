"""The ALGORITHM/LOCK the server accepts for ALTER TABLE clauses, as measured on it.

`algorithm_table.json` (shipped in the package) is written by
bench/measure_algorithm_table.py: it generates every clause kind alone and in pairs over
the column types and table kinds that change the answer (JSON with its CHECK, generated
VIRTUAL/STORED, BLOB/TEXT, spatial, long-unique `USING HASH`, FULLTEXT, partitioned and
system-versioned tables, DEFAULT expressions), asks the server for the strongest
ALGORITHM/LOCK it accepts for each, and records it under the key the clauses below make.
The prediction (mrpplan.diff.algorithm) takes a measured entry over any rule; the rules in
mrpplan.diff.clauses are the fallback for a server or a combination not measured, and the
table-wide facts (a VIRTUAL column's position, the FULLTEXT keys a rebuild rebuilds) are
added there. tests/schema/test_algorithm_property.py compares every prediction with the
server.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from mrpplan.diff.change import Change, TableClause
from mrpplan.model.column import Column
from mrpplan.model.index import Index

if TYPE_CHECKING:
    from mrpplan.mysql.flavor import Flavor

TABLE_FILE = Path(__file__).with_name("algorithm_table.json")
_SPATIAL = frozenset(
    {
        "point",
        "geometry",
        "linestring",
        "polygon",
        "multipoint",
        "multilinestring",
        "multipolygon",
        "geometrycollection",
    }
)
_LOBS = frozenset(
    {"tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob"}
)
_INTEGERS = ("tinyint", "smallint", "mediumint", "int", "bigint")


@dataclass(frozen=True)
class AlgorithmTable:
    server: str  # "mariadb-10.11": the major.minor the entries were measured on
    entries: dict[str, tuple[str, str]]  # key -> (algorithm, lock)

    def applies_to(self, flavor: Flavor) -> bool:
        version = ".".join(map(str, flavor.version[:2]))
        return f"{flavor.name}-{version}" == self.server

    def get(self, key: str | None) -> tuple[str, str] | None:
        return None if key is None else self.entries.get(key)


@cache
def load(path: Path = TABLE_FILE) -> AlgorithmTable:
    """The shipped table (an empty one when it is missing: then the rules decide)."""
    if not path.exists():
        return AlgorithmTable("", {})
    data = json.loads(path.read_text())
    entries = {k: (v[0], v[1]) for k, v in data["entries"].items()}
    return AlgorithmTable(data["server"], entries)


def measured(group: Sequence[Change], flavor: Flavor) -> tuple[str, str] | None:
    """The measured ALGORITHM/LOCK of this combination of clauses, if the table has it."""
    table = load()
    if not table.applies_to(flavor):
        return None
    return table.get(group_key(group))


def group_key(group: Sequence[Change]) -> str | None:
    """The key of a whole ALTER: its clauses' keys, sorted (None: a clause has none)."""
    keys = [clause_key(c, group) for c in group]
    if not keys or any(k is None for k in keys):
        return None
    return " + ".join(sorted(k for k in keys if k is not None))


def clause_key(change: Change, group: Sequence[Change]) -> str | None:
    """The clause kind and the facts about its columns, keys and table that change the
    server's answer, e.g. `modify_column|plain|json>json|default:expr>none`."""
    from mrpplan.diff import clauses as c

    if not isinstance(change, TableClause):
        return None
    where = _table_kind(change)
    if isinstance(change, c.RenameColumn):
        return f"rename_column|{where}|{_modify_facts(change)}{_virtual_place(change)}"
    if isinstance(change, c.ModifyColumn):
        return f"modify_column|{where}|{_modify_facts(change)}{_virtual_place(change)}"
    if isinstance(change, c.AddColumn):
        return f"add_column|{where}|{column_facts(change.column)}{_virtual_place(change)}"
    if isinstance(change, c.DropColumn):
        own_key = any(
            isinstance(o, c.DropIndex) and change.column.name in o.index.columns for o in group
        )
        indexed = "|indexed" if own_key else ""
        facts = column_facts(change.column)
        return f"drop_column|{where}|{facts}{indexed}{_virtual_place(change)}"
    if isinstance(change, (c.AddIndex, c.DropIndex)):
        verb = "add_index" if isinstance(change, c.AddIndex) else "drop_index"
        return f"{verb}|{where}|{_index_facts(change, change.index, group)}"
    if isinstance(change, c.RenameIndex):
        return f"rename_index|{where}|{change.old.kind}"
    if isinstance(change, (c.AddCheck, c.DropCheck)):
        return ("add_check" if isinstance(change, c.AddCheck) else "drop_check") + f"|{where}"
    if isinstance(change, c.AlterTableOptions):
        names = sorted({k.strip("`").upper() for k, _, _ in change.changed()})
        return f"table_options|{where}|{'+'.join(names)}"
    if isinstance(change, c.SetIndexIgnored):
        return f"index_ignored|{where}|{'on' if change.ignored else 'off'}"
    if isinstance(change, c.SetSystemVersioning):
        return f"system_versioning|{where}|{'add' if change.versioned else 'drop'}"
    return None


def _table_kind(change: TableClause) -> str:
    """plain | partitioned | versioned, and what else the table holds that changes the
    answer: VIRTUAL or STORED generated columns, FULLTEXT, long-unique or SPATIAL keys
    (`plain+virtual+fulltext`). The position of a VIRTUAL column is not in the key: where
    it decides, measurements conflict and the rules decide."""
    options = change.options
    if options is None:
        return "plain"
    kind = "partitioned" if options.partitioned else "versioned" if options.versioned else "plain"
    facts = {
        "virtual": options.virtual_columns,
        "stored": options.stored_generated,
        "fulltext": options.fulltext,
        "long_unique": options.long_unique,
        "spatial": options.spatial_index,
    }
    return "+".join([kind, *(name for name, held in facts.items() if held)])


def _virtual_place(change: TableClause) -> str:
    """Where the column goes relative to the table's VIRTUAL columns (measured: a column
    added, dropped or moved in front of one differs from one behind it): `|virtual_shifted`
    when a VIRTUAL column of the table changes its position, else nothing."""
    from mrpplan.diff.clauses import AddColumn, DropColumn, ModifyColumn

    options = change.options
    if options is None or not options.virtual_columns:
        return ""
    order = list(options.columns)
    if isinstance(change, AddColumn):
        name, old_at = change.column.name, None
    elif isinstance(change, DropColumn):
        name, old_at = change.column.name, change.column.name
    elif isinstance(change, ModifyColumn) and change.moved:
        name, old_at = change.new.name, change.old.name
    else:
        return ""
    new = [col for col in order if col != old_at]
    if not isinstance(change, DropColumn):
        after = change.after
        at = 0 if after is None else (new.index(after) + 1 if after in new else len(new))
        new.insert(at, name)
    others = [v for v in options.virtual_columns if v != old_at and v in order]
    shifted = any(order.index(v) != new.index(v) for v in others if v in new)
    return "|virtual_shifted" if shifted else ""


def column_facts(column: Column) -> str:
    """The column's family (what it stores and how) and its default's kind."""
    words = [family(column)]
    if column.auto_increment:
        words.append("ai")
    if not column.nullable and not column.generated:
        words.append("notnull")
    words.append(f"default:{default_kind(column)}")
    return ",".join(words)


def family(column: Column) -> str:
    if column.generated == "VIRTUAL":
        return "virtual"
    if column.generated in ("STORED", "PERSISTENT"):
        return "stored"
    if column.generated:
        return "period"
    if column.check:
        return "json" if "json_valid" in column.check else "checked"
    if column.base_type in _SPATIAL:
        return "spatial"
    if column.base_type in _LOBS:
        return "lob"
    return "scalar"


def default_kind(column: Column) -> str:
    """none | literal | expr (a function) | column (an expression reading a column)."""
    default = column.default
    if default is None or default.upper() == "NULL":
        return "none"
    if "`" in default:
        return "column"
    if "(" in default or default.upper().startswith("CURRENT_TIMESTAMP"):
        return "expr"
    return "literal"


def _modify_facts(change: object) -> str:
    from mrpplan.diff.clauses import ModifyColumn

    assert isinstance(change, ModifyColumn)
    old, new, delta = change.old, change.new, change.delta
    # in this order: the facts are a key of the measured table
    facts: list[tuple[str, bool]] = [
        ("moved", change.moved),
        (f"type:{_type_change(old, new)}", delta.type_changed),
        ("charset", delta.charset_changed),
        ("notnull", delta.becomes_not_null),
        ("nullable", delta.becomes_nullable),
        ("generated", delta.generated_changed),
        ("ai", delta.auto_increment_changed),
        ("compressed", delta.compressed_changed),
        (
            f"default:{default_kind(old)}>{default_kind(new)}",
            default_kind(old) != default_kind(new) or old.default != new.default,
        ),
        ("on_update", old.on_update != new.on_update),
        ("comment", old.comment != new.comment),
        ("invisible", old.invisible != new.invisible),
    ]
    aspects = [name for name, holds in facts if holds]
    if not aspects:
        aspects.append("same")
    return f"{family(old)}>{family(new)}|{','.join(aspects)}"


def _type_change(old: Column, new: Column) -> str:
    """The kind of type change, as the storage sees it."""
    a, b = old.base_type, new.base_type
    if a == b == "varchar" and old.length and new.length:
        if new.length < old.length:
            return "varchar_shorter"
        width = {"latin1": 1, "ascii": 1, "binary": 1, "utf8mb3": 3, "utf8": 3}.get(
            old.charset or "utf8mb4", 4
        )
        old_bytes, new_bytes = old.length * width, new.length * width
        same = old_bytes < 128 or (old_bytes > 255) == (new_bytes > 255)
        return "varchar_longer" if same else "varchar_length_bytes"
    if a == b and a in ("enum", "set"):
        appended = new.values[: len(old.values)] == old.values
        return f"{a}_appended" if appended else f"{a}_changed"
    if a == b in _INTEGERS and old.unsigned == new.unsigned:
        return "display_width"
    return f"{a}>{b}"


def _index_facts(change: TableClause, index: Index, group: Sequence[Change]) -> str:
    from mrpplan.diff.clauses import AddColumn, AddIndex, DropIndex

    kind = "long_unique" if index.is_long_unique else index.kind
    words = [kind]
    if getattr(change, "clustered", False):
        words.append("clustered")
    if index.is_primary:
        adds = any(isinstance(o, AddIndex) and o.index.is_primary for o in group)
        drops = any(isinstance(o, DropIndex) and o.index.is_primary for o in group)
        if adds and drops:
            words.append("replaced")
    added = {o.column.name for o in group if isinstance(o, AddColumn)}
    if added & set(index.columns):
        words.append("new_column")
    options = change.options
    if index.kind == "fulltext" and options is not None and options.fulltext:
        words.append("more_fulltext")
    if options is not None and set(index.columns) & set(options.virtual_columns):
        words.append("on_virtual")
    if options is not None and set(index.columns) & set(options.stored_generated):
        words.append("on_stored")
    return ",".join(words)
