"""`${VAR}` / `${VAR:-default}` expansion from the process environment and `.env`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from mrpplan.config.text_file import TextFileError, read_text
from mrpplan.errors import ConfigError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class MissingVariable(ConfigError):
    def __init__(self, name: str, where: str):
        super().__init__(f"{where}: variable ${{{name}}} is not set and has no default")
        self.name = name


class DotenvError(ConfigError):
    """A line of `.env` is not KEY=VALUE; carries file and line for `validate`."""

    def __init__(self, path: Path, line: int | None, problem: str):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}", unchanged="Nothing was changed.")
        self.path = path
        self.line = line
        self.problem = problem


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a `.env` file: KEY=VALUE lines, optional `export`, quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    try:
        text = read_text(path)
    except TextFileError as exc:
        raise DotenvError(path, exc.line, exc.problem) from None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise DotenvError(path, number, f"expected KEY=VALUE, got {raw.strip()!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def expand(text: str, variables: Mapping[str, str], where: str) -> str:
    """Replace every `${VAR}` / `${VAR:-default}`; a missing VAR without default is an error."""

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = variables.get(name)
        if value not in (None, ""):
            return str(value)
        if default is not None:
            return default
        if value == "":
            return ""
        raise MissingVariable(name, where)

    return _VAR.sub(substitute, text)


def is_single_reference(text: str) -> bool:
    """True when the whole scalar is one `${...}` (its value is then typed like YAML)."""
    return bool(_VAR.fullmatch(text.strip()))
