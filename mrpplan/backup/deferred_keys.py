"""Secondary keys built after the rows: a dump's `CREATE TABLE` without its trailing plain
keys, and the `ALTER TABLE ... ADD KEY` that adds them once the rows are in.

InnoDB maintains a secondary key row by row during a load (random page writes once the
key no longer fits in the buffer pool); `ADD KEY` on a filled table sorts the column
values and writes the key once. Measured with bench/bench_backup.py's 250 MB database:
the server spent about 20% less CPU on rows plus keys this way.

Only what gives back the same table is deferred: plain `KEY` lines of an InnoDB table
that form the end of its key list (a key added later comes after the others in
`SHOW CREATE TABLE`, and unique keys sort first anyway), and none whose first column
starts a foreign key (InnoDB would create its own key for the constraint meanwhile).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = rb"`(?:[^`]|``)+`"
CREATE_TABLE = re.compile(rb"^CREATE TABLE (" + _NAME + rb") \($")
_ANY_KEY = re.compile(rb"^  (?:PRIMARY |UNIQUE |FULLTEXT |SPATIAL |VECTOR )?(?:KEY|INDEX) ")
_PLAIN_KEY = re.compile(
    rb"^  KEY " + _NAME + rb" \((" + _NAME + rb")[^\n]*\)(?: COMMENT '(?:[^'\\]|\\.|'')*')?$"
)
_FOREIGN_KEY = re.compile(rb"^  CONSTRAINT " + _NAME + rb" FOREIGN KEY \((" + _NAME + rb")")


@dataclass(frozen=True)
class DeferredKeys:
    table: bytes  # the quoted name, as in the dump
    create: bytes  # the CREATE TABLE statement without the deferred keys
    add_keys: bytes  # the ALTER TABLE statement that adds them


def defer_keys(statement: bytes) -> DeferredKeys | None:
    """Split a dumped `CREATE TABLE` statement (one element per line, as mariadb-dump and
    SHOW CREATE TABLE write it); None when no key can be deferred."""
    lines = statement.split(b"\n")
    head = CREATE_TABLE.match(lines[0])
    close = next((i for i, line in enumerate(lines) if line.startswith(b")")), 0)
    tail = b"\n".join(lines[close:])
    if not head or not close or b"ENGINE=InnoDB" not in tail or b"SYSTEM VERSIONING" in tail:
        return None
    elements = [line[:-1] if line.endswith(b",") else line for line in lines[1:close]]
    led_by_foreign_keys = {m.group(1) for m in map(_FOREIGN_KEY.match, elements) if m}
    deferred: list[int] = []
    for index in reversed([i for i, e in enumerate(elements) if _ANY_KEY.match(e)]):
        plain = _PLAIN_KEY.match(elements[index])
        if not plain or plain.group(1) in led_by_foreign_keys:
            break
        deferred.insert(0, index)
    if not deferred:
        return None
    kept = [e for i, e in enumerate(elements) if i not in deferred]
    create = b"\n".join([lines[0], b",\n".join(kept), tail])
    adds = b", ".join(b"ADD " + elements[i].strip() for i in deferred)
    alter = b"ALTER TABLE " + head.group(1) + b" " + adds + b";\n"
    return DeferredKeys(head.group(1), create, alter)
