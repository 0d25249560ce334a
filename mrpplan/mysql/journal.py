"""mrpplan_apply_journal: what an apply did, written before and after every step.

One header row per apply (step_id "plan", detail = the plan document) and one row per
step with its status (started | done | failed | reverted), how many of its statements ran,
the fingerprint of what the running statement changes, taken before it ran, the texts of
those tables before it and as it is to leave them (`detail`: to tell, after a crash of
the process or of the server, whether that statement took effect as planned, did not run,
or changed them otherwise) and the checkpoint file it wrote.
`recover` reads this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mrpplan.errors import Refused
from mrpplan.mysql.cluster_lock import check_still_held
from mrpplan.mysql.connection import Session
from mrpplan.mysql.privileges import before_any_change
from mrpplan.mysql.quote import ident

JOURNAL = "mrpplan_apply_journal"
HEADER = "plan"
# Written in the header's artifact column: each fingerprint_before is that of the running
# statement's objects (StepExecutor.statement_fingerprint). Journals without it (older
# mrpplan) hold the fingerprint of everything the step touches.
PER_STATEMENT = "fingerprints: per statement"

JOURNAL_DDL = f"""CREATE TABLE IF NOT EXISTS {ident(JOURNAL)} (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `apply_id` CHAR(32) NOT NULL,
  `plan_digest` CHAR(64) NOT NULL,
  `step_id` VARCHAR(32) NOT NULL,
  `position` INT NOT NULL DEFAULT 0,
  `status` VARCHAR(16) NOT NULL,
  `statements_done` INT NOT NULL DEFAULT 0,
  `fingerprint_before` CHAR(64) NULL,
  `artifact` VARCHAR(1024) NULL,
  `connection_id` BIGINT UNSIGNED NULL,
  `detail` LONGTEXT NULL,
  `started_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `finished_at` DATETIME(6) NULL,
  `error` TEXT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `apply_step` (`apply_id`, `step_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


@dataclass(frozen=True)
class JournalEntry:
    """One step's row in the apply journal."""

    step_id: str
    position: int
    status: str
    statements_done: int
    fingerprint_before: str | None
    artifact: str | None
    error: str | None
    expect: str | None = None  # the running statement's Expectation (plan/live.py)


@dataclass(frozen=True)
class ApplyRecord:
    """One apply's row in the journal: which plan, how it ended."""

    apply_id: str
    plan_digest: str
    status: str
    connection_id: int | None
    plan_text: str
    started_at: str
    per_statement: bool = False  # fingerprints are per statement (PER_STATEMENT)


class Journal:
    """Journal rows of one apply, written through the apply's own connection."""

    def __init__(self, conn: Session, apply_id: str, plan_digest: str):
        self.conn = conn
        self.apply_id = apply_id
        self.plan_digest = plan_digest

    @staticmethod
    def ensure_table(conn: Session) -> None:
        """Create the journal; it is the apply's first write, so a refusal changed nothing."""
        first_write = before_any_change("Nothing was changed: the apply stopped before any step.")
        with first_write, conn.cursor() as cur:
            cur.execute(JOURNAL_DDL)

    def begin(self, plan_text: str) -> None:
        self._execute(
            f"INSERT INTO {ident(JOURNAL)} (apply_id, plan_digest, step_id, status, "
            "connection_id, detail, artifact) "
            "VALUES (%s, %s, %s, 'started', CONNECTION_ID(), %s, %s)",
            (self.apply_id, self.plan_digest, HEADER, plan_text, PER_STATEMENT),
        )

    def finish(self, status: str, error: str | None = None) -> None:
        self._update(HEADER, status=status, error=error, finished=True)

    def step_started(
        self, step_id: str, position: int, fingerprint: str | None, expect: str | None = None
    ) -> None:
        """`expect`: the running statement's Expectation (plan/live.py), in `detail`."""
        check_still_held(self.conn)
        self._execute(
            f"INSERT INTO {ident(JOURNAL)} (apply_id, plan_digest, step_id, position, status, "
            "fingerprint_before, connection_id, detail) "
            "VALUES (%s, %s, %s, %s, 'started', %s, CONNECTION_ID(), %s) "
            "ON DUPLICATE KEY UPDATE status = 'started', fingerprint_before = VALUES("
            "fingerprint_before), connection_id = CONNECTION_ID(), error = NULL, "
            "detail = VALUES(detail)",
            (self.apply_id, self.plan_digest, step_id, position, fingerprint, expect),
        )

    def steps_started(self, rows: Sequence[tuple[str, int, str | None]]) -> None:
        """`step_started` of several steps (id, position, fingerprint) in one write."""
        check_still_held(self.conn)
        marks = ", ".join(["(%s, %s, %s, %s, 'started', %s, CONNECTION_ID())"] * len(rows))
        values = [v for i, p, f in rows for v in (self.apply_id, self.plan_digest, i, p, f)]
        self._execute(
            f"INSERT INTO {ident(JOURNAL)} (apply_id, plan_digest, step_id, position, status, "
            f"fingerprint_before, connection_id) VALUES {marks} "
            "ON DUPLICATE KEY UPDATE status = 'started', fingerprint_before = VALUES("
            "fingerprint_before), connection_id = CONNECTION_ID(), error = NULL",
            tuple(values),
        )

    def steps_done(self, step_ids: Sequence[str], statements: int) -> None:
        """`step_done(..., statements=)` of several steps in one write."""
        marks = ", ".join(["%s"] * len(step_ids))
        self._execute(
            f"UPDATE {ident(JOURNAL)} SET status = 'done', statements_done = %s, "
            "fingerprint_before = NULL, finished_at = CURRENT_TIMESTAMP(6) "
            f"WHERE apply_id = %s AND step_id IN ({marks})",
            (statements, self.apply_id, *step_ids),
        )

    def statement_done(
        self, step_id: str, done: int, next_fingerprint: str | None, expect: str | None = None
    ) -> None:
        self._execute(
            f"UPDATE {ident(JOURNAL)} SET statements_done = %s, fingerprint_before = %s, "
            "detail = %s WHERE apply_id = %s AND step_id = %s",
            (done, next_fingerprint, expect, self.apply_id, step_id),
        )

    def step_done(
        self, step_id: str, artifact: str | None = None, statements: int | None = None
    ) -> None:
        """`statements`: all of them ran (one write instead of statement_done + this)."""
        self._update(step_id, status="done", artifact=artifact, finished=True, done=statements)

    def step_failed(self, step_id: str, error: str) -> None:
        self._update(step_id, status="failed", error=error, finished=True)

    def step_reverted(self, step_id: str) -> None:
        self._update(step_id, status="reverted", finished=True)

    def entries(self) -> list[JournalEntry]:
        return read_entries(self.conn, self.apply_id)

    def _update(
        self,
        step_id: str,
        *,
        status: str,
        artifact: str | None = None,
        error: str | None = None,
        finished: bool = False,
        done: int | None = None,
    ) -> None:
        self._execute(
            f"UPDATE {ident(JOURNAL)} SET status = %s, artifact = COALESCE(%s, artifact), "
            "error = COALESCE(%s, error), statements_done = COALESCE(%s, statements_done)"
            + (", fingerprint_before = NULL" if done is not None else "")
            + (", finished_at = CURRENT_TIMESTAMP(6)" if finished else "")
            + " WHERE apply_id = %s AND step_id = %s",
            (status, artifact, error, done, self.apply_id, step_id),
        )

    def _execute(self, sql: str, args: tuple[Any, ...]) -> None:
        with self.conn.cursor() as cur:
            cur.execute(sql, args)


def journal_exists(conn: Session, database: str) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (database, JOURNAL),
        )
        return cur.fetchone() is not None


