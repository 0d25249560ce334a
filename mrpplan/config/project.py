"""A project: the folder with environments/, database/ and plans/."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mrpplan.config.expand import read_dotenv
from mrpplan.errors import ConfigError


@dataclass
class Project:
    """The project folder: its environments, schema, migrations, seeds and caches."""

    root: Path
    _variables: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder at or above `start` that has environments/ or database/."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "environments").is_dir() or (folder / "database").is_dir():
                return cls(folder)
        raise ConfigError(
            f"no mrpplan project at or above {here} (looked for environments/ and database/)",
            hint="run inside a project or pass --project DIR",
        )

    @property
    def environments_dir(self) -> Path:
        return self.root / "environments"

    @property
    def database_dir(self) -> Path:
        return self.root / "database"

    @property
    def schema_dir(self) -> Path:
        return self.database_dir / "schema"

    @property
    def migrations_dir(self) -> Path:
        return self.database_dir / "migrations"

    @property
    def seeds_dir(self) -> Path:
        return self.database_dir / "seeds"

    @property
    def plans_dir(self) -> Path:
        return self.root / "plans"

    @property
    def state_dir(self) -> Path:
        """Git-ignored working state: sandbox, caches."""
        return self.root / ".mrpplan"

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"

    def environment_names(self) -> list[str]:
        if not self.environments_dir.is_dir():
            return []
        return sorted(p.stem for p in self.environments_dir.glob("*.yaml"))

    def environment_file(self, name: str) -> Path:
        return self.environments_dir / f"{name}.yaml"

    def variables(self) -> dict[str, str]:
        """`.env` at the root, overridden by the process environment."""
        if self._variables is None:
            merged = read_dotenv(self.root / ".env")
            merged.update(os.environ)
            self._variables = merged
        return self._variables

    def resolve(self, path: str | Path) -> Path:
        """A path from a YAML file: `~` expanded, relative to the project root."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.root / p
