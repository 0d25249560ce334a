"""How many columns a backup's rows have, per table, read from the dump's first INSERT.

A data-only backup has no CREATE TABLE: the only way to know whether its rows still fit
the live tables (a column added since?) is to look at them. mariadb-dump writes each
statement as `INSERT INTO `t` [(`a`, `b`)] VALUES (...),(...);` (rows on the same line, or
one row per following line in newer versions), strings quoted
with backslash escapes, so counting the top-level commas of the first tuple is exact.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mrpplan.backup.compression import codec_of

_INSERT = re.compile(rb"^INSERT INTO `((?:[^`]|``)+)` (?:\(([^)]*)\) )?VALUES\s*")


@dataclass(frozen=True)
class RowShape:
    width: int
    names: tuple[str, ...] | None  # the column list of a --complete-insert dump


def row_shapes(path: Path, tables: Iterable[str]) -> dict[str, RowShape]:
    """The shape of the first row of each of `tables` that has rows in the backup."""
    wanted = set(tables)
    found: dict[str, RowShape] = {}
    dec = subprocess.Popen(
        codec_of(path).decompress_argv(),
        stdin=path.open("rb"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert dec.stdout is not None
    pending: tuple[str, tuple[str, ...] | None] | None = None  # INSERT line without rows
    try:
        for line in dec.stdout:
            if pending is not None:
                found[pending[0]] = RowShape(_first_tuple_width(line, line.index(b"(")), pending[1])
                pending = None
                if len(found) == len(wanted):
                    break
                continue
            match = _INSERT.match(line)
            if not match:
                continue
            table = match.group(1).decode().replace("``", "`")
            if table not in wanted or table in found:
                continue
            names = None
            if match.group(2) is not None:
                names = tuple(n.strip().strip("`") for n in match.group(2).decode().split(","))
            if not line[match.end() :].strip():
                pending = (table, names)
                continue
            found[table] = RowShape(_first_tuple_width(line, match.end()), names)
            if len(found) == len(wanted):
                break
    finally:
        dec.kill()
        dec.wait()
    return found


def _first_tuple_width(line: bytes, start: int) -> int:
    """Top-level values of the tuple that starts at line[start] == '('."""
    depth, width, quoted, escaped = 0, 1, False, False
    for byte in line[start:]:
        char = chr(byte)
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "'":
                quoted = False
            continue
        if char == "'":
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return width
        elif char == "," and depth == 1:
            width += 1
    return width
