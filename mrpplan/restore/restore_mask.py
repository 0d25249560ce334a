"""A backup of another environment is masked on its way in, like `sync pull` (sync/mask.py).

A restore into an environment whose `sync.mask` rules name columns loads the rows of a
backup taken elsewhere (the manifest says which environment) into the scratch database,
runs the same mask UPDATEs there, and refuses the swap if any masked column still holds a
value the rule did not generate. Rules that do not fit the backup's tables are refused
before anything is written (ConfigError, as `sync pull` does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mrpplan.backup.manifest import Manifest
from mrpplan.config.settings import Environment
from mrpplan.errors import ConfigError, MrpplanError
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident
from mrpplan.sync import catalog
from mrpplan.sync.mask import (
    MaskRule,
    check_rules,
    generated,
    parse_rules,
    row_key,
    rules_by_table,
    update_statement,
)


def rules_for(env: Environment, manifest: Manifest) -> list[MaskRule]:
    """The target's mask rules when the backup comes from another environment or another
    database (an old backup.sh file names only its database: imported for this
    environment, a dump of prod's database restored into local is still prod's data)."""
    same = manifest.env == env.name and manifest.database == env.connection.database
    if same or env.sync is None or not env.sync.mask:
        return []
    return parse_rules(env.sync.mask, str(env.file))


def mask_statements(
    conn: Session, database: str, rules: Sequence[MaskRule], salt: str, source: str
) -> list[str]:
    """The UPDATEs (run in the scratch database) for the backup's tables as `database`
    (a probe of the backup's schema, or live for a data-only backup) defines them."""
    if not rules:
        return []
    columns = catalog.columns(conn, database)
    keys = {r.table: catalog.unique_keys(conn, database, r.table) for r in rules}
    unique = {t: {c for cols in k.values() for c in cols} for t, k in keys.items()}
    try:
        check_rules(rules, columns, unique, source)
    except ConfigError as exc:
        raise ConfigError(
            f"a backup of {source} must be masked by these rules and cannot be: {exc.message}",
            unchanged="Nothing was changed.",
            hint="fix the sync.mask rules of the environment file, or restore a backup of "
            "this environment",
        ) from None
    return [
        update_statement(
            table, group, row_key(keys.get(table, {}), columns[table]), columns[table], salt
        )
        for table, group in sorted(rules_by_table(rules).items())
    ]


def masked_columns(rules: Sequence[MaskRule]) -> dict[str, dict[str, str]]:
    return {t: {r.column: r.spec for r in group} for t, group in rules_by_table(rules).items()}


def check_masked(conn: Session, scratch: str, masked: Mapping[str, Mapping[str, str]]) -> None:
    """Every value of a masked column must be one the rule generates (or NULL)."""
    rules = parse_rules(
        {f"{t}.{c}": r for t, cols in masked.items() for c, r in cols.items()}, "plan"
    )
    leaks = []
    with conn.cursor() as cur:
        for rule in rules:
            made = generated(rule)
            where = f"{ident(rule.column)} IS NOT NULL" + (f" AND NOT ({made})" if made else "")
            cur.execute(f"SELECT COUNT(*) FROM {ident(scratch)}.{ident(rule.table)} WHERE {where}")
            row = cur.fetchone()
            left = int(row[0]) if row else 0
            if left:
                leaks.append(f"{rule.key}: {left} value(s)")
    if leaks:
        raise MrpplanError(
            "masking left values of the backup in the copy: " + ", ".join(leaks),
            unchanged="Nothing was changed: the rows were never swapped in.",
        )
