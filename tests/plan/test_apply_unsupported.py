"""A table mrpplan cannot model exactly (explicit system-versioning columns) is reported,
never altered or recreated."""

from __future__ import annotations

from plan_test_support import (
    append_base_schema,
    edit_base_schema,
    saved_plan_path,
    snapshot,
    without_sync,
)

PARTITIONED = """CREATE TABLE meter_readings (
  id INT NOT NULL,
  taken DATE NOT NULL,
  reading DECIMAL(12,3) NULL,
  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,
  re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,
  PERIOD FOR SYSTEM_TIME (rs, re),
  PRIMARY KEY (id, taken)
) ENGINE=InnoDB WITH SYSTEM VERSIONING;"""


def test_change_to_an_unmodelled_table_is_shown_and_apply_refuses_it(project, cli) -> None:
    without_sync(project.root, "local")
    append_base_schema(project.root, PARTITIONED)
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    db = project.databases["local"]
    db.execute(
        "INSERT INTO meter_readings (id, taken, reading)"
        " VALUES (1, '2024-05-01', 12.5), (2, '2026-01-02', 3)"
    )

    edit_base_schema(
        project.root,
        "  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,",
        "  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,",
    )
    planned = cli("plan", "local", "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "unsupported_table" in planned.stdout and "meter_readings" in planned.stdout
    assert "ROW START/END columns is not modeled" in planned.stdout  # names what

    before = snapshot(db)
    refused = cli("apply", saved_plan_path(planned.stdout), "--auto-approve")
    assert refused.code == 3, refused.output
    assert "cannot make safely" in refused.stderr and "meter_readings" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert snapshot(db) == before
