"""Server flavor (MariaDB or MySQL) and version, with capability checks."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Flavor:
    """Which server (MariaDB or MySQL) and which version: what SQL it takes."""

    name: str  # "mariadb" | "mysql"
    version: tuple[int, int, int]

    @classmethod
    def parse(cls, version_text: str) -> Flavor:
        """From SELECT VERSION(): '10.11.6-MariaDB-0+deb12u1' or '8.0.36'."""
        numbers = re.match(r"(\d+)\.(\d+)\.(\d+)", version_text)
        parts = tuple(int(n) for n in numbers.groups()) if numbers else (0, 0, 0)
        name = "mariadb" if "mariadb" in version_text.lower() else "mysql"
        return cls(name, (parts[0], parts[1], parts[2]))

    @property
    def is_mariadb(self) -> bool:
        return self.name == "mariadb"

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        return self.version >= (major, minor, patch)

    @property
    def label(self) -> str:
        return f"{self.name}-{'.'.join(map(str, self.version))}"

    def supports_instant_add_column_anywhere(self) -> bool:
        return self.at_least(10, 4) if self.is_mariadb else self.at_least(8, 0, 29)

    def supports_rename_column(self) -> bool:
        return self.at_least(10, 5) if self.is_mariadb else self.at_least(8, 0)

    def supports_check_constraints(self) -> bool:
        return self.at_least(10, 2) if self.is_mariadb else self.at_least(8, 0, 16)

    def supports_if_exists_on_alter(self) -> bool:
        return self.is_mariadb

    def supports_rename_index(self) -> bool:
        return self.at_least(10, 5, 2) if self.is_mariadb else self.at_least(5, 7)

    def supports_instant_drop_column(self) -> bool:
        return self.at_least(10, 4) if self.is_mariadb else self.at_least(8, 0, 29)

    def supports_nocopy(self) -> bool:
        """ALGORITHM=NOCOPY exists on MariaDB 10.3+ only; MySQL says INPLACE."""
        return self.is_mariadb and self.at_least(10, 3)

    def dump_tool(self) -> tuple[str, ...]:
        return ("mariadb-dump", "mysqldump") if self.is_mariadb else ("mysqldump", "mariadb-dump")

    def client_tool(self) -> tuple[str, ...]:
        return ("mariadb", "mysql") if self.is_mariadb else ("mysql", "mariadb")
