"""Parse the element lines of a server CREATE TABLE text into model objects.

Each function takes one line (without indent and trailing comma) and keeps its exact
text as `definition`, so rendered DDL is the server's own wording. Anything not in the
known form raises Unmodeled; the table is then compared by canonical text only.
"""

from __future__ import annotations

import re

from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index, IndexPart
from mrpplan.model.words import (
    LineSyntaxError,
    ident_list,
    split_top,
    split_words,
    unquote_ident,
    unquote_string,
)


class Unmodeled(ValueError):
    """Something the model cannot represent exactly (the message says what)."""


_TYPE = re.compile(r"^([a-z][a-z0-9]*)(?:\((.*)\))?$", re.S)
_PART = re.compile(r"^(`(?:[^`]|``)+`)(?:\((\d+)\))?(?: (ASC|DESC))?$")
_QUALIFIED = re.compile(r"^(`(?:[^`]|``)+`)\.(`(?:[^`]|``)+`)$")
_ACTIONS = ("SET NULL", "SET DEFAULT", "NO ACTION", "CASCADE", "RESTRICT")


def parse_column(line: str, table_charset: str | None, table_collation: str | None) -> Column:
    words = split_words(line)
    if len(words) < 2:
        raise Unmodeled(f"column line not understood: {line}")
    name = unquote_ident(words[0])
    i = 2
    type_words = [words[1]]
    while i < len(words) and words[i] in ("unsigned", "zerofill"):
        type_words.append(words[i])
        i += 1
    type_text = " ".join(type_words)
    match = _TYPE.match(words[1])
    if not match:
        raise Unmodeled(f"column `{name}`: type {words[1]!r} not understood")
    base = match.group(1)
    args = match.group(2)
    length = scale = None
    values: tuple[str, ...] = ()
    if base in ("enum", "set"):
        values = tuple(part for part in split_top(args or "", ","))
    elif args:
        nums = args.split(",")
        try:
            length = int(nums[0])
            scale = int(nums[1]) if len(nums) > 1 else None
        except ValueError:
            raise Unmodeled(f"column `{name}`: type {words[1]!r} not understood") from None
        if base in ("datetime", "timestamp", "time"):
            length, scale = None, length
    attrs: dict[str, object] = {"nullable": True}
    extra: list[str] = []
    if i < len(words) and words[i] == "/*M!100301":
        if words[i + 1 : i + 2] != ["COMPRESSED*/"]:
            raise Unmodeled(f"column `{name}`: {words[i]!r} is not modeled")
        attrs["compressed"] = True
        i += 2
    charset_at = i
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if word == "CHARACTER" and nxt == "SET" and i + 2 < len(words):
            attrs["charset"] = words[i + 2]
            i += 3
        elif word == "COLLATE" and nxt:
            attrs["collation"] = nxt
            i += 2
        elif word == "NOT" and nxt == "NULL":
            attrs["nullable"] = False
            i += 2
        elif word == "NULL":
            attrs["null_printed"] = True
            i += 1
        elif word == "DEFAULT" and nxt:
            attrs["default"] = nxt
            i += 2
        elif word == "ON" and nxt == "UPDATE" and i + 2 < len(words):
            attrs["on_update"] = words[i + 2]
            i += 3
        elif word == "AUTO_INCREMENT":
            attrs["auto_increment"] = True
            i += 1
        elif (
            word == "GENERATED" and words[i + 1 : i + 3] == ["ALWAYS", "AS"] and i + 4 < len(words)
        ):
            if words[i + 3] == "ROW" and words[i + 4] in ("START", "END"):
                attrs["generated"] = f"ROW {words[i + 4]}"  # a system-versioning column
                i += 5
                continue
            if words[i + 4] not in ("VIRTUAL", "STORED", "PERSISTENT"):
                raise Unmodeled(f"column `{name}`: generated column form not understood")
            attrs["generated"] = words[i + 4]
            attrs["expression"] = words[i + 3]
            i += 5
        elif word == "WITHOUT" and words[i + 1 : i + 3] == ["SYSTEM", "VERSIONING"]:
            attrs["without_versioning"] = True
            i += 3
        elif word == "INVISIBLE":
            extra.append(word)
            i += 1
        elif word == "COMMENT" and nxt and nxt.startswith("'"):
            attrs["comment"] = unquote_string(nxt)
            attrs["comment_sql"] = nxt
            i += 2
        elif word == "CHECK" and nxt and nxt.startswith("("):
            extra.append(f"CHECK {nxt}")
            i += 2
        else:
            raise Unmodeled(f"column `{name}`: {word!r} is not modeled")
    definition = line[len(words[0]) + 1 :]
    charset = attrs.get("charset")
    collation = attrs.get("collation")
    ddl = definition
    is_text = base in ("char", "varchar", "tinytext", "text", "mediumtext", "longtext")
    if (is_text or values) and charset is None:
        charset = table_charset if collation is None else str(collation).split("_")[0]
        collation = collation or table_collation
        if charset:
            spelled = f" CHARACTER SET {charset}"
            if collation and "COLLATE" not in words[charset_at:]:
                spelled += f" COLLATE {collation}"
            ddl = type_text + spelled + definition[len(type_text) :]
    column = Column(
        name=name,
        definition=definition,
        ddl=ddl,
        type=type_text,
        base_type=base,
        length=length,
        scale=scale,
        unsigned="unsigned" in type_words,
        values=values,
        charset=str(charset) if charset and (is_text or values) else None,
        collation=str(collation) if collation and (is_text or values) else None,
        nullable=bool(attrs["nullable"]),
        default=_opt(attrs.get("default")),
        on_update=_opt(attrs.get("on_update")),
        auto_increment=bool(attrs.get("auto_increment", False)),
        generated=_opt(attrs.get("generated")),
        comment=str(attrs.get("comment", "")),
        extra=tuple(extra),
        declared_charset=_opt(attrs.get("charset")),
        declared_collation=_opt(attrs.get("collation")),
        expression=_opt(attrs.get("expression")),
        compressed=bool(attrs.get("compressed", False)),
        null_printed=bool(attrs.get("null_printed", False)),
        comment_sql=_opt(attrs.get("comment_sql")),
        without_versioning=bool(attrs.get("without_versioning", False)),
    )
    if column.render() != definition:
        raise Unmodeled(f"column `{name}`: its definition does not read back the same")
    return column


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def parse_index(line: str) -> Index:
    words = split_words(line)
    kinds = {"PRIMARY": "primary", "UNIQUE": "unique", "FULLTEXT": "fulltext", "SPATIAL": "spatial"}
    if words[:2] == ["PRIMARY", "KEY"]:
        kind, name, rest = "primary", "PRIMARY", words[2:]
    elif words[0] == "KEY":
        kind, name, rest = "index", unquote_ident(words[1]), words[2:]
    elif words[0] in kinds and len(words) > 2 and words[1] == "KEY":
        kind, name, rest = kinds[words[0]], unquote_ident(words[2]), words[3:]
    else:
        raise Unmodeled(f"key line not understood: {line}")
    if not rest or not rest[0].startswith("("):
        raise Unmodeled(f"key `{name}`: column list not understood")
    parts = tuple(_index_part(p.strip()) for p in split_top(rest[0][1:-1], ","))
    using = None
    comment = ""
    comment_sql = None
    ignored = False
    i = 1
    while i < len(rest):
        if rest[i] == "USING" and i + 1 < len(rest):
            using = rest[i + 1]
            i += 2
        elif rest[i] == "COMMENT" and i + 1 < len(rest):
            comment = unquote_string(rest[i + 1])
            comment_sql = rest[i + 1]
            i += 2
        elif rest[i] == "IGNORED":
            ignored = True
            i += 1
        else:
            raise Unmodeled(f"key `{name}`: {rest[i]!r} is not modeled")
    index = Index(name, kind, parts, line, comment, using, ignored, comment_sql)
    if index.render() != line:
        raise Unmodeled(f"key `{name}`: its definition does not read back the same")
    return index


