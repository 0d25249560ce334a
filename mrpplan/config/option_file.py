"""Read the [client] section of a MySQL option file (as ~/.my.cnf)."""

from __future__ import annotations

import configparser
from pathlib import Path

from mrpplan.errors import ConfigError

_SECTIONS = ("client", "mysql", "client-server", "client-mariadb", "mariadb-client")
_KEYS = ("host", "port", "user", "password", "socket", "database")


def read_client_options(path: Path) -> dict[str, str]:
    """The connection keys of the client sections; later sections win as the clients do."""
    parser = configparser.ConfigParser(allow_no_value=True, strict=False, interpolation=None)
    try:
        text = path.read_text()
    except OSError as exc:
        hint = None
        if path.parent.name == "sandbox" and not path.exists():
            hint = "the sandbox writes this file when it starts: run `mrpplan sandbox up`"
        raise ConfigError(f"option file {path}: cannot read ({exc.strerror})", hint=hint) from exc
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise ConfigError(f"option file {path}: not a valid option file ({exc.message})") from exc
    found: dict[str, str] = {}
    for section in _SECTIONS:
        if not parser.has_section(section):
            continue
        for key in _KEYS:
            value = parser.get(section, key, fallback=None)
            if value is not None:
                found[key] = _unquote(value.strip())
    return found


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
