"""A throwaway local Galera cluster: N MariaDB nodes on loopback, data under
.mrpplan/sandbox-galera/node1..N, node 1 bootstrapped (--wsrep-new-cluster), the others
joining by state transfer (rsync, or mariabackup when it is installed).

Kept small on purpose (64M buffer pool, 32M gcache): the tests run it next to the single
sandbox on a shared machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql

from mrpplan import sandbox as single
from mrpplan.errors import MrpplanError, ToolMissing

PROVIDERS = (
    "/usr/lib/galera/libgalera_smm.so",
    "/usr/lib/libgalera_smm.so",
    "/usr/lib64/galera-4/libgalera_smm.so",
)
PROVIDER_HINT = (
    "install Galera: `sudo apt-get install galera-4 rsync` (Debian/Ubuntu), then run "
    "`mrpplan sandbox up --galera 3` again"
)
CLUSTER_NAME = "mrpplan_sandbox"


@dataclass(frozen=True)
class NodePorts:
    """The four loopback ports of one node: clients, group communication, IST and SST."""

    client: int
    gcomm: int
    ist: int
    sst: int


def default_dir(project_root: Path) -> Path:
    return beside(single.default_dir(project_root))


def beside(single_dir: Path) -> Path:
    """The Galera sandbox next to the single one: .mrpplan/sandbox-galera."""
    return single_dir.parent / f"{single_dir.name}-galera"


def provider() -> str | None:
    """The Galera library, or None when galera-4 is not installed."""
    override = os.environ.get("MRPPLAN_GALERA_PROVIDER")
    for path in ((override,) if override else ()) + PROVIDERS:
        if Path(path).is_file():
            return path
    return None


def sst_method() -> str:
    """mariabackup when installed (non-blocking donor), rsync otherwise."""
    return "mariabackup" if shutil.which("mariabackup") else "rsync"


def node_dir(base: Path, number: int) -> Path:
    return base / f"node{number}"


def _load_state(base: Path) -> list[NodePorts]:
    path = base / "state.json"
    if not path.is_file():
        return []
    return [NodePorts(**n) for n in json.loads(path.read_text())["nodes"]]


def _sockets(base: Path, count: int) -> list[Path]:
    """Each node's unix socket (in /tmp when the sandbox path is too long for one)."""
    found = []
    for number in range(1, count + 1):
        sock = node_dir(base, number) / "mariadbd.sock"
        if len(str(sock)) > 100:
            digest = hashlib.sha256(str(base).encode()).hexdigest()[:10]
            sock = Path(f"/tmp/mrpplan-galera-{digest}-{number}.sock")
        found.append(sock)
    return found


def status(base: Path) -> list[single.SandboxInfo | None]:
    """Each node's running server (None for a node that is down); [] when never set up."""
    base = base.resolve()
    ports = _load_state(base)
    if not ports:
        return []
    return [single.status(node_dir(base, n)) for n in range(1, len(ports) + 1)]


