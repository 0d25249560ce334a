"""Small text formats shared by the command views."""

from __future__ import annotations

from mrpplan.units import human_size

__all__ = ["human_size"]
