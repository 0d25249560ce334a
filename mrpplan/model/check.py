"""A table CHECK constraint."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """`definition` is the server's line: "CONSTRAINT `name` CHECK (expr)"."""

    name: str
    expression: str
    definition: str
