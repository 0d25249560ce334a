"""Which databases a fleet environment names: the one place a fleet is expanded.

A member is a plain single-database `Environment` (the fleet's, with `connection.database`
set to one name), so planning, applying, locking and journaling a member is exactly what
they are for any environment. Members are ordered by server (as listed), then by name; the
canary databases are the first members with changes in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mrpplan.config.settings import ConnectionSettings, Environment, is_pattern
from mrpplan.errors import ConfigError, Refused


@dataclass(frozen=True)
class Member:
    """One database of a fleet."""

    env: Environment
    server: int  # index of its server in the environment's list

    @property
    def database(self) -> str:
        return self.env.connection.database

    @property
    def key(self) -> str:
        """host:port/database: unique across the fleet's servers."""
        return f"{self.env.connection.endpoint()}/{self.database}"


def names_of(env: Environment, server: ConnectionSettings) -> tuple[str, ...]:
    """The names and patterns that select this server's databases."""
    return (server.database,) if server.database else env.databases


def expand(env: Environment) -> list[Member]:
    """Every database the environment names, on every server (patterns looked up live).

    A plain name is a member even when it does not exist yet (its plan creates it); a
    pattern matches only databases that exist.
    """
    from mrpplan.mysql.catalog import databases_like
    from mrpplan.mysql.connection import session

    members: list[Member] = []
    for index, server in enumerate(env.servers):
        names = names_of(env, server)
        found: list[str] = [n for n in names if not is_pattern(n)]
        patterns = [n for n in names if is_pattern(n)]
        if patterns:
            with session(server, database=None, read_only=True) as conn:
                for pattern in patterns:
                    matcher = like_regex(pattern)
                    found += [d for d in databases_like(conn, pattern) if matcher.fullmatch(d)]
        for name in sorted(set(found)):
            members.append(Member(env.member(server.with_database(name)), index))
    if not members:
        raise ConfigError(
            f"{env.name} names no database: "
            + "; ".join(f"{s.endpoint()}: {', '.join(names_of(env, s))}" for s in env.servers)
            + " matched nothing. Nothing was planned.",
            hint="check connection.database / databases: in " + env.file.name,
        )
    return members


def member_for(env: Environment, host: str, port: int | None, database: str) -> Member:
    """The member a plan section was made for, if the environment still names it."""
    for index, server in enumerate(env.servers):
        where = (server.host or server.socket or "", server.port)
        if where != (host, port):
            continue
        if any(like_regex(name).fullmatch(database) for name in names_of(env, server)):
            return Member(env.member(server.with_database(database)), index)
    raise Refused(
        f"this plan has a section for {database} on {host}:{port}, which {env.name} no longer "
        "names. Nothing was changed.",
        hint=f"make a new plan: mrpplan plan {env.name}",
    )


@cache
def like_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a case-sensitive regex: % any run, _ one character, \\ escapes."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_" and is_pattern(pattern):
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out))
