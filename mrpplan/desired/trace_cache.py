"""Migration traces in the local cache: each statement's effect as plain data, keyed by the
workspace chain of the statements, the groups, the flavor and the plan's timestamp (so
`apply` re-derives a plan from the traces its `plan` made). The schemas before and after
each group are not stored here: they are the desired-schema cache's entries at the chain's
ends."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mrpplan.desired.trace import StatementEffect, Trace
from mrpplan.local_cache import read_json, write_json
from mrpplan.mysql.flavor import Flavor
from mrpplan.sqlfiles.split import SqlStatement

_TRACE_FORMAT = 4  # 4: measured texts, losses; 3: DML read as the server runs it


def trace_key(chain_key: str, sizes: list[int], flavor: Flavor, keep_data_at: str | None) -> str:
    text = json.dumps([_TRACE_FORMAT, chain_key, sizes, flavor.label, keep_data_at])
    return hashlib.sha256(text.encode()).hexdigest()


def trace_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / "traces" / f"{key}.json"


def store_traces(path: Path, groups: Sequence[Sequence[SqlStatement]], traces: list[Trace]) -> None:
    """Effects as plain data; each statement as its position in its group (and its text
    when rewritten), so a cached trace names the files of the project that asks for it."""
    document = []
    for group, trace in zip(groups, traces, strict=True):
        effects = []
        for effect in trace.effects:
            where = next(i for i, s in enumerate(group) if s.line == effect.statement.line)
            effects.append(
                {
                    "at": where,
                    "text": effect.statement.text,
                    "reverse": effect.reverse,
                    "destructive": effect.destructive,
                    "reasons": effect.reasons,
                    "checkpoint_tables": effect.checkpoint_tables,
                    "algorithm": effect.algorithm,
                    "kept": effect.kept,
                    "restores": effect.restores,
                    "lock": effect.lock,
                    "altered": effect.altered,
                    "renamed": effect.renamed,
                    "measured": effect.measured,
                }
            )
        document.append(
            {
                "effects": effects,
                "renames": trace.renames,
                "down": trace.down,
                "losses": trace.losses,
            }
        )
    write_json(path, document)


def load_traces(
    path: Path,
    groups: Sequence[Sequence[SqlStatement]],
    schemas: Sequence[Any],
    ends: list[int],
) -> list[Trace] | None:
    document = read_json(path)
    if not isinstance(document, list) or len(document) != len(groups):
        return None
    traces: list[Trace] = []
    for n, (group, stored) in enumerate(zip(groups, document, strict=True)):
        before, after = schemas[ends[n]], schemas[ends[n + 1]]
        if before is None or after is None:
            return None
        effects = tuple(
            StatementEffect(
                statement=replace(group[e["at"]], text=e["text"]),
                reverse=tuple(e["reverse"]),
                destructive=e["destructive"],
                reasons=tuple(e["reasons"]),
                checkpoint_tables=tuple(e["checkpoint_tables"]),
                algorithm=e["algorithm"],
                kept=tuple((t, tuple(back)) for t, back in e["kept"]),
                restores=tuple(e["restores"]),
                lock=e["lock"],
                altered=tuple(e["altered"]),
                renamed=tuple((a, b) for a, b in e["renamed"]),
                measured=(e["measured"][0], e["measured"][1]) if e["measured"] else None,
            )
            for e in stored["effects"]
        )
        traces.append(
            Trace(
                before,
                after,
                effects,
                stored["renames"],
                tuple(stored["down"]),
                tuple(stored["losses"]),
            )
        )
    return traces
