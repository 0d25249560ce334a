"""`${VAR}` / `${VAR:-default}` expansion from the process environment and `.env`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from mrpplan.config.text_file import TextFileError, read_text
from mrpplan.errors import ConfigError

_HEAD = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


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
    """Replace every `${VAR}` / `${VAR:-default}`; a missing VAR without default is an error.

    A default may itself hold references, so a chain like `${PROD_DB_NAME:-${DB_NAME:-x}}`
    lets the environment-specific name win over the old scripts' shared `.env` name. As in
    the shell, a default is only looked at when it is used.
    """
    out, _, missing = _expand_from(text, 0, variables, nested=False)
    if missing:
        raise MissingVariable(missing[0], where)
    return out


def _expand_from(
    text: str, pos: int, variables: Mapping[str, str], *, nested: bool
) -> tuple[str, int, list[str]]:
    """Expand from `pos` to the end (or, when `nested`, to the `}` closing a default).

    Returns the text, where it stopped, and the variables that were needed but missing.
    """
    parts: list[str] = []
    missing: list[str] = []
    while pos < len(text):
        if nested and text[pos] == "}":
            return "".join(parts), pos, missing
        match = _HEAD.match(text, pos)
        if match is None:
            parts.append(text[pos])
            pos += 1
            continue
        name, pos = match.group(1), match.end()
        default: tuple[str, list[str]] | None = None
        if text.startswith(":-", pos):
            value_text, pos, default_missing = _expand_from(text, pos + 2, variables, nested=True)
            default = (value_text, default_missing)
        if pos >= len(text) or text[pos] != "}":
            raise ConfigError(f"unclosed ${{{name} in {text!r}")
        pos += 1
        value = variables.get(name)
        if value not in (None, ""):
            parts.append(str(value))
        elif default is not None:
            parts.append(default[0])
            missing.extend(default[1])
        elif value is None:
            missing.append(name)
    return "".join(parts), pos, missing


def is_single_reference(text: str) -> bool:
    """True when the whole scalar is one `${...}` (its value is then typed like YAML)."""
    stripped = text.strip()
    match = _HEAD.match(stripped)
    if match is None:
        return False
    depth, pos = 1, match.end()
    while pos < len(stripped):
        if stripped.startswith("${", pos):
            depth, pos = depth + 1, pos + 2
            continue
        if stripped[pos] == "}":
            depth -= 1
            if depth == 0:
                return pos == len(stripped) - 1
        pos += 1
    return False
