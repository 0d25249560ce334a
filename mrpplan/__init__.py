"""mrpplan: plan/apply for MRP/ERP MySQL/MariaDB databases."""

__version__ = "0.1.0"
