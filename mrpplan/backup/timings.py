"""Phase marks for benchmarks: with MRPPLAN_TIMINGS=1, `mark("rows loaded")` prints
`timing: rows loaded` to stderr as it happens (bench/bench_backup.py timestamps each line
and names the phases between them). Without it, nothing is printed."""

from __future__ import annotations

import os
import sys


def mark(label: str) -> None:
    """Say that a phase of the command ended (only when MRPPLAN_TIMINGS is set)."""
    if os.environ.get("MRPPLAN_TIMINGS"):
        print(f"timing: {label}", file=sys.stderr, flush=True)
