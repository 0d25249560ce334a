"""Environment + live database -> an ordered plan.

Steps come from the providers (schema first, then data); the planner numbers them, puts a
checkpoint in front of each step that can lose data, and the history-recording steps last.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from mrpplan.config import Environment, Project
from mrpplan.mysql import catalog
from mrpplan.mysql.connection import Session, server_version, session
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import ident
from mrpplan.plan import kinds
from mrpplan.plan.fingerprint import DatabaseState, state_fingerprint
from mrpplan.plan.live import SCHEMA_HISTORY, SEED_HISTORY, empty_state, read_state
from mrpplan.plan.providers import PlanContext, Scope, Wiring
from mrpplan.plan.replace import assemble
from mrpplan.plan.schema_steps import declarative_steps
from mrpplan.plan.types import Desired, Finding, Plan, Step


def make_plan(
    project: Project,
    env: Environment,
    *,
    wiring: Wiring,
    target_version: str | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
    run_preflight: bool = True,
    live_read: Callable[[Any], None] | None = None,
) -> Plan:
    """Read the live database, ask the providers (of `wiring`) for steps, arrange them.

    The plan records how it was asked for (`origin`), so `apply` can build it again under
    the lock and refuse a file whose steps are not what mrpplan would produce.
    `run_preflight`: run the steps' pre-flight checks on the live rows (a rebuild under
    `apply` only compares which checks there are: `apply` runs them itself).
    `live_read`: called with the live schema as soon as it is read (`plan` lints it
    while the desired schema builds).
    """
    from mrpplan.desired.directory import (
        desired_statements,
        load_migrations,
        resolve_version,
        source_digest,
    )
    from mrpplan.desired.workspace import desired_schema
    from mrpplan.mysql.cluster_ready import check_cluster
    from mrpplan.mysql.workspace_place import workspace_for

    scope = scope or Scope()
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    version = target_version or env.schema.version
    with session(env.connection, database=None, read_only=True) as conn:
        exists = catalog.database_exists(conn, env.connection.database)
        if exists:  # one session for the check and the plan: a login fewer
            conn.select_db(env.connection.database)
        version_text = server_version(conn)
        flavor = Flavor.parse(version_text)
        check_cluster(conn, env, "Nothing was planned.")
        if exists:
            refuse_after_interrupted_apply(conn, env)
        prior = read_state(conn, env.connection.database) if exists else empty_state()
        if live_read is not None and scope.schema:
            live_read(prior.schema)
        live = empty_state() if scope.fresh else prior
        migrations = load_migrations(project.migrations_dir)
        if scope.schema:
            number = resolve_version(migrations, version)
            label = next((m.version for m in migrations if m.number == number), "base")
            statements = desired_statements(project, version)
            workspace = workspace_for(project, env)
            desired = functools.partial(desired_schema, workspace, statements, project.cache_dir)
            digest = source_digest(statements)
        else:  # data only: the schema stays as it is
            label = prior.schema_version or "base"
            number = next((m.number for m in migrations if m.version == label), 0)
            desired, digest = functools.partial(_given, prior.schema), ""
        ctx = PlanContext(
            project=project,
            env=env,
            conn=conn,
            flavor=flavor,
            live=live,
            target_version=version,
            target_number=number,
            desired=desired,
            timestamp=moment.strftime("%Y%m%d%H%M%S"),
            desired_schema_history=set(live.schema_history),
            desired_seed_history=set(live.seed_history),
            desired_version_label=label,
            scope=scope,
        )
        drafts = wipe_drafts(ctx, prior) if scope.fresh else []
        drafts += collect_drafts(ctx, wiring)
        if not exists:
            drafts.insert(0, create_database_draft(env, conn))
        steps = arrange(drafts, env.policy.checkpoint)
        findings = preflight_findings(env, conn, drafts, steps, flavor, run=run_preflight)
    destructive = [s.id for s in steps if s.destructive]
    if destructive and not env.policy.allow_destructive:
        ctx.warn(
            f"{env.name} does not allow destructive changes (policy.allow_destructive: false): "
            f"apply will refuse this plan because of step(s) {', '.join(destructive)}"
        )
    desired_fp = state_fingerprint(
        ctx.desired_schema.fingerprint(), ctx.desired_schema_history, ctx.desired_seed_history
    )
    return assemble(
        env,
        version_text,
        now=moment,
        prior=prior,
        desired=Desired(label, digest, desired_fp),
        steps=tuple(steps),
        warnings=ctx.warnings,
        preflight=findings,
        origin={"builder": "converge", "target_version": version, "scope": scope.as_dict()},
    )


def preflight_findings(
    env: Environment,
    conn: Session,
    drafts: Sequence[Step],
    steps: Sequence[Step],
    flavor: Flavor,
    *,
    run: bool,
) -> tuple[Finding, ...]:
    """Each step's pre-flight checks, run on the live rows (`run`), or only listed."""
    from mrpplan.plan.preflight import run_checks

    if not env.policy.preflight.enabled:
        return ()
    ordered = [d for d in drafts if not d.history] + [d for d in drafts if d.history]
    added = {s.checkpoint for s in steps if s.checkpoint}  # the checkpoints `arrange` put in
    numbered = [s for s in steps if s.id not in added]
    checks = [(s.id, c) for d, s in zip(ordered, numbered, strict=True) for c in d.preflight]
    if not checks:
        return ()
    database = env.connection.database
    if not run:
        return tuple(Finding(step, c.record(), database, "not run") for step, c in checks)
    conn.select_db(database)
    seconds = env.policy.preflight.max_seconds
    return run_checks(conn, database, checks, seconds, flavor.name == "mariadb")