def up(base: Path, nodes: int = 3, timeout: float = 240.0) -> list[single.SandboxInfo]:
    """Start the cluster (or the nodes of it that are down) and wait until all are Synced.

    With no node running, node 1 bootstraps a new cluster (its grastate is marked safe to
    bootstrap: `down` stops it last, so it holds every committed transaction); each other
    node joins, one at a time, so one donor serves one state transfer at a time."""
    library = provider()
    if library is None:
        raise ToolMissing("the Galera library (galera-4) is not installed", hint=PROVIDER_HINT)
    if nodes < 2:
        raise MrpplanError(f"a Galera sandbox needs at least 2 nodes, not {nodes}")
    base = base.resolve()
    base.parent.mkdir(parents=True, exist_ok=True)
    # two `up`s at once (parallel test workers) take turns: the second finds the cluster
    with open(base.parent / f".{base.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _up(base, nodes, timeout, library)


def up_report(infos: list[single.SandboxInfo]) -> list[str]:
    """What `sandbox up --galera N` says: one line a node, then the cluster's state."""
    return [
        *(
            f"{info.dir.name}: MariaDB {info.version} on 127.0.0.1:{info.port} (pid "
            f"{info.pid}), credentials {info.option_file}"
            for info in infos
        ),
        f"Galera cluster of {len(infos)} nodes: all Synced",
    ]


def status_report(base: Path, as_json: bool) -> list[str]:
    """What `sandbox status --galera [--json]` says: a JSON document, or a line a node."""
    nodes = status(base)
    if as_json:
        return [
            json.dumps(
                [
                    {"node": n, "running": i is not None, **({"port": i.port} if i else {})}
                    for n, i in enumerate(nodes, start=1)
                ]
            )
        ]
    if not nodes:
        return ["no Galera sandbox (start one: `mrpplan sandbox up --galera 3`)"]
    return [
        f"node{number}: "
        + (f"running on 127.0.0.1:{info.port} (pid {info.pid})" if info else "stopped")
        for number, info in enumerate(nodes, start=1)
    ]


def _up(base: Path, nodes: int, timeout: float, library: str) -> list[single.SandboxInfo]:
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o700)
    ports = _load_state(base)
    if len(ports) != nodes:
        if any(status(base)):
            raise MrpplanError(
                f"the Galera sandbox runs {len(ports)} nodes, not {nodes}",
                hint="stop it first: `mrpplan sandbox down --galera`",
            )
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        os.chmod(base, 0o700)
        ports = [_ports() for _ in range(nodes)]
        single._write_private(
            base / "state.json", json.dumps({"nodes": [p.__dict__ for p in ports]}) + "\n"
        )
    password_file = base / "root.password"
    if not password_file.is_file():
        single._write_private(password_file, secrets.token_urlsafe(24) + "\n")
    running = status(base)
    bootstrap = not any(running)
    for number in range(1, nodes + 1):
        if running[number - 1] is not None:
            continue
        first = bootstrap and number == 1
        _start_node(base, number, ports, library, first, timeout)
    infos = [i for i in status(base) if i is not None]
    if len(infos) != nodes:
        raise MrpplanError("the Galera sandbox started but a node cannot be reached")
    wait_synced(infos, nodes, timeout)
    return infos


def _ports() -> NodePorts:
    return NodePorts(*(single.free_port() for _ in range(4)))


def _start_node(
    base: Path, number: int, ports: list[NodePorts], library: str, first: bool, timeout: float
) -> None:
    mariadbd = single._program("mariadbd")
    here = node_dir(base, number)
    here.mkdir(mode=0o700, exist_ok=True)
    data = here / "data"
    fresh = not (data / "mysql").is_dir()
    if fresh and first:
        single._prepare_datadir(base, data)
    data.mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() == 0 and not first:
        _open_for_rsync_daemon(base, here, data)
    if first:
        _mark_safe_to_bootstrap(data)
    (here / "tmp").mkdir(mode=0o700, exist_ok=True)
    single._write_private(here / "root.password", (base / "root.password").read_text())
    sock = _sockets(base, len(ports))[number - 1]
    mine = ports[number - 1]
    members = ",".join(f"127.0.0.1:{p.gcomm}" for p in ports)
    options = (
        f"gmcast.listen_addr=tcp://127.0.0.1:{mine.gcomm};ist.recv_addr=127.0.0.1:{mine.ist};"
        "gcache.size=32M;gcache.page_size=32M;evs.suspect_timeout=PT5S;"
        "evs.inactive_timeout=PT10S;pc.wait_prim_timeout=PT30S"
    )
    args = [
        mariadbd,
        "--no-defaults",
        f"--datadir={data}",
        f"--socket={sock}",
        f"--port={mine.client}",
        "--bind-address=127.0.0.1",
        f"--pid-file={here / 'mariadbd.pid'}",
        f"--log-error={here / 'error.log'}",
        f"--tmpdir={here / 'tmp'}",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_general_ci",
        "--skip-name-resolve",
        "--innodb-buffer-pool-size=64M",
        "--innodb-log-file-size=48M",
        "--innodb-flush-log-at-trx-commit=2",
        "--innodb-autoinc-lock-mode=2",
        "--binlog-format=ROW",
        "--default-storage-engine=InnoDB",
        "--max-allowed-packet=64M",
        "--max-connections=100",
        "--performance-schema=OFF",
        "--innodb-lock-wait-timeout=20",
        "--wsrep-on=ON",
        f"--wsrep-provider={library}",
        f"--wsrep-cluster-address=gcomm://{members}",
        f"--wsrep-cluster-name={CLUSTER_NAME}",
        f"--wsrep-node-name=node{number}",
        f"--wsrep-node-address=127.0.0.1:{mine.gcomm}",
        f"--wsrep-node-incoming-address=127.0.0.1:{mine.client}",
        f"--wsrep-sst-receive-address=127.0.0.1:{mine.sst}",
        f"--wsrep-sst-method={sst_method()}",
        f"--wsrep-provider-options={options}",
        "--wsrep-slave-threads=2",
    ]
    if os.geteuid() == 0:
        args.append("--user=root")
    if first:
        args.append("--wsrep-new-cluster")
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/usr/bin"
    with open(here / "mariadbd.out", "ab") as log:
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, env=env
        )
    single._write_private(
        here / "state.json", json.dumps({"port": mine.client, "socket": str(sock)}) + "\n"
    )
    password = (base / "root.password").read_text().strip()
    info = single.SandboxInfo(here, mine.client, sock, 0, password, "")
    _wait_reachable(info, process, fresh and first, timeout)
    lines = [
        "[client]",
        "user=root",
        f"password={json.dumps(password)}",
        "host=127.0.0.1",
        f"port={mine.client}",
        "protocol=TCP",
    ]
    single._write_private(info.option_file, "\n".join(lines) + "\n")


