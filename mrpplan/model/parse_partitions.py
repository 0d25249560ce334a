"""The partition clause of a server CREATE TABLE text -> Partitioning."""

from __future__ import annotations

from mrpplan.model.layout import LayoutError, split_partition_tail
from mrpplan.model.parse_lines import Unmodeled
from mrpplan.model.partitioning import Partition, Partitioning
from mrpplan.model.words import split_words, unquote_ident

_PREFIX = " PARTITION BY "


def parse_partitioning(tail: str) -> Partitioning:
    try:
        header, defs = split_partition_tail(tail)
    except LayoutError as exc:
        raise Unmodeled(str(exc)) from None
    if not header or not header[0].startswith(_PREFIX):
        raise Unmodeled(f"clause after the table options not modeled: {tail.strip()[:60]}")
    by, _, starts = header[0][len(_PREFIX) :].partition(" STARTS ")
    words = by.split()
    linear = words[0] == "LINEAR"
    method = words[1] if linear else words[0]
    if method not in ("RANGE", "LIST", "HASH", "KEY", "SYSTEM_TIME"):
        raise Unmodeled(f"PARTITION BY {method} is not modeled")
    if starts and method != "SYSTEM_TIME":
        raise Unmodeled(f"STARTS in PARTITION BY {method} is not modeled")
    count = None
    sub: list[str] = []
    for line in header[1:]:
        if line.startswith("PARTITIONS ") and line[11:].isdigit() and count is None and not sub:
            count = int(line[11:])
        elif _subpartition_line(line, sub, method):
            sub.append(line)
        else:
            raise Unmodeled(f"partition clause {line.strip()!r} is not modeled")
    partitions = tuple(_partition(d) for d in defs)
    if method in ("RANGE", "LIST") and not partitions:
        raise Unmodeled(f"PARTITION BY {method} without its partition list is not modeled")
    result = Partitioning(method, by, partitions, count, linear, tuple(sub), starts)
    if result.render() != tail:
        raise Unmodeled("the partition clause does not read back the same")
    return result


def _partition(definition: str) -> Partition:
    words = split_words(definition)
    if len(words) < 2:
        raise Unmodeled(f"partition {definition!r} is not modeled")
    return Partition(unquote_ident(words[1]), definition)


def _subpartition_line(line: str, sub: list[str], method: str) -> bool:
    """SUBPARTITION BY (of a RANGE/LIST table), then optionally SUBPARTITIONS N."""
    if line.startswith("SUBPARTITION BY "):
        return not sub and method in ("RANGE", "LIST")
    return line.startswith("SUBPARTITIONS ") and line[14:].isdigit() and len(sub) == 1
