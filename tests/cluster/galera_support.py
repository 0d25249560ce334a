"""Helpers of the Galera tests: a tiny project whose environments name nodes of the real
three-node sandbox cluster (`mrpplan sandbox up --galera 3`), one database on it."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql
from dbtools import CliResult, Database, run_cli, start_cli

from mrpplan import sandbox

SCHEMA = """\
CREATE TABLE items (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(40) NOT NULL,
    qty INT NOT NULL DEFAULT 0
) ENGINE=InnoDB;
"""

ENV = """\
name: {name}
connection:
  database: {database}
  option_file: {option_file}
protected: false
schema:
  version: latest
  drift: repair
seeds: []
policy:
  allow_destructive: true
  checkpoint: auto
{online}{cluster}"""

ONLINE = """\
  online_schema_change:
    tool: pt-online-schema-change
    min_rows: {min_rows}
    max_lag: 1
"""


@dataclass
class GaleraProject:
    """`g1`, `g2`, `g3`: one environment per node, all naming the same database."""

    root: Path
    db: Database
    nodes: list[sandbox.SandboxInfo]
    single: sandbox.SandboxInfo
    cluster: dict[str, str] = field(default_factory=dict)

    def write_envs(
        self,
        *,
        cluster: bool = True,
        size: int = 3,
        online_min_rows: int | None = None,
        backup_node: int | None = None,
    ) -> None:
        members = ", ".join(f"127.0.0.1:{n.port}" for n in self.nodes)
        chosen = (
            f", backup_node: '127.0.0.1:{self.nodes[backup_node - 1].port}'" if backup_node else ""
        )
        block = (
            f"cluster: {{type: galera, nodes: [{members}], size: {size}, "
            f"max_flow_control_paused: 0.5{chosen}}}\n"
            if cluster
            else ""
        )
        for number, node in enumerate(self.nodes, start=1):
            (self.root / "environments" / f"g{number}.yaml").write_text(
                ENV.format(
                    name=f"g{number}",
                    database=self.db.name,
                    option_file=node.option_file,
                    cluster=block,
                    online=ONLINE.format(min_rows=online_min_rows) if online_min_rows else "",
                )
            )

    def schema(self, text: str) -> None:
        (self.root / "database" / "schema" / "01_base_schema.sql").write_text(text)

    @property
    def env(self) -> dict[str, str]:
        return {"MRPPLAN_PLAN_KEY": "", "MRPPLAN_SANDBOX_DIR": str(self.single.dir)}

    def cli(self, *args: str, timeout: float = 300) -> CliResult:
        return run_cli(*args, env=self.env, cwd=self.root, timeout=timeout)

    def start(self, *args: str, extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """mrpplan in the background (to race it or kill a node under it)."""
        return start_cli(*args, env={**self.env, **(extra or {})}, cwd=self.root)

    def on(self, node: int) -> Database:
        """The same database, read through node `node` (1-based)."""
        info = self.nodes[node - 1]
        return Database(self.db.name, info.settings(self.db.name), info)


def node_query(info: sandbox.SandboxInfo, sql: str) -> list[tuple[object, ...]]:
    conn = pymysql.connect(
        host="127.0.0.1", port=info.port, user="root", password=info.password, autocommit=True
    )
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


def wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s")
        time.sleep(0.2)
