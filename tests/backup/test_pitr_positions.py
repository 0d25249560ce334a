"""Every full and data backup records where its snapshot is in the binary log (DESIGN §3.13)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from backup_support import seed
from pitr_support import pitr_turn, server  # noqa: F401 (their own server, in turns)

from mrpplan.backup.manifest import manifest_path


def _manifest(project: Any, kind: str) -> dict[str, Any]:
    folder = project.root / "database" / "backups"
    path = max(folder.glob(f"mrp_erp_{kind}_local_*.sql.gz"))
    return dict(json.loads(manifest_path(path).read_text()))


def test_full_and_data_backups_record_the_binlog_position(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    full = _manifest(project, "full")["binlog"]
    [(file, position, *_rest)] = db.query("SHOW MASTER STATUS")
    [(gtid,)] = db.query("SELECT @@gtid_binlog_pos")
    # nothing was written since: the backup's position is the log's position now
    assert (full["file"], full["position"], full["gtid"]) == (file, position, gtid)
    assert abs(full["at"] - time.time()) < 60
    assert cli("backup", "local", "--data-only").code == 0
    assert _manifest(project, "data")["binlog"]["position"] == position
    assert cli("backup", "local", "--schema-only").code == 0
    assert _manifest(project, "schema")["binlog"] is None


def test_the_position_is_the_snapshot_s_while_writes_go_on(project: Any, cli: Any) -> None:
    # a writer commits all the time and notes each row's GTID: the backup holds exactly
    # the rows whose GTIDs are at or before the recorded position
    db = project.databases["local"]
    seed(db)
    db.execute("CREATE TABLE ticks (id INT PRIMARY KEY AUTO_INCREMENT, at DOUBLE)")
    stop = threading.Event()
    noted: list[tuple[int, int]] = []

    def write() -> None:
        conn = db.connect()
        try:
            with conn.cursor() as cur:
                while not stop.is_set():
                    cur.execute("INSERT INTO ticks (at) VALUES (UNIX_TIMESTAMP(NOW(6)))")
                    cur.execute("SELECT LAST_INSERT_ID(), @@last_gtid")
                    row_id, gtid = cur.fetchone()
                    noted.append((int(row_id), int(str(gtid).split("-")[2])))
        finally:
            conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        time.sleep(0.3)
        assert cli("backup", "local").code == 0
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join()
    manifest = _manifest(project, "full")
    [domain_server_seq] = manifest["binlog"]["gtid"].split(",")
    seq = int(domain_server_seq.split("-")[2])
    before = [row_id for row_id, gtid in noted if gtid <= seq]
    after = [row_id for row_id, gtid in noted if gtid > seq]
    assert before and after  # the writer ran across the snapshot
    assert manifest["tables"]["ticks"]["rows"] == len(before) == max(before)
    assert Path(manifest["file"]).name.endswith(".sql.gz")
