"""Is this account fit to run a branch's SQL? Its grants, read with SHOW GRANTS, may cover
the workspace databases (`_mrpplan\\_ws\\_%`) and at most SELECT elsewhere (DESIGN §3.11).

The server enforces privileges whatever the SQL text hides, so an account that can do no
harm is the guard; this check makes sure the account really is one, before any SQL runs.
"""

from __future__ import annotations

import re

from mrpplan.errors import Refused
from mrpplan.mysql.connection import Session

WORKSPACE_PREFIX = "_mrpplan_ws_"
WORKSPACE_PATTERN = r"\_mrpplan\_ws\_%"  # the grant's database pattern, as LIKE reads it
_GRANT = re.compile(
    r"^GRANT\s+(?P<privileges>.+?)\s+ON\s+(?:(?P<kind>PROCEDURE|FUNCTION|PACKAGE(?: BODY)?)\s+)?"
    r"(?P<target>\S+)\s+TO\s+(?P<rest>.*)$",
    re.I | re.S,
)
_ROLE_GRANT = re.compile(r"^GRANT\s+(?P<role>`[^`]*`(?:@`[^`]*`)?)\s+TO\s+", re.I)
_HARMLESS = frozenset({"USAGE", "SELECT"})
_SECRET = re.compile(r"\s+IDENTIFIED\s+(BY|VIA|WITH)\s+.*?(?=\s+WITH\s+|$)", re.I | re.S)


def read_grants(conn: Session) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SHOW GRANTS FOR CURRENT_USER()")
        return [str(row[0]) for row in cur.fetchall()]


def excess_privileges(grants: list[str]) -> list[str]:
    """What the grants allow beyond the workspace (each as 'PRIVILEGE on target'), and
    'no CREATE on ...' when they do not cover the workspace databases at all."""
    extra: list[str] = []
    covered = False
    for line in grants:
        role = _ROLE_GRANT.match(line)
        if role:
            extra.append(f"role {role.group('role')} (a role can carry any privilege)")
            continue
        found = _GRANT.match(line)
        if found is None:
            extra.append(f"unrecognised grant: {_without_secret(line)}")
            continue
        target = found.group("target")
        privileges = _privileges(found.group("privileges"))
        if re.search(r"\bWITH\b.*\bGRANT\s+OPTION\b", found.group("rest"), re.I):
            extra.append(f"GRANT OPTION on {target}")
        if found.group("kind"):
            extra.extend(f"{p} on {found.group('kind').upper()} {target}" for p in privileges)
            continue
        if privileges == ["PROXY"]:
            extra.append(f"PROXY on {target}")
            continue
        database = _database(target)
        if database is not None and _only_workspace(database):
            covered = covered or any(p in ("ALL PRIVILEGES", "ALL", "CREATE") for p in privileges)
            continue
        extra.extend(f"{p} on {target}" for p in privileges if p not in _HARMLESS)
    if not covered:
        extra.insert(0, f"no CREATE on `{WORKSPACE_PATTERN}`.* (the workspace databases)")
    return extra


def check_workspace_account(conn: Session, server: str) -> None:
    """Refuse (exit 3) an account that can reach more than the workspace databases."""
    extra = excess_privileges(read_grants(conn))
    if extra:
        with conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            row = cur.fetchone()
            assert row is not None  # CURRENT_USER() is one row
            user, _, host = str(row[0]).rpartition("@")
        account = f"'{user}'@'{host}'"
        raise Refused(
            f"the workspace account {account} on {server} may do more than build the"
            " workspace: " + "; ".join(extra) + ". Nothing was run.",
            hint="grant it only the workspace databases and, at most, SELECT elsewhere: "
            f"GRANT ALL PRIVILEGES ON `{WORKSPACE_PATTERN}`.* TO {account}; "
            "(README: Where plan runs your SQL)",
        )


def _privileges(text: str) -> list[str]:
    """`SELECT (a, b), INSERT` -> ['SELECT', 'INSERT'] (column lists dropped)."""
    flat = re.sub(r"\([^)]*\)", "", text)
    return [" ".join(p.split()).upper() for p in flat.split(",") if p.strip()]


def _database(target: str) -> str | None:
    """The database pattern of `db`.* or `db`.`t`; None for *.* (every database)."""
    found = re.match(r"^(`(?:[^`]|``)*`|[^.`]+)\.", target)
    if not found or found.group(1) == "*":
        return None
    return found.group(1).strip("`").replace("``", "`")


def _only_workspace(pattern: str) -> bool:
    """Does the LIKE pattern match only names starting with `_mrpplan_ws_`? Its literal
    prefix (up to the first unescaped wildcard) must be that whole prefix."""
    literal_prefix = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            literal_prefix.append(pattern[i + 1])
            i += 2
            continue
        if char in "%_":
            break
        literal_prefix.append(char)
        i += 1
    return "".join(literal_prefix).startswith(WORKSPACE_PREFIX)


def _without_secret(line: str) -> str:
    return _SECRET.sub(" IDENTIFIED BY <secret>", line)