def refuse_after_interrupted_apply(conn: Session, env: Environment) -> None:
    """A plan from a half-changed database would be wrong, and its steps would look like
    drift: point to `recover` instead (unless that apply is still running)."""
    from mrpplan.mysql.journal import refuse_if_interrupted
    from mrpplan.mysql.lock import holder_id

    if holder_id(conn, env.connection.database) is None:  # no apply is running now
        refuse_if_interrupted(conn, env.name, env.connection.database, "Nothing was planned.")


def _given(schema: Any) -> Any:
    return schema


def collect_drafts(ctx: PlanContext, wiring: Wiring) -> list[Step]:
    """Schema steps from the first provider that claims them, then every data provider's."""
    drafts: list[Step] | None = [] if not ctx.scope.schema else None
    for _name, provider in wiring.schema_providers if ctx.scope.schema else ():
        claimed = provider(ctx)
        if claimed is not None:
            drafts = list(claimed)
            break
    if drafts is None:
        drafts = declarative_steps(ctx)
    for name, data_provider in wiring.data_providers:
        if ctx.scope.data is None or name in ctx.scope.data:
            drafts.extend(data_provider(ctx))
    return drafts


def wipe_drafts(ctx: PlanContext, prior: DatabaseState) -> list[Step]:
    """`migrate fresh`: every object of the live database goes (tables to trash tables, which
    a rollback renames back), mrpplan's history tables with them; nothing is dropped."""
    from mrpplan.diff.ddl import trash_table_name
    from mrpplan.model.schema import Schema
    from mrpplan.plan.schema_steps import schema_change_steps

    drafts = schema_change_steps(ctx, prior.schema, Schema())
    for table in (SCHEMA_HISTORY, SEED_HISTORY):
        if table in prior.history_tables:
            trash = ident(trash_table_name(table, ctx.timestamp))
            drafts.append(
                Step(
                    kind=kinds.DROP_TABLE,
                    object=table,
                    sql=(f"RENAME TABLE {ident(table)} TO {trash}",),
                    reverse_sql=(f"RENAME TABLE {trash} TO {ident(table)}",),
                    destructive=True,
                    reason=f"migrate fresh: keep {table} as a trash table (restorable)",
                )
            )
    return drafts


def arrange(drafts: Sequence[Step], checkpoint_policy: str) -> list[Step]:
    """Number the drafts, history last, each risky step preceded by its checkpoint."""
    ordered = [d for d in drafts if not d.history] + [d for d in drafts if d.history]
    if any(d.kind is kinds.CREATE_DATABASE for d in drafts):
        checkpoint_policy = "never"  # a database this plan creates holds nothing to save
    steps: list[Step] = []
    created: set[str] = set()  # tables this plan creates: a rollback drops them anyway
    for draft in ordered:
        checkpoint_id = None
        tables = [t for t in draft.tables if t not in created]
        if tables and wants_checkpoint(draft, checkpoint_policy):
            checkpoint_id = str(len(steps) + 1)
            steps.append(
                Step(
                    id=checkpoint_id,
                    kind=kinds.CHECKPOINT,
                    object=",".join(tables),
                    payload=kinds.CheckpointTables(tuple(tables)),
                    sql=(),
                    reverse_sql=(),
                    reason=f"save {', '.join(tables)} (schema and data) so that a "
                    f"rollback of step {len(steps) + 2} can bring their data back",
                )
            )
        if draft.kind is kinds.CREATE_TABLE:
            created.add(draft.object)
        steps.append(draft.numbered(str(len(steps) + 1), checkpoint_id))
    return steps


def wants_checkpoint(draft: Step, policy: str) -> bool:
    """auto: only where reverse SQL cannot bring data back; always: also data rewrites."""
    if policy == "never":
        return False
    if draft.needs_checkpoint:
        return True
    return policy == "always" and draft.kind.touches_data


def database_exists(env: Environment) -> bool:
    with session(env.connection, database=None, read_only=True) as conn:
        return catalog.database_exists(conn, env.connection.database)


def create_database_draft(env: Environment, conn: Session) -> Step:
    """A new environment: the plan starts by creating its (empty) database.

    Its undo leaves the empty database in place: dropping a database is never automatic.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT @@character_set_server, @@collation_server")
        row = cur.fetchone()
    charset = str(row[0]) if row and str(row[0]).startswith("utf8mb4") else "utf8mb4"
    collation = str(row[1]) if row and str(row[1]).startswith("utf8mb4") else "utf8mb4_general_ci"
    name = ident(env.connection.database)
    return Step(
        kind=kinds.CREATE_DATABASE,
        object=env.connection.database,
        sql=(f"CREATE DATABASE IF NOT EXISTS {name} CHARACTER SET {charset} COLLATE {collation}",),
        reverse_sql=(),
        reason=f"database {env.connection.database} does not exist yet on "
        f"{env.connection.endpoint()}; a rollback leaves it in place, empty",
    )


def converge(
    project: Project, env: Environment, origin: Any, now: datetime, wiring: Wiring
) -> Plan:
    """The `converge` builder: `plan`, `migrate`, `seed` plans made again."""
    scope = Scope.from_dict(dict(origin.get("scope") or {}))
    return make_plan(
        project,
        env,
        wiring=wiring,
        target_version=origin.get("target_version"),
        now=now,
        scope=scope,
        run_preflight=False,
    )
