"""Reading `database/invariants/*.sql`: the rule's words and its one SELECT."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mrpplan.config import Project
from mrpplan.errors import ConfigError

_HEADER = re.compile(r"^\s*--\s*invariant:\s*(?P<rule>\S.*?)\s*$", re.I)
_SELECT = re.compile(r"^\s*(?:\(\s*)*(SELECT|WITH)\b", re.I)


@dataclass(frozen=True)
class Invariant:
    name: str  # the file's stem
    rule: str  # the header's words
    sql: str  # one SELECT (or WITH ... SELECT) returning the violating rows
    file: Path
    line: int  # where the SELECT starts


def invariants_dir(project: Project) -> Path:
    return project.database_dir / "invariants"


def load_invariants(project: Project) -> list[Invariant]:
    """Every invariant file, by name; a file without its header or with anything but one
    SELECT is a ConfigError naming file:line (nothing runs)."""
    from mrpplan.sqlfiles.split import read_statements

    folder = invariants_dir(project)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.sql")):
        shown = _shown(project, path)
        text = path.read_text(encoding="utf-8")
        rule = next((m.group("rule") for m in map(_HEADER.match, text.splitlines()) if m), None)
        if rule is None:
            raise ConfigError(
                f"{shown}:1: an invariant file needs a header line `-- invariant: <the rule>`",
                hint="name the business rule its SELECT checks",
            )
        statements = read_statements(path)
        if len(statements) != 1 or not _SELECT.match(_without_comments(statements[0].text)):
            line = statements[1].line if len(statements) > 1 else 1
            raise ConfigError(
                f"{shown}:{line}: an invariant file holds exactly one SELECT (the rows that "
                f"break the rule); found {len(statements)} statement(s)",
            )
        found.append(Invariant(path.stem, rule, statements[0].text, shown, statements[0].line))
    return found


def _without_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))


def _shown(project: Project, path: Path) -> Path:
    try:
        return path.relative_to(project.root)
    except ValueError:
        return path