def _open_for_rsync_daemon(base: Path, here: Path, data: Path) -> None:
    """Run as root, the joiner's rsync daemon writes as `nobody`: it must reach the datadir
    and own it (it sets the donor's permissions on it)."""
    for folder in (base, here):
        os.chmod(folder, 0o711)
    nobody = pwd.getpwnam("nobody")
    os.chown(data, nobody.pw_uid, nobody.pw_gid)
    for parent, subfolders, files in os.walk(data):  # a node rejoining after a crash
        for name in subfolders + files:
            os.chown(Path(parent) / name, nobody.pw_uid, nobody.pw_gid, follow_symlinks=False)


def _wait_reachable(
    info: single.SandboxInfo, process: subprocess.Popen[bytes], set_password: bool, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            tail = single._tail(info.dir / "error.log", 25)
            name = info.dir.name
            raise MrpplanError(f"Galera sandbox node {name} stopped while starting.\n{tail}")
        try:
            single._query_version(info)
            return
        except pymysql.err.MySQLError as exc:
            if exc.args and exc.args[0] == 1045 and set_password:
                single._set_root_password(info)
                continue
            if time.monotonic() > deadline:
                tail = single._tail(info.dir / "error.log", 25)
                raise MrpplanError(
                    f"Galera sandbox node {info.dir.name} did not start within {timeout:.0f}s."
                    f"\n{tail}"
                ) from None
            time.sleep(0.2)


def _mark_safe_to_bootstrap(data: Path) -> None:
    """Node 1 is stopped last, so it may start a new cluster from its own state."""
    grastate = data / "grastate.dat"
    if grastate.is_file():
        text = re.sub(r"safe_to_bootstrap:\s*0", "safe_to_bootstrap: 1", grastate.read_text())
        grastate.write_text(text)


def wait_synced(infos: list[single.SandboxInfo], size: int, timeout: float = 120.0) -> None:
    """Until every node says Synced in a Primary component of `size` nodes."""
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        states = [_node_state(info) for info in infos]
        if all(s == ("Synced", "Primary", size) for s in states):
            return
        last = ", ".join(f"{i.dir.name}: {s}" for i, s in zip(infos, states, strict=True))
        if time.monotonic() > deadline:
            raise MrpplanError(f"the Galera sandbox did not sync within {timeout:.0f}s: {last}")
        time.sleep(0.3)


def _node_state(info: single.SandboxInfo) -> tuple[str, str, int]:
    try:
        with single.root_session(info, info.password) as conn, conn.cursor() as cur:
            cur.execute(
                "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', "
                "'wsrep_cluster_status', 'wsrep_cluster_size')"
            )
            values = {str(k): str(v) for k, v in cur.fetchall()}
    except pymysql.err.MySQLError:
        return ("unreachable", "", 0)
    return (
        values.get("wsrep_local_state_comment", ""),
        values.get("wsrep_cluster_status", ""),
        int(values.get("wsrep_cluster_size", "0") or 0),
    )


def down(base: Path, timeout: float = 60.0) -> bool:
    """Stop every node, the last-numbered first, node 1 last; False when none ran."""
    base = base.resolve()
    count = len(_load_state(base))
    stopped = False
    for number in range(count, 0, -1):
        stopped = single.down(node_dir(base, number), timeout) or stopped
    return stopped


def stop_node(base: Path, number: int, *, kill: bool = False) -> bool:
    """Stop one node (SIGKILL with `kill`: a crash, as the tests need)."""
    here = node_dir(base.resolve(), number)
    if not kill:
        return single.down(here)
    info = single.status(here)
    if info is None:
        return False
    os.kill(info.pid, 9)
    while single._alive(info.pid):
        time.sleep(0.05)
    return True
