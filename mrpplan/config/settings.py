"""Plain data for one environment: what the YAML says after expansion and validation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and as whom to connect. The password never appears in repr or messages."""

    database: str
    host: str | None = "127.0.0.1"
    port: int | None = 3306
    user: str | None = "root"
    socket: str | None = None
    option_file: Path | None = None
    password_env: str | None = None
    password: str | None = field(default=None, repr=False, compare=False)
    password_source: str | None = None  # where the password came from, for messages

    def describe(self) -> str:
        """user@host:port/database (or socket), for messages; never the password."""
        where = self.socket if self.socket and not self.host else f"{self.host}:{self.port}"
        return f"{self.user}@{where}/{self.database}"

    def endpoint(self) -> str:
        return self.socket if self.socket and not self.host else f"{self.host}:{self.port}"

    def with_database(self, database: str) -> ConnectionSettings:
        return replace(self, database=database)


@dataclass(frozen=True)
class SchemaSettings:
    """`schema:`: the version the environment should be at, and what drift does."""

    version: str = "latest"
    drift: str = "error"


@dataclass(frozen=True)
class SyncSettings:
    """`sync:`: which environment the rows come from, which tables, and their masks."""

    source: str
    schema_only: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    mask: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BackupSettings:
    """`backup:`: where backups go and how long they are kept."""

    dir: Path
    retention_days: int = 30


@dataclass(frozen=True)
class OnlineSchemaChange:
    """`policy.online_schema_change` (DESIGN §3.8): how ALTERs on big tables run.

    A table of at least `min_rows` rows never gets an ALTER that cannot run with LOCK=NONE:
    it goes through `tool` (pt-online-schema-change), which pauses while a replica lags
    more than `max_lag` seconds or more than `max_threads_running` threads run; with
    `tool: none` such a step is refused instead.
    """

    tool: str = "pt-online-schema-change"
    min_rows: int = 1_000_000
    max_lag: float = 1.0
    max_threads_running: int = 25


@dataclass(frozen=True)
class ClusterSettings:
    """`cluster:` (issue 27): the nodes of a Galera cluster or the replicas of a primary,
    checked before plan and apply. A Galera node is recognised without it too."""

    type: str = "galera"  # galera | replicas
    nodes: tuple[str, ...] = ()  # host:port of each node / replica
    size: int | None = None  # expected members (default: len(nodes), else as found)
    max_flow_control_paused: float = 0.1
    max_replica_lag: float = 10.0
    backup_node: str | None = None  # host:port that backups dump from (desynced meanwhile)


@dataclass(frozen=True)
class Preflight:
    """`policy.preflight` (issue 25): what a failing pre-flight check does to `plan`
    (`refuse`: exit 3; `warn`: shown), and each check's budget. `apply` refuses a failing
    check whatever this says; `enabled: false` runs no checks at all."""

    enabled: bool = True
    on_failure: str = "refuse"
    max_seconds: float = 30.0


@dataclass(frozen=True)
class Policy:
    """`policy:`: what the environment allows and how carefully changes run."""

    allow_destructive: bool = False
    checkpoint: str = "auto"
    # None: not configured (ALTERs still name ALGORITHM/LOCK; big tables are only flagged)
    online_schema_change: OnlineSchemaChange | None = None
    preflight: Preflight = Preflight()
    # `policy.lint`: rule id -> error | warning | off (issue 25; unset: the rule's default)
    lint: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FleetSettings:
    """How a fleet (an environment naming many databases) is applied (DESIGN §3.9)."""

    parallel: int = 4  # databases applied at once
    canary: int = 1  # databases applied first, alone; a failure there stops the rest


def is_pattern(database: str) -> bool:
    """`tenant_%` names many databases; `mrp_erp` one (a lone `_` is part of a name)."""
    return "%" in database


@dataclass(frozen=True)
class Environment:
    """One environment file, expanded and checked."""

    name: str
    file: Path
    connection: ConnectionSettings
    description: str = ""
    protected: bool = False
    schema: SchemaSettings = SchemaSettings()
    seeds: tuple[str, ...] = ()
    sync: SyncSettings | None = None
    backup: BackupSettings = BackupSettings(dir=Path("database/backups"))
    policy: Policy = Policy()
    # a fleet: every server (`connections:`; the first is `connection`) and the database
    # names or LIKE patterns (`databases:`, or a pattern in `connection.database`)
    connections: tuple[ConnectionSettings, ...] = ()
    databases: tuple[str, ...] = ()
    fleet: FleetSettings = FleetSettings()
    # `workspace:`: the account that builds the desired schema on the target's server when
    # no sandbox of the same version is used (its host and port are the target's)
    workspace: ConnectionSettings | None = None
    cluster: ClusterSettings | None = None

    @property
    def is_fleet(self) -> bool:
        """Many databases, one plan: a pattern, a list of databases, or several servers."""
        return (
            bool(self.databases)
            or len(self.connections) > 1
            or any(is_pattern(c.database) for c in self.servers)
        )

    @property
    def servers(self) -> tuple[ConnectionSettings, ...]:
        return self.connections or (self.connection,)

    def member(self, connection: ConnectionSettings) -> Environment:
        """The single-database environment of one fleet member (today's plain shape). Its
        backups and checkpoints go to a folder of their own, so each database has its own
        manifests and catalog, and parallel applies never race for a file name."""
        folder = connection.database
        if len(self.servers) > 1:
            folder = f"{connection.endpoint().replace(':', '_').replace('/', '_')}_{folder}"
        return replace(
            self,
            connection=connection,
            connections=(),
            databases=(),
            backup=replace(self.backup, dir=self.backup.dir / folder),
        )
