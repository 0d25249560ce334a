"""The parsed parts of one CREATE TABLE text."""

from __future__ import annotations

from dataclasses import dataclass, field

from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index
from mrpplan.model.layout import join_create
from mrpplan.model.partitioning import Partitioning
from mrpplan.model.table_options import TableOptions


@dataclass(frozen=True)
class TableDef:
    """Columns, keys and options; `supported` is False when the text holds something the
    model cannot represent exactly (then only the canonical text is compared)."""

    columns: tuple[Column, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    options: TableOptions = field(default_factory=lambda: TableOptions(()))
    supported: bool = True
    unsupported_reason: str = ""
    partitioning: Partitioning | None = None
    head: str = ""  # "CREATE TABLE `name` ("
    # PERIOD FOR lines as printed: application-time periods follow the columns, the
    # SYSTEM_TIME period follows the keys
    periods: tuple[str, ...] = ()
    # the element kinds (column | key | period | foreign_key | check) in printed order:
    # the server keeps creation order in places (foreign keys and checks added by ALTERs
    # around a changed primary key), so the text is rebuilt in the order it was read
    layout: tuple[str, ...] = field(default=(), compare=False)

    @property
    def system_period(self) -> tuple[str, ...]:
        """What the diff cannot change: the PERIOD lines and their ROW START/END columns."""
        return self.periods + tuple(
            f"`{c.name}` {c.render()}" for c in self.columns if c.row_period
        )

    def render(self) -> str:
        """SHOW CREATE TABLE text from the structure: parsing must give the text back."""
        lines = {
            "column": [f"`{c.name.replace('`', '``')}` {c.render()}" for c in self.columns],
            "key": [i.render() for i in self.indexes],
            "period": list(self.periods),
            "foreign_key": [fk.render() for fk in self.foreign_keys],
            "check": [c.definition for c in self.checks],
        }
        layout = self.layout or self._server_layout()
        taken = dict.fromkeys(lines, 0)
        elements = []
        for kind in layout:
            elements.append(lines[kind][taken[kind]])
            taken[kind] += 1
        tail = self.partitioning.render() if self.partitioning else ""
        return join_create(self.head, elements, self.options.render(), tail)

    def _server_layout(self) -> tuple[str, ...]:
        """The usual order: columns, application-time periods, keys, the SYSTEM_TIME
        period, foreign keys, checks."""
        app = sum(not p.startswith("PERIOD FOR SYSTEM_TIME ") for p in self.periods)
        return (
            ("column",) * len(self.columns)
            + ("period",) * app
            + ("key",) * len(self.indexes)
            + ("period",) * (len(self.periods) - app)
            + ("foreign_key",) * len(self.foreign_keys)
            + ("check",) * len(self.checks)
        )