def _index_part(text: str) -> IndexPart:
    match = _PART.match(text)
    if not match:
        raise Unmodeled(f"key part {text!r} is not modeled")
    length = int(match.group(2)) if match.group(2) else None
    return IndexPart(unquote_ident(match.group(1)), length, match.group(3) == "DESC")


def parse_constraint(line: str) -> ForeignKey | Check:
    words = split_words(line)
    if len(words) < 3 or words[0] != "CONSTRAINT":
        raise Unmodeled(f"constraint line not understood: {line}")
    name = unquote_ident(words[1])
    if words[2] == "CHECK" and len(words) == 4:
        return Check(name, words[3][1:-1], line)
    if words[2:4] != ["FOREIGN", "KEY"] or len(words) < 7 or words[5] != "REFERENCES":
        raise Unmodeled(f"constraint `{name}` not understood")
    columns = tuple(ident_list(words[4]))
    ref_schema, ref_table = _qualified(words[6])
    ref_columns = tuple(ident_list(words[7])) if len(words) > 7 else ()
    tail = " ".join(words[8:])
    on_delete = on_update = "RESTRICT"
    while tail:
        for event in ("ON DELETE ", "ON UPDATE "):
            if tail.startswith(event):
                rest = tail[len(event) :]
                action = next((a for a in _ACTIONS if rest.startswith(a)), None)
                if action is None:
                    raise Unmodeled(f"constraint `{name}`: action not understood")
                if event == "ON DELETE ":
                    on_delete = action
                else:
                    on_update = action
                tail = rest[len(action) :].lstrip()
                break
        else:
            raise Unmodeled(f"constraint `{name}`: {tail!r} is not modeled")
    return ForeignKey(name, columns, ref_table, ref_columns, line, ref_schema, on_delete, on_update)


def _qualified(word: str) -> tuple[str | None, str]:
    match = _QUALIFIED.match(word)
    if match:
        return unquote_ident(match.group(1)), unquote_ident(match.group(2))
    return None, unquote_ident(word)


__all__ = ["LineSyntaxError", "Unmodeled", "parse_column", "parse_constraint", "parse_index"]