def interrupted_applies(conn: Session, database: str) -> list[ApplyRecord]:
    """Applies whose header is still 'started' (their process died), oldest first.

    On a Galera cluster the header of an apply running through another node has replicated
    here: while that apply's lease on the cluster lock is live it is running, not
    interrupted (the lock row and the header name the same connection)."""
    if not journal_exists(conn, database):
        return []
    running = running_elsewhere(conn, database)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT apply_id, plan_digest, status, connection_id, detail, started_at, artifact "
            f"FROM {ident(JOURNAL)} WHERE step_id = %s AND status = 'started' ORDER BY id",
            (HEADER,),
        )
        return [
            ApplyRecord(str(a), str(d), str(s), c, str(t or ""), str(at), art == PER_STATEMENT)
            for a, d, s, c, t, at, art in cur.fetchall()
            if running is None or c != running
        ]


def running_elsewhere(conn: Session, database: str) -> int | None:
    """The connection of an apply that holds the cluster lock through another node."""
    from mrpplan.mysql.cluster import is_galera
    from mrpplan.mysql.lock import lock_name

    if not is_galera(conn):
        return None
    from mrpplan.mysql.cluster_lock import other_holder

    found = other_holder(conn, lock_name(database))
    return found.connection_id if found is not None else None


def refuse_if_interrupted(conn: Session, env_name: str, database: str, unchanged: str) -> None:
    """An apply whose process died left the database possibly half-changed: nothing may
    plan or run on it before `recover` (Refused, exit 3; `unchanged` says what was not)."""
    interrupted = interrupted_applies(conn, database)
    if not interrupted:
        return
    last = interrupted[-1]
    raise Refused(
        f"an apply on {database} was interrupted and not recovered (apply {last.apply_id}, "
        f"plan {last.plan_digest[:12]}, started {last.started_at}): the database may be "
        f"half-changed. {unchanged}",
        hint=f"run `mrpplan recover {env_name}` (rolls it back) or "
        f"`mrpplan recover {env_name} --forward PLANFILE` (finishes it) first",
    )


def read_entries(conn: Session, apply_id: str) -> list[JournalEntry]:
    """The step rows of one apply, in the order they ran."""
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT step_id, position, status, statements_done, fingerprint_before, artifact, "
            f"error, detail FROM {ident(JOURNAL)} WHERE apply_id = %s AND step_id <> %s "
            "ORDER BY position",
            (apply_id, HEADER),
        )
        return [
            JournalEntry(str(s), int(p), str(st), int(n), fp, art, err, det)
            for s, p, st, n, fp, art, err, det in cur.fetchall()
        ]


def applied_at(conn: Session, database: str, plan_digest: str) -> str | None:
    """When a plan with this digest finished applying here (None: never)."""
    if not plan_digest or not journal_exists(conn, database):
        return None
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT COALESCE(finished_at, started_at) FROM {ident(JOURNAL)} "
            "WHERE step_id = %s AND plan_digest = %s AND status = 'done' ORDER BY id DESC LIMIT 1",
            (HEADER, plan_digest),
        )
        row = cur.fetchone()
    return str(row[0]) if row else None
