"""Whether a column change can lose data, and why, in words a DBA accepts."""

from __future__ import annotations

from mrpplan.diff.column_delta import ColumnDelta
from mrpplan.model.column import BLOB_BYTES, INTEGER_TYPES, TEXT_BYTES, Column

_FAMILIES = {
    **dict.fromkeys(INTEGER_TYPES, "integer"),
    **dict.fromkeys(("decimal", "numeric"), "decimal"),
    **dict.fromkeys(("float", "double", "real"), "float"),
    **dict.fromkeys(("char", "varchar"), "string"),
    **dict.fromkeys(TEXT_BYTES, "text"),
    **dict.fromkeys(("binary", "varbinary"), "binary"),
    **dict.fromkeys(BLOB_BYTES, "blob"),
    **dict.fromkeys(("date", "datetime", "timestamp", "time", "year"), "temporal"),
    **dict.fromkeys(("enum", "set"), "enum"),
}
_WIDER_CHARSETS = {"ascii": 1, "latin1": 2, "utf8mb3": 3, "utf8": 3, "utf8mb4": 4}
_FLOAT_SIZE = {"float": 4, "real": 8, "double": 8}


def column_change_risks(delta: ColumnDelta) -> list[str]:
    """Reasons data in the column can be lost or altered by changing old -> new."""
    old, new = delta.old, delta.new
    risks: list[str] = []
    name = f"`{old.name}`"
    if old.generated is not None or new.generated is not None:
        if delta.becomes_generated:
            risks.append(f"{name} becomes a generated column: its stored values are replaced")
        return risks
    risks.extend(_type_risks(name, old, new))
    if _charset_narrows(old, new):
        risks.append(
            f"{name} is converted from {old.charset} to {new.charset}: characters that"
            f" {new.charset} cannot store become '?'"
        )
    if delta.becomes_not_null:
        risks.append(
            f"{name} becomes NOT NULL: rows holding NULL get {new.default or 'the zero value'}"
            " (or the change fails)"
        )
    return risks


def _charset_narrows(old: Column, new: Column) -> bool:
    if not (old.is_string and new.is_string and old.charset and new.charset):
        return False
    if old.charset == new.charset:
        return False
    return _WIDER_CHARSETS.get(new.charset, 0) <= _WIDER_CHARSETS.get(old.charset, 99)


def _type_risks(name: str, old: Column, new: Column) -> list[str]:
    if old.type == new.type:
        return []
    was, now = old.type, new.type
    fam_old = _FAMILIES.get(old.base_type, old.base_type)
    fam_new = _FAMILIES.get(new.base_type, new.base_type)
    change = f"{name} changes from {was} to {now}"
    if fam_old == "integer" and fam_new == "integer":
        return (
            [] if _int_fits(old, new) else [f"{change}: values outside the new range are clipped"]
        )
    if fam_old in ("integer", "decimal") and fam_new == "decimal":
        return [] if _decimal_fits(old, new) else [f"{change}: values are rounded or clipped"]
    if fam_old == "float" and fam_new == "float":
        if _FLOAT_SIZE.get(new.base_type, 8) >= _FLOAT_SIZE.get(old.base_type, 8):
            return []
        return [f"{change}: values lose precision"]
    if fam_old in ("string", "text") and fam_new in ("string", "text"):
        if _chars(old) <= _chars(new) and not (
            old.base_type == "varchar" and new.base_type == "char"
        ):
            return []
        return [f"{change}: longer values are truncated"]
    if fam_old in ("binary", "blob") and fam_new in ("binary", "blob"):
        if _chars(old) <= _chars(new) and not (
            old.base_type == "varbinary" and new.base_type == "binary"
        ):
            return []
        return [f"{change}: longer values are truncated"]
    if fam_old == "enum" and fam_new == "enum" and old.base_type == new.base_type:
        removed = [v for v in old.values if v not in new.values]
        if not removed:
            return []
        return [f"{change}: rows holding {', '.join(removed)} lose that value"]
    if fam_old == "temporal" and fam_new == "temporal" and old.base_type == new.base_type:
        if (new.scale or 0) >= (old.scale or 0):
            return []
        return [f"{change}: fractional seconds are rounded"]
    numeric = ("integer", "decimal", "temporal", "enum")
    if fam_new in ("string", "text") and fam_old in numeric and _chars(new) >= 64:
        return []
    return [f"{change}: values that do not convert are changed or truncated"]


def _int_fits(old: Column, new: Column) -> bool:
    size_old, size_new = INTEGER_TYPES[old.base_type], INTEGER_TYPES[new.base_type]
    if old.unsigned == new.unsigned:
        return size_new >= size_old
    if old.unsigned and not new.unsigned:
        return size_new > size_old
    return False  # signed -> unsigned loses negative values


def _decimal_fits(old: Column, new: Column) -> bool:
    if old.base_type in INTEGER_TYPES:
        digits = {"tinyint": 3, "smallint": 5, "mediumint": 8, "int": 10, "bigint": 20}
        old_int, old_scale = digits[old.base_type], 0
    else:
        old_int, old_scale = (old.length or 10) - (old.scale or 0), old.scale or 0
    new_int, new_scale = (new.length or 10) - (new.scale or 0), new.scale or 0
    return new_int >= old_int and new_scale >= old_scale and (new.unsigned <= old.unsigned)


def _chars(col: Column) -> int:
    if col.base_type in TEXT_BYTES:
        return TEXT_BYTES[col.base_type]
    if col.base_type in BLOB_BYTES:
        return BLOB_BYTES[col.base_type]
    return col.length or 1
