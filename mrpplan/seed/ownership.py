"""Who owns a table's rows when an environment's seeds and its sync both write it.

ONE rule: a data sync owns the rows of every table it copies. A plan that runs the sync
(`plan`/`apply ENV`) does not run a seed that writes such a table (the copy would replace its
rows); the rows there are the source's, seeded or not. The plan states it in one line. An
explicit `seed run` still runs what it is asked to, and the next sync copies over it.

`seed status` tells which is true now: a seed whose copied tables still hold exactly what
the last copy put there (their checksums as `_mrpplan_sync_state` recorded them) shows
"rows from SOURCE (sync)", whatever the seed history says; otherwise its history state.
"""

from __future__ import annotations

from collections.abc import Sequence

from mrpplan.config import Environment, Project, load_environment
from mrpplan.mysql.connection import Session
from mrpplan.seed.runner import runnable_statements
from mrpplan.seed.sets import SeedFile
from mrpplan.sqlfiles.dml_targets import written_tables
from mrpplan.sync import state as sync_state
from mrpplan.sync.copy import same_database
from mrpplan.sync.select import selection_for


def copies_rows(project: Project, env: Environment) -> bool:
    """Does `env`'s sync copy table rows (not only the schema, not onto itself)?"""
    if env.sync is None or env.sync.schema_only:
        return False
    return not same_database(load_environment(project, env.sync.source), env)


def sync_owned_seeds(
    project: Project, env: Environment, seeds: Sequence[SeedFile]
) -> dict[str, tuple[str, ...]]:
    """The seeds that write a table `env`'s sync copies: seed name -> those tables."""
    if not seeds or not copies_rows(project, env):
        return {}
    selection = selection_for(env)
    owned: dict[str, tuple[str, ...]] = {}
    for seed in seeds:
        copied = tuple(t for t in written_tables(runnable_statements(seed)) if selection.picks(t))
        if copied:
            owned[seed.name] = copied
    return owned


def ownership_note(env: Environment, owned: Sequence[str]) -> str:
    """The plan's one line about the rule."""
    assert env.sync is not None
    return (
        f"sync: the tables copied from {env.sync.source} hold {env.sync.source}'s rows; "
        f"seed(s) writing them are not run on {env.name}: {', '.join(owned)}"
    )


def holds_copy(conn: Session, database: str, tables: Sequence[str]) -> bool:
    """Do all `tables` hold what the last sync copy put there (measured by checksum)?"""
    copied = sync_state.read_copied(conn, database)
    if not tables or any(t not in copied for t in tables):
        return False
    now = sync_state.checksums(conn, database, tables)
    return all(copied[t].target_checksum == now.get(t) for t in tables)
