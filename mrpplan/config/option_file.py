"""Read the client sections of a MySQL option file (as ~/.my.cnf), with file:line.

Read line by line (not configparser) so a bad value can be reported where it is. The
rules follow the mariadb client: `[section]`, `key=value` or a bare `key`, `#`/`;`
comments, `-` and `_` alike in keys, and a world-writable file is not trusted (the
client ignores it with a warning; mrpplan refuses it, since ignoring it would connect
somewhere else silently).
"""

from __future__ import annotations

import stat
from pathlib import Path

from mrpplan.config.text_file import TextFileError, read_text
from mrpplan.errors import ConfigError, Refused

_SECTIONS = ("client", "mysql", "client-server", "client-mariadb", "mariadb-client")
_KEYS = ("host", "port", "user", "password", "socket", "database")


def read_client_options(path: Path) -> dict[str, str]:
    """The connection keys of the client sections; later sections win as the clients do."""
    _check_not_world_writable(path)
    try:
        text = read_text(path)
    except TextFileError as exc:
        hint = None
        if path.parent.name == "sandbox" and not path.exists():
            hint = "the sandbox writes this file when it starts: run `mrpplan sandbox up`"
        raise ConfigError(f"option file {exc.message}", hint=hint) from None
    by_section: dict[str, dict[str, tuple[str, int]]] = {}
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;" or line.startswith("!include"):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise _bad(path, number, f"malformed section header {line!r}")
            section = line[1:-1].strip().lower()
            continue
        if section is None:
            raise _bad(path, number, f"{line!r} comes before any [section]")
        key, sep, value = line.partition("=")
        key = key.strip().lower().replace("_", "-")
        if key in _KEYS and sep:
            by_section.setdefault(section, {})[key] = (_value(value), number)
    found: dict[str, tuple[str, int]] = {}
    for name in _SECTIONS:
        found.update(by_section.get(name, {}))
    if "port" in found:
        _check_port(path, *found["port"])
    return {key: value for key, (value, _line) in found.items()}


def _check_not_world_writable(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # reported by the read below, with the reason
    if stat.S_ISREG(mode) and mode & stat.S_IWOTH:
        raise Refused(
            f"option file {path} is world-writable (mode {stat.S_IMODE(mode):04o}): anyone on "
            "this machine could change where mrpplan connects and as whom, so it is not used "
            "(the mariadb client ignores such a file too). Nothing was changed.",
            hint=f"chmod 600 {path}",
        )


def _check_port(path: Path, value: str, line: int) -> None:
    if not (value.isdigit() and 1 <= int(value) <= 65535):
        raise _bad(path, line, f"port {value!r} is not a TCP port (a number from 1 to 65535)")


def _bad(path: Path, line: int, problem: str) -> ConfigError:
    return ConfigError(
        f"option file {path}:{line}: {problem}",
        unchanged="Nothing was changed.",
        hint="fix that line (the mariadb client reads the same file)",
    )


def _value(raw: str) -> str:
    """A value without its quotes, or without a trailing ` # comment` when unquoted."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    for mark in (" #", "\t#"):
        if mark in value:
            value = value.split(mark, 1)[0].rstrip()
    return value
