"""Environment files and the project layout."""

from mrpplan.config.loader import Problem, check_environment_file, load_environment
from mrpplan.config.project import Project
from mrpplan.config.settings import ConnectionSettings, Environment

__all__ = [
    "ConnectionSettings",
    "Environment",
    "Problem",
    "Project",
    "check_environment_file",
    "load_environment",
]
